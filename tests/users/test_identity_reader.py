"""The per-request identity reader: fresh data every time, and it survives a dropped connection."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import text

from cschat.users import service
from cschat.users.repository import IdentityReader, PostgresIdentityReader, SqliteIdentityReader


async def test_reader_sees_each_committed_change(app: FastAPI) -> None:
    reader: IdentityReader = app.state.identity_reader
    expected = (
        PostgresIdentityReader if app.state.db.dialect == "postgresql" else SqliteIdentityReader
    )
    assert isinstance(reader, expected)
    assert await reader.find("ana@example.com") is None
    async with app.state.db.transaction() as session:
        await service.create_user(session, email="ana@example.com", role="Agent")
    row = await reader.find("ana@example.com")
    assert row is not None and (row.status, row.role) == ("active", "Agent")
    async with app.state.db.transaction() as session:
        await service.set_status(session, email="ana@example.com", status="disabled")
        await service.set_role(session, email="ana@example.com", role="Supervisor")
    row = await reader.find("ana@example.com")
    assert row is not None and (row.status, row.role) == ("disabled", "Supervisor")


async def test_postgres_reader_replaces_a_dropped_connection(app: FastAPI) -> None:
    if app.state.db.dialect != "postgresql":
        pytest.skip("PostgreSQL only (run with TEST_DATABASE_URL)")
    reader: PostgresIdentityReader = app.state.identity_reader
    async with app.state.db.transaction() as session:
        await service.create_user(session, email="ana@example.com", role="Agent")
    assert await reader.find("ana@example.com") is not None
    assert reader._conn is not None
    backend_pid = reader._conn.info.backend_pid
    async with app.state.db.engine.connect() as conn:
        await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend_pid})
    row = await reader.find("ana@example.com")
    assert row is not None and row.email == "ana@example.com"
    assert reader._conn.info.backend_pid != backend_pid
