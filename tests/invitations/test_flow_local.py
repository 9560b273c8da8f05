"""Invite -> mail (real SMTP) -> accept -> sign in -> role change -> disable -> cut off (local)."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.conftest import SUPERVISOR_EMAIL, make_client
from tests.fakes.smtp import SmtpSink, parts, token_from
from tests.support.audit import audit_trail

NEW = "nuevo.agente@example.com"
PASSWORD = "una clave muy larga 123"


async def test_invitation_end_to_end(
    mail_app: FastAPI, boss: httpx.AsyncClient, smtp: SmtpSink
) -> None:
    invited = await boss.post(
        "/api/users/invite",
        json={"email": "Nuevo.Agente@Example.com", "role": "Agent", "given_name": "Nora"},
    )
    assert invited.status_code == 201, invited.text
    assert invited.json()["status"] == "pending" and invited.json()["email"] == NEW
    listed = (await boss.get("/api/users", params={"status": "pending"})).json()
    assert [u["email"] for u in listed["users"]] == [NEW]

    message = smtp.last_to(NEW)
    text, html = parts(message)
    # No language given: EMAIL_DEFAULT_LANGUAGE (es) for both parts.
    assert message["Subject"] == "Invitación a cschat"
    assert "Hola Nora" in text and SUPERVISOR_EMAIL in text
    token = token_from(message)
    assert f'href="http://localhost:3000/invite/accept?token={token}"' in html

    async with make_client(mail_app) as invitee:
        shown = await invitee.get(f"/api/invitations/{token}")
        assert shown.status_code == 200
        assert shown.json()["email"] == NEW and shown.json()["inviter"] == SUPERVISOR_EMAIL
        assert shown.json()["password_required"] is True
        assert shown.json()["role"] == "Agent"
        # A role changed before the invitation is accepted is the role the page shows.
        changed = await boss.put(f"/api/users/{NEW}/role", json={"role": "Supervisor"})
        assert changed.status_code == 200, changed.text
        assert (await invitee.get(f"/api/invitations/{token}")).json()["role"] == "Supervisor"
        assert (await boss.put(f"/api/users/{NEW}/role", json={"role": "Agent"})).status_code == 200
        # Not yet accepted: signing in is refused.
        early = await invitee.post("/auth/login", json={"email": NEW, "password": PASSWORD})
        assert early.status_code == 401

        accepted = await invitee.post(
            "/api/invitations/accept",
            json={"token": token, "password": PASSWORD, "family_name": "Ruiz"},
        )
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["status"] == "active"
        again = await invitee.post(
            "/api/invitations/accept", json={"token": token, "password": PASSWORD}
        )
        assert again.status_code == 409 and "already accepted" in again.json()["detail"]

        signed_in = await invitee.post("/auth/login", json={"email": NEW, "password": PASSWORD})
        assert signed_in.status_code == 200, signed_in.text
        me = (await invitee.get("/auth/me")).json()
        assert (me["role"], me["given_name"], me["family_name"]) == ("Agent", "Nora", "Ruiz")
        assert (await invitee.get("/api/users")).status_code == 403

        promoted = await boss.put(f"/api/users/{NEW}/role", json={"role": "Supervisor"})
        assert promoted.status_code == 200 and promoted.json()["role"] == "Supervisor"
        # The role applies on the invitee's very next request.
        assert (await invitee.get("/api/users")).status_code == 200

        disabled = await boss.put(f"/api/users/{NEW}", json={"status": "disabled"})
        assert disabled.status_code == 200 and disabled.json()["status"] == "disabled"
        cut_off = await invitee.get("/auth/me")
        assert cut_off.status_code == 401
        refreshed = await invitee.post("/auth/refresh")
        assert refreshed.status_code == 401

    trail = await audit_trail(boss, target=NEW)
    assert trail == [
        ("invitation.create", NEW),
        ("user.role_change", NEW),
        ("user.role_change", NEW),
        ("auth.login_failed", NEW),
        ("invitation.accept", NEW),
        ("auth.login", NEW),
        ("user.role_change", NEW),
        ("user.status_change", NEW),
    ]
