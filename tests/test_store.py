"""The store: migrations keep data, every SQL file defines what it is named after, grains hold."""

from __future__ import annotations

import datetime as dt
import gc
import re
import subprocess
import sys
import textwrap
import threading
import weakref

import pytest

from cxdata.filters import FILTER_ARGS, Filters
from cxdata.store import SQL_DIR, Store, StoreBusy, latest_schema_version
from tests.conftest import ROOT, table_fingerprint


def test_migrating_a_version_one_store_keeps_its_rows(tmp_path):
    path = str(tmp_path / "old.duckdb")
    with Store(path, migrate_to=1) as old:
        assert old.schema_version() == 1
        old._con.execute("insert into customers values ('C1', 'SMB', 'Schweiz', 'Pro', '2024-01-01', 1200.50, null)")
        old._con.execute(
            "insert into responses (response_id, customer_id, responded_at, nps, comment) "
            "values ('R1', 'C1', '2025-01-01 10:00', 9, 'Sehr gut, danke!')"
        )
    with Store(path) as migrated:
        assert migrated.schema_version() == latest_schema_version()
        assert migrated.query_rows("select customer_id, annual_revenue::double, import_id from customers") == [("C1", 1200.5, None)]
        assert migrated.query_rows("select response_id, nps, comment from responses") == [("R1", 9, "Sehr gut, danke!")]
        assert migrated.data_version() == 0


def test_reopening_a_current_store_applies_nothing(tmp_path):
    path = str(tmp_path / "cx.duckdb")
    Store(path).close()
    with Store(path) as again:
        assert again.migrate() == []


def sql_objects(folder: str) -> list[tuple[str, str]]:
    return [(folder, path.stem) for path in sorted((SQL_DIR / folder).glob("*.sql"))]


@pytest.mark.parametrize("folder, name", sql_objects("macros") + sql_objects("staging") + sql_objects("marts"))
def test_each_sql_file_defines_the_object_it_is_named_after_and_states_its_grain(folder, name):
    text = (SQL_DIR / folder / f"{name}.sql").read_text(encoding="utf-8")
    assert text.startswith("-- "), "a view starts with a comment stating its grain or meaning"
    if folder != "macros":
        assert re.match(r"-- one row", text), "a view's first line states its grain"
    defined = re.findall(r"create or replace (?:view|macro) (\w+)", text)
    assert defined == [name]


def test_every_sql_object_is_installed(empty_store):
    views = {row[0] for row in empty_store.query_rows("select view_name from duckdb_views() where not internal")}
    macros = {row[0] for row in empty_store.query_rows("select function_name from duckdb_functions() where function_type in ('macro', 'table_macro')")}
    for folder in ("macros", "staging", "marts"):
        for _, name in sql_objects(folder):
            assert name in views | macros


@pytest.mark.parametrize(
    "sql, key",
    [
        ("select * from response_facts", ["response_id"]),
        ("select * from ticket_facts", ["ticket_id"]),
        ("select * from filter_options", ["dimension", "value"]),
        (f"select * from kpi_summary({FILTER_ARGS})", ["kpi"]),
    ],
)
def test_views_have_the_grain_they_state(metric_store, sql, key):
    params = Filters().params() if "?" in sql else None
    table = metric_store.query(sql, params)
    assert len(table) > 0
    assert not table.duplicated(subset=key).any()
    assert table[key].notna().all().all()


def test_a_failed_transaction_leaves_rows_and_data_version_unchanged(metric_store):
    before, version = table_fingerprint(metric_store), metric_store.data_version()
    with pytest.raises(Exception):
        with metric_store.transaction() as cursor:
            cursor.execute("delete from responses")
            cursor.execute("insert into responses (response_id, responded_at, nps) values ('bad', now(), 11)")
    assert (table_fingerprint(metric_store), metric_store.data_version()) == (before, version)


def test_a_committed_write_bumps_the_data_version(empty_store):
    version = empty_store.data_version()
    with empty_store.transaction() as cursor:
        cursor.execute("insert into customers (customer_id) values ('C9')")
    assert empty_store.data_version() == version + 1


def test_opening_a_store_another_process_writes_says_who_holds_it(tmp_path):
    path = tmp_path / "held.duckdb"
    Store(str(path)).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({str(path)!r})
            print('held', flush=True)
            sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreBusy, match=rf"open for writing in another process \(process {holder.pid}\)"):
            Store(str(path))
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_the_default_period_filter_is_inclusive_of_both_days(empty_store):
    from tests.conftest import insert_frame
    import pandas as pd

    insert_frame(
        empty_store,
        "responses",
        pd.DataFrame(
            {
                "response_id": ["before", "first", "last", "after"],
                "responded_at": [dt.datetime(2025, 1, 31, 23, 59), dt.datetime(2025, 2, 1, 0, 0), dt.datetime(2025, 2, 28, 23, 59), dt.datetime(2025, 3, 1)],
                "nps": [10, 10, 10, 10],
            }
        ),
    )
    rows = empty_store.query_rows(
        f"select response_id from filtered_responses({FILTER_ARGS}) order by responded_at",
        Filters(dt.date(2025, 2, 1), dt.date(2025, 2, 28)).params(),
    )
    assert rows == [("first",), ("last",)]


def test_views_are_recreated_only_when_their_definitions_changed(tmp_path):
    path = str(tmp_path / "cx.duckdb")
    with Store(path) as store:
        store._con.execute("drop view filter_options")
    with Store(path) as unchanged:
        # same definitions: nothing is re-created (this is what makes opening fast)
        assert unchanged.query_rows("select count(*) from duckdb_views() where view_name = 'filter_options'") == [(0,)]
        unchanged._con.execute("update installed_objects set digest = 'definitions of an older version'")
    with Store(path) as changed:
        assert changed.query_rows("select count(*) from duckdb_views() where view_name = 'filter_options'") == [(1,)]


def test_filter_options_are_every_effective_segment_region_and_channel(metric_store):
    independent = metric_store.query(
        "select 'segment' as dimension, segment as value from response_facts where segment is not null"
        " union select 'segment', segment from customers where segment is not null"
        " union select 'region', region from response_facts where region is not null"
        " union select 'region', region from customers where region is not null"
        " union select 'channel', channel from responses where channel is not null"
        " union select 'channel', channel from tickets where channel is not null"
        " union select 'channel', channel from journey_events where channel is not null"
        " order by all"
    )
    shown = metric_store.query("select * from filter_options order by all")
    assert shown.to_dict("records") == independent.to_dict("records") and len(shown) > 0


def test_a_threads_cursor_goes_with_its_thread_and_interrupt_reaches_the_live_ones():
    """The dashboard runs each page run in a new thread: the store must not keep their cursors."""
    store = Store(":memory:")
    seen = []

    def read() -> None:
        store.query_value("select 1")
        seen.append(weakref.ref(store.cursor()))

    for _ in range(3):
        thread = threading.Thread(target=read)
        thread.start()
        thread.join()
    gc.collect()
    assert len(seen) == 3 and all(ref() is None for ref in seen)
    # the main thread's cursor lives on, and an interrupt with nothing running is harmless
    store.query_value("select 1")
    store.interrupt()
    assert store.query_value("select 2") == 2
    store.close()
