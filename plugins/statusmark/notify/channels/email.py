"""E-mail over SMTP: one RFC 5322 message per contact, plain text and HTML alternatives.

The payload is the message exactly as sent, and the same for the same notification: the
Date is the update's time, the MIME boundary and ``Message-ID`` derive from the idempotency
key (so a resend is recognisably the same mail, and mail clients drop duplicates), and
``References`` names the event so clients thread its updates together.
"""

from __future__ import annotations

import hashlib
import html
import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from typing import Any

from ..message import Message, Recipient
from . import _options
from ._time import utc
from .base import Channel, Payload, SendFailed

# CRLF line ends and 78-column headers as SMTP wants them; 7bit so non-ASCII bodies are
# quoted-printable or base64 and no server needs 8BITMIME.
POLICY = SMTP.clone(cte_type="7bit")

DRILL_NOTE = "This is a drill. It tests the notification path; no action is needed."
CORRECTION_NOTE = "This corrects an earlier update."

_NOT_ATEXT = re.compile(r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+")


class EmailChannel(Channel):
    type = "email"
    address_field = "email"
    required = ("host", "from")
    optional = ("port", "starttls", "ssl", "username", "password", "timeout", "ca_file")
    secret_options = ("password",)

    @classmethod
    def check_options(cls, options: Mapping[str, Any]) -> list[tuple[str, str]]:
        problems = super().check_options(options)
        if options.get("ssl") is True and options.get("starttls") is True:
            problems.append(("starttls", "ssl: true already encrypts from the start; drop starttls"))
        return problems

    def payload(self, message: Message, recipient: Recipient) -> Payload:
        return Payload(
            build(message, recipient, str(self.options.get("from", ""))).as_bytes(), "message/rfc822", ".eml"
        )

    def describe(self) -> str:
        # The relay's host says which server is meant and is no secret (the base would shorten it to "sm***").
        return f"{self.type}:{self.name} ({self.options.get('host', '')})"

    def send(self, payload: Payload, message: Message, recipient: Recipient, timeout: float) -> None:
        target = self.describe()
        if not recipient.address:
            raise SendFailed(f"{target}: contact {recipient.contact} has no e-mail address", permanent=True)
        use_ssl = _options.flag(self, "ssl", False)
        username = str(_options.plain(self, "username", ""))
        server = Server(
            host=str(_options.plain(self, "host")),
            port=int(_options.number(self, "port", 465 if use_ssl else 587)),
            timeout=_options.number(self, "timeout", timeout),
            implicit_tls=use_ssl,
            starttls=_options.flag(self, "starttls", not use_ssl),
            # ca_file replaces the system's CAs: for a relay with a private CA.
            context=ssl.create_default_context(cafile=_options.plain(self, "ca_file")),
            username=username,
            password=_options.secret(self, "password") if username else "",
        )
        sender = parseaddr(str(_options.plain(self, "from")))[1]
        deliver(payload.body, sender, recipient.address, server, target)


@dataclass(frozen=True)
class Server:
    """Where and how to hand over mail."""

    host: str
    port: int
    timeout: float
    implicit_tls: bool  # SMTPS (port 465): TLS from the first byte
    starttls: bool
    context: ssl.SSLContext
    username: str
    password: str = field(repr=False)


def build(message: Message, recipient: Recipient, sender: str) -> EmailMessage:
    mail = EmailMessage(policy=POLICY)
    mail["Subject"] = mail_subject(message)
    mail["From"] = sender
    if recipient.address:
        mail["To"] = recipient.address
    mail["Date"] = format_datetime(utc(message.at))
    mail["Message-ID"] = f"<{_msgid(message.idempotency_key)}@statusmark>"
    mail["References"] = f"<{_msgid(message.event_key)}@statusmark>"
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies, please
    if recipient.unsubscribe:
        mail["List-Unsubscribe"] = f"<{recipient.unsubscribe}>"
        if recipient.unsubscribe.startswith("https://"):
            # RFC 8058 one-click: mail providers POST here instead of following a link.
            mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.set_content(text_body(message, recipient))
    mail.add_alternative(html_body(message, recipient), subtype="html")
    # A fixed boundary keeps the payload byte-for-byte stable; "=_" never occurs in
    # quoted-printable or base64 text, and the hash makes a clash in 7bit text vanishingly unlikely.
    mail.set_boundary("=_statusmark_" + hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:32])
    return mail


