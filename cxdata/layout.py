"""The stored fact layout: each fact row carries what its customer record says about it, and
each answer when its customer answered next.

`fact_segment` and `fact_region` on responses, tickets and journey events are what the
filters and every segment or region split read (sql/staging/*_facts.sql), so that no page
query joins the customers table. Responses also carry their customer's revenue and churn
date (`fact_customer_known`, `fact_annual_revenue`, `fact_churned_on`) and `next_nps_at`, the
moment the same customer gave their next NPS answer: revenue at risk asks for each customer's
latest answer of a period, which with these columns is a filter on the rows instead of a
grouping of every answer by customer and a join to every customer (sql/marts/kpi_counts.sql).

They are derived data, and this module is the one place that derives them: a response's own
segment and region override its customer's; tickets and journey events take their
customer's. Whatever writes a fact row or a customer calls in here in the same transaction
(the import, undo, the demo), so a reader never sees them out of step.
sql/schema/006_fact_layout.sql and 008_answer_context.sql explain why they exist.
"""

from __future__ import annotations

import dataclasses

import duckdb


@dataclasses.dataclass(frozen=True)
class Derived:
    """A stored column and what it must hold, over the aliases `facts` and `customers`."""

    column: str
    expression: str


@dataclasses.dataclass(frozen=True)
class FactTable:
    name: str
    key: str
    # the column the pages filter by date: rows are appended in its order
    date_column: str
    # what the customer record says about a row: its segment and region, and for answers more
    derived: tuple[Derived, ...]


CUSTOMER_DIMENSIONS = (Derived("fact_segment", "customers.segment"), Derived("fact_region", "customers.region"))

