"""Stored summaries of the answers, derived data that pages read instead of the raw rows:

- response_day_counts: the survey counts per answer day, segment, region, channel and
  touchpoint (sql/schema/010_response_day_counts.sql says why), derived only by the macro
  response_day_summary;
- answer_ticket_pairs: each NPS answer of a known customer with the tickets of that customer
  opened in the lookback up to it (sql/schema/011_answer_ticket_pairs.sql), derived only by the
  macro ticket_answer_matches;
- customer_date_counts: how many customers have each segment, region, signup date and churn
  date (sql/schema/018_customer_date_counts.sql), derived only by the macro
  customer_date_summary.

This module is the one place that writes them. Whatever changes an answer notes it with
note_answers (its day and customer, old and new), whatever changes a ticket notes its
customer with note_customers, whatever writes the customers table notes it with
note_customer_records, and all call refresh in the same transaction, so a reader never sees a
summary out of step: the import, undo, erasure, the customers' refresh in cxdata/layout.py.
The demo and `optimize` rebuild them whole.
"""

from __future__ import annotations

import duckdb

TABLE = "response_day_counts"
KEY = ("day", "segment", "region", "channel", "touchpoint")
COUNTS = (
    "answers", "nps_n", "promoters", "passives", "detractors", "csat_n", "csat_hits", "ces_n", "ces_hits",
    "identified_nps_n", "identified_promoters", "identified_detractors",
)
PAIRS = "answer_ticket_pairs"
PAIR_COLUMNS = (
    "customer_id", "response_id", "responded_at", "nps", "answer_segment", "answer_region", "answer_channel",
    "ticket_id", "created_at", "ticket_channel", "category", "priority", "is_resolved", "is_fcr", "reopens",
    "answer_outcome_rank", "answer_first", "first_of_channel", "first_of_category", "first_of_priority",
)
CUSTOMER_DATES = "customer_date_counts"
CUSTOMER_DATE_COLUMNS = ("segment", "region", "signup_date", "churned_on", "customers")
DAY_NOTES = "summary_changed_days"
CUSTOMER_NOTES = "summary_changed_customers"
# its existence notes that the customers table was written
CUSTOMER_RECORD_NOTES = "summary_changed_customer_records"
PENDING = "store_pending_fills"


def note_answers(cursor: duckdb.DuckDBPyConnection, rows_sql: str, params: dict | None = None) -> None:
    """Remember the days and customers of answers (rows_sql selects their `responded_at` and
    `customer_id`) that a write is adding, changing or removing, for refresh in the same
    transaction."""
    cursor.execute(f"create temp table if not exists {DAY_NOTES} (day date)")
    cursor.execute(
        f"insert into {DAY_NOTES} select distinct responded_at::date from ({rows_sql}) where responded_at is not null",
        params or {},
    )
    note_customers(cursor, rows_sql, params)


def note_customers(cursor: duckdb.DuckDBPyConnection, rows_sql: str, params: dict | None = None) -> None:
    """Remember the customers (rows_sql selects a `customer_id`) whose answers or tickets a write
    is adding, changing or removing: their pairs are recomputed by refresh."""
    cursor.execute(f"create temp table if not exists {CUSTOMER_NOTES} (customer_id varchar)")
    cursor.execute(
        f"insert into {CUSTOMER_NOTES} select distinct customer_id from ({rows_sql}) where customer_id is not null",
        params or {},
    )


def note_customer_records(cursor: duckdb.DuckDBPyConnection) -> None:
    """Remember that a write is adding, changing or removing customers: refresh counts
    customer_date_counts again, whole (customers change rarely, and at 2M of them a whole count
    takes about half a second)."""
    cursor.execute(f"create temp table if not exists {CUSTOMER_RECORD_NOTES} (noted boolean)")


def note_rows(cursor: duckdb.DuckDBPyConnection, table: str, rows_sql: str, params: dict | None = None) -> None:
    """note_answers for rows of responses, note_customers for rows of tickets (rows_sql selects
    them, or at least their customer_id and, for answers, responded_at), note_customer_records
    for customers when it selects any; other tables hold nothing the summaries read."""
    if table == "responses":
        note_answers(cursor, rows_sql, params)
    elif table == "tickets":
        note_customers(cursor, rows_sql, params)
    elif table == "customers" and cursor.execute(f"select exists ({rows_sql})", params or {}).fetchall()[0][0]:
        # only when there are such rows: undo notes every table, and a whole recount of the
        # customers took 0.5-0.6 s of each undo of an answers import into the 10M store
        note_customer_records(cursor)


def refresh(cursor: duckdb.DuckDBPyConnection, changed_only: bool = False) -> int:
    """Recount the noted days and re-pair the noted customers (changed_only), or rebuild both
    summaries whole; returns the summary rows written."""
    if not changed_only:
        _drop_notes(cursor)
        return sum(rebuild(cursor) for rebuild in _REBUILDS.values())
    written = _refresh_days(cursor) + _refresh_pairs(cursor)
    if _exists(cursor, CUSTOMER_RECORD_NOTES):
        written += _rebuild_customer_dates(cursor)
    _drop_notes(cursor)
    return written


def _rebuild(cursor: duckdb.DuckDBPyConnection, table: str, rows_sql: str) -> int:
    cursor.execute(f"delete from main.{table}")
    return cursor.execute(f"insert into main.{table} {rows_sql}").fetchall()[0][0]


