"""The invitation mail in Spanish and English, as plain text and HTML."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from cschat.email.backends import OutgoingMail

LANGUAGES = ("es", "en")


@dataclass(frozen=True)
class _Texts:
    subject: str
    greeting: str
    body: str
    action: str
    expiry: str
    ignore: str


_INVITATION = {
    "es": _Texts(
        subject="Invitación a cschat",
        greeting="Hola{name}:",
        body="{inviter} te ha invitado a cschat como {role}.",
        action="Acepta la invitación aquí",
        expiry="El enlace caduca el {expires} (UTC).",
        ignore="Si no esperabas esta invitación, ignora este mensaje.",
    ),
    "en": _Texts(
        subject="You are invited to cschat",
        greeting="Hello{name},",
        body="{inviter} has invited you to cschat as {role}.",
        action="Accept the invitation here",
        expiry="The link expires on {expires} (UTC).",
        ignore="If you did not expect this invitation, ignore this message.",
    ),
}


def invitation_mail(
    *,
    to: str,
    language: str,
    link: str,
    inviter: str,
    role: str,
    given_name: str | None,
    expires_at: datetime,
) -> OutgoingMail:
    """The invitation in `language` (es or en) with the accept link."""
    t = _INVITATION[language if language in _INVITATION else "en"]
    name = f" {given_name}" if given_name else ""
    expires = expires_at.strftime("%Y-%m-%d %H:%M")
    lines = [
        t.greeting.format(name=name),
        t.body.format(inviter=inviter, role=role),
        f"{t.action}: {link}",
        t.expiry.format(expires=expires),
        t.ignore,
    ]
    html = (
        f"<p>{escape(t.greeting.format(name=name))}</p>"
        f"<p>{escape(t.body.format(inviter=inviter, role=role))}</p>"
        f'<p><a href="{escape(link, quote=True)}">{escape(t.action)}</a></p>'
        f"<p>{escape(t.expiry.format(expires=expires))}</p>"
        f"<p><small>{escape(t.ignore)}</small></p>"
    )
    return OutgoingMail(to=to, subject=t.subject, text="\n\n".join(lines) + "\n", html=html)
