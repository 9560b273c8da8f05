"""Programmatic Alembic: the migrations ship inside the package, no alembic.ini needed."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: URL) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would choke on a '%' in a password.
    config.set_main_option(
        "sqlalchemy.url", url.render_as_string(hide_password=False).replace("%", "%%")
    )
    return config


def upgrade(url: URL, revision: str = "head") -> None:
    """Migrate the database at `url`; runs its own event loop, so call it outside one."""
    command.upgrade(alembic_config(url), revision)


@cache
def head_revision() -> str | None:
    """The newest revision shipped with this code (read once: it cannot change while running)."""
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


async def current_revision(engine: AsyncEngine, *, retry: bool = True) -> str | None:
    """The database's revision, or None when it was never migrated."""
    async with engine.connect() as conn:
        try:
            result = await conn.execute(text("SELECT version_num FROM alembic_version"))
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                return None  # no alembic_version table
            dropped = exc
        except SQLAlchemyError:
            return None
        else:
            return result.scalar_one_or_none()
    # A pooled connection the server dropped (a restart): not an unmigrated database. Ask once
    # more on a new connection; if that fails too, the database is unreachable.
    if not retry:
        raise dropped
    return await current_revision(engine, retry=False)
