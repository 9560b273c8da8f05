"""Per-day histograms of resolution minutes beside the daily totals, and an index to read a bucket.

Revision ID: v001
Revises: t001
Create Date: 2026-11-27

An exact median or p90 of a month of a million tickets sorted ~90,000 values (~55 ms); over all
time a million (~650 ms). Percentiles are two order statistics, so it is enough to know which
values hold the wanted ranks: `ticket_daily_hist` counts resolved tickets per (resolved local day,
status, dimension value, bucket of resolution minutes), kept by the same statement triggers as
`ticket_daily`, and `ix_tickets_res_bucket` lists each bucket's tickets by resolution time. Summing
the window's histogram names the bucket and the offset of each wanted rank, and only that bucket's
tickets in the window are read and sorted (`cschat.tickets.histogram`).

Buckets are `floor(6 * ln(1 + minutes))`: each is ~18% wider than the one below it, so one
bucket holds a few percent of the tickets whatever the unit or spread of the data.
"""

# ruff: noqa: S608  (the SQL here is built from this file's and r001's constants only)
from collections.abc import Sequence

from alembic import op

from cschat.migrations.versions.r001_ticket_daily import (
    _CLEAR_PENDING,
    CHANGE_COLUMNS,
    DIMENSIONS,
    _apply,
    _function,
    _rows,
    _trigger_body,
)
from cschat.migrations.versions.r001_ticket_daily import (
    PG_UP as R001_UP,
)

revision: str = "v001"
down_revision: str | None = "t001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HIST_KEY = "dim, day, status, has_value, value, bucket"
BUCKET = "cschat_res_bucket"


def _apply_hist(changes: str) -> str:
    """Add the resolved rows of `changes` (columns: sign, CHANGE_COLUMNS) to ticket_daily_hist."""
    base = "f.day, c.status, f.bucket"
    sets = ", ".join([f"({base})", *(f"({base}, c.{d})" for d in DIMENSIONS)])
    dim = " ".join(f"WHEN GROUPING(c.{d}) = 0 THEN '{d}'" for d in DIMENSIONS)
    value = " ".join(f"WHEN GROUPING(c.{d}) = 0 THEN c.{d}" for d in DIMENSIONS)
    return f"""
  INSERT INTO ticket_daily_hist AS h ({HIST_KEY}, n)
  SELECT dim, day, status, value IS NOT NULL, coalesce(value, ''), bucket, n
  FROM (
    SELECT {base}, CASE {dim} ELSE '' END AS dim, CASE {value} END AS value, sum(c.sign) AS n
    FROM ({changes}) c
    CROSS JOIN LATERAL (VALUES ((c.resolved_at AT TIME ZONE z)::date,
                                {BUCKET}(c.resolution_minutes))) f(day, bucket)
    WHERE c.resolved_at IS NOT NULL AND c.resolution_minutes IS NOT NULL
    GROUP BY GROUPING SETS ({sets})
    HAVING sum(c.sign) <> 0
  ) g
  ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT ({HIST_KEY}) DO UPDATE SET n = h.n + excluded.n;"""


def _replace(statement: str) -> str:
    return statement.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


def _both(changes: str) -> str:
    return _trigger_body(changes) + _apply_hist(changes)


PENDING = f"SELECT sign, {CHANGE_COLUMNS} FROM ticket_daily_pending"
FUNCTIONS = [
    _function(
        "ticket_daily_rebuild",
        "z := zone_name; PERFORM set_config('work_mem', '256MB', true); "
        "LOCK TABLE tickets IN SHARE MODE; "
        + _CLEAR_PENDING
        + "UPDATE ticket_daily_state SET zone = z, built_at = now(); "
        "DELETE FROM ticket_daily; DELETE FROM ticket_daily_hist;"
        + _apply(_rows("tickets", 1))
        + _apply_hist(_rows("tickets", 1)),
        args="zone_name text",
    ),
    _function(
        "ticket_daily_merge",
        "SELECT zone INTO z FROM ticket_daily_state; "
        "PERFORM set_config('work_mem', '256MB', true); "
        "LOCK TABLE ticket_daily_pending IN EXCLUSIVE MODE; "
        "SELECT count(*) INTO k FROM ticket_daily_pending; "
        "IF z IS NOT NULL AND k < (SELECT pending FROM ticket_daily_state) THEN "
        "PERFORM ticket_daily_rebuild(z); RETURN; END IF; "
        "IF z IS NOT NULL THEN "
        + _apply(PENDING)
        + _apply_hist(PENDING)
        + " END IF; DELETE FROM ticket_daily_pending; UPDATE ticket_daily_state SET pending = 0;",
        args="",
    ),
    _function("ticket_daily_inserted", _both(_rows("new_rows", 1))),
    _function(
        "ticket_daily_updated",
        _both(f"{_rows('old_rows', -1)} UNION ALL {_rows('new_rows', 1)}"),
    ),
    _function("ticket_daily_deleted", _both(_rows("old_rows", -1))),
    _function(
        "ticket_daily_truncated",
        _CLEAR_PENDING + " DELETE FROM ticket_daily; DELETE FROM ticket_daily_hist;",
    ),
]

PG_UP = [
    # A plain SQL body made of strict functions, so the planner inlines it: called, it costs
    # five times as much per row. Minutes are >= 0 (a check constraint); the largest float8
    # gives bucket 4,254.
    f"""CREATE FUNCTION {BUCKET}(minutes float8) RETURNS smallint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT floor(6 * ln(1 + minutes))::smallint $$""",
    """CREATE TABLE ticket_daily_hist (
  dim varchar(16) NOT NULL, day date NOT NULL, status varchar(20) NOT NULL,
  has_value boolean NOT NULL, value varchar(255) NOT NULL, bucket smallint NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (dim, day, status, has_value, value, bucket))""",
    # Index-only reads of one bucket in a window, with what the filters and groupings compare.
    f"""CREATE INDEX ix_tickets_res_bucket ON tickets
  ({BUCKET}(resolution_minutes), resolved_at)
  INCLUDE (resolution_minutes, status, category, priority, channel, agent, team)
  WHERE resolution_minutes IS NOT NULL AND resolved_at IS NOT NULL""",
    *(_replace(f) for f in FUNCTIONS),
    # Totals built before this revision get their histograms now (the same rebuild as at start-up).
    "SELECT ticket_daily_rebuild(zone) FROM ticket_daily_state WHERE zone IS NOT NULL",
]
_R001_FUNCTIONS = [s for s in R001_UP if s.startswith("CREATE FUNCTION")]
PG_DOWN = [
    *(_replace(f) for f in _R001_FUNCTIONS),
    "DROP INDEX IF EXISTS ix_tickets_res_bucket",
    "DROP TABLE IF EXISTS ticket_daily_hist",
    f"DROP FUNCTION IF EXISTS {BUCKET}(float8)",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_DOWN:
            op.execute(statement)
