"""Import throughput: a generated survey CSV export, loaded three ways into a fresh store.

- ours: cxdata.ingest.import_file, the whole path a user's upload takes (detect the
  format, propose the mapping, validate every row, load in one transaction);
- the floor: DuckDB's bare read_csv into a table (no checks, no mapping, no lineage);
- the peer: pandas read_csv, then an insert of the DataFrame into the responses table.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Callable

import duckdb
import pandas as pd

from cxdata.store import Store

# a plain one-header export, as a survey tool or a spreadsheet writes it; the header
# names are ones the import recognises without a mapping
CSV_COLUMNS = {
    "Response ID": "response_id",
    "Customer ID": "customer_id",
    "Date": "responded_at",
    "Channel": "channel",
    "Touchpoint": "touchpoint",
    "NPS": "nps",
    "CSAT": "csat",
    "CES": "ces",
    "Comment": "comment",
    "Language": "language",
}

COMMENTS = [
    "Schnelle Lieferung, alles bestens.",
    "Der Kundenservice war freundlich, aber die Wartezeit war lang.",
    'Great app, but the "checkout" kept failing, twice.',
    "Rechnung unverständlich; bitte übersichtlicher gestalten.",
    "Would recommend to friends.",
    "Nie wieder. Paket kam beschädigt an.",
]


def write_survey_csv(path: Path, rows: int) -> Path:
    """A deterministic survey export of `rows` rows: ids with leading zeros, ISO
    timestamps, missing answers, comments with commas, quotes and umlauts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    comments = ", ".join("'" + text.replace("'", "''") + "'" for text in COMMENTS)
    con = duckdb.connect()
    try:
        con.execute(
            f"""
            copy (
                select
                    'R' || lpad(i::varchar, 9, '0') as "Response ID",
                    'C' || lpad((hash(i, 1) % 250000)::varchar, 7, '0') as "Customer ID",
                    strftime(
                        timestamp '2023-01-01' + to_seconds((hash(i, 2) % (3 * 365 * 86400))::bigint),
                        '%Y-%m-%d %H:%M:%S'
                    ) as "Date",
                    (['web', 'app', 'phone', 'email', 'chat', 'store'])[1 + (hash(i, 3) % 6)::bigint] as "Channel",
                    'Touchpoint ' || (1 + (hash(i, 4) % 20)::bigint) as "Touchpoint",
                    case when (hash(i, 5) % 20)::bigint = 0 then null else (hash(i, 6) % 11)::bigint end as "NPS",
                    case when (hash(i, 7) % 3)::bigint = 0 then null else 1 + (hash(i, 8) % 5)::bigint end as "CSAT",
                    case when (hash(i, 9) % 2)::bigint = 0 then null else 1 + (hash(i, 10) % 7)::bigint end as "CES",
                    case when (hash(i, 11) % 3)::bigint = 0 then ([{comments}])[1 + (hash(i, 12) % {len(COMMENTS)})::bigint] end as "Comment",
                    (['de', 'en'])[1 + (hash(i, 13) % 2)::bigint] as "Language",
                from range(?) as t(i)
            ) to '{_sql_path(path)}' (header, delimiter ',')
            """,
            [rows],
        )
    finally:
        con.close()
    return path


def _sql_path(path: Path) -> str:
    # COPY ... TO takes no parameter for its file; the path is ours, not a user's
    return str(path).replace("'", "''")


def fresh_store(path: Path) -> Store:
    for leftover in (path, Path(f"{path}.wal")):
        leftover.unlink(missing_ok=True)
    return Store(str(path))


# the import's steps, by the progress text that starts each (cxdata/ingest/api.py), and the
# name a run's JSON gives the time until the next
PHASES = {
    "detecting the format": "detect",
    "reading every row": "read",
    "checking every row": "check",
    "comparing with the store": "compare",
    "loading": "load",
    "done": None,
}


def ours(store: Store, csv: Path, on_phase: Callable[[str, float], None] | None = None) -> int:
    """The full import path; returns the rows it loaded. on_phase(name, ms) is told how long
    each of its steps took (PHASES)."""
    from cxdata.ingest import import_file

    started: list[tuple[str | None, float]] = []

    def progress(_fraction: float, text: str) -> None:
        if text in PHASES:
            started.append((PHASES[text], time.perf_counter()))

    report = import_file(store, csv, "survey", progress=progress)
    if on_phase is not None:
        for (name, at), (_, until) in zip(started, started[1:]):
            on_phase(name, (until - at) * 1000)
    if report.outcome != "loaded":
        raise RuntimeError(f"The import was {report.outcome}: {report.message}")
    return report.rows_inserted + report.rows_updated + report.rows_unchanged


def floor(store: Store, csv: Path) -> int:
    with store.transaction() as cursor:
        cursor.execute(f"create table raw_import as select * from read_csv('{_sql_path(csv)}', header = true)")
    return store.query_value("select count(*) from raw_import")


def peer(store: Store, csv: Path) -> int:
    frame = pd.read_csv(csv, dtype={"Response ID": "str", "Customer ID": "str"})
    frame = frame.rename(columns=CSV_COLUMNS)
    frame["responded_at"] = pd.to_datetime(frame["responded_at"], format="%Y-%m-%d %H:%M:%S")
    columns = ", ".join(CSV_COLUMNS.values())
    with store.transaction() as cursor:
        cursor.register("incoming", frame)
        cursor.execute(f"insert into responses ({columns}) select {columns} from incoming")
        cursor.unregister("incoming")
    return len(frame)


SIDES: dict[str, Callable[[Store, Path], int]] = {"ours": ours, "floor": floor, "peer": peer}


@dataclasses.dataclass
class ImportCheck:
    """How many rows each side loaded: all three must load every row."""

    rows: int
    loaded: dict[str, int] = dataclasses.field(default_factory=dict)

    def verify(self) -> None:
        wrong = {side: n for side, n in self.loaded.items() if n != self.rows}
        if wrong:
            raise AssertionError(f"Import sides did not load all {self.rows} rows: {wrong}")
