"""Shared pieces of the import tests: stores, whole-store fingerprints, file writers (no tests here)."""

from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path
from typing import Iterator, Sequence

import pytest

from cxdata.store import Store

DATA = Path(__file__).resolve().parent / "data"
# what an import may write; emptied after each test so that one store serves a whole module
# (opening a store installs every view, which takes seconds)
WRITTEN_TABLES = (
    "responses", "response_ratings", "tickets", "journey_events", "customers", "touchpoints", "imports",
    "import_profiles", "import_replaced_rows", "response_day_counts", "answer_ticket_pairs", "customer_date_counts",
)


@pytest.fixture(scope="module")
def module_store() -> Store:
    store = Store(":memory:")
    yield store
    store.close()


def empty_written_tables(store: Store) -> None:
    with store.transaction() as cursor:
        for table in WRITTEN_TABLES:
            cursor.execute(f"delete from {table}")


@pytest.fixture
def store(module_store: Store) -> Store:
    """An empty store (shared by the module's tests, emptied after each)."""
    yield module_store
    empty_written_tables(module_store)


@contextlib.contextmanager
def migrated(tmp_path: Path, version: int, *writes: str, kept: str = "") -> Iterator[tuple[Store, list[tuple]]]:
    """A store made at schema `version`, given rows by `writes` (SQL written around cxdata, as an
    older version's store holds them), then opened by this version, which migrates it; with the
    rows `kept` selected before the migration."""
    path = str(tmp_path / f"v{version}.duckdb")
    with Store(path, migrate_to=version) as old:
        for sql in writes:
            old._con.execute(sql)
        rows = old.query_rows(kept) if kept else []
    with Store(path) as store:
        yield store, rows


def store_fingerprint(store: Store) -> dict[str, tuple]:
    """Row count and content hash of every table in the store, imports and profiles included."""
    tables = [row[0] for row in store.query_rows(
        "select table_name from information_schema.tables where table_schema = 'main' and table_type = 'BASE TABLE' "
        "order by table_name"
    )]
    return {
        table: tuple(store.query_rows(f'select count(*), coalesce(sum(hash(t)), 0) from "{table}" as t')[0])
        for table in tables
    }


def csv_text(rows: Sequence[Sequence[object]], delimiter: str = ",", line_end: str = "\r\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=line_end, quoting=csv.QUOTE_MINIMAL)
    writer.writerows([["" if value is None else value for value in row] for row in rows])
    return out.getvalue()


def write_csv(path: Path, rows: Sequence[Sequence[object]], delimiter: str = ",", encoding: str = "utf-8") -> Path:
    path.write_bytes(csv_text(rows, delimiter).encode(encoding))
    return path


def imported(store: Store, tmp_path: Path, kind: str, header: list[str], rows, name: str) -> int:
    """Import rows under header as a CSV export of `kind`; returns the import id (it must load)."""
    from cxdata.ingest import import_file

    report = import_file(store, write_csv(tmp_path / name, [header, *rows]), kind)
    assert report.outcome == "loaded", report.message
    return report.import_id


def write_xlsx(path: Path, rows: Sequence[Sequence[object]], extra_sheet: bool = False) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Export"
    for row in rows:
        sheet.append(list(row))
    if extra_sheet:
        workbook.create_sheet("Notes").append(["ignored"])
    workbook.save(path)
    return path
