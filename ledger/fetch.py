"""Fetching an article by URL for `claims extract`: http and https only, with a timeout, a size
limit, a content-type check and a capped number of redirects; every failure is one line that
says what went wrong."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from dataclasses import dataclass

from ledger import __version__
from ledger.domain.extract.article import MAX_BYTES
from ledger.errors import InvalidInput

READABLE = ("text/html", "application/xhtml+xml", "text/plain")


@dataclass(frozen=True)
class Page:
    url: str  # after redirects
    content_type: str
    body: bytes


class _Redirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, limit: int):
        self.limit, self.seen = limit, 0

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        self.seen += 1
        if self.seen > self.limit:
            raise InvalidInput(f"{req.full_url} redirects more than {self.limit} times")
        if not newurl.lower().startswith(("http://", "https://")):
            raise InvalidInput(f"{req.full_url} redirects to {newurl!r}, which is not an http or https address")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, *, timeout: float = 10, max_redirects: int = 5, max_bytes: int = MAX_BYTES) -> Page:
    if not url.lower().startswith(("http://", "https://")):
        raise InvalidInput(f"{url!r}: only http and https addresses can be fetched")
    opener = urllib.request.build_opener(_Redirects(max_redirects))
    request = urllib.request.Request(url, headers={"User-Agent": f"claims/{__version__} (claims extract)",
                                                   "Accept": "text/html, application/xhtml+xml, text/plain"})
    try:
        with opener.open(request, timeout=timeout) as response:
            content_type = response.headers.get("Content-Type", "").strip().lower()
            if not content_type.startswith(READABLE):
                raise InvalidInput(f"{url} is {content_type or 'of no stated type'}, not a page or text extract can read")
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise InvalidInput(f"{url} is {int(length):,} bytes, more than the {max_bytes:,} bytes extract reads")
            body = response.read(max_bytes + 1)
            if len(body) > max_bytes:
                raise InvalidInput(f"{url} is more than the {max_bytes:,} bytes extract reads")
            return Page(response.geturl(), content_type, body)
    except urllib.error.HTTPError as exc:
        raise InvalidInput(f"{url}: the server answered HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise InvalidInput(f"{url}: no answer within {timeout:g} s") from None
        raise InvalidInput(f"{url}: cannot connect ({reason})") from None
    except (socket.timeout, TimeoutError):
        raise InvalidInput(f"{url}: no answer within {timeout:g} s") from None
    except (ValueError, OSError) as exc:  # a malformed address, a reset connection
        raise InvalidInput(f"{url}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
