"""Who runs a sync and when: one at a time per database, in the foreground, background or on a
schedule. PostgreSQL's advisory lock keeps replicas from running it twice; SQLite, being a local
file, gets a process-local lock."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Literal

import structlog
from fastapi import Depends, Request
from prometheus_client import Counter
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from cschat.audit import service as audit
from cschat.core.config import HubSpotSettings
from cschat.core.db import Database, utcnow
from cschat.core.errors import Conflict
from cschat.integrations.hubspot import repository
from cschat.integrations.hubspot.client import HubSpotClient, HubSpotError
from cschat.integrations.hubspot.mapping import SOURCE
from cschat.integrations.hubspot.models import SyncRun
from cschat.integrations.hubspot.sync import Progress, TicketSync

log = structlog.get_logger(__name__)

ADVISORY_KEY = 0x68_75_62_73_79_6E_63  # "hubsync"
Trigger = Literal["cli", "api", "schedule"]
_LOCAL_HELD: set[str] = set()

SYNC_RUNS = Counter("cschat_hubspot_sync_runs_total", "HubSpot sync runs by outcome", ["status"])
SYNC_TICKETS = Counter(
    "cschat_hubspot_tickets_total", "HubSpot tickets written by the sync", ["change"]
)


class SyncLock:
    """Held for a whole run: a session advisory lock on PostgreSQL, a process flag on SQLite."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._conn: AsyncConnection | None = None
        self._local_key: str | None = None

    async def acquire(self) -> bool:
        if self.engine.dialect.name != "postgresql":
            key = self.engine.url.render_as_string(hide_password=True)
            if key in _LOCAL_HELD:
                return False
            _LOCAL_HELD.add(key)
            self._local_key = key
            return True
        conn = await self.engine.connect()
        got = await conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY})
        await conn.commit()  # the lock belongs to the session, not to this transaction
        if not got:
            await conn.close()
            return False
        self._conn = conn
        return True

    async def held_anywhere(self) -> bool:
        """Whether some process holds the lock now, without taking it (for the status)."""
        if self.engine.dialect.name != "postgresql":
            return self.engine.url.render_as_string(hide_password=True) in _LOCAL_HELD
        # A bigint advisory key shows in pg_locks as classid (high half) and objid (low half).
        async with self.engine.connect() as conn:
            held = await conn.scalar(
                text(
                    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
                    "AND classid = :high AND objid = :low AND objsubid = 1 AND granted "
                    "AND database = (SELECT oid FROM pg_database "
                    "WHERE datname = current_database()))"
                ),
                {"high": ADVISORY_KEY >> 32, "low": ADVISORY_KEY & 0xFFFFFFFF},
            )
        return bool(held)

    async def release(self) -> None:
        if self._local_key is not None:
            _LOCAL_HELD.discard(self._local_key)
            self._local_key = None
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                await conn.commit()
            finally:
                # Closing the connection ends the session, which frees the lock in any case.
                await conn.close()


