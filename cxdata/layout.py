"""The stored fact layout: each fact row carries what its customer record says about it, each
answer when its customer answered next, and each journey event when its journey was last and
next at the same touchpoint.

`fact_segment` and `fact_region` on responses, tickets and journey events are what the
filters and every segment or region split read (sql/staging/*_facts.sql), so that no page
query joins the customers table. Responses also carry their customer's revenue and churn
date (`fact_customer_known`, `fact_annual_revenue`, `fact_churned_on`) and `next_nps_at`, the
moment the same customer gave their next NPS answer: revenue at risk asks for each customer's
latest answer of a period, which with these columns is a filter on the rows instead of a
grouping of every answer by customer and a join to every customer (sql/marts/kpi_counts.sql).
Answers also carry their customer's number (`fact_customer_no`, `customers.customer_no`),
which revenue at risk under a filter groups by in place of the text id. Journey events carry
`previous_visit_at` and `next_visit_at`: the journey map counts a journey that comes back to a
touchpoint once, and with them only the events with another visit inside the window are
grouped; and abandoned events `next_abandoned_at`, when the same journey was next abandoned: a
journey is abandoned where its latest abandoned event of the window is, which with it is a test
of the row (sql/marts/journey_map.sql).

They are derived data, and this module is the one place that derives them: a response's own
segment and region override its customer's; tickets and journey events take their
customer's. Whatever writes a fact row or a customer calls in here in the same transaction
(the import, undo, the demo), so a reader never sees them out of step.
sql/schema/006_fact_layout.sql, 008_answer_context.sql, 009_journey_visits.sql,
013_journey_abandonments.sql, 014_journey_next_visits.sql and 015_customer_numbers.sql explain
why they exist.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import duckdb

from cxdata import summaries


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
        # the customer's number: grouping answers by customer reads it, not the text id
        Derived("fact_customer_no", "customers.customer_no"),
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


# every customer has a number (sql/schema/015_customer_numbers.sql): the column's default gives
# one to each customer written, undo puts back the one a version had
UNNUMBERED_CUSTOMERS_REFRESH = "update customers set customer_no = nextval('customer_no_seq') where customer_no is null"
UNNUMBERED_CUSTOMERS = "select count(*) from main.customers where customer_no is null"


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
    (and, unless customers_of_import, the Neighbour columns and each rating's responded_at
    to its response's); returns the rows changed.

    customers_of_import limits the work to the facts of customers written by that import
    (a customers import). only_noted (an undo) limits it to what note_undone and
    note_changed noted: the facts of customers the undo removed or put back, the fact
    rows and ratings it put back, the rows around those it removed or put back. With
    neither, every row is checked (`python -m cxdata optimize`)."""
    scope, params = "", {}
    if customers_of_import is not None:
        scope, params = "and customers.import_id = $import_id", {"import_id": customers_of_import}
    elif only_noted:
        _create_undone_notes(cursor)
    # a customer written around cxdata without a number gets one before its facts take it
    changed = cursor.execute(UNNUMBERED_CUSTOMERS_REFRESH).fetchall()[0][0]
    for fact in FACT_TABLES:
        source = f"main.{fact.name}"
        if only_noted:
            # the noted rows first, then their customers: joining every fact row to the customers
            # and filtering after took seconds at 10M rows
            noted = _undone_rows_of(cursor, fact)
            if noted is None:
                continue
            source, params = f"(select * from main.{fact.name} where {noted[0]})", noted[1]
        if fact.name == "responses" and (customers_of_import is not None or only_noted):
            # an answer that moves to another segment or region moves in the summaries
            summaries.note_answers(
                cursor,
                f"select facts.responded_at, facts.customer_id from {source} as facts {customers_join()} "
                f"where {_stale(fact)} {scope}",
                params,
            )
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
        changed += refresh_neighbours(cursor, changed_only=only_noted)
        ratings_scope = ""
        if only_noted:
            ratings_scope = f" and response_ratings.response_id in (select key from {UNDONE_ROWS} where table_name = 'responses')"
        changed += cursor.execute(RATING_DATES_REFRESH + ratings_scope).fetchall()[0][0]
    if only_noted:
        cursor.execute(f"drop table {UNDONE_CUSTOMERS}")
        cursor.execute(f"drop table {UNDONE_ROWS}")
    # the summaries of the answers and customers noted above and by the caller, or all of them
    summaries.refresh(cursor, changed_only=customers_of_import is not None or only_noted)
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


