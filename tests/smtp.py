"""A real SMTP server for the tests: aiosmtpd on a free loopback port, keeping every mail it accepts.

Use the `smtp_server` fixture (tests/conftest.py): it starts a server, points the app's SMTP_URL at it
for the test, and stops it afterwards. Mail queued in a request is sent right after its commit (in a
background thread); `server.wait_for(n)` waits for it, or call `market.mail.sender.send_pending()` in
an app context to send what is due at once. Each received mail is an `email.message.EmailMessage`:

    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == "a@example.com"
    link = smtp_server.links(mail)[0]          # absolute URLs in the plain-text part

`refuse` makes the server answer RCPT with an error (e.g. (451, "4.3.0 try later") or
(550, "5.1.1 no such user")); `SmtpServer(tls=True)` offers STARTTLS, `SmtpServer(implicit_tls=True)`
speaks TLS from the start, with a self-signed certificate the test must trust (`trust(monkeypatch)`).
"""

from __future__ import annotations

import re
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

LINK = re.compile(r"https?://[^\s<>\"]+")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(
        self, _server: SMTP, _session: Session, envelope: Envelope, address: str, _options: list[str]
    ) -> str:
        if self.server.refuse is not None:
            code, text = self.server.refuse
            return f"{code} {text}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server: SMTP, _session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content
        raw = content if isinstance(content, bytes) else str(content).encode()
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self.server.lock:
            self.server.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), message))
        return "250 Message accepted"


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost (openssl)."""
    key, cert = folder / "smtp-key.pem", folder / "smtp-cert.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return key, cert


class SmtpServer:
    def __init__(self, *, tls: bool = False, implicit_tls: bool = False, folder: Path | None = None) -> None:
        self.port = free_port()
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.refuse: tuple[int, str] | None = None
        self.cert: Path | None = None
        options: dict[str, Any] = {}
        if tls or implicit_tls:
            assert folder is not None, "a folder for the certificate"
            key, self.cert = _certificate(folder)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(str(self.cert), str(key))
            options = {"ssl_context": context} if implicit_tls else {"tls_context": context}
        self.scheme = "smtps" if implicit_tls else "smtp"
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **options)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def trust(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Make the app's TLS checks trust this server's self-signed certificate (SSL_CERT_FILE)."""
        assert self.cert is not None
        monkeypatch.setenv("SSL_CERT_FILE", str(self.cert))

    @property
    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [each.message for each in self.received]

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [each.message for each in self.received if address in each.recipients]

    def wait_for(self, count: int, timeout: float = 10, to: str | None = None) -> list[EmailMessage]:
        """The mail received so far once there are at least `count` (to `to`, when given)."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.to(to) if to else self.messages
            if len(got) >= count or time.monotonic() > deadline:
                return got
            time.sleep(0.02)

    def clear(self) -> None:
        with self.lock:
            self.received.clear()

    @staticmethod
    def text(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        assert part is not None, "no text/plain part"
        return str(part.get_content())

    @staticmethod
    def html(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("html",))
        assert part is not None, "no text/html part"
        return str(part.get_content())

    @classmethod
    def links(cls, message: EmailMessage) -> list[str]:
        """Every absolute link in the plain-text part, in order."""
        return LINK.findall(cls.text(message))
