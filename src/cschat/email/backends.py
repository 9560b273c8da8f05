"""Email backends: `console` (logs the mail) and `smtp` (text and HTML parts), per EMAIL_BACKEND."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Annotated, Protocol

import structlog
from anyio import to_thread
from fastapi import Depends, Request

from cschat.core.config import EmailSettings, Settings
from cschat.core.errors import UpstreamError

log = structlog.get_logger(__name__)

SMTP_TIMEOUT_SECONDS = 15


@dataclass(frozen=True)
class OutgoingMail:
    """One message with a plain-text and an HTML body."""

    to: str
    subject: str
    text: str
    html: str


class EmailBackend(Protocol):
    """Sends mail; raises UpstreamError when it cannot."""

    async def send(self, mail: OutgoingMail) -> None: ...


class ConsoleBackend:
    """Writes mail to the log instead of sending it (development and demos).

    The body carries secrets (invitation links), so outside development and test only the
    recipient and subject are logged: a production log must not let its readers accept invites.
    """

    def __init__(self, *, show_body: bool) -> None:
        self.show_body = show_body

    async def send(self, mail: OutgoingMail) -> None:
        if self.show_body:
            log.info("email_console", to=mail.to, subject=mail.subject, body=mail.text)
        else:
            log.info("email_console", to=mail.to, subject=mail.subject, body="(withheld)")


class SmtpBackend:
    """Sends through an SMTP server (optionally STARTTLS and login)."""

    def __init__(self, settings: EmailSettings) -> None:
        self.settings = settings

    def _message(self, mail: OutgoingMail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.email_from
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Message-ID"] = make_msgid()
        message.set_content(mail.text)
        message.add_alternative(mail.html, subtype="html")
        return message

    def _send(self, message: EmailMessage) -> None:
        s = self.settings
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if s.smtp_starttls:
                smtp.starttls()
            if s.smtp_user and s.smtp_password:
                smtp.login(s.smtp_user, s.smtp_password.get_secret_value())
            smtp.send_message(message)

    async def send(self, mail: OutgoingMail) -> None:
        try:
            await to_thread.run_sync(self._send, self._message(mail))
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("email_smtp_failed", error_type=type(exc).__name__, to=mail.to)
            raise UpstreamError("The mail server did not accept the message.") from None


def create_email_backend(settings: Settings) -> EmailBackend:
    """The backend EMAIL_BACKEND names."""
    if settings.email.backend == "smtp":
        return SmtpBackend(settings.email)
    return ConsoleBackend(show_body=not settings.app.is_production)


async def get_mailer(request: Request) -> EmailBackend:
    mailer: EmailBackend = request.app.state.mailer
    return mailer


MailerDep = Annotated[EmailBackend, Depends(get_mailer)]
