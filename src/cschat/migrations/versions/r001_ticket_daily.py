"""Daily ticket totals per local day, status and dimension value (PostgreSQL), kept by triggers.

Revision ID: r001
Revises: c001
Create Date: 2026-11-27
"""

# ruff: noqa: S608  (the SQL here is built from this file's constants only)
from collections.abc import Sequence

from alembic import op

revision: str = "r001"
down_revision: str | None = "c001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A windowed count, breakdown or trend over a month of a million tickets reads ~90,000 index
# entries (~45 ms on a small machine); the same figures summed from this table read a few
# thousand rows. One row per (date field, local day, status, dimension, value) holds the additive
# aggregates the tools derive their metrics from (`cschat.tickets.queries.Totals`). Days are local
# to the zone in ticket_daily_state (NULL until `cschat.tickets.daily.ensure` builds it for
# APP_TIMEZONE; triggers do nothing meanwhile). Statement-level triggers with transition tables
# keep it exact under COPY, multi-row upserts, updates and deletes. SQLite has no statement
# triggers and serves laptop-sized data: it reads `tickets` directly.
DIMENSIONS = ("category", "priority", "channel", "agent", "team")
KEY = "date_field, day, status, dim, has_value, value"
SUMS = ("n", "res_sum", "res_n", "frt_sum", "frt_n", "csat_sum", "csat_n")
CHANGE_COLUMNS = (
    "created_at, resolved_at, status, category, priority, channel, agent, team, "
    "resolution_minutes, first_response_minutes, csat"
)


def _apply(changes: str) -> str:
    """Add the rows of `changes` (columns: sign, CHANGE_COLUMNS) to ticket_daily in zone `z`.

    One hashed GROUPING SETS pass makes the total and the five per-dimension groupings (about
    twice as fast as multiplying each row by a VALUES list); GROUPING() names the dimension.
    """
    base = "f.date_field, f.day, c.status"
    sets = ", ".join([f"({base})", *(f"({base}, c.{d})" for d in DIMENSIONS)])
    dim = " ".join(f"WHEN GROUPING(c.{d}) = 0 THEN '{d}'" for d in DIMENSIONS)
    value = " ".join(f"WHEN GROUPING(c.{d}) = 0 THEN c.{d}" for d in DIMENSIONS)
    deltas = (
        "sum(c.sign)",
        "coalesce(sum(c.sign * c.resolution_minutes), 0)",
        "sum(c.sign * (c.resolution_minutes IS NOT NULL)::int)",
        "coalesce(sum(c.sign * c.first_response_minutes), 0)",
        "sum(c.sign * (c.first_response_minutes IS NOT NULL)::int)",
        "coalesce(sum(c.sign * c.csat), 0)::float8",
        "sum(c.sign * (c.csat IS NOT NULL)::int)",
    )
    unchanged = " AND ".join(f"{d} = 0" for d in deltas)
    updates = ", ".join(
        f"{s} = d.{s} + excluded.{s}"
        if s.endswith("_n") or s == "n"
        # A sum whose count falls back to zero is reset, so float rounding never lingers.
        else f"{s} = CASE WHEN d.{s[:-4]}_n + excluded.{s[:-4]}_n = 0 THEN 0 "
        f"ELSE d.{s} + excluded.{s} END"
        for s in SUMS
    )
    return f"""
  INSERT INTO ticket_daily AS d ({KEY}, {", ".join(SUMS)})
  SELECT date_field, day, status, dim, value IS NOT NULL, coalesce(value, ''), {", ".join(SUMS)}
  FROM (
    SELECT {base}, CASE {dim} ELSE '' END AS dim, CASE {value} END AS value,
           {", ".join(f"{d} AS {s}" for d, s in zip(deltas, SUMS, strict=True))}
    FROM ({changes}) c
    CROSS JOIN LATERAL (VALUES ('c', (c.created_at AT TIME ZONE z)::date),
                               ('r', (c.resolved_at AT TIME ZONE z)::date)) f(date_field, day)
    WHERE f.day IS NOT NULL
    GROUP BY GROUPING SETS ({sets})
    HAVING NOT ({unchanged})
  ) g
  ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT ({KEY}) DO UPDATE SET {updates};"""


def _function(name: str, body: str, args: str | None = None, returns: str = "void") -> str:
    """A trigger function (no `args`) or a plain function of `args` returning `returns`."""
    trigger = args is None
    return f"""CREATE FUNCTION {name}({args or ""}) RETURNS {"trigger" if trigger else returns}
LANGUAGE plpgsql AS $$
DECLARE z text; k bigint;
BEGIN
  {body}
  {"RETURN NULL;" if trigger else ""}
END $$"""


_ZONE = "SELECT zone INTO z FROM ticket_daily_state; IF z IS NULL THEN RETURN NULL; END IF;"
# A bulk load (`SET LOCAL cschat.daily_defer = 'on'`, see cschat.tickets.daily.deferred) appends
# its changes to ticket_daily_pending instead: ten thousand tickets spread over a year touch some
# hundred thousand totals, so applying them batch by batch costs ten upserts per ticket, while one
# merge at the end of the load touches each total once. Readers use the totals only while nothing
# is pending (`pending` counts the rows).
_DEFER = "current_setting('cschat.daily_defer', true) = 'on'"
_CLEAR_PENDING = (
    "LOCK TABLE ticket_daily_pending IN EXCLUSIVE MODE; DELETE FROM ticket_daily_pending; "
    "UPDATE ticket_daily_state SET pending = 0;"
)


def _rows(alias: str, sign: int) -> str:
    columns = ", ".join(f"{alias}.{c.strip()}" for c in CHANGE_COLUMNS.split(","))
    return f"SELECT {sign} AS sign, {columns} FROM {alias}"


