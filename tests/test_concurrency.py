"""Many sessions at once: one Store shared by reader threads while imports write.

Streamlit serves every browser session from one process, so the dashboard's threads share
one Store: a cursor per thread for reads, writes serialised, each write one transaction.
"""

from __future__ import annotations

import datetime as dt
import shutil
import threading
import time
from pathlib import Path

import duckdb
import pytest

from cxdata import demo
from cxdata.filters import Filters
from cxdata.ingest import import_file, undo_import
from cxdata.store import Store
from tests.test_injection import call, query_functions, sample_arguments

READERS = 8
IMPORTS = 4
ROWS_PER_IMPORT = 2000

# In ONE statement (one snapshot): for every test import, its lineage and the rows that carry
# its id. A reader that saw part of an import would find them disagreeing.
TORN_IMPORTS_SQL = """
with

held as (
    select import_id, count(*) as rows_held
    from responses
    where import_id > $first_id
    group by import_id
),

lineage as (
    select import_id, status, rows_loaded
    from imports
    where import_id > $first_id
),

final as (
    select
        coalesce(lineage.import_id, held.import_id) as import_id,
        lineage.status,
        lineage.rows_loaded,
        coalesce(held.rows_held, 0) as rows_held,
    from lineage
    full outer join held on held.import_id = lineage.import_id
)

select * from final order by import_id
"""


def torn(rows: list[tuple]) -> list[tuple]:
    """Imports seen half-done: rows without their lineage row, lineage without (all) its rows,
    an undone import whose rows are still there."""
    return [
        row for row in rows
        if not ((row[1] == "loaded" and row[3] == row[2]) or (row[1] == "undone" and row[3] == 0))
    ]


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("concurrency") / "template.duckdb"
    with Store(str(path)) as store:
        demo.build_demo(store, responses=3000, seed=5)
    return path


@pytest.fixture
def shared_store(demo_template, tmp_path) -> Store:
    path = tmp_path / "shared.duckdb"
    shutil.copyfile(demo_template, path)
    store = Store(str(path))
    yield store
    store.close()


def survey_files(folder: Path, count: int, rows: int) -> list[Path]:
    """Survey exports with disjoint response ids, written by DuckDB (fast) before the race starts."""
    paths = []
    for number in range(count):
        path = folder / f"wave_{number}.csv"
        duckdb.execute(
            f"""
            copy (
                select
                    'W{number}-' || range as response_id,
                    'C' || lpad((range % 600)::varchar, 8, '0') as customer_id,
                    (timestamp '2025-03-01' + to_minutes(range * 7))::varchar as responded_at,
                    ['web', 'app', 'phone'][1 + range % 3] as channel,
                    range % 11 as nps,
                    'Welle {number}, Antwort ' || range as comment,
                from range({rows})
            ) to '{path}' (header, delimiter ',')
            """
        )
        paths.append(path)
    return paths


def test_readers_see_every_import_whole_or_not_at_all_while_imports_run(shared_store, tmp_path):
    store = shared_store
    first_id = store.query_value("select max(import_id) from imports")
    files = survey_files(tmp_path, IMPORTS, ROWS_PER_IMPORT)
    arguments = sample_arguments(store)
    window = Filters(dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    pages = query_functions()
    errors: list[str] = []
    observed: list[set[int]] = [set() for _ in range(READERS)]
    torn_seen: list[tuple] = []
    writing = threading.Event()
    writing.set()
    start = threading.Barrier(READERS + 1)

    def reader(number: int) -> None:
        try:
            start.wait()
            rounds = 0
            while writing.is_set() or rounds < 1:
                filters = window if number % 2 else Filters()
                # each session runs every other page, from its own starting point: all pages run during the imports
                for name, function in pages[number::2] + pages[:number:2]:
                    if name.endswith(("kpi_change", "what_moved")) and filters.date_from is None:
                        continue  # these compare with the previous period: they need a range
                    call(function, store, filters, arguments)
                    rows = store.query_rows(TORN_IMPORTS_SQL, {"first_id": first_id})
                    torn_seen.extend(torn(rows))
                    observed[number].add(sum(1 for row in rows if row[1] == "loaded"))
                rounds += 1
        except Exception as error:  # any failure in a session is a failure of the test
            errors.append(f"reader {number}: {type(error).__name__}: {error}")

    def writer() -> None:
        try:
            start.wait()
            for number, path in enumerate(files):
                report = import_file(store, path, "survey")
                assert report.outcome == "loaded", report.message
                if number == 2:
                    # an undo is one transaction too
                    undo_import(store, report.import_id)
                time.sleep(0.05)
        except Exception as error:
            errors.append(f"writer: {type(error).__name__}: {error}")
        finally:
            writing.clear()

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(READERS)]
    threads.append(threading.Thread(target=writer))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert torn_seen == []
    final = store.query_rows(TORN_IMPORTS_SQL, {"first_id": first_id})
    assert [(row[1], row[2], row[3]) for row in final] == [
        ("loaded", ROWS_PER_IMPORT, ROWS_PER_IMPORT),
        ("loaded", ROWS_PER_IMPORT, ROWS_PER_IMPORT),
        ("undone", ROWS_PER_IMPORT, 0),
        ("loaded", ROWS_PER_IMPORT, ROWS_PER_IMPORT),
    ]
    # the race really happened: readers saw the store at more than one moment
    assert len(set().union(*observed)) > 2


