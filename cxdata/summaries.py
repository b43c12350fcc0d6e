"""Stored summaries of the answers: response_day_counts, the survey counts per answer day,
segment, region, channel and touchpoint (sql/schema/010_response_day_counts.sql says why it exists).

It is derived data, and this module is the one place that writes it, always from the macro
response_day_summary (sql/staging/response_day_summary.sql). Whatever changes an answer (its
day, segment, region, channel or scores) notes the answer's day, old and new, with note_days and
calls refresh in the same transaction, so a reader never sees the counts out of step: the
import, undo, erasure, the customers' refresh in cxdata/layout.py. The demo and `optimize`
rebuild it whole.
"""

from __future__ import annotations

import duckdb

TABLE = "response_day_counts"
NOTES = "summary_changed_days"
KEY = ("day", "segment", "region", "channel", "touchpoint")
COUNTS = ("answers", "nps_n", "promoters", "passives", "detractors", "csat_n", "csat_hits", "ces_n", "ces_hits")
PENDING = "store_pending_fills"


def note_days(cursor: duckdb.DuckDBPyConnection, rows_sql: str, params: dict | None = None) -> None:
    """Remember the days of answers (rows_sql selects a `responded_at` column) that a write is
    adding, changing or removing, for refresh in the same transaction."""
    cursor.execute(f"create temp table if not exists {NOTES} (day date)")
    cursor.execute(
        f"insert into {NOTES} select distinct responded_at::date from ({rows_sql}) where responded_at is not null",
        params or {},
    )


def refresh(cursor: duckdb.DuckDBPyConnection, changed_only: bool = False) -> int:
    """Recount the noted days (changed_only), or every day; returns the day rows written."""
    if not changed_only:
        _drop_notes(cursor)
        cursor.execute(f"delete from main.{TABLE}")
        return cursor.execute(
            f"insert into main.{TABLE} select {_columns()} from response_day_summary() order by day"
        ).fetchall()[0][0]
    if not _has_notes(cursor):
        return 0
    first, last = cursor.execute(f"select min(day), max(day) from {NOTES}").fetchall()[0]
    written = 0
    if first is not None:
        cursor.execute(f"delete from main.{TABLE} where day in (select day from {NOTES})")
        # the noted days' span bounds the read to their row groups; the days between are left out
        written = cursor.execute(
            f"insert into main.{TABLE} select {_columns()} "
            f"from response_day_summary(first_day := $first, last_day := $last) "
            f"where day in (select day from {NOTES}) order by day",
            {"first": first, "last": last},
        ).fetchall()[0][0]
    _drop_notes(cursor)
    return written


def stale(cursor: duckdb.DuckDBPyConnection) -> int:
    """Day rows stored that the answers do not give, plus those the answers give that are not
    stored (zero unless something wrote around this module; the tests check it)."""
    key = ", ".join(KEY)
    return cursor.execute(
        f"select count(*) from ("
        f"  (select {_columns()} from main.{TABLE} except all select {_columns()} from response_day_summary())"
        f"  union all"
        f"  (select {_columns()} from response_day_summary() except all select {_columns()} from main.{TABLE})"
        f")"
    ).fetchall()[0][0] + cursor.execute(
        f"select count(*) from (select {key} from main.{TABLE} group by all having count(*) > 1)"
    ).fetchall()[0][0]


def fill_pending(cursor: duckdb.DuckDBPyConnection) -> list[str]:
    """Fill the summaries a migration created and marked (store_pending_fills); returns them."""
    pending = [row[0] for row in cursor.execute(f"select table_name from {PENDING} order by 1").fetchall()]
    if TABLE in pending:
        refresh(cursor)
    cursor.execute(f"delete from {PENDING}")
    return pending


def _columns() -> str:
    return ", ".join((*KEY, *COUNTS))


def _has_notes(cursor: duckdb.DuckDBPyConnection) -> bool:
    return cursor.execute(
        "select count(*) > 0 from information_schema.tables where table_name = $name", {"name": NOTES},
    ).fetchall()[0][0]


def _drop_notes(cursor: duckdb.DuckDBPyConnection) -> None:
    cursor.execute(f"drop table if exists {NOTES}")
