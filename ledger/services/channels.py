"""Where reminder digests go: email over SMTP, a chat webhook (Slack, Mattermost), or the log.

A channel either accepts a digest or raises DeliveryError with the reason; the outbox keeps that
reason and tries again later. A channel must not return until the far end has accepted the
message, because returning is what lets the outbox mark the reminder sent.
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass, field
from email.utils import formataddr, make_msgid, parseaddr
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from ledger.config import Channel
from ledger.errors import ConfigError, DeliveryError
from ledger.escape import json_text, terminal

if TYPE_CHECKING:
    import smtplib


@dataclass(frozen=True)
class Digest:
    """One recipient's reminder: every due claim waiting on them, as text and as fields."""

    recipient: str  # what the outbox keys on: an address for email, a name elsewhere
    subject: str
    text: str
    claims: list[dict[str, Any]] = field(default_factory=list)
    as_of: str = ""


class Sender(Protocol):
    def send(self, digest: Digest) -> None: ...


class EmailSender:
    def __init__(self, channel: Channel, environ=os.environ):
        o = channel.options
        self.name = channel.name
        self.host, self.port, self.security = o["host"], o["port"], o["security"]
        self.user, self.sender, self.timeout = o.get("user"), o["from"], o.get("timeout", 20)
        self.password = None
        if o.get("password_env"):
            self.password = environ.get(o["password_env"])
            if self.password is None:
                raise ConfigError(
                    f"[channels.{channel.name}] reads its password from ${o['password_env']}, which is not set"
                )

    def send(self, digest: Digest) -> None:
        to = address_of(digest.recipient)
        if to is None or not to.isascii():  # e.g. a reviewer added before addresses were checked
            raise DeliveryError(f"email to {digest.recipient}: not an address a mail server takes")
        # SMTP, TLS and MIME are imported by the channels that use them, not at every start-up.
        import smtplib
        import ssl
        from email.message import EmailMessage

        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = digest.recipient
        message["Subject"] = digest.subject
        message["Message-ID"] = make_msgid(domain=parseaddr(self.sender)[1].rpartition("@")[2] or None)
        message.set_content(digest.text)
        try:
            if self.security == "tls":
                client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            try:
                if self.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if self.user:
                    client.login(self.user, self.password or "")
                client.send_message(message, to_addrs=[to])  # the envelope: never re-read from the header
            finally:
                _hang_up(client)
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP {self.host}:{self.port}, email to {to}: {_reason(exc)}") from None


def _hang_up(client: smtplib.SMTP) -> None:
    """Say QUIT, but once the server took the message a failure here must not count against it."""
    import smtplib

    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


class WebhookSender:
    """POSTs JSON: ``text`` is what Slack and Mattermost show; the other keys are for programs."""

    def __init__(self, channel: Channel):
        self.url, self.timeout = channel.options["url"], channel.options.get("timeout", 20)

    def send(self, digest: Digest) -> None:
        body = {
            "text": digest.text,
            "subject": digest.subject,
            "recipient": digest.recipient,
            "as_of": digest.as_of,
            "claims": digest.claims,
        }
        import urllib.error
        import urllib.request

        request = urllib.request.Request(
            self.url,
            data=json_text(body).encode("utf-8"),
            headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "claims-reminders"},
            method="POST",
        )
        try:
            with _no_redirects().open(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            moved = f", redirecting to {_one_line(exc.headers.get('Location', ''))[:200]} (not followed)" if 300 <= exc.code < 400 else ""
            raise DeliveryError(f"webhook {self.url} answered {exc.code} {_one_line(str(exc.reason))}{moved}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise DeliveryError(f"webhook {self.url}: {_reason(exc)}") from None


@functools.cache
def _no_redirects():
    """An opener that refuses redirects, built on a webhook's first send."""
    import urllib.request

    class RefuseRedirects(urllib.request.HTTPRedirectHandler):
        """A redirect is an answer, not a delivery: following it would re-send the digest as a GET
        without its body, or to a host nobody configured, and count that host's 200 as delivered."""

        def redirect_request(self, *args, **kwargs):
            return None  # urllib then raises HTTPError with the 3xx status and its headers

    return urllib.request.build_opener(RefuseRedirects)


class LogSender:
    def __init__(self, channel: Channel, stream: TextIO | None = None):
        self.stream = stream

    def send(self, digest: Digest) -> None:
        stream = self.stream or sys.stdout
        # The log is read on a terminal or in a journal: claim texts' control characters shown, not sent.
        stream.write(terminal(f"--- reminder for {digest.recipient}: {digest.subject}\n{digest.text}\n"))
        stream.flush()


def open_senders(channels: tuple[Channel, ...], environ=os.environ) -> dict[str, Sender]:
    """A sender per configured channel; a password variable that is not set is a ConfigError now."""
    senders: dict[str, Sender] = {}
    for ch in channels:
        if ch.type == "smtp":
            senders[ch.name] = EmailSender(ch, environ)
        elif ch.type == "webhook":
            senders[ch.name] = WebhookSender(ch)
        else:
            senders[ch.name] = LogSender(ch)
    return senders


def _reason(exc: BaseException) -> str:
    import smtplib
    import urllib.error

    if isinstance(exc, urllib.error.URLError) and exc.reason:
        exc = exc.reason if isinstance(exc.reason, BaseException) else exc
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):  # {address: (code, reply)}: the server's reply
        exc = smtplib.SMTPResponseException(*next(iter(exc.recipients.values())))
    if isinstance(exc, smtplib.SMTPResponseException):  # the server's own words, not a bytes repr
        error = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {_one_line(error)}"
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return _one_line(str(text))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def address_of(recipient: str) -> str | None:
    """The email address in "Name <address>" or a bare address; None for a plain name."""
    name, address = parseaddr(recipient)
    return address if "@" in address else None


def display(name: str, email: str | None) -> str:
    return formataddr((name, email)) if email else name