def _rebuild_days(cursor: duckdb.DuckDBPyConnection) -> int:
    return _rebuild(cursor, TABLE, f"select {_columns()} from response_day_summary() order by day")


def _derived_pairs(customers: str = "null") -> str:
    """The pairs the macro derives, of the customers in the list `customers` (SQL; null: all)."""
    return f"ticket_answer_matches(lookback_days := paired_lookback_days(), customers := {customers})"


def _pairs_rows(customers: str = "null") -> str:
    return f"select {', '.join(PAIR_COLUMNS)} from {_derived_pairs(customers)} order by responded_at"


def _rebuild_pairs(cursor: duckdb.DuckDBPyConnection) -> int:
    return _rebuild(cursor, PAIRS, _pairs_rows())


def _rebuild_customer_dates(cursor: duckdb.DuckDBPyConnection) -> int:
    columns = ", ".join(CUSTOMER_DATE_COLUMNS)
    return _rebuild(cursor, CUSTOMER_DATES, f"select {columns} from customer_date_summary() order by signup_date")


# each summary's whole rebuild, by its table
_REBUILDS = {TABLE: _rebuild_days, PAIRS: _rebuild_pairs, CUSTOMER_DATES: _rebuild_customer_dates}


def _refresh_days(cursor: duckdb.DuckDBPyConnection) -> int:
    if not _exists(cursor, DAY_NOTES):
        return 0
    first, last = cursor.execute(f"select min(day), max(day) from {DAY_NOTES}").fetchall()[0]
    if first is None:
        return 0
    cursor.execute(f"delete from main.{TABLE} where day in (select day from {DAY_NOTES})")
    # the noted days' span bounds the read to their row groups; the days between are left out
    # before the grouping (the macro's `days`)
    return cursor.execute(
        f"insert into main.{TABLE} select {_columns()} "
        f"from response_day_summary(first_day := $first, last_day := $last, "
        f"days := (select list(distinct day) from {DAY_NOTES})) order by day",
        {"first": first, "last": last},
    ).fetchall()[0][0]


def _refresh_pairs(cursor: duckdb.DuckDBPyConnection) -> int:
    if not _exists(cursor, CUSTOMER_NOTES):
        return 0
    # none noted (a re-import of unchanged answers, anonymous answers): pairing no one still
    # scans every answer and ticket, 0.8 s in the 10M store
    if not cursor.execute(f"select exists (select 1 from {CUSTOMER_NOTES})").fetchall()[0][0]:
        return 0
    cursor.execute(f"delete from main.{PAIRS} where customer_id in (select customer_id from {CUSTOMER_NOTES})")
    # the macro pairs only the noted customers (filtered after it, it paired them all); none
    # noted is an empty list, not null, which would mean all. (A customer noted twice is in the
    # list twice, which the macro's `in` does not mind: a distinct list cost the import of 245k
    # customers' answers 19 ms more.) A list bound from Python would cost 0.1-0.3 s per 250k
    # customers to convert; the macro reads the subquery's list once (see its comment)
    noted = f"(select coalesce(list(customer_id), []) from {CUSTOMER_NOTES})"
    return cursor.execute(f"insert into main.{PAIRS} {_pairs_rows(noted)}").fetchall()[0][0]


def stale(cursor: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Per summary, the rows stored that the facts do not give plus those the facts give that
    are not stored, and day rows stored twice (zero unless something wrote around this module;
    the tests check it)."""
    return {
        TABLE: _difference(cursor, TABLE, _columns(), "response_day_summary()") + cursor.execute(
            f"select count(*) from (select {', '.join(KEY)} from main.{TABLE} group by all having count(*) > 1)"
        ).fetchall()[0][0],
        PAIRS: _difference(cursor, PAIRS, ", ".join(PAIR_COLUMNS), _derived_pairs()),
        CUSTOMER_DATES: _difference(cursor, CUSTOMER_DATES, ", ".join(CUSTOMER_DATE_COLUMNS), "customer_date_summary()"),
    }


def _difference(cursor: duckdb.DuckDBPyConnection, table: str, columns: str, derived: str) -> int:
    return cursor.execute(
        f"select count(*) from ("
        f"  (select {columns} from main.{table} except all select {columns} from {derived})"
        f"  union all"
        f"  (select {columns} from {derived} except all select {columns} from main.{table})"
        f")"
    ).fetchall()[0][0]


def fill_pending(cursor: duckdb.DuckDBPyConnection) -> list[str]:
    """Fill the summaries a migration created or changed and marked (store_pending_fills), each
    on its own: a store opened after migration 018 counts its customers' dates, not every
    summary again (at 10M answers the pairs alone take seconds); returns them."""
    pending = [row[0] for row in cursor.execute(f"select table_name from {PENDING} order by 1").fetchall()]
    for table in pending:
        _REBUILDS[table](cursor)
    cursor.execute(f"delete from {PENDING}")
    return pending


def _columns() -> str:
    return ", ".join((*KEY, *COUNTS))


def _exists(cursor: duckdb.DuckDBPyConnection, table: str) -> bool:
    return cursor.execute(
        "select count(*) > 0 from information_schema.tables where table_name = $name", {"name": table},
    ).fetchall()[0][0]


def _drop_notes(cursor: duckdb.DuckDBPyConnection) -> None:
    cursor.execute(f"drop table if exists {DAY_NOTES}")
    cursor.execute(f"drop table if exists {CUSTOMER_NOTES}")
    cursor.execute(f"drop table if exists {CUSTOMER_RECORD_NOTES}")
