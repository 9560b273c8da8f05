"""Invitation rules: who can be invited, dead tokens and their reasons, resend, revoke, races."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
import pytest
import structlog
from fastapi import FastAPI
from sqlalchemy import select, update

from cschat.core.config import Settings
from cschat.core.db import utcnow
from cschat.email.backends import ConsoleBackend, OutgoingMail
from cschat.invitations import service
from cschat.invitations.models import Invitation
from cschat.main import create_app
from cschat.users import service as users_service
from cschat.users.models import User
from tests.conftest import SUPERVISOR_EMAIL, make_client
from tests.fakes.aws import free_port
from tests.fakes.smtp import SmtpSink, parts, token_from
from tests.support.audit import audit_trail
from tests.support.auth import sign_in
from tests.support.race import sent_meanwhile

PASSWORD = "una clave muy larga 123"


async def _invite(boss: httpx.AsyncClient, email: str, **extra: str) -> dict[str, object]:
    response = await boss.post("/api/users/invite", json={"email": email, **extra})
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


async def test_english_invitation_with_both_parts(boss: httpx.AsyncClient, smtp: SmtpSink) -> None:
    await _invite(boss, "ann@example.com", role="Supervisor", language="en")
    message = smtp.last_to("ann@example.com")
    text, html = parts(message)
    assert message["Subject"] == "You are invited to cschat"
    assert "as Supervisor" in text and "Accept the invitation here" in html
    assert message["From"] == "cschat <no-reply@localhost>"
    stored = await boss.get("/api/invitations")
    [row] = stored.json()["invitations"]
    assert row["language"] == "en" and row["role"] == "Supervisor" and row["status"] == "pending"
    assert "token" not in row
    # Default expiry: seven days.
    expires, created = (datetime.fromisoformat(row[k]) for k in ("expires_at", "created_at"))
    assert expires - created == timedelta(days=7)


async def test_the_database_keeps_only_the_token_hash(
    mail_app: FastAPI, boss: httpx.AsyncClient, smtp: SmtpSink
) -> None:
    await _invite(boss, "hash@example.com")
    token = token_from(smtp.last_to("hash@example.com"))
    async with mail_app.state.db.transaction() as session:
        invitation = await session.scalar(select(Invitation))
    assert invitation is not None
    # SHA-256 of the token, worked out here rather than by the code under test.
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in invitation.token_hash
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)


async def test_inviting_an_active_user_is_a_conflict(boss: httpx.AsyncClient) -> None:
    response = await boss.post("/api/users/invite", json={"email": SUPERVISOR_EMAIL})
    assert response.status_code == 409
    assert "already has an active account" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@example.com", "role": "Boss"}, "role"),
        ({"email": "a@example.com", "language": "fr"}, "language"),
        ({"email": "a\x00b@example.com"}, "email"),
        ({"email": "ana\u200b@example.com"}, "email"),
        ({"email": "\u200fana@example.com"}, "email"),
        ({"email": "ana@example.com\ufeff"}, "email"),
        ({"email": "a@example.com", "given_name": "\x00"}, "given_name"),
        ({"email": "a@example.com", "family_name": "Ana\r\nBcc: x"}, "family_name"),
    ],
)
async def test_bad_invitations_name_the_field(
    boss: httpx.AsyncClient, body: dict[str, str], field: str
) -> None:
    response = await boss.post("/api/users/invite", json=body)
    assert response.status_code in (400, 422)
    assert field in response.json()["detail"]
    assert (await boss.get("/api/invitations")).json()["invitations"] == []
    assert (await boss.get("/api/users")).json()["total"] == 1  # the Supervisor only


async def test_inviting_an_address_in_another_unicode_form_invites_the_same_user(
    boss: httpx.AsyncClient,
) -> None:
    # Not a second account: the same pending user, whose earlier link the new one replaces.
    await _invite(boss, "jos\u00e9@example.com")
    again = await boss.post("/api/users/invite", json={"email": " JOSE\u0301@example.com"})
    assert again.status_code == 201, again.text
    assert again.json()["email"] == "jos\u00e9@example.com"
    users = (await boss.get("/api/users", params={"search": "jos"})).json()["users"]
    assert [u["email"] for u in users] == ["jos\u00e9@example.com"]
    rows = (await boss.get("/api/invitations")).json()["invitations"]
    assert [r["status"] for r in rows] == ["pending", "revoked"]


@pytest.mark.parametrize("invitation_id", ["2147483648", "9223372036854775808", "1" + "0" * 25])
@pytest.mark.parametrize("method", ["POST", "DELETE"])
async def test_ids_beyond_the_column_are_404(
    boss: httpx.AsyncClient, method: str, invitation_id: str
) -> None:
    path = f"/api/invitations/{invitation_id}" + ("/resend" if method == "POST" else "")
    response = await boss.request(method, path)
    assert response.status_code == 404, response.text
    assert invitation_id in response.json()["detail"]


async def test_an_account_created_meanwhile_is_a_conflict(
    mail_app: FastAPI, boss: httpx.AsyncClient
) -> None:
    async with mail_app.state.db.sessionmaker() as first:
        await users_service.create_user(
            first, email="twice@example.com", role="Agent", status="pending"
        )
        response = await sent_meanwhile(
            first, boss.post("/api/users/invite", json={"email": "twice@example.com"})
        )
    assert response.status_code == 409, response.text
    assert "already exists" in response.json()["detail"]


async def test_simultaneous_invitations_leave_one_open_link(
    mail_app: FastAPI, boss: httpx.AsyncClient
) -> None:
    await _invite(boss, "twice@example.com")
    admin = service.Admin(
        settings=mail_app.state.settings,
        mailer=mail_app.state.mailer,
        directory=mail_app.state.directory,
    )
    async with mail_app.state.db.sessionmaker() as first:
        await service.invite(
            first,
            admin,
            email="twice@example.com",
            role="Agent",
            given_name=None,
            family_name=None,
            language=None,
            actor=SUPERVISOR_EMAIL,
        )
        response = await sent_meanwhile(
            first, boss.post("/api/users/invite", json={"email": "twice@example.com"})
        )
    assert response.status_code == 201
    rows = (await boss.get("/api/invitations")).json()["invitations"]
    assert sorted(r["status"] for r in rows) == ["pending", "revoked", "revoked"]


async def test_unknown_token_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/invitations/not-a-real-token-at-all")
    assert response.status_code == 404
    assert "not valid" in response.json()["detail"]


async def test_expired_token_is_refused_with_the_date(
    mail_app: FastAPI, boss: httpx.AsyncClient, smtp: SmtpSink
) -> None:
    await _invite(boss, "late@example.com")
    token = token_from(smtp.last_to("late@example.com"))
    async with mail_app.state.db.transaction() as session:
        await session.execute(update(Invitation).values(expires_at=utcnow() - timedelta(minutes=1)))
    async with make_client(mail_app) as invitee:
        shown = await invitee.get(f"/api/invitations/{token}")
        accepted = await invitee.post(
            "/api/invitations/accept", json={"token": token, "password": PASSWORD}
        )
    for response in (shown, accepted):
        assert response.status_code == 410
        assert "expired on" in response.json()["detail"]
    listed = (await boss.get("/api/invitations")).json()["invitations"]
    assert listed[0]["status"] == "expired"


async def test_resend_kills_the_old_token_and_mails_a_new_one(
    mail_app: FastAPI, boss: httpx.AsyncClient, smtp: SmtpSink
) -> None:
    first = await _invite(boss, "twice@example.com", language="en")
    old_token = token_from(smtp.last_to("twice@example.com"))
    resent = await boss.post(f"/api/invitations/{first['id']}/resend")
    assert resent.status_code == 201, resent.text
    assert resent.json()["id"] != first["id"] and resent.json()["language"] == "en"
    new_token = token_from(smtp.last_to("twice@example.com"))
    assert new_token != old_token
    async with make_client(mail_app) as invitee:
        dead = await invitee.post(
            "/api/invitations/accept", json={"token": old_token, "password": PASSWORD}
        )
        assert dead.status_code == 410 and "replaced by a newer one" in dead.json()["detail"]
        alive = await invitee.post(
            "/api/invitations/accept", json={"token": new_token, "password": PASSWORD}
        )
        assert alive.status_code == 200
    statuses = [i["status"] for i in (await boss.get("/api/invitations")).json()["invitations"]]
    assert statuses == ["accepted", "revoked"]
    again = await boss.post(f"/api/invitations/{resent.json()['id']}/resend")
    assert again.status_code == 409


async def test_revoke_kills_the_token_and_blocks_the_account(
    mail_app: FastAPI, boss: httpx.AsyncClient, smtp: SmtpSink
) -> None:
    invitation = await _invite(boss, "gone@example.com")
    token = token_from(smtp.last_to("gone@example.com"))
    revoked = await boss.delete(f"/api/invitations/{invitation['id']}")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    async with make_client(mail_app) as invitee:
        response = await invitee.post(
            "/api/invitations/accept", json={"token": token, "password": PASSWORD}
        )
    assert response.status_code == 410 and "revoked" in response.json()["detail"]
    user = (await boss.get("/api/users/gone@example.com")).json()
    assert user["status"] == "disabled"
    assert (await boss.delete("/api/invitations/999")).status_code == 404
    # Invited again later: a fresh start as pending.
    await _invite(boss, "gone@example.com")
    assert (await boss.get("/api/users/gone@example.com")).json()["status"] == "pending"
    trail = await audit_trail(boss, action="invitation.")
    assert [a for a, _ in trail] == ["invitation.create", "invitation.revoke", "invitation.create"]


async def test_revoking_a_resent_invitation_by_its_first_id_kills_the_latest_link(
    mail_app: FastAPI, boss: httpx.AsyncClient, smtp: SmtpSink
) -> None:
    # The Supervisor revokes with the id shown when the invitation was first sent; the link of
    # the resend must die too, else the disabled account comes back active on accept.
    first = await _invite(boss, "resent@example.com", role="Supervisor")
    resent = await boss.post(f"/api/invitations/{first['id']}/resend")
    assert resent.status_code == 201, resent.text
    latest = token_from(smtp.last_to("resent@example.com"))
    revoked = await boss.delete(f"/api/invitations/{first['id']}")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    async with make_client(mail_app) as invitee:
        shown = await invitee.get(f"/api/invitations/{latest}")
        accepted = await invitee.post(
            "/api/invitations/accept", json={"token": latest, "password": PASSWORD}
        )
    assert shown.status_code == 410, shown.text
    assert accepted.status_code == 410, accepted.text
    user = (await boss.get("/api/users/resent@example.com")).json()
    assert user["status"] == "disabled"
    statuses = {
        i["id"]: i["status"] for i in (await boss.get("/api/invitations")).json()["invitations"]
    }
    assert statuses == {first["id"]: "revoked", resent.json()["id"]: "revoked"}


async def test_a_disabled_invitee_cannot_accept(
    mail_app: FastAPI, boss: httpx.AsyncClient, smtp: SmtpSink
) -> None:
    await _invite(boss, "blocked@example.com")
    token = token_from(smtp.last_to("blocked@example.com"))
    disabled = await boss.put("/api/users/blocked@example.com", json={"status": "disabled"})
    assert disabled.status_code == 200, disabled.text
    async with make_client(mail_app) as invitee:
        accepted = await invitee.post(
            "/api/invitations/accept", json={"token": token, "password": PASSWORD}
        )
        assert accepted.status_code == 410, accepted.text
        signed_in = await invitee.post(
            "/auth/login", json={"email": "blocked@example.com", "password": PASSWORD}
        )
        assert signed_in.status_code == 401
    user = (await boss.get("/api/users/blocked@example.com")).json()
    assert user["status"] == "disabled"


async def test_accept_needs_a_long_enough_password(
    mail_app: FastAPI, boss: httpx.AsyncClient, smtp: SmtpSink
) -> None:
    await _invite(boss, "short@example.com")
    token = token_from(smtp.last_to("short@example.com"))
    async with make_client(mail_app) as invitee:
        missing = await invitee.post("/api/invitations/accept", json={"token": token})
        short = await invitee.post(
            "/api/invitations/accept", json={"token": token, "password": "short"}
        )
        shown = await invitee.get(f"/api/invitations/{token}")
        accepted = await invitee.post(
            "/api/invitations/accept", json={"token": token, "password": PASSWORD}
        )
    assert missing.status_code == 400 and "password" in missing.json()["detail"]
    assert short.status_code == 400 and "at least" in short.json()["detail"]
    # Refused attempts do not use the invitation up.
    assert shown.status_code == 200
    assert accepted.status_code == 200, accepted.text


async def test_mail_server_down_is_502_and_nothing_is_kept(
    make_settings: Callable[..., Settings],
) -> None:
    # A free port: nothing listens there.
    app = create_app(
        make_settings(EMAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=free_port())
    )
    async with app.router.lifespan_context(app), make_client(app) as boss:
        await sign_in(app, boss, email=SUPERVISOR_EMAIL, role="Supervisor")
        response = await boss.post("/api/users/invite", json={"email": "lost@example.com"})
        assert response.status_code == 502
        assert "mail server" in response.json()["detail"]
        assert (await boss.get("/api/users/lost@example.com")).status_code == 404
        assert await audit_trail(boss, action="invitation.create") == []


async def test_simultaneous_accepts_exactly_one_wins(
    mail_app: FastAPI, boss: httpx.AsyncClient, smtp: SmtpSink
) -> None:
    await _invite(boss, "race@example.com")
    token = token_from(smtp.last_to("race@example.com"))
    clients = [make_client(mail_app) for _ in range(6)]
    try:
        responses = await asyncio.gather(
            *(
                c.post(
                    "/api/invitations/accept", json={"token": token, "password": PASSWORD + str(i)}
                )
                for i, c in enumerate(clients)
            )
        )
    finally:
        for c in clients:
            await c.aclose()
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 409, 409, 409, 409, 409], [r.text for r in responses]
    trail = await audit_trail(boss, action="invitation.accept")
    assert trail == [("invitation.accept", "race@example.com")]
    async with mail_app.state.db.transaction() as session:
        user = await session.scalar(select(User).where(User.email == "race@example.com"))
    assert user is not None and user.status == "active"
    # The winner's password is the account's; no loser's overwrote it.
    [winner] = [i for i, r in enumerate(responses) if r.status_code == 200]
    losers = [i for i in range(len(responses)) if i != winner]
    async with make_client(mail_app) as invitee:
        # The winner first: five failures in a row would then still fit the per-email limit.
        for i in [winner, *losers]:
            login = {"email": "race@example.com", "password": PASSWORD + str(i)}
            signed_in = await invitee.post("/auth/login", json=login)
            assert signed_in.status_code == (200 if i == winner else 401), (i, winner)


async def test_console_backend_withholds_bodies_in_production() -> None:
    mail = OutgoingMail(to="x@example.com", subject="s", text="secret link", html="<p>x</p>")
    with structlog.testing.capture_logs() as logs:
        await ConsoleBackend(show_body=False).send(mail)
        await ConsoleBackend(show_body=True).send(mail)
    assert [entry["body"] for entry in logs] == ["(withheld)", "secret link"]


async def test_tokens_stay_out_of_the_access_log(client: httpx.AsyncClient) -> None:
    with structlog.testing.capture_logs() as logs:
        await client.get("/api/invitations/a-secret-token-value")
    [line] = [entry for entry in logs if entry["event"] == "request"]
    assert line["path"] == "/api/invitations/{token}"
    assert "a-secret-token-value" not in str(logs)