def test_each_thread_reads_through_its_own_cursor(shared_store):
    cursors: dict[str, object] = {}

    def remember(name: str) -> None:
        cursors[name] = shared_store.cursor()
        assert shared_store.cursor() is cursors[name]

    threads = [threading.Thread(target=remember, args=(f"t{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    remember("main")
    assert len({id(cursor) for cursor in cursors.values()}) == 5


def test_writes_from_many_threads_are_serialised_and_each_bumps_the_data_version(shared_store):
    version = shared_store.data_version()
    errors: list[str] = []

    def write(number: int) -> None:
        try:
            for item in range(10):
                with shared_store.transaction() as cursor:
                    cursor.execute("insert into customers (customer_id) values (?)", [f"T{number}-{item}"])
        except Exception as error:
            errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert shared_store.data_version() == version + 80
    assert shared_store.query_value("select count(*) from customers where customer_id like 'T%-%'") == 80


def test_a_failed_commit_raises_the_error_that_made_it_fail(shared_store):
    """A conflict found at commit must surface as itself, not as 'no transaction is active'."""
    intruder = shared_store._con.cursor()
    with pytest.raises(duckdb.Error, match="(?i)conflict|constraint|duplicate"):
        with shared_store.transaction() as cursor:
            cursor.execute("insert into customers (customer_id) values ('RACE')")
            # a write outside the store's lock commits the same key first
            intruder.execute("insert into customers (customer_id) values ('RACE')")
    assert shared_store.query_rows("select customer_id from customers where customer_id = 'RACE'") == [("RACE",)]


def test_reading_a_single_value_leaves_no_transaction_open(shared_store):
    """An unfinished result would hold its cursor's transaction open, and then a checkpoint fails."""
    assert shared_store.query_value("select count(*) from responses") > 0
    with shared_store.transaction() as cursor:
        cursor.execute("insert into customers (customer_id) values ('AFTER-READ')")
    shared_store.checkpoint()


def test_a_transaction_inside_another_joins_it(shared_store):
    version = shared_store.data_version()
    with pytest.raises(RuntimeError, match="outer fails"):
        with shared_store.transaction() as outer:
            outer.execute("insert into customers (customer_id) values ('OUTER-1')")
            with shared_store.transaction() as inner:
                assert inner is outer
                inner.execute("insert into customers (customer_id) values ('INNER')")
            raise RuntimeError("outer fails")
    assert shared_store.query_value("select count(*) from customers where customer_id in ('OUTER-1', 'INNER')") == 0
    with shared_store.transaction() as outer:
        outer.execute("insert into customers (customer_id) values ('OUTER-2')")
        with shared_store.transaction() as inner:
            inner.execute("insert into customers (customer_id) values ('INNER')")
    assert shared_store.query_rows(
        "select customer_id from customers where customer_id in ('OUTER-2', 'INNER') order by 1"
    ) == [("INNER",), ("OUTER-2",)]
    assert shared_store.data_version() == version + 1