# -- neighbours: next_nps_at, nps_moment_rank, previous_visit_at, next_abandoned_at, next_visit_at
@dataclasses.dataclass(frozen=True)
class Neighbour:
    """A stored column holding, for each row of a fact table, when the row next to it in its
    sequence happened: the rows with the same `partition`, in date order and then key order
    (the order "latest" means everywhere). `following` takes the next row, else the previous
    one. Only rows meeting `counted` have a place in a sequence; the others hold null."""

    table: str
    column: str
    partition: tuple[str, ...]
    following: bool
    # a condition on the row, its columns prefixed by {a} (for an alias)
    counted: str = "true"
    # the columns `counted` reads
    counted_reads: tuple[str, ...] = ()

    @property
    def fact(self) -> FactTable:
        return BY_NAME[self.table]

    @property
    def scope(self) -> str:
        """The column whose values a write notes: all rows sharing one are looked at again
        (the first of the partition; a coarser scope is still exact, only larger)."""
        return self.partition[0]

    @property
    def reads(self) -> tuple[str, ...]:
        """The columns the expression reads, key first."""
        wanted = (self.fact.key, *self.partition, self.fact.date_column, *self.counted_reads)
        return tuple(dict.fromkeys(wanted))

    def counted_of(self, alias: str = "") -> str:
        return self.counted.format(a=f"{alias}." if alias else "")

    def expression(self, alias: str) -> str:
        """This column's value for each row aliased `alias`, among the rows the query reads
        (all rows, a scope's, or an import's own)."""
        counted = self.counted_of(alias)
        window = "lead" if self.following else "lag"
        partition = ", ".join(f"{alias}.{column}" for column in self.partition)
        date, key = f"{alias}.{self.fact.date_column}", f"{alias}.{self.fact.key}"
        return (
            f"case when {counted} then {window}({date}) over (partition by {partition}, {counted} "
            f"order by {date}, {key}) end"
        )


@dataclasses.dataclass(frozen=True)
class MomentRank(Neighbour):
    """A stored column holding, for each row of a sequence, its place among the rows of the
    sequence at the same moment, in key order (0 for the smallest key). With the date it orders
    the sequence as "latest" does, in numbers: finding the latest of some of its rows reads no
    text key. Kept like a Neighbour that looks back: a write looks again at every row of the
    sequences it touched."""

    following: bool = False

    def expression(self, alias: str) -> str:
        # the rows before it in the sequence, less those at earlier moments: computed over the
        # sequence's own order, DuckDB sorts once for this and a Neighbour of the same sequence
        # (an import of 1M answers: 0.45 -> 0.26 s for both, against a window per moment)
        counted = self.counted_of(alias)
        partition = ", ".join(f"{alias}.{column}" for column in self.partition)
        date, key = f"{alias}.{self.fact.date_column}", f"{alias}.{self.fact.key}"
        sequence = f"partition by {partition}, {counted} order by {date}"
        return (
            f"case when {counted} then row_number() over ({sequence}, {key}) - rank() over ({sequence}) end"
        )


# the answers that have a place in their customer's sequence of NPS answers
NPS_ANSWER = "{a}nps is not null and {a}customer_id is not null"