FACT_TABLES = (
    FactTable("responses", "response_id", "responded_at", (
        Derived("fact_segment", "coalesce(facts.segment, customers.segment)"),
        Derived("fact_region", "coalesce(facts.region, customers.region)"),
        # an answer of a customer the customers table does not hold puts no revenue at risk
        Derived("fact_customer_known", "(customers.customer_id is not null)"),
        Derived("fact_annual_revenue", "customers.annual_revenue"),
        Derived("fact_churned_on", "customers.churned_on"),
    )),
    FactTable("tickets", "ticket_id", "created_at", CUSTOMER_DIMENSIONS),
    FactTable("journey_events", "event_id", "occurred_at", CUSTOMER_DIMENSIONS),
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


def derived_names(table: str) -> list[str]:
    return [derived.column for derived in BY_NAME[table].derived]


def derived_columns(table: str) -> str:
    """The select list that adds the derived columns to rows aliased `facts`, joined to
    `customers` (see customers_join)."""
    return ", ".join(f"{derived.expression} as {derived.column}" for derived in BY_NAME[table].derived)


def customers_join() -> str:
    return "left join main.customers as customers on customers.customer_id = facts.customer_id"


def _stale(fact: FactTable) -> str:
    """The condition of a row (aliased `facts`, joined to `customers`) whose stored derived
    columns are not what the customer record now says."""
    return "(" + " or ".join(
        f"facts.{derived.column} is distinct from {derived.expression}" for derived in fact.derived
    ) + ")"


def refresh(
    cursor: duckdb.DuckDBPyConnection, customers_of_import: int | None = None, only_noted: bool = False,
) -> int:
    """Set the derived columns wherever they differ from what the customers table now says
    (and, unless customers_of_import, each answer's next_nps_at and each rating's responded_at
    to its response's); returns the rows changed.

    customers_of_import limits the work to the facts of customers written by that import
    (a customers import). only_noted (an undo) limits it to what note_undone and
    note_changed_answers noted: the facts of customers the undo removed or put back, the fact
    rows and ratings it put back, the answers around those it removed or put back. With
    neither, every row is checked (`python -m cxdata optimize`)."""
    scope, params = "", {}
    if customers_of_import is not None:
        scope, params = "and customers.import_id = $import_id", {"import_id": customers_of_import}
    elif only_noted:
        _create_undone_notes(cursor)
    changed = 0
    for fact in FACT_TABLES:
        source = f"main.{fact.name}"
        if only_noted:
            # the noted rows first, then their customers: joining every fact row to the customers
            # and filtering after took seconds at 10M rows
            noted = _undone_rows_of(cursor, fact)
            if noted is None:
                continue
            source, params = f"(select * from main.{fact.name} where {noted[0]})", noted[1]
        assignments = ", ".join(f"{derived.column} = wanted.{derived.column}" for derived in fact.derived)
        sql = (
            f"update {fact.name} set {assignments} from ("
            f"  select facts.{fact.key} as key, {derived_columns(fact.name)}"
            f"  from {source} as facts {customers_join()}"
            f"  where {_stale(fact)} {scope}"
            f") as wanted where {fact.name}.{fact.key} = wanted.key"
        )
        changed += cursor.execute(sql, params).fetchall()[0][0]
    if customers_of_import is None:
        changed += refresh_next_answers(cursor, changed_only=only_noted)
        ratings_scope = ""
        if only_noted:
            ratings_scope = f" and response_ratings.response_id in (select key from {UNDONE_ROWS} where table_name = 'responses')"
        changed += cursor.execute(RATING_DATES_REFRESH + ratings_scope).fetchall()[0][0]
    if only_noted:
        cursor.execute(f"drop table {UNDONE_CUSTOMERS}")
        cursor.execute(f"drop table {UNDONE_ROWS}")
    return changed


# what an undo removed or put back (note_undone), for refresh(only_noted=True)
UNDONE_CUSTOMERS = "layout_undone_customers"
UNDONE_ROWS = "layout_undone_rows"


def _create_undone_notes(cursor: duckdb.DuckDBPyConnection) -> None:
    cursor.execute(f"create temp table if not exists {UNDONE_CUSTOMERS} (customer_id varchar)")
    cursor.execute(f"create temp table if not exists {UNDONE_ROWS} (table_name varchar, key varchar)")


def _undone_rows_of(cursor: duckdb.DuckDBPyConnection, fact: FactTable) -> tuple[str, dict] | None:
    """The condition on `fact`'s rows that note_undone noted and its bound values, or None
    when there are none: a table the undo did not touch is not read at all."""
    customers, rows = cursor.execute(
        f"select (select count(*) from {UNDONE_CUSTOMERS}), "
        f"(select count(*) from {UNDONE_ROWS} where table_name = $table)",
        {"table": fact.name},
    ).fetchall()[0]
    conditions, params = [], {}
    if customers:
        conditions.append(f"customer_id in (select customer_id from {UNDONE_CUSTOMERS})")
    if rows:
        conditions.append(f"{fact.key} in (select key from {UNDONE_ROWS} where table_name = $table)")
        params = {"table": fact.name}
    return (" or ".join(conditions), params) if conditions else None


def note_undone(cursor: duckdb.DuckDBPyConnection, table: str, keys_sql: str) -> None:
    """Remember the keys (keys_sql) of rows of `table` that an undo removes or puts back: the
    facts of such a customer must take what its record now says (or lose it), and a fact row
    put back holds what applied when it was replaced, which may have changed since."""
    _create_undone_notes(cursor)
    if table == "customers":
        cursor.execute(f"insert into {UNDONE_CUSTOMERS} select key from ({keys_sql})")
    elif table in BY_NAME:
        cursor.execute(f"insert into {UNDONE_ROWS} select $table, key from ({keys_sql})", {"table": table})


# -- next_nps_at ------------------------------------------------------------------------
def _counted(prefix: str = "") -> str:
    """The answers that have a place in their customer's order: with an NPS and a customer."""
    return f"{prefix}nps is not null and {prefix}customer_id is not null"


_COUNTS_FOR_NEXT = _counted()
# the temp table of (customer_id, responded_at) a write added, moved or removed
CHANGED_ANSWERS = "layout_changed_answers"


def next_answer(alias: str) -> str:
    """next_nps_at of each row aliased `alias`, among the rows the query reads (all answers, a
    customer's, or an import's own): the moment the same customer gave the next NPS answer in
    the order "latest" means everywhere, responded_at and then the greater response_id; null
    for the latest and for rows without an NPS or a customer."""
    counted = _counted(f"{alias}.")
    return (
        f"case when {counted} then lead({alias}.responded_at) over (partition by {alias}.customer_id, {counted} "
        f"order by {alias}.responded_at, {alias}.response_id) end"
    )


def answers_beside(cursor: duckdb.DuckDBPyConnection, import_id: int) -> bool:
    """Whether the customers of an import's answers have answers from elsewhere (other imports,
    or rows without lineage) whose order the import's can have changed: if not, next_answer
    among the import's own rows is the stored one."""
    return cursor.execute(
        f"select exists (select 1 from main.responses where import_id is distinct from $id and {_COUNTS_FOR_NEXT} "
        f"and customer_id in (select customer_id from main.responses where import_id = $id and {_COUNTS_FOR_NEXT}))",
        {"id": import_id},
    ).fetchall()[0][0]


def note_answers_of_import(cursor: duckdb.DuckDBPyConnection, import_id: int) -> None:
    """note_changed_answers for the answers an import holds now."""
    note_changed_answers(
        cursor, "select customer_id, responded_at from main.responses where import_id = $id", {"id": import_id},
    )


def note_changed_answers(cursor: duckdb.DuckDBPyConnection, rows_sql: str, params: dict | None = None) -> None:
    """Remember answers (customer_id, responded_at) that a write is adding, moving or
    removing, old and new places alike, for refresh_next_answers in the same transaction."""
    cursor.execute(f"create temp table if not exists {CHANGED_ANSWERS} (customer_id varchar, responded_at timestamp)")
    cursor.execute(
        f"insert into {CHANGED_ANSWERS} select customer_id, responded_at from ({rows_sql}) "
        "where customer_id is not null and responded_at is not null",
        params or {},
    )


def refresh_next_answers(cursor: duckdb.DuckDBPyConnection, changed_only: bool = False) -> int:
    """Set each answer's next_nps_at to the moment its customer answered next (null for the
    latest); returns the rows changed.

    With changed_only, only the answers noted by note_changed_answers are looked at, and
    of their customers only those whose next answer can have changed: an answer before the
    earliest change whose next answer also came before it keeps its next answer (a change
    at or after that moment cannot fall between them)."""
    scope, params = "", {}
    if changed_only:
        found = cursor.execute(
            f"select count(*) > 0 from information_schema.tables where table_name = '{CHANGED_ANSWERS}'"
        ).fetchall()[0][0]
        if not found:
            return 0
        since = cursor.execute(f"select min(responded_at) from {CHANGED_ANSWERS}").fetchall()[0][0]
        if since is None:
            cursor.execute(f"drop table {CHANGED_ANSWERS}")
            return 0
        cursor.execute(f"create temp table layout_changed_customers as select distinct customer_id from {CHANGED_ANSWERS}")
        cursor.execute(f"drop table {CHANGED_ANSWERS}")
        scope = (
            "and (responded_at >= $since or next_nps_at >= $since or next_nps_at is null)"
            " and customer_id in (select customer_id from layout_changed_customers)"
        )
        params = {"since": since}
    changed = cursor.execute(
        "update responses set next_nps_at = wanted.next_at from ("
        "  select response_id, next_at from ("
        f"    select response_id, next_nps_at, {next_answer('responses')} as next_at"
        f"    from main.responses where {_COUNTS_FOR_NEXT} {scope}"
        "  ) where next_at is distinct from next_nps_at"
        ") as wanted where responses.response_id = wanted.response_id",
        params,
    ).fetchall()[0][0]
    # an answer that lost its NPS or its customer has no place in any customer's order
    changed += cursor.execute(
        f"update responses set next_nps_at = null where next_nps_at is not null and not ({_COUNTS_FOR_NEXT})"
    ).fetchall()[0][0]
    if changed_only:
        cursor.execute("drop table layout_changed_customers")
    return changed


def stale_rows(cursor: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Per fact table, the rows whose stored derived columns are not what applies, the ratings
    whose date is not their response's, and the answers whose next_nps_at is wrong (always
    zero unless something wrote around this module; the tests check it)."""
    found = {}
    for fact in FACT_TABLES:
        found[fact.name] = cursor.execute(
            f"select count(*) from main.{fact.name} as facts {customers_join()} where {_stale(fact)}"
        ).fetchall()[0][0]
    found["response_ratings"] = cursor.execute(STALE_RATING_DATES).fetchall()[0][0]
    found["next_nps_at"] = cursor.execute(
        f"select count(*) from (select next_nps_at, {next_answer('responses')} as next_at from main.responses) "
        "where next_at is distinct from next_nps_at"
    ).fetchall()[0][0]
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
