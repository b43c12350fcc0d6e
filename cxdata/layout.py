"""The stored fact layout: each fact row carries the segment and region that apply to it.

`fact_segment` and `fact_region` on responses, tickets and journey events are what the
filters and every segment or region split read (sql/staging/*_facts.sql), so that no page
query joins the customers table. They are derived data, and this module is the one place
that derives them: a response's own segment and region override its customer's; tickets
and journey events take their customer's. Whatever writes a fact row or a customer calls
in here in the same transaction (the import, undo, the demo), so a reader never sees them
out of step. sql/schema/006_fact_layout.sql explains why they exist.
"""

from __future__ import annotations

import dataclasses

import duckdb


@dataclasses.dataclass(frozen=True)
class FactTable:
    name: str
    key: str
    # the column the pages filter by date: rows are appended in its order
    date_column: str
    # the segment and region that apply to a row, over the aliases `facts` and `customers`
    segment: str
    region: str


FACT_TABLES = (
    FactTable(
        "responses", "response_id", "responded_at",
        "coalesce(facts.segment, customers.segment)", "coalesce(facts.region, customers.region)",
    ),
    FactTable("tickets", "ticket_id", "created_at", "customers.segment", "customers.region"),
    FactTable("journey_events", "event_id", "occurred_at", "customers.segment", "customers.region"),
)
BY_NAME = {table.name: table for table in FACT_TABLES}

# a rating carries its response's responded_at, so a date window reads only its row groups
# (sql/schema/007_rating_dates.sql); the import writes both together, undo may not
RATING_DATES_REFRESH = (
    "update response_ratings set responded_at = responses.responded_at from main.responses "
    "where responses.response_id = response_ratings.response_id "
    "and response_ratings.responded_at is distinct from responses.responded_at"
)
STALE_RATING_DATES = (
    "select count(*) from main.response_ratings as ratings "
    "left join main.responses as responses on responses.response_id = ratings.response_id "
    "where ratings.responded_at is distinct from responses.responded_at"
)


def dimension_columns(table: str) -> str:
    """The select list that adds fact_segment and fact_region to rows aliased `facts`,
    joined to `customers` (see customers_join)."""
    fact = BY_NAME[table]
    return f"{fact.segment} as fact_segment, {fact.region} as fact_region"


def customers_join() -> str:
    return "left join main.customers as customers on customers.customer_id = facts.customer_id"


def _stale(fact: FactTable) -> str:
    """The condition of a row (aliased `facts`, joined to `customers`) whose stored segment or
    region is not the one that applies."""
    return (f"(facts.fact_segment is distinct from {fact.segment} "
            f"or facts.fact_region is distinct from {fact.region})")


def refresh(cursor: duckdb.DuckDBPyConnection, customers_of_import: int | None = None) -> int:
    """Set fact_segment and fact_region wherever they differ from what the customers table
    now says (and, on a full refresh, each rating's responded_at to its response's); returns
    the rows changed.

    customers_of_import limits the work to the facts of customers written by that import
    (a customers import); without it every fact row is checked (after an undo, which may
    put back or remove customers)."""
    scope, params = "", {}
    if customers_of_import is not None:
        scope, params = "and customers.import_id = $import_id", {"import_id": customers_of_import}
    changed = 0
    for fact in FACT_TABLES:
        sql = (
            f"update {fact.name} set fact_segment = wanted.segment, fact_region = wanted.region from ("
            f"  select facts.{fact.key} as key, {fact.segment} as segment, {fact.region} as region"
            f"  from main.{fact.name} as facts {customers_join()}"
            f"  where {_stale(fact)} {scope}"
            f") as wanted where {fact.name}.{fact.key} = wanted.key"
        )
        changed += cursor.execute(sql, params).fetchall()[0][0]
    if customers_of_import is None:
        changed += cursor.execute(RATING_DATES_REFRESH).fetchall()[0][0]
    return changed


def stale_rows(cursor: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Per fact table, the rows whose stored segment or region is not the one that applies, and
    the ratings whose date is not their response's (always zero unless something wrote around
    this module; the tests check it)."""
    found = {}
    for fact in FACT_TABLES:
        found[fact.name] = cursor.execute(
            f"select count(*) from main.{fact.name} as facts {customers_join()} where {_stale(fact)}"
        ).fetchall()[0][0]
    found["response_ratings"] = cursor.execute(STALE_RATING_DATES).fetchall()[0][0]
    return found


def duplicated_key(cursor: duckdb.DuckDBPyConnection, table: str, keys_sql: str) -> str | None:
    """A key of `table` stored more than once among the keys keys_sql selects, if any.

    The large fact tables have no primary key (sql/schema/006_fact_layout.sql); the import
    asks this before it commits, so a mistake anywhere refuses the import instead of
    storing a row twice."""
    fact = BY_NAME[table]
    rows = cursor.execute(
        f"select {fact.key} from main.{table} where {fact.key} in ({keys_sql}) "
        f"group by {fact.key} having count(*) > 1 limit 1"
    ).fetchall()
    return rows[0][0] if rows else None


def rewrite_in_date_order(cursor: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rewrite each fact table in date order; returns its rows.

    Imports append in the order of their files, which for exports is mostly by date; after
    many back-dated imports a 90-day window touches more row groups than it needs. The rows,
    their values and their ids stay as they are."""
    rewritten = {}
    for table, date_column in [*((fact.name, fact.date_column) for fact in FACT_TABLES), ("response_ratings", "responded_at")]:
        cursor.execute(f"create temp table layout_sorted as select * from main.{table} order by {date_column}")
        cursor.execute(f"delete from main.{table}")
        rewritten[table] = cursor.execute(f"insert into main.{table} select * from layout_sorted").fetchall()[0][0]
        cursor.execute("drop table layout_sorted")
    return rewritten