NEIGHBOURS = (
    # the moment the same customer gave their next NPS answer: an answer is its customer's
    # latest of a period when this falls after it (sql/schema/008_answer_context.sql)
    Neighbour(
        "responses", "next_nps_at", ("customer_id",), following=True,
        counted=NPS_ANSWER, counted_reads=("nps", "customer_id"),
    ),
    # of the same customer's NPS answers at the same moment, the answer's place by id: revenue at
    # risk under a filter breaks ties with it (sql/schema/016_answer_moment_ranks.sql)
    MomentRank(
        "responses", "nps_moment_rank", ("customer_id",), counted=NPS_ANSWER, counted_reads=("nps", "customer_id"),
    ),
    # when the same journey was last at the same touchpoint: an event is a comeback inside a
    # window when this falls inside it (sql/schema/009_journey_visits.sql)
    Neighbour("journey_events", "previous_visit_at", ("journey_id", "touchpoint"), following=False),
    # when the same journey was next abandoned: an abandoned event is its journey's latest of a
    # window when this falls after it (sql/schema/013_journey_abandonments.sql)
    Neighbour(
        "journey_events", "next_abandoned_at", ("journey_id",), following=True,
        counted="{a}outcome = 'abandoned'", counted_reads=("outcome",),
    ),
    # when the same journey next came to the same touchpoint: under a filter, only events with a
    # visit before or after inside the window can be comebacks (sql/schema/014_journey_next_visits.sql)
    Neighbour("journey_events", "next_visit_at", ("journey_id", "touchpoint"), following=True),
)
# per table, its neighbours: a write notes the rows it touched once per table, by the scope
# and date they share
NEIGHBOURS_OF: dict[str, tuple[Neighbour, ...]] = {
    table: tuple(neighbour for neighbour in NEIGHBOURS if neighbour.table == table)
    for table in dict.fromkeys(neighbour.table for neighbour in NEIGHBOURS)
}
assert all(
    len({(n.scope, n.fact.date_column) for n in neighbours}) == 1 for neighbours in NEIGHBOURS_OF.values()
), "the neighbours of a table must share their scope and date"


def scope_of(table: str) -> tuple[str, str]:
    """The (scope, date) columns a write notes for the neighbours of `table`."""
    first = NEIGHBOURS_OF[table][0]
    return first.scope, first.fact.date_column


def notes_of(table: str) -> str:
    """The temp table of (scope, date) a write added, moved or removed in `table`, which its
    neighbours share."""
    return f"layout_changed_{table}"


def rows_beside(cursor: duckdb.DuckDBPyConnection, table: str, import_id: int) -> bool:
    """Whether the sequences of an import's rows hold rows from elsewhere (other imports, or
    rows without lineage) whose neighbours the import's can have changed: if not, the
    neighbours among the import's own rows are the stored ones."""
    scope, _ = scope_of(table)
    # a row from elsewhere in any of the table's sequences
    counted = " or ".join(f"({neighbour.counted_of()})" for neighbour in NEIGHBOURS_OF[table])
    elsewhere = f"select 1 from main.{table} where import_id is distinct from $id and ({counted})"
    # first whether there is any such row at all, which stops at the first it finds: the
    # question below hashes the import's scopes first (a first import of 1M answers: 70 ms)
    if not cursor.execute(f"select exists ({elsewhere})", {"id": import_id}).fetchall()[0][0]:
        return False
    return cursor.execute(
        f"select exists ({elsewhere} "
        f"and {scope} in (select {scope} from main.{table} where import_id = $id and ({counted})))",
        {"id": import_id},
    ).fetchall()[0][0]


def note_rows_of_import(cursor: duckdb.DuckDBPyConnection, table: str, import_id: int) -> None:
    """note_changed for the rows of `table` an import holds now."""
    scope, date = scope_of(table)
    note_changed(cursor, table, f"select {scope}, {date} from main.{table} where import_id = $id", {"id": import_id})


def note_changed(cursor: duckdb.DuckDBPyConnection, table: str, rows_sql: str, params: dict | None = None) -> None:
    """Remember rows of `table` (rows_sql selects their scope and date columns, by name) that
    a write is adding, moving or removing, old and new places alike, for refresh_neighbours
    in the same transaction."""
    notes = notes_of(table)
    scope, date = scope_of(table)
    cursor.execute(f"create temp table if not exists {notes} (scope varchar, changed_at timestamp)")
    cursor.execute(
        f"insert into {notes} select {scope}, {date} from ({rows_sql}) "
        f"where {scope} is not null and {date} is not null",
        params or {},
    )


