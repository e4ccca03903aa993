"""The SMTP connection named by SMTP_URL, through the standard library's smtplib.

smtp://user:password@host:587   plain connection, upgraded with STARTTLS when the server offers it
smtp://…?starttls=require       refuse to send unless the server offers STARTTLS
smtp://…?starttls=off           never ask for TLS (a relay on the same host)
smtps://user:password@host:465  TLS from the first byte (implicit TLS)

Certificates are checked against the system's trust store (ssl.create_default_context). A password is
only ever sent over TLS, unless ?starttls=off says the connection is trusted as it is.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit


class NoTls(smtplib.SMTPException):
    """The URL asks for TLS (or carries a password) and the server offers no STARTTLS."""


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    implicit_tls: bool
    starttls: str  # auto | require | off
    user: str
    password: str
    timeout: float

    def describe(self) -> str:
        """Where mail goes, without the password (for logs and the admin page)."""
        scheme = "smtps" if self.implicit_tls else "smtp"
        who = f"{self.user}@" if self.user else ""
        return f"{scheme}://{who}{self.host}:{self.port}"


def parse(url: str, timeout: float = 20) -> Server:
    parts = urlsplit(url)
    implicit = parts.scheme == "smtps"
    starttls = parse_qs(parts.query).get("starttls", ["auto"])[0]
    return Server(
        host=parts.hostname or "localhost",
        port=parts.port or (465 if implicit else 25),
        implicit_tls=implicit,
        starttls=starttls,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        timeout=timeout,
    )


def connect(server: Server) -> smtplib.SMTP:
    """An open, greeted (and logged-in) connection; the caller quits it."""
    context = ssl.create_default_context()
    connection: smtplib.SMTP
    if server.implicit_tls:
        connection = smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout, context=context)
    else:
        connection = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
    try:
        connection.ehlo()
        if not server.implicit_tls and server.starttls != "off":
            if connection.has_extn("starttls"):
                connection.starttls(context=context)
                connection.ehlo()
            elif server.starttls == "require" or server.user:
                raise NoTls(f"{server.host}:{server.port} offers no STARTTLS")
        if server.user:
            connection.login(server.user, server.password)
    except BaseException:
        close(connection)
        raise
    return connection


def close(connection: smtplib.SMTP | None) -> None:
    if connection is None:
        return
    try:
        connection.quit()
    except (OSError, smtplib.SMTPException):
        connection.close()


def permanent(error: BaseException) -> bool:
    """A refusal that sending again cannot change: the server refused the recipient with a 5xx code."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _msg in error.recipients.values())
    return False


def describe_error(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
            for address, (code, text) in error.recipients.items()
        )
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error
        return f"{error.smtp_code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
    return f"{type(error).__name__}: {error}"
