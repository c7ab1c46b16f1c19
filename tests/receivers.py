"""Real receivers on 127.0.0.1 for notification tests: an HTTP server and an SMTP server.

No mocks: channels talk to these over real sockets, so the tests cover what the network
actually sees. Reuse them through the fixtures (``http_receiver``, ``smtp_receiver``,
``closed_port``, ``tls_cert``): list ``"tests.receivers"`` in the root conftest's ``pytest_plugins``, or
bind them in a test module::

    from tests import receivers

    http_receiver = receivers.http_receiver

HTTP: ``receiver.url("/hook")``, ``receiver.respond_with(500)``, ``receiver.respond_with(200, delay=2)``,
then ``receiver.requests`` (each with ``.method``, ``.path``, ``.headers`` (lower-case keys),
``.body`` bytes and ``.json()``).
SMTP: ``receiver.port``, ``receiver.messages`` (parsed ``EmailMessage``, policy=default),
``receiver.envelopes`` (``mail_from``, ``rcpt_tos``), ``receiver.respond_with("451 try later")``.
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session


@dataclass(frozen=True)
class Received:
    """One HTTP request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class _Answer:
    status: int = 200
    delay: float = 0.0
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)


class HttpReceiver:
    """An HTTP server on 127.0.0.1 that records every request and answers as told (200 "ok" by default)."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._answer = _Answer()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True  # a handler still sleeping must not hold up close()
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="http-receiver", daemon=True)
        self._thread.start()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def respond_with(
        self, status: int, delay: float = 0, body: bytes | str = b"", headers: dict[str, str] | None = None
    ) -> None:
        """Answer every following request with ``status``, after ``delay`` seconds."""
        data = body.encode() if isinstance(body, str) else body
        self._answer = _Answer(status, delay, data or (b"ok" if status < 300 else b"error"), dict(headers or {}))

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {name.lower(): value for name, value in self.headers.items()}
                receiver.requests.append(Received(self.command, self.path, headers, body))
                answer = receiver._answer
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except OSError:
                    pass  # the client gave up waiting (a timeout test); nothing to answer

            do_PUT = do_GET = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        return Handler


class _Store:
    """aiosmtpd handler: keeps every message, answers as told."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.messages: list[EmailMessage] = []
        self.answer = "250 Message accepted for delivery"
        self.delay = 0.0

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.answer.startswith("250"):
            self.envelopes.append(envelope)
            content = envelope.original_content or b""
            self.messages.append(BytesParser(policy=policy.default).parsebytes(content))  # type: ignore[arg-type]
        return self.answer


class SmtpReceiver:
    """An SMTP server on 127.0.0.1 (aiosmtpd), optionally with STARTTLS, implicit TLS and AUTH.

    ``tls`` is a (certificate, key) pair for a server certificate; ``require_starttls`` refuses
    mail before STARTTLS; ``implicit_tls`` speaks TLS from the first byte (SMTPS, port 465 style);
    ``login`` is a (username, password) the server accepts (AUTH needs TLS).
    """

    def __init__(
        self,
        *,
        tls: tuple[Path, Path] | None = None,
        require_starttls: bool = False,
        implicit_tls: bool = False,
        login: tuple[str, str] | None = None,
    ) -> None:
        self._store = _Store()
        self.logins: list[tuple[str, str]] = []
        context = None
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
        options: dict[str, Any] = {"server_hostname": "receiver.test"}  # avoids a slow getfqdn()
        if implicit_tls:
            options["ssl_context"] = context
        elif context:
            options.update(tls_context=context, require_starttls=require_starttls)
        if login:
            options.update(authenticator=self._authenticator(login), auth_required=True)
        self.port = free_port()
        self._controller = Controller(self._store, hostname="127.0.0.1", port=self.port, **options)
        self._controller.start()

    @property
    def messages(self) -> list[EmailMessage]:
        return self._store.messages

    @property
    def envelopes(self) -> list[Envelope]:
        return self._store.envelopes

    def respond_with(self, answer: str, delay: float = 0) -> None:
        """Answer the end of DATA with ``answer`` (e.g. "451 4.3.0 try later"), after ``delay`` seconds."""
        self._store.answer = answer
        self._store.delay = delay

    def close(self) -> None:
        self._controller.stop()

    def _authenticator(self, login: tuple[str, str]) -> Any:
        def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
            if isinstance(data, LoginPassword):
                given = (data.login.decode(), data.password.decode())
                self.logins.append(given)
                if given == login:
                    return AuthResult(success=True, auth_data=data)
            # handled=False: aiosmtpd then answers 535 itself (the default leaves the client waiting).
            return AuthResult(success=False, handled=False)

        return authenticate


def free_port() -> int:
    """A port nothing listens on right now (the OS hands out a fresh one)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def self_signed_cert(directory: Path, host: str = "127.0.0.1") -> tuple[Path, Path]:
    """A certificate for ``host`` (IP and localhost) and its key, made with the openssl CLI."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=statusmark-test",
         "-addext", f"subjectAltName=IP:{host},DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def http_receiver() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def smtp_receiver() -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that refuses connections."""
    return free_port()


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed (certificate, key) for 127.0.0.1; the certificate doubles as the CA file to trust."""
    return self_signed_cert(tmp_path_factory.mktemp("tls"))