def refresh_neighbours(cursor: duckdb.DuckDBPyConnection, changed_only: bool = False) -> int:
    """Set every Neighbour column to what the rows now say; returns the rows changed.

    With changed_only, only the sequences noted by note_changed are looked at, and of a
    following neighbour's only the rows whose next row can have changed: those at or after
    the earliest change, and those whose next row is at or after it."""
    changed = 0
    for table, neighbours in NEIGHBOURS_OF.items():
        since = None
        if changed_only:
            since = _take_notes(cursor, notes_of(table))
            if since is None:
                continue
        changed += sum(_refresh_neighbour(cursor, neighbour, changed_only, since) for neighbour in neighbours)
        if changed_only:
            cursor.execute("drop table layout_changed_scopes")
    return changed


def _take_notes(cursor: duckdb.DuckDBPyConnection, notes: str) -> dt.datetime | None:
    """The noted scopes into layout_changed_scopes, the notes dropped; returns the earliest
    change, or None when nothing was noted."""
    found = cursor.execute(
        "select count(*) > 0 from information_schema.tables where table_name = $name", {"name": notes},
    ).fetchall()[0][0]
    if not found:
        return None
    since = cursor.execute(f"select min(changed_at) from {notes}").fetchall()[0][0]
    if since is not None:
        cursor.execute(f"create temp table layout_changed_scopes as select distinct scope from {notes}")
    cursor.execute(f"drop table {notes}")
    return since


def _refresh_neighbour(
    cursor: duckdb.DuckDBPyConnection, neighbour: Neighbour, changed_only: bool, since: dt.datetime | None
) -> int:
    table, column, key = neighbour.table, neighbour.column, neighbour.fact.key
    date, counted = neighbour.fact.date_column, neighbour.counted_of()
    scope, params = "", {}
    if changed_only:
        scope = f"and {neighbour.scope} in (select scope from layout_changed_scopes)"
        if neighbour.following:
            # a row before the earliest change keeps its next row when that came before it too (a
            # change at or after that moment cannot fall between), and is left out of the window.
            # Not so for a previous row: the first row after the change may take one from before it
            scope += f" and ({date} >= $since or {column} >= $since or {column} is null)"
            params = {"since": since}
    changed = cursor.execute(
        f"update {table} set {column} = wanted.neighbour_at from ("
        f"  select {key}, neighbour_at from ("
        f"    select {key}, {column}, {neighbour.expression(table)} as neighbour_at"
        f"    from main.{table} where {counted} {scope}"
        f"  ) where neighbour_at is distinct from {column}"
        f") as wanted where {table}.{key} = wanted.{key}",
        params,
    ).fetchall()[0][0]
    # a row that left its sequence (an answer that lost its NPS or its customer, an event no
    # longer abandoned) has no neighbour
    changed += cursor.execute(
        f"update {table} set {column} = null where {column} is not null and not coalesce({counted}, false)"
    ).fetchall()[0][0]
    return changed


def stale_rows(cursor: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Per fact table, the rows whose stored derived columns are not what applies; the ratings
    whose date is not their response's (response_ratings); the customers without a number
    (customer_no); and per Neighbour column, the rows holding a wrong neighbour (always zero
    unless something wrote around this module; the tests check it)."""
    found = {}
    for fact in FACT_TABLES:
        found[fact.name] = cursor.execute(
            f"select count(*) from main.{fact.name} as facts {customers_join()} where {_stale(fact)}"
        ).fetchall()[0][0]
    found["response_ratings"] = cursor.execute(STALE_RATING_DATES).fetchall()[0][0]
    found["customer_no"] = cursor.execute(UNNUMBERED_CUSTOMERS).fetchall()[0][0]
    for neighbour in NEIGHBOURS:
        found[neighbour.column] = cursor.execute(
            f"select count(*) from (select {neighbour.column}, {neighbour.expression(neighbour.table)} as wanted "
            f"from main.{neighbour.table}) where wanted is distinct from {neighbour.column}"
        ).fetchall()[0][0]
    found.update(summaries.stale(cursor))
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
