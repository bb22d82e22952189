"""Real servers on 127.0.0.1 for the reminder tests: an SMTP server (aiosmtpd) and an HTTP server
that plays an incoming webhook. Each records what it accepted, so tests assert on what arrived."""

from __future__ import annotations

import json
import socket
import threading
import time
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float = 60.0, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {predicate}")


class Mailbox:
    """An SMTP server; ``messages`` holds each accepted message as (envelope recipients, email)."""

    def __init__(self, port: int | None = None, password: str | None = None, refuse: frozenset[str] = frozenset()):
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.port = port or free_port()
        self.messages: list[tuple[list[str], object]] = []
        self.refused: list[str] = []  # RCPT TO addresses answered 550 because they are in ``refuse``
        mailbox = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address in refuse:
                    mailbox.refused.append(address)
                    return f"550 5.1.1 <{address}>: no such user"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                mailbox.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
                return "250 Message accepted for delivery"

        self.logins: list[tuple[str, bool]] = []

        def authenticate(server, session, envelope, mechanism, auth_data):
            login, given = auth_data.login.decode(), auth_data.password.decode()
            self.logins.append((login, given == password))
            return AuthResult(success=given == password, handled=False)

        # With a password the server demands a login (over plain SMTP: loopback only).
        auth = {"authenticator": authenticate, "auth_required": True, "auth_require_tls": False} if password else {}
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **auth)

    def __enter__(self) -> Mailbox:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


class _HTTPServer:
    """A threaded HTTP server on 127.0.0.1 for ``handler``, served from entering to leaving the
    ``with`` block; ``closing`` is set on leaving, so a handler that waits on it lets go."""

    def _serve(self, handler) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True

    def __enter__(self):
        # shutdown() waits for the serving loop's next poll: poll often, so a test ends promptly.
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.closing.set()
        self.server.shutdown()
        self.server.server_close()


class Webhook(_HTTPServer):
    """An incoming-webhook endpoint. ``accepted`` holds the JSON bodies answered 200, in order.

    ``delay`` slows each answer; with ``hang`` set, requests are recorded in ``hung`` and never
    answered, like a chat server that stalls, until the server stops. With ``redirect`` set, a POST
    is answered ``redirect`` (a status) with a Location on this server, where a GET is answered 200
    and recorded in ``followed``. With ``refuse`` (status, reason phrase) every POST is answered so.
    """

    def __init__(self, delay: float = 0.0, redirect: int | None = None, refuse: tuple[int, str] | None = None):
        self.redirect, self.refuse = redirect, refuse
        self.followed: list[str] = []  # paths fetched after a redirect
        self.received: list[dict] = []  # every request, answered or not
        self.accepted: list[dict] = []
        self.hung: list[dict] = []
        self.delay = delay
        self.hang = threading.Event()
        self.closing = threading.Event()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                hook.received.append(body)
                if hook.hang.is_set():
                    hook.hung.append(body)
                    hook.closing.wait(30)
                    return
                if hook.refuse:  # the status line as given, whatever it holds
                    self.send_response(*hook.refuse)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if hook.redirect:
                    self.send_response(hook.redirect)
                    self.send_header("Location", "/moved")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                time.sleep(hook.delay)
                self._ok()
                hook.accepted.append(body)

            def do_GET(self):
                hook.followed.append(self.path)
                self._ok()

            def _ok(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
                self.wfile.flush()

            def log_message(self, *args):
                pass

        self._serve(Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/claims"


class Site(_HTTPServer):
    """A web site on 127.0.0.1 for `claims extract URL`: ``pages`` maps a path to (status,
    headers, body); a path in ``hang`` is never answered until the server stops (a stalled
    server). ``requests`` records every path asked for."""

    def __init__(self, pages: dict[str, tuple[int, dict[str, str], bytes]], hang: frozenset[str] = frozenset()):
        self.pages, self.hang = pages, hang
        self.requests: list[str] = []
        self.closing = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                site.requests.append(self.path)
                if self.path in site.hang:
                    site.closing.wait(60)
                    return
                status, headers, body = site.pages.get(self.path, (404, {"Content-Type": "text/plain"}, b"not found"))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self._serve(Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
