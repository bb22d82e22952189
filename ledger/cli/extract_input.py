"""What `claims extract` reads: a file, standard input or a URL, as text or as a web page."""

from __future__ import annotations

import re
from pathlib import Path

from ledger.domain.extract.article import Article, check_article, decode
from ledger.errors import InvalidInput

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_HTML = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|article|div|p)\b", re.I | re.S)


def read_article(app, source: str, encoding: str | None = None) -> Article:
    """The article named by ``source``: ``-`` is standard input, a URL is fetched (http and
    https only), anything else is a file; a page in HTML is read for its article. ``encoding``
    (--encoding) is the user's word for how its bytes are written, and wins over any other."""
    content_type = None
    url = None
    if _URL.match(source):
        from ledger.config import extract_settings
        from ledger.fetch import fetch

        settings = extract_settings(app.config)
        page = fetch(source, timeout=settings["timeout"], max_redirects=settings["max_redirects"])
        data, content_type, url, name = page.body, page.content_type, page.url, source
    elif source == "-":
        data, name = _stdin(app.env.stdin), "standard input"
    else:
        data, name = _file(source), source
    if (content_type or "").startswith(("text/html", "application/xhtml")) or (content_type is None and _HTML.match(data[:4096])):
        from ledger.pages import read_page

        return check_article(read_page(data, name, url=url, charset=_charset(content_type), encoding=encoding), name)
    text, read_as, guessed = decode(data, name, encoding or _charset(content_type), given=encoding is not None)
    return check_article(Article(text=text, url=url, encoding=read_as, guessed=guessed), name)


def _charset(content_type: str | None) -> str | None:
    found = re.search(r"charset=\"?([\w.:-]+)", content_type or "", re.I)
    return found[1] if found else None


def _stdin(stream) -> bytes:
    buffer = getattr(stream, "buffer", None)
    data = buffer.read() if buffer is not None else stream.read()
    return data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data


def _file(path: str) -> bytes:
    from ledger.domain.extract.article import MAX_BYTES

    try:
        target = Path(path)
        if target.is_file() and target.stat().st_size > MAX_BYTES:
            raise InvalidInput(f"{path} is {target.stat().st_size:,} bytes, more than the {MAX_BYTES:,} bytes extract reads")
        return target.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"cannot read {path}: no such file") from None
    except IsADirectoryError:
        raise InvalidInput(f"cannot read {path}: it is a folder") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None