def _trigger_body(changes: str) -> str:
    return f"""{_ZONE}
  -- One statement can bring a million rows (COPY): hash their groups in memory, not on disk.
  PERFORM set_config('work_mem', '64MB', true);
  IF {_DEFER} THEN
    INSERT INTO ticket_daily_pending (sign, {CHANGE_COLUMNS}) {changes};
    GET DIAGNOSTICS k = ROW_COUNT;
    UPDATE ticket_daily_state SET pending = pending + k;
    RETURN NULL;
  END IF;
  {_apply(changes)}"""


PG_UP = [
    """CREATE TABLE ticket_daily (
  date_field char(1) NOT NULL, day date NOT NULL, status varchar(20) NOT NULL,
  dim varchar(16) NOT NULL, has_value boolean NOT NULL, value varchar(255) NOT NULL,
  n bigint NOT NULL, res_sum float8 NOT NULL, res_n bigint NOT NULL,
  frt_sum float8 NOT NULL, frt_n bigint NOT NULL, csat_sum float8 NOT NULL, csat_n bigint NOT NULL,
  PRIMARY KEY (dim, date_field, day, status, has_value, value))""",
    "CREATE TABLE ticket_daily_state (id int PRIMARY KEY CHECK (id = 1), zone text, "
    "built_at timestamptz, pending bigint NOT NULL DEFAULT 0)",
    "INSERT INTO ticket_daily_state (id) VALUES (1)",
    # Unlogged: a crash empties it while `pending` keeps its count, and the next merge (at start-up
    # or after an upload) then rebuilds the totals instead.
    """CREATE UNLOGGED TABLE ticket_daily_pending (
  sign int NOT NULL, created_at timestamptz, resolved_at timestamptz, status varchar(20),
  category varchar(255), priority varchar(64), channel varchar(64), agent varchar(255),
  team varchar(255), resolution_minutes float8, first_response_minutes float8, csat smallint)""",
    _function(
        "ticket_daily_rebuild",
        # Hashing a million tickets' groups in memory beats sorting them on disk.
        "z := zone_name; PERFORM set_config('work_mem', '256MB', true); "
        "LOCK TABLE tickets IN SHARE MODE; "  # no writer in between: nothing missed or doubled
        + _CLEAR_PENDING
        + "UPDATE ticket_daily_state SET zone = z, built_at = now(); "
        "DELETE FROM ticket_daily;" + _apply(_rows("tickets", 1)),
        args="zone_name text",
    ),
    _function(
        "ticket_daily_merge",
        "SELECT zone INTO z FROM ticket_daily_state; "
        "PERFORM set_config('work_mem', '256MB', true); "
        "LOCK TABLE ticket_daily_pending IN EXCLUSIVE MODE; "
        "SELECT count(*) INTO k FROM ticket_daily_pending; "
        # Fewer rows than counted: a crash emptied the unlogged queue, so count everything again.
        "IF z IS NOT NULL AND k < (SELECT pending FROM ticket_daily_state) THEN "
        "PERFORM ticket_daily_rebuild(z); RETURN; END IF; "
        "IF z IS NOT NULL THEN "
        + _apply(f"SELECT sign, {CHANGE_COLUMNS} FROM ticket_daily_pending")
        + " END IF; DELETE FROM ticket_daily_pending; UPDATE ticket_daily_state SET pending = 0;",
        args="",
        returns="void",
    ),
    _function("ticket_daily_inserted", _trigger_body(_rows("new_rows", 1))),
    _function(
        "ticket_daily_updated",
        _trigger_body(f"{_rows('old_rows', -1)} UNION ALL {_rows('new_rows', 1)}"),
    ),
    _function("ticket_daily_deleted", _trigger_body(_rows("old_rows", -1))),
    _function("ticket_daily_truncated", _CLEAR_PENDING + " DELETE FROM ticket_daily;"),
    "CREATE TRIGGER ticket_daily_insert AFTER INSERT ON tickets REFERENCING NEW TABLE AS "
    "new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_daily_inserted()",
    "CREATE TRIGGER ticket_daily_update AFTER UPDATE ON tickets REFERENCING OLD TABLE AS "
    "old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_daily_updated()",
    "CREATE TRIGGER ticket_daily_delete AFTER DELETE ON tickets REFERENCING OLD TABLE AS "
    "old_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_daily_deleted()",
    "CREATE TRIGGER ticket_daily_truncate AFTER TRUNCATE ON tickets "
    "FOR EACH STATEMENT EXECUTE FUNCTION ticket_daily_truncated()",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS ticket_daily_truncate ON tickets",
    "DROP TRIGGER IF EXISTS ticket_daily_delete ON tickets",
    "DROP TRIGGER IF EXISTS ticket_daily_update ON tickets",
    "DROP TRIGGER IF EXISTS ticket_daily_insert ON tickets",
    "DROP FUNCTION IF EXISTS ticket_daily_truncated()",
    "DROP FUNCTION IF EXISTS ticket_daily_deleted()",
    "DROP FUNCTION IF EXISTS ticket_daily_updated()",
    "DROP FUNCTION IF EXISTS ticket_daily_inserted()",
    "DROP FUNCTION IF EXISTS ticket_daily_merge()",
    "DROP FUNCTION IF EXISTS ticket_daily_rebuild(text)",
    "DROP TABLE IF EXISTS ticket_daily_pending",
    "DROP TABLE IF EXISTS ticket_daily_state",
    "DROP TABLE IF EXISTS ticket_daily",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_DOWN:
            op.execute(statement)