def text_body(message: Message, recipient: Recipient) -> str:
    parts = [DRILL_NOTE] if message.drill else []
    if message.correction:
        parts.append(CORRECTION_NOTE)
    parts.append(message.text.strip())
    if message.link:
        parts.append(f"Details and updates: {message.link}")
    if recipient.unsubscribe:
        parts.append(f"Unsubscribe: {recipient.unsubscribe}")
    return "\n\n".join(part for part in parts if part) + "\n"


def html_body(message: Message, recipient: Recipient) -> str:
    parts = [f'<p style="color:#b00020"><strong>{html.escape(DRILL_NOTE)}</strong></p>'] if message.drill else []
    if message.correction:
        parts.append(f"<p><em>{html.escape(CORRECTION_NOTE)}</em></p>")
    parts.append(message.html)
    if message.link:
        parts.append(f'<p><a href="{html.escape(message.link)}">View on the status page</a></p>')
    if recipient.unsubscribe:
        parts.append(f'<p style="font-size:small"><a href="{html.escape(recipient.unsubscribe)}">Unsubscribe</a></p>')
    title = html.escape(mail_subject(message))
    body = "\n".join(parts)
    return f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}</title></head>\n<body>\n{body}\n</body></html>\n'


def mail_subject(message: Message) -> str:
    return f"[TEST] {message.subject}" if message.drill else message.subject


def deliver(body: bytes, sender: str, to: str, server: Server, target: str) -> None:
    """One SMTP transaction, step by step so a failure says whether the mail may have gone.

    ``smtplib.sendmail`` would do MAIL/RCPT/DATA in one call; split up, only a failure while the
    message itself is transferred (DATA) leaves the outcome unknown.
    """
    phase = "connect"
    client: smtplib.SMTP | None = None
    try:
        if server.implicit_tls:
            client = smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout, context=server.context)
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
        phase = "greet"
        client.ehlo()
        if server.starttls and not server.implicit_tls:
            client.starttls(context=server.context)  # raises SMTPNotSupportedError if not offered
            client.ehlo()
        if server.username:
            client.login(server.username, server.password)
        phase = "envelope"
        code, answer = client.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, answer, sender)
        code, answer = client.rcpt(to)
        if code not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({to: (code, answer)})
        phase = "data"
        code, answer = client.data(body)
        if code != 250:
            raise smtplib.SMTPDataError(code, answer)
        phase = "done"
    except Exception as exc:
        raise failure(exc, phase, target) from None
    finally:
        if client is not None:
            _close(client, polite=phase == "done")


def failure(exc: Exception, phase: str, target: str) -> SendFailed:
    """What went wrong, classified for the runner; no server text that could echo a password."""
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return SendFailed(
            f"{target}: the server does not offer STARTTLS (set starttls: false only for a local relay)", permanent=True
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return SendFailed(f"{target}: login refused ({exc.smtp_code})", permanent=True)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code = next(iter(exc.recipients.values()))[0]
        return SendFailed(f"{target}: recipient refused ({code})", permanent=code >= 500)
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return SendFailed(
            f"{target}: {phase} refused ({exc.smtp_code} {' '.join(text.split())[:200]})",
            permanent=exc.smtp_code >= 500,
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return SendFailed(
            f"{target}: the server's TLS certificate is not trusted ({exc.verify_message})", permanent=True
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected | OSError):
        what = "timed out" if isinstance(exc, TimeoutError) else _os_reason(exc)
        if phase == "data":
            return SendFailed(
                f"{target}: {what} while transferring the message; it may have been delivered", outcome_unknown=True
            )
        return SendFailed(f"{target}: {what} during {phase}")
    return SendFailed(f"{target}: {type(exc).__name__} during {phase}")


def _os_reason(exc: Exception) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "the server closed the connection"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed ({exc.reason})"
    return type(exc).__name__


def _close(client: smtplib.SMTP, *, polite: bool) -> None:
    """QUIT after a delivered mail (a failing QUIT changes nothing), else just drop the connection."""
    try:
        if polite:
            client.quit()
    except (smtplib.SMTPException, OSError):
        pass
    finally:
        client.close()


def _msgid(key: str) -> str:
    """``key`` as the left part of a Message-ID (RFC 5322 dot-atom-text)."""
    return ".".join(part for part in _NOT_ATEXT.sub("-", key).split(".") if part) or "statusmark"
