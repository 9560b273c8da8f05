"""Static checks of `POST /data/query/sql`: one read-only SELECT over allowlisted relations.

The query is parsed with sqlglot in the engine's dialect and re-generated from the checked tree, so
the database runs exactly what was checked (no comment or quoting differences between parsers).
The engine-level guards (read-only transaction, authorizer, timeouts) are a second, independent
layer in `sql_runner`.
"""

from __future__ import annotations

from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from cschat.core.errors import BadRequest

MAX_SQL_CHARS = 20_000
MAX_NODES = 5_000
RELATIONS = frozenset({"tickets", "resolved_tickets"})
DIALECTS = {"postgresql": "postgres", "sqlite": "sqlite"}

# Typed sqlglot function nodes that only compute on their arguments.
SAFE_FUNCTIONS = frozenset(
    {
        "Abs",
        "ArrayAgg",
        "Avg",
        "Case",
        "Cast",
        "Ceil",
        "Coalesce",
        "Concat",
        "ConcatWs",
        "Count",
        "CountIf",
        "CumeDist",
        "CurrentDate",
        "CurrentTime",
        "CurrentTimestamp",
        "Date",
        "DateTrunc",
        "DenseRank",
        "Exp",
        "Extract",
        "FirstValue",
        "Floor",
        "GroupConcat",
        "Greatest",
        "If",
        "Initcap",
        "JSONExtract",
        "JSONExtractScalar",
        "JSONBExtract",
        "JSONBExtractScalar",
        "Lag",
        "LastValue",
        "Lead",
        "Least",
        "Left",
        "Length",
        "Ln",
        "Log",
        "Lower",
        "Max",
        "Median",
        "Min",
        "Nullif",
        "Ntile",
        "PercentRank",
        "PercentileCont",
        "PercentileDisc",
        "Pow",
        "Rank",
        "Replace",
        "Right",
        "Round",
        "RowNumber",
        "Sign",
        "Sqrt",
        "Stddev",
        "StddevPop",
        "StddevSamp",
        "StrPosition",
        "StrToDate",
        "StrToTime",
        "Substring",
        "Sum",
        "TimeToStr",
        "TimestampTrunc",
        "Trim",
        "TryCast",
        "TsOrDsToDate",
        "TsOrDsToTimestamp",
        "Typeof",
        "Upper",
        "Variance",
        "VariancePop",
        "Trunc",
    }
)
# Functions sqlglot does not model, by name.
SAFE_NAMES = frozenset(
    {
        "date_part",
        "datetime",
        "ifnull",
        "iif",
        "julianday",
        "strftime",
        "time",
        "to_char",
        "total",
        "unixepoch",
        "split_part",
        "btrim",
        "ltrim",
        "rtrim",
        "instr",
    }
)
# Never valid inside a read-only SELECT, wherever they appear in the tree.
FORBIDDEN = (
    exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create, exp.Drop, exp.Alter,
    exp.Command, exp.Copy, exp.Set, exp.Pragma, exp.Attach, exp.Detach, exp.Into, exp.Lock,
    exp.Transaction, exp.Commit, exp.Rollback, exp.Placeholder, exp.Parameter,
)  # fmt: skip


def _refuse(reason: str) -> BadRequest:
    return BadRequest(f"sql: {reason}")


def _name(node: Any) -> str:
    return type(node).__name__


def _check_functions(tree: exp.Expression) -> None:
    for node in tree.walk():
        if isinstance(node, exp.Anonymous):
            if node.name.lower() not in SAFE_NAMES:
                raise _refuse(f"function {node.name}() is not allowed.")
        elif (
            isinstance(node, exp.Func)
            and not isinstance(node, (exp.Binary, exp.Unary))
            and _name(node) not in SAFE_FUNCTIONS
        ):
            raise _refuse(f"function {node.sql_name().lower()}() is not allowed.")


def _check_tables(tree: exp.Expression, allowed: frozenset[str]) -> None:
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            raise _refuse("only tables may appear in FROM (no table functions).")
        if table.args.get("db") or table.args.get("catalog"):
            raise _refuse(f"relation {table.sql()} is not allowed (no schema qualifiers).")
        if table.name.lower() not in allowed:
            raise _refuse(
                f"relation '{table.name}' is not allowed; use tickets or resolved_tickets."
            )


def _check_relations(root: exp.Expression) -> None:
    """Tables must be allowlisted or a CTE of the top-level WITH defined before their use."""
    with_ = root.args.get("with_")
    if any(node is not with_ for node in root.find_all(exp.With)):
        raise _refuse("WITH is allowed only at the start of the query.")
    names: list[str] = []
    if with_ is not None:
        if with_.args.get("recursive"):
            raise _refuse("recursive CTEs are not allowed.")
        for cte in with_.expressions:
            _check_tables(cte.this, RELATIONS | frozenset(names))
            names.append(cte.alias_or_name.lower())
    body = root.copy()
    body.set("with_", None)
    _check_tables(body, RELATIONS | frozenset(names))


def check_sql(sql: str, dialect: str) -> str:
    """The SQL re-generated from a tree that passed every check; BadRequest with a reason if not."""
    if len(sql) > MAX_SQL_CHARS:
        raise _refuse(f"the query is longer than {MAX_SQL_CHARS} characters.")
    read = DIALECTS[dialect]
    try:
        statements = [s for s in sqlglot.parse(sql, read=read) if s is not None]
    except SqlglotError:
        raise _refuse("the query could not be parsed as a single SELECT.") from None
    except RecursionError:
        raise _refuse("the query is nested too deeply.") from None
    if len(statements) != 1:
        raise _refuse("exactly one statement is allowed (no stacked statements).")
    root = statements[0]
    if not isinstance(root, (exp.Select, exp.Union, exp.Except, exp.Intersect)):
        raise _refuse(f"only SELECT is allowed, not {_name(root).upper()}.")
    if sum(1 for _ in root.walk()) > MAX_NODES:
        raise _refuse("the query is too complex.")
    for node in root.walk():
        if isinstance(node, FORBIDDEN):
            raise _refuse(f"{_name(node).upper()} is not allowed in a read-only query.")
    _check_relations(root)
    _check_functions(root)
    try:
        return root.sql(dialect=read, comments=False)
    except (SqlglotError, ValueError):  # ValueError: e.g. a JSON path SQLite has no form for
        raise _refuse("the query uses syntax this engine cannot run.") from None


def json_value(value: Any) -> Any:
    """A database value as JSON (dates as ISO text, decimals as numbers, bytes as hex)."""
    if value is None or isinstance(value, (bool, int, float, str, dict, list)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)