class SyncRunner:
    """Starts HubSpot syncs for one app (or one CLI command) and keeps the periodic schedule."""

    def __init__(
        self,
        db: Database,
        settings: HubSpotSettings,
        *,
        client_factory: Callable[[], HubSpotClient] | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.client_factory = client_factory or (lambda: HubSpotClient(settings))
        self.next_run_at: datetime | None = None
        self._task: asyncio.Task[None] | None = None
        self._schedule: asyncio.Task[None] | None = None

    @property
    def configured(self) -> bool:
        return self.settings.token is not None

    @property
    def sees_every_run(self) -> bool:
        """Whether `running()` sees runs in other processes too: PostgreSQL's lock, not SQLite's."""
        return self.db.engine.dialect.name == "postgresql"

    @property
    def running_here(self) -> bool:
        return self._task is not None and not self._task.done()

    async def running(self) -> bool:
        """A sync runs here or in another process or replica on this database."""
        return self.running_here or await SyncLock(self.db.engine).held_anywhere()

    async def start(self, *, full: bool, trigger: Trigger, actor: str | None = None) -> int:
        """Begin a run in the background and return its id; Conflict while one runs anywhere."""
        lock, run_id = await self._begin(full=full, trigger=trigger)
        self._task = asyncio.create_task(
            self._execute(lock, run_id, full=full, on_progress=None, actor=actor or trigger)
        )
        return run_id

    async def run(
        self, *, full: bool, trigger: Trigger, on_progress: Progress | None = None
    ) -> SyncRun:
        """Run to the end in the foreground; Conflict while one runs anywhere."""
        lock, run_id = await self._begin(full=full, trigger=trigger)
        await self._execute(lock, run_id, full=full, on_progress=on_progress, actor=trigger)
        async with self.db.sessionmaker() as session:
            run = await repository.get_run(session, run_id)
        assert run is not None
        return run

    async def wait(self) -> None:
        """Wait for the background run, if any (tests, shutdown)."""
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self._task)

    def start_schedule(self, interval_seconds: float) -> None:
        """Run an incremental sync every `interval_seconds` (first one after one interval)."""
        self._schedule = asyncio.create_task(self._periodic(interval_seconds))

    async def close(self) -> None:
        """Stop the schedule and any background run (its ledger row says `interrupted`)."""
        for task in (self._schedule, self._task):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self.next_run_at = None

    async def _periodic(self, interval_seconds: float) -> None:
        while True:
            self.next_run_at = utcnow() + timedelta(seconds=interval_seconds)
            await asyncio.sleep(interval_seconds)
            try:
                run = await self.run(full=False, trigger="schedule")
                log.info("hubspot.scheduled_sync", run_id=run.id, status=run.status)
            except Conflict:
                log.info("hubspot.scheduled_sync_skipped", reason="another sync is running")
            except Exception as exc:
                log.error("hubspot.scheduled_sync_failed", error_type=type(exc).__name__)

    async def _begin(self, *, full: bool, trigger: Trigger) -> tuple[SyncLock, int]:
        if not self.configured:
            # A 409 (the server's state), not a 5xx: nothing is down, the integration is off.
            raise Conflict("HubSpot sync is not configured: set HUBSPOT_TOKEN.")
        lock = SyncLock(self.db.engine)
        if not await lock.acquire():
            raise Conflict("A HubSpot sync is already running; wait for it to finish.")
        try:
            async with self.db.sessionmaker() as session:
                await repository.interrupt_stale_runs(session, SOURCE)
                run = await repository.create_run(
                    session, source=SOURCE, mode="full" if full else "incremental", trigger=trigger
                )
                await session.commit()
                return lock, run.id
        except BaseException:
            await lock.release()
            raise

    async def _execute(
        self,
        lock: SyncLock,
        run_id: int,
        *,
        full: bool,
        on_progress: Progress | None,
        actor: str,
    ) -> None:
        status, detail, failed = "succeeded", None, 0
        try:
            async with self.client_factory() as client:
                sync = TicketSync(
                    self.db.sessionmaker,
                    client,
                    self.settings,
                    run_id=run_id,
                    on_progress=on_progress,
                )
                totals = await sync.run(full=full)
                for change in ("inserted", "updated", "removed"):
                    SYNC_TICKETS.labels(change).inc(getattr(totals, change))
                detail = (
                    f"{totals.fetched} fetched, {totals.inserted} new, {totals.updated} changed, "
                    f"{totals.removed} removed; {client.stats.requests} requests, "
                    f"{client.stats.retries} retried."
                )
        except HubSpotError as exc:
            status, detail, failed = exc.run_status, str(exc), 1
        except asyncio.CancelledError:
            status, detail = "interrupted", "The sync was cancelled; the next run resumes it."
            raise
        except Exception as exc:
            log.error("hubspot.sync_failed", run_id=run_id, error_type=type(exc).__name__)
            status, detail, failed = "failed", f"Unexpected {type(exc).__name__}; see the log.", 1
        finally:
            try:
                async with self.db.sessionmaker() as session:
                    if failed:
                        await repository.add_to_run(session, run_id, errors=failed)
                    await repository.finish_run(session, run_id, status=status, detail=detail)
                    await audit.record(
                        session,
                        actor=actor,
                        action="hubspot.sync",
                        target=f"sync_run:{run_id}",
                        details={"status": status, "full": full, "detail": detail},
                    )
                    await session.commit()
            finally:
                await lock.release()
            SYNC_RUNS.labels(status).inc()
            log.info("hubspot.sync_finished", run_id=run_id, status=status)


async def get_runner(request: Request) -> SyncRunner:
    runner: SyncRunner = request.app.state.hubspot
    return runner


SyncRunnerDep = Annotated[SyncRunner, Depends(get_runner)]
