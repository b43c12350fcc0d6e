"""Loading validated rows into the store in one transaction with their lineage row, and undoing a load.

Rows are keyed by their id. A row already stored is *taken over* by the new import when
it is unchanged, and when it changed and on_conflict is 'update'; with 'skip' a changed
row keeps its stored version. Whatever an import takes over, it first saves in
import_replaced_rows: the stored version as JSON where it changed, a marker without values
where it is unchanged. So undoing the import can put back the version of the newest import
still loaded. docs/IMPORTING.md explains the rules.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from cxdata import layout, summaries
from cxdata.ingest import fields as F
from cxdata.ingest.report import ImportRefused
from cxdata.store import Store

ON_CONFLICT = ("update", "skip")
# every table an import (or the demo) writes, with its key
TABLES = (
    ("responses", "response_id"),
    ("tickets", "ticket_id"),
    ("journey_events", "event_id"),
    ("customers", "customer_id"),
    ("touchpoints", "touchpoint"),
)


@dataclasses.dataclass(frozen=True)
class Counts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    ratings: int = 0


@dataclasses.dataclass(frozen=True)
class UndoResult:
    """Per table: deleted, the rows whose version of the import was removed (new rows, and
    changed ones whose earlier version was put back); restored, the earlier versions put back;
    kept, the rows the import had taken over unchanged, left as they are and handed back to the
    import that loaded them before."""
    import_id: int
    deleted: dict[str, int]
    restored: dict[str, int]
    message: str
    kept: dict[str, int] = dataclasses.field(default_factory=dict)


def _classify_sql(kind: str) -> str:
    """One row per incoming key: insert (new), same (stored, equal) or change (stored, different)."""
    table, key = F.TARGETS[kind]
    compared = [name for name in F.stored_columns(kind) if name not in (key, "import_id")]
    equal = " and ".join(f"stored.{name} is not distinct from incoming.{name}" for name in compared) or "true"
    if kind != "survey":
        return (
            f"select incoming.{key} as key, stored.import_id as previous_import_id, "
            f"case when stored.{key} is null then 'insert' when {equal} then 'same' else 'change' end as action "
            f"from incoming left join {table} as stored on stored.{key} = incoming.{key}"
        )
    # a response is unchanged only when its ratings are too
    return (
        "with stored_ratings as ("
        "  select response_id, list(struct_pack(attribute, rating, scale_min, scale_max) order by attribute) as ratings"
        "  from response_ratings where response_id in (select response_id from incoming) group by response_id"
        "), incoming_ratings_listed as ("
        "  select response_id, list(struct_pack(attribute, rating, scale_min, scale_max) order by attribute) as ratings"
        "  from incoming_ratings group by response_id"
        ") "
        f"select incoming.{key} as key, stored.import_id as previous_import_id, "
        f"case when stored.{key} is null then 'insert' "
        f"when {equal} and stored_ratings.ratings is not distinct from incoming_ratings_listed.ratings then 'same' "
        "else 'change' end as action "
        f"from incoming left join {table} as stored on stored.{key} = incoming.{key} "
        "left join stored_ratings on stored_ratings.response_id = incoming.response_id "
        "left join incoming_ratings_listed on incoming_ratings_listed.response_id = incoming.response_id"
    )


def _counts(rows: list[tuple[str, int]], on_conflict: str, ratings: int) -> Counts:
    found = dict(rows)
    changed = found.get("change", 0)
    return Counts(
        inserted=found.get("insert", 0),
        updated=changed if on_conflict == "update" else 0,
        unchanged=found.get("same", 0),
        skipped=changed if on_conflict == "skip" else 0,
        ratings=ratings,
    )


def preview_counts(store: Store, kind: str, incoming: pa.Table, ratings: pa.Table, on_conflict: str) -> Counts:
    """What loading would do, read without writing (for a dry run)."""
    cursor = store.cursor()
    cursor.register("incoming", incoming)
    cursor.register("incoming_ratings", ratings)
    try:
        rows = cursor.execute(f"select action, count(*) from ({_classify_sql(kind)}) group by action").fetchall()
        loaded_keys = {"insert", "change"} if on_conflict == "update" else {"insert"}
        rating_rows = 0
        if kind == "survey":
            rating_rows = cursor.execute(
                f"select count(*) from incoming_ratings where response_id in "
                f"(select key from ({_classify_sql(kind)}) where list_contains($actions, action))",
                {"actions": sorted(loaded_keys)},
            ).fetchall()[0][0]
    finally:
        cursor.unregister("incoming")
        cursor.unregister("incoming_ratings")
    return _counts(rows, on_conflict, rating_rows)


def load(
    store: Store,
    kind: str,
    incoming: pa.Table,
    ratings: pa.Table,
    lineage: dict[str, Any],
    on_conflict: str = "update",
) -> tuple[int, Counts]:
    """Write the rows and their lineage row in one transaction; returns the new import id and counts."""
    if on_conflict not in ON_CONFLICT:
        raise ValueError(f"on_conflict must be one of {', '.join(ON_CONFLICT)}.")
    table, key = F.TARGETS[kind]
    columns = [name for name in F.stored_columns(kind) if name != "import_id"]
    claimed = ["same", "change"] if on_conflict == "update" else ["same"]
    try:
        with store.transaction() as cur:
            if table in layout.BY_NAME:
                # a row number, so that each row's neighbour in the file is computed on a narrow
                # copy (sorting the whole rows took twice as long) and found again by it, and the
                # rows can be put back in the file's order (_write_rows)
                # (from numpy: pa.array(range(n)) converts a Python int at a time, 0.13-0.4 s per million)
                incoming = incoming.append_column("ingest_row", pa.array(np.arange(incoming.num_rows, dtype=np.int64)))
            cur.register("incoming", incoming)
            cur.register("incoming_ratings", ratings)
            # the sequence, unless rows were given ids some other way (e.g. by the demo)
            import_id = cur.execute(
                "select greatest(nextval('import_id_seq'), (select coalesce(max(import_id), 0) + 1 from imports))"
            ).fetchall()[0][0]
            # the keys already stored, with what becomes of them; the others are new (an import into
            # a table it mostly adds to kept a million 'insert' rows: 85 -> 42 ms, and no count of them)
            cur.execute(
                f"create temp table ingest_actions as select * from ({_classify_sql(kind)}) where action <> 'insert'"
            )
            rows = cur.execute("select action, count(*) from ingest_actions group by action").fetchall()
            rows.append(("insert", incoming.num_rows - sum(count for _action, count in rows)))
            params = {"id": import_id, "table": table, "claimed": claimed}
            # the versions the import replaces, and a marker (no values) for each row it takes over
            # unchanged: its values are the ones the import writes (undo_import finds them)
            cur.execute(
                "insert into import_replaced_rows select $id, $table, key::varchar, previous_import_id, null "
                "from ingest_actions where action = 'same'",
                {"id": import_id, "table": table},
            )
            cur.execute(
                f"insert into import_replaced_rows select $id, $table, stored.{key}::varchar, stored.import_id, to_json(stored) "
                f"from {table} as stored join ingest_actions on ingest_actions.key = stored.{key} "
                "where ingest_actions.action = 'change' and list_contains($claimed, ingest_actions.action)",
                params,
            )
            if kind == "survey":
                # an unchanged answer's ratings are unchanged too (_classify_sql): none saved
                cur.execute(
                    "insert into import_replaced_rows select $id, 'response_ratings', stored.response_id, "
                    "any_value(ingest_actions.previous_import_id), to_json(list(stored)) "
                    "from response_ratings as stored join ingest_actions on ingest_actions.key = stored.response_id "
                    "where ingest_actions.action = 'change' and list_contains($claimed, ingest_actions.action) "
                    "group by stored.response_id",
                    {"id": import_id, "claimed": claimed},
                )
            all_new = dict(rows).get("insert", 0) == sum(count for _, count in rows)
            _write_rows(cur, table, key, columns, import_id, claimed, all_new)
            if table in layout.NEIGHBOURS_OF:
                _refresh_neighbours(cur, table, import_id, all_new)
            if table in ("responses", "tickets"):
                _refresh_summaries(cur, table, import_id, all_new)
            if table in layout.BY_NAME and not all_new:
                _refuse_duplicates(cur, table, "select key from ingest_actions where action = 'change'")
            elif table == "customers":
                # the customers' (new) segment and region now apply to their responses, tickets and
                # events; their dates are counted again for churn (cxdata/summaries.py)
                summaries.note_customer_records(cur)
                layout.refresh(cur, customers_of_import=import_id)
            rating_rows = 0
            if kind == "survey":
                written = ["insert", "change"] if on_conflict == "update" else ["insert"]
                cur.execute(
                    "delete from response_ratings where response_id in "
                    "(select key from ingest_actions where action = 'change' and list_contains($claimed, action))",
                    {"claimed": claimed},
                )
                rating_rows = cur.execute(
                    # with their response's date (cxdata/layout.py)
                    "insert into response_ratings (response_id, attribute, rating, scale_min, scale_max, responded_at) "
                    "select ratings.response_id, ratings.attribute, ratings.rating, ratings.scale_min, ratings.scale_max, "
                    "incoming.responded_at from incoming_ratings as ratings "
                    "join incoming on incoming.response_id = ratings.response_id where ratings.response_id not in "
                    "(select key from ingest_actions where not list_contains($written, action))",
                    {"written": written},
                ).fetchall()[0][0]
                _refuse_duplicate_ratings(cur)
            counts = _counts(rows, on_conflict, rating_rows)
            _insert_lineage(cur, import_id, kind, lineage, counts)
            cur.execute("drop table ingest_actions")
            cur.execute("drop table if exists ingest_written")
            cur.unregister("incoming")
            cur.unregister("incoming_ratings")
    except duckdb.ConstraintException as error:
        # validation should have caught it; the transaction is rolled back either way
        raise ImportRefused(f"The store refused the rows ({str(error).splitlines()[0]}); nothing was loaded.") from None
    return import_id, counts


def _write_rows(
    cur: duckdb.DuckDBPyConnection, table: str, key: str, columns: list[str], import_id: int, claimed: list[str],
    all_new: bool,
) -> None:
    """Write the import's rows: the new ones and those it changes, with what their customer
    record says about them (cxdata/layout.py); the unchanged rows it takes over get its id.

    New rows are appended in the file's order: exports come sorted by date (either way), which
    keeps a date window's row groups together; sorting here cost a second per million rows, and
    `python -m cxdata optimize` restores date order when back-dated imports have mixed it."""
    written, params = "", {"id": import_id}
    if not all_new and table in layout.BY_NAME:
        # a fact table's changed rows taken over are deleted and written again with the new ones,
        # its unchanged rows stay where they are and only change hands; a key stored twice (by
        # something writing around the importer) is refused first, not mended
        _refuse_duplicates(cur, table, "select key from ingest_actions")
        _remove_taken_over(cur, table, key, claimed)
        cur.execute(
            f"update {table} set import_id = $id where {key} in (select key from ingest_actions where action = 'same')",
            {"id": import_id},
        )
        # the keys written (new, and changed unless skipped), for the write and the notes after it
        # (_written_rows): one anti-join of the file with the stored keys, not one per use
        cur.execute(
            f"create temp table ingest_written as select {key} as key from incoming where {key} not in "
            "(select key from ingest_actions where action = 'same' or not list_contains($claimed, action))",
            {"claimed": claimed},
        )
        written = f" where {key} in (select key from ingest_written)"
    source, extra = "incoming", []
    if table in layout.BY_NAME:
        source = (f"(select facts.*, {layout.derived_columns(table)} "
                  f"from incoming as facts {layout.customers_join()})")
        extra = layout.derived_names(table)
        neighbours = layout.NEIGHBOURS_OF.get(table, ())
        if neighbours:
            # each row's neighbours among the rows written: usually the stored ones
            # (_refresh_neighbours); where the import takes rows over, their scopes are computed
            # again from the table anyway, and a re-imported export writes few rows
            columns_of = ", ".join(f"neighbours.{neighbour.column}" for neighbour in neighbours)
            expressions = ", ".join(f"{neighbour.expression('facts')} as {neighbour.column}" for neighbour in neighbours)
            reads = ", ".join(dict.fromkeys(column for neighbour in neighbours for column in neighbour.reads))
            source = (
                f"(select with_customer.*, {columns_of} from {source} as with_customer left join ("
                f"  select facts.ingest_row, {expressions}"
                f"   from (select ingest_row, {reads} from incoming{written}) as facts"
                ") as neighbours on neighbours.ingest_row = with_customer.ingest_row)"
            )
            extra = [*extra, *(neighbour.column for neighbour in neighbours)]
    names = ", ".join([*columns, *extra])
    if not all_new and table not in layout.BY_NAME:
        # customers and touchpoints keep their primary keys: updated in place (small tables)
        assignments = ", ".join(f"{name} = incoming.{name}" for name in [*columns, *extra] if name != key)
        _update_taken_over(cur, table, key, source, assignments, import_id, claimed)
        written = f" where {key} not in (select key from ingest_actions)"
    cur.execute(
        f"insert into {table} ({names}, import_id) select {names}, $id from {source} as incoming{written}"
        f"{_in_file_order(cur, table)}",
        params,
    )


def _in_file_order(cur: duckdb.DuckDBPyConnection, table: str) -> str:
    """The ORDER BY that keeps a fact file's rows in the file's order, where one is needed.

    The rows are joined to the customers table, and DuckDB builds a hash join on the side it
    estimates cheaper: built on the file's rows, the join writes them in hash order (a 10k-row
    file into a store of 200k customers came out shuffled). Into a store without customers
    (by DuckDB's estimate, which counts deleted rows until they are cleaned up) the file is
    never built on, and is not sorted; otherwise it is sorted back by its row number (1M rows
    import about 4 % slower; a setting that keeps the build side would be global to every query
    of the process)."""
    if table not in layout.BY_NAME:
        return ""
    customers = cur.execute(
        "select estimated_size from duckdb_tables() where schema_name = 'main' and table_name = 'customers'"
    ).fetchall()[0][0]
    return " order by incoming.ingest_row" if customers else ""


# The saved versions of the rows the import changed (its unchanged rows were saved as markers
# without values, and stayed where they were).
_CHANGED_VERSIONS = (
    "import_replaced_rows where import_id = $id and table_name = $table"
    " and row_key in (select key::varchar from ingest_actions where action = 'change')"
)


def _written_rows(table: str, all_new: bool) -> str:
    """The rows the import wrote: all it holds, or where it took rows over, those in
    ingest_written (_write_rows): not the unchanged ones, whose neighbours and summaries are
    as they were."""
    rows = f"select * from main.{table} where import_id = $id"
    if all_new:
        return rows
    return f"{rows} and {layout.BY_NAME[table].key} in (select key from ingest_written)"


def _refresh_neighbours(cur: duckdb.DuckDBPyConnection, table: str, import_id: int, all_new: bool) -> None:
    """Each row's Neighbour columns (cxdata/layout.py: next_nps_at, previous_visit_at,
    next_abandoned_at). The rows were written with their neighbours in the file, which is right
    unless the import replaced rows or its sequences hold rows from elsewhere: then the rows
    around where the import's now fall, and where the versions they replaced were, are
    recomputed."""
    if all_new and not layout.rows_beside(cur, table, import_id):
        return
    scope, date = layout.scope_of(table)
    layout.note_changed(cur, table, f"select {scope}, {date} from ({_written_rows(table, all_new)})", {"id": import_id})
    if not all_new:
        layout.note_changed(
            cur, table,
            f"select json_extract_string(previous_row, '$.{scope}') as {scope},"
            f" json_extract_string(previous_row, '$.{date}')::timestamp as {date}"
            f" from {_CHANGED_VERSIONS}",
            {"id": import_id, "table": table},
        )
    layout.refresh_neighbours(cur, changed_only=True)


def _refresh_summaries(cur: duckdb.DuckDBPyConnection, table: str, import_id: int, all_new: bool) -> None:
    """The summaries (cxdata/summaries.py) of the days and customers of the import's answers, or
    of the customers of its tickets, and of the versions they replaced."""
    summaries.note_rows(cur, table, _written_rows(table, all_new), {"id": import_id})
    if not all_new:
        summaries.note_rows(
            cur, table,
            "select json_extract_string(previous_row, '$.customer_id') as customer_id,"
            " json_extract_string(previous_row, '$.responded_at')::timestamp as responded_at"
            f" from {_CHANGED_VERSIONS}",
            {"id": import_id, "table": table},
        )
    summaries.refresh(cur, changed_only=True)


def _remove_taken_over(cur: duckdb.DuckDBPyConnection, table: str, key: str, claimed: list[str]) -> None:
    """Delete the stored rows the import changes; _write_rows appends their new versions.
    An update in place of a few rows scattered through a large table cost seconds at commit
    (DuckDB rewrote each touched row group of every updated column); a delete only marks them.
    (Unchanged rows get the import's id in place: one column, not all of them.)"""
    cur.execute(
        f"delete from {table} where {key} in "
        "(select key from ingest_actions where action = 'change' and list_contains($claimed, action))",
        {"claimed": claimed},
    )


def _update_taken_over(
    cur: duckdb.DuckDBPyConnection, table: str, key: str, source: str, assignments: str, import_id: int,
    claimed: list[str],
) -> None:
    cur.execute(
        f"update {table} set {assignments}, import_id = $id from {source} as incoming, ingest_actions "
        f"where {table}.{key} = incoming.{key} and ingest_actions.key = incoming.{key} "
        "and list_contains($claimed, ingest_actions.action)",
        {"id": import_id, "claimed": claimed},
    )


def _refuse_duplicates(cur: duckdb.DuckDBPyConnection, table: str, keys_sql: str) -> None:
    # new keys were in neither the table nor twice in the file (validation refuses a repeated id),
    # so only a key stored before can be there twice: asked of every such key before the rows
    # taken over are deleted (a key stored twice around the importer), and of the rewritten
    # ones after the write (a fault of the importer's own)
    duplicated = layout.duplicated_key(cur, table, keys_sql)
    if duplicated is not None:
        raise ImportRefused(
            f"{layout.BY_NAME[table].key} {duplicated} would be stored twice in {table}; nothing was loaded. "
            "Please report this: the import keys every row by its id, so it is a fault in the importer."
        )


def _refuse_duplicate_ratings(cur: duckdb.DuckDBPyConnection) -> None:
    rows = cur.execute(
        "select response_id, attribute from response_ratings "
        "where response_id in (select response_id from incoming) group by all having count(*) > 1 limit 1"
    ).fetchall()
    if rows:
        raise ImportRefused(
            f"The rating {rows[0][1]!r} of response {rows[0][0]} would be stored twice; nothing was loaded. "
            "Map each rating column to its own attribute."
        )


def _insert_lineage(cur: duckdb.DuckDBPyConnection, import_id: int, kind: str, lineage: dict[str, Any], counts: Counts) -> None:
    values = {
        "import_id": import_id,
        "kind": kind,
        "file_name": lineage["file_name"],
        "sha256": lineage["sha256"],
        "rows_read": lineage["rows_read"],
        # the rows this import now holds: undo removes them (unless a later import took them over)
        "rows_loaded": counts.inserted + counts.updated + counts.unchanged,
        "rows_rejected": lineage["rows_rejected"],
        "started_at": lineage["started_at"],
        "finished_at": dt.datetime.now(),
        "status": "loaded",
        "rows_inserted": counts.inserted,
        "rows_updated": counts.updated,
        "rows_unchanged": counts.unchanged,
        "rows_skipped": counts.skipped,
        "size_bytes": lineage["size_bytes"],
        "profile": lineage.get("profile"),
        "mapping": lineage.get("mapping"),
    }
    names = ", ".join(values)
    placeholders = ", ".join(f"${name}" for name in values)
    cur.execute(f"insert into imports ({names}) values ({placeholders})", values)


# -- undo -----------------------------------------------------------------------------
def _restored_value(column: str, default: str | None) -> str:
    """What undo writes to a column of a version it puts back: the version's value, or where
    the version was kept before the column existed, the column's default (a customer kept
    before migration 015 gets a new customer_no: its facts are refreshed with it)."""
    if column == "import_id":
        # the import the version belongs to; one found through unchanged rows (_choose_versions)
        # holds the values of another import's
        return "held_by"
    return f"coalesce(version.{column}, {default})" if default is not None else f"version.{column}"


def _choose_versions(cur: duckdb.DuckDBPyConnection, table: str, import_id: int) -> int:
    """For each key the undone import holds (undo_keys), the version to put back: that of the
    newest import still loaded (or of rows loaded without lineage), as temp table undo_restore
    (row_key, previous_row, replaced_by: the import that saved it, held_by: whose version it
    is, kept). Returns how many rows keep their stored values.

    A row an import took over unchanged was saved as a marker without values (load): they are
    the values of the import that took it over. Where the undone import did, those are the
    stored row's (kept); otherwise the imports linked by such markers held equal values, and
    one of them had its version saved, by the import that replaced it."""
    cur.execute(
        "create temp table undo_restore as select row_key, previous_row, import_id as replaced_by,"
        " previous_import_id as held_by, previous_row is null and import_id = $id as kept from ("
        # of the versions of one import (saved again each time an import took the row over):
        # the undone import's own marker first (the stored row), then a saved one, then others
        "  select replaced.*, row_number() over (partition by row_key order by coalesce(previous_import_id, -1) desc,"
        "    case when replaced.previous_row is null and replaced.import_id = $id then 0"
        "         when replaced.previous_row is not null then 1 else 2 end, replaced.import_id desc) as newest"
        "  from import_replaced_rows as replaced"
        "  left join imports as previous on previous.import_id = replaced.previous_import_id"
        "  where table_name = $table and row_key in (select key from undo_keys)"
        "    and (replaced.previous_import_id is null"
        "         or (previous.status = 'loaded' and replaced.previous_import_id <> $id))"
        ") where newest = 1",
        {"table": table, "id": import_id},
    )
    if cur.execute("select exists (select 1 from undo_restore where previous_row is null and not kept)").fetchall()[0][0]:
        _resolve_markers(cur, table, import_id)
    return cur.execute("select count(*) from undo_restore where kept").fetchall()[0][0]


def _resolve_markers(cur: duckdb.DuckDBPyConnection, table: str, import_id: int) -> None:
    """Markers saved by imports other than the undone one (rare: imports undone out of order).
    The imports a key's markers link (taken over unchanged, in either direction) held equal
    values: kept when the undone import is among them, else the version saved of any of them."""
    cur.execute(
        "create temp table undo_linked as with recursive linked(row_key, holder) as ("
        "  select row_key, coalesce(held_by, -1) from undo_restore where previous_row is null and not kept"
        "  union"
        "  select linked.row_key,"
        "    case when marker.import_id = linked.holder then coalesce(marker.previous_import_id, -1) else marker.import_id end"
        "  from linked join import_replaced_rows as marker"
        "    on marker.table_name = $table and marker.row_key = linked.row_key and marker.previous_row is null"
        "    and (marker.import_id = linked.holder or coalesce(marker.previous_import_id, -1) = linked.holder)"
        ") select * from linked",
        {"table": table},
    )
    cur.execute(
        "update undo_restore set kept = true where previous_row is null and row_key in "
        "(select row_key from undo_linked where holder = $id)",
        {"id": import_id},
    )
    cur.execute(
        "update undo_restore set previous_row = found.previous_row, replaced_by = found.import_id from ("
        "  select replaced.row_key, arg_max(replaced.previous_row, replaced.import_id) as previous_row,"
        "    max(replaced.import_id) as import_id"
        "  from import_replaced_rows as replaced join undo_linked"
        "    on undo_linked.row_key = replaced.row_key and coalesce(replaced.previous_import_id, -1) = undo_linked.holder"
        "  where replaced.table_name = $table and replaced.previous_row is not null group by replaced.row_key"
        ") as found where undo_restore.row_key = found.row_key and undo_restore.previous_row is null and not undo_restore.kept",
        {"table": table},
    )
    lost = cur.execute("select row_key from undo_restore where previous_row is null and not kept limit 1").fetchall()
    cur.execute("drop table undo_linked")
    if lost:
        raise ImportRefused(
            f"Import {import_id} cannot be undone: no saved version of {table} row {lost[0][0]} was found; "
            "nothing was changed. Please report this: it is a fault in the importer."
        )


def undo_import(store: Store, import_id: int) -> UndoResult:
    """Delete the rows an import holds and put back the versions it replaced; mark it undone."""
    found = store.query_rows("select status, kind from imports where import_id = ?", [import_id])
    if not found:
        raise ImportRefused(f"There is no import {import_id}.")
    if found[0][0] == "undone":
        raise ImportRefused(f"Import {import_id} has already been undone.")
    deleted, restored, kept_rows = {}, {}, {}
    with store.transaction() as cur:
        for table, key in TABLES:
            columns = cur.execute(
                "select column_name, data_type, column_default from information_schema.columns "
                "where table_schema = 'main' and table_name = ? order by ordinal_position", [table]).fetchall()
            structure = json.dumps({name: type_ for name, type_, _ in columns})
            cur.execute(
                f"create temp table undo_keys as select {key}::varchar as key from {table} where import_id = $id",
                {"id": import_id},
            )
            held = cur.execute("select count(*) from undo_keys").fetchall()[0][0]
            # per key, the version to put back, chosen before anything is deleted: a row the undone
            # import took over unchanged keeps its stored values (_choose_versions)
            kept = _choose_versions(cur, table, import_id)
            deleted[table], kept_rows[table] = held - kept, kept
            if kept:
                # given back as they are: not removed, not put back, nothing about them to refresh
                cur.execute(
                    f"update {table} set import_id = undo_restore.held_by from undo_restore "
                    f"where undo_restore.kept and {table}.{key} = undo_restore.row_key"
                )
                cur.execute("delete from undo_keys where key in (select row_key from undo_restore where kept)")
            if table == "responses":
                cur.execute("delete from response_ratings where response_id in (select key from undo_keys)")
            if table in layout.NEIGHBOURS_OF:
                # the removed rows' places, for their neighbours (cxdata/layout.py)
                layout.note_rows_of_import(cur, table, import_id)
            # and their days and customers, for the summaries (cxdata/summaries.py)
            summaries.note_rows(cur, table, f"select * from main.{table} where import_id = $id", {"id": import_id})
            cur.execute(f"delete from {table} where import_id = $id", {"id": import_id})
            restored[table] = cur.execute(
                f"insert into {table} ({', '.join(name for name, _, _ in columns)}) "
                f"select {', '.join(_restored_value(name, default) for name, _, default in columns)} "
                "from (select json_transform(previous_row, $structure) as version, held_by "
                "from undo_restore where not kept)",
                {"structure": structure},
            ).fetchall()[0][0]
            if table in layout.NEIGHBOURS_OF:
                layout.note_changed(cur, table, f"select * from main.{table} where {key} in (select key from undo_keys)")
            summaries.note_rows(cur, table, f"select * from main.{table} where {key} in (select key from undo_keys)")
            if table == "responses":
                rating_structure = json.dumps([{
                    "response_id": "VARCHAR", "attribute": "VARCHAR", "rating": "DOUBLE",
                    "scale_min": "DOUBLE", "scale_max": "DOUBLE",
                }])
                restored["response_ratings"] = cur.execute(
                    "insert into response_ratings (response_id, attribute, rating, scale_min, scale_max) "
                    "select r.response_id, r.attribute, r.rating, r.scale_min, r.scale_max from ("
                    "  select unnest(json_transform(replaced.previous_row, $structure)) as r"
                    "  from import_replaced_rows as replaced join undo_restore"
                    "    on undo_restore.row_key = replaced.row_key and undo_restore.replaced_by = replaced.import_id"
                    "  where replaced.table_name = 'response_ratings' and not undo_restore.kept"
                    ")",
                    {"structure": rating_structure},
                ).fetchall()[0][0]
            # the rows removed and put back, whose derived columns (or whose facts') may now differ
            layout.note_undone(cur, table, "select key from undo_keys")
            cur.execute("drop table undo_keys")
            cur.execute("drop table undo_restore")
        # put-back or removed customers change what applies to their facts; put-back facts and
        # ratings hold what applied when they were replaced (cxdata/layout.py); the noted
        # days are recounted there too
        layout.refresh(cur, only_noted=True)
        cur.execute(
            "update imports set status = 'undone', undone_at = current_timestamp::timestamp where import_id = $id",
            {"id": import_id},
        )
    return UndoResult(import_id, deleted, restored, _undo_message(import_id, deleted, restored, kept_rows), kept_rows)


def _undo_message(import_id: int, deleted: dict[str, int], restored: dict[str, int], kept: dict[str, int]) -> str:
    """E.g. "Import 7 undone: 2 rows removed, 1 earlier version put back, 989,000 rows handed back
    unchanged to earlier imports." (ratings are counted with their answers)."""
    total_restored = sum(value for name, value in restored.items() if name != "response_ratings")
    message = f"Import {import_id} undone: {_counted(sum(deleted.values()), 'row')} removed"
    if total_restored:
        message += f", {_counted(total_restored, 'earlier version')} put back"
    if sum(kept.values()):
        message += f", {_counted(sum(kept.values()), 'row')} handed back unchanged to earlier imports"
    return message + "."


def _counted(count: int, noun: str) -> str:
    """1 -> '1 row', 2000 -> '2,000 rows'."""
    return f"{count:,} {noun}{'s' if count != 1 else ''}"
