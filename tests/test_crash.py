"""Crashes: imports killed with SIGKILL at random moments leave a store that opens and holds every
finished import whole and nothing of an interrupted one; a store that cannot be opened is
reported with steps to recover, and nothing deletes data on its own."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from cxdata import privacy
from cxdata.store import Store, StoreError
from tests.conftest import ROOT

ROWS = 40_000
KILLS = 20
# a safety valve: the kill loop starts no new attempt after this many seconds (it needs about
# 60 s on an idle 2-core machine; the test fails if too few kills fit)
BUDGET_SECONDS = 170

# For every import: what its lineage says it loaded, the rows carrying its id, and the rows
# forget erased from it. Finished imports must add up; no row may carry an unknown import id.
LINEAGE_SQL = """
with

held as (
    select import_id, count(*) as rows_held from responses group by import_id
),

erased as (
    select import_id, sum(rows_deleted) as rows_erased
    from erased_rows
    where table_name = 'responses'
    group by import_id
),

final as (
    select
        coalesce(imports.import_id, held.import_id) as import_id,
        imports.status,
        imports.rows_loaded,
        coalesce(held.rows_held, 0) as rows_held,
        coalesce(erased.rows_erased, 0) as rows_erased,
    from imports
    full outer join held on held.import_id = imports.import_id
    left join erased on erased.import_id = imports.import_id
)

select * from final order by import_id
"""


def write_survey(path: Path, prefix: str, rows: int = ROWS) -> None:
    duckdb.execute(
        f"""
        copy (
            select
                '{prefix}-' || range as response_id,
                'C' || lpad((range % 5000)::varchar, 8, '0') as customer_id,
                (timestamp '2025-01-01' + to_seconds(range * 60))::varchar as responded_at,
                ['web', 'app', 'phone'][1 + range % 3] as channel,
                range % 11 as nps,
                'Kommentar ' || range as comment,
            from range({rows})
        ) to '{path}' (header)
        """
    )


def lineage_problems(store: Store) -> list[tuple]:
    """Imports whose counts do not add up, and rows without a finished import."""
    problems = []
    for import_id, status, rows_loaded, held, erased in store.query_rows(LINEAGE_SQL):
        if status == "loaded" and held + erased == rows_loaded:
            continue
        if status == "undone" and held == 0:
            continue
        problems.append((import_id, status, rows_loaded, held, erased))
    orphans = store.query_value(
        "select count(*) from response_ratings where response_id not in (select response_id from responses)"
    )
    if orphans:
        problems.append(("ratings without their response", orphans))
    return problems


# A defect of DuckDB (2.0.0 and 2.0.1), not of ours: at every checkpoint DuckDB rewrites in place a
# block of its catalogue that the store's current header still points to, and Linux cuts a write
# short when the process gets SIGKILL in the middle of it. The block then fails its checksum and
# the store does not open (docs/RELIABILITY.md, "What a kill can still do"). Seen about once in
# 30 runs of the test below (600 kills). It is reported as an expected failure, never as a pass;
# any other way a killed store fails to open fails the test.
TORN_CATALOGUE = "Corrupt database file: computed checksum"


def open_after_kill(database: Path, read_only: bool) -> Store:
    try:
        return Store(str(database), read_only=read_only)
    except StoreError as error:
        if TORN_CATALOGUE in str(error) and ".wal" not in str(error).splitlines()[0]:
            pytest.xfail(f"DuckDB's in-place catalogue rewrite was cut short by SIGKILL: {str(error).splitlines()[0]}")
        raise


def has_open(pid: int, path: Path) -> bool:
    """Whether the process has the file open (Linux): the import is past its start-up."""
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}") == str(path) for fd in os.listdir(f"/proc/{pid}/fd"))
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False


# `python -m cxdata ARGS`, with its start-up (imports, parser) done before the word to go, so
# that the next attempt can warm up while the current one runs and is killed
RUNNER = """
import sys
from cxdata import cli
cli.build_parser()
print("ready", flush=True)
sys.stdin.readline()
sys.exit(cli.main(sys.argv[1:]))
"""


def prepared_import(database: Path, csv: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, "--db", str(database), "import", str(csv), "--kind", "survey"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def go(process: subprocess.Popen, database: Path, timeout: float = 60) -> float:
    """Let a prepared import run; returns the moment it has the store open (Linux), or now."""
    assert process.stdout.readline().strip() == "ready", process.stderr.read()
    process.stdin.write("\n")
    process.stdin.flush()
    began = time.monotonic()
    can_see = Path(f"/proc/{process.pid}/fd").exists()
    while can_see and process.poll() is None and not has_open(process.pid, database):
        if time.monotonic() - began > timeout:
            break
        time.sleep(0.005)
    return time.monotonic()


def test_imports_killed_at_random_moments_leave_finished_imports_whole_and_nothing_else(tmp_path):
    database = tmp_path / "crash.duckdb"
    Store(str(database)).close()
    rng = random.Random(20)
    began = time.monotonic()

    def prepare(attempt: int) -> tuple[str, Path, subprocess.Popen]:
        csv = tmp_path / f"attempt_{attempt}.csv"
        write_survey(csv, f"A{attempt}")
        return f"A{attempt}", csv, prepared_import(database, csv)

    # one import left to finish: how long it runs once it has the store open
    prefix, csv, process = prepare(0)
    opened = go(process, database)
    assert process.wait(timeout=120) == 0, process.stderr.read()
    window = max(0.5, time.monotonic() - opened)
    finished, kills, attempt = {prefix}, 0, 0
    upcoming = prepare(1)

    while kills < KILLS and time.monotonic() - began < BUDGET_SECONDS:
        attempt += 1
        prefix, csv, process = upcoming
        opened = go(process, database)
        upcoming = prepare(attempt + 1)
        if attempt % 8 == 0:
            # now and then one runs to its end: finished imports among the killed ones
            process.wait(timeout=120)
        else:
            # anywhere from the store's opening to a little after the import would have finished,
            # half of the time in the last part, where the load transaction commits
            later = rng.random() < 0.5
            delay = rng.uniform(0.6 * window if later else 0.0, 1.1 * window)
            time.sleep(max(0.0, opened + delay - time.monotonic()))
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
            kills += 1
        else:
            assert process.returncode == 0, process.stderr.read()
            finished.add(prefix)
            # the machine's pace changes (other work, the next attempt warming up): follow it
            window = max(0.5, time.monotonic() - opened)
        process.stdout.close()
        process.stderr.close()
        csv.unlink()

        # the store opens (read-write by the next attempt, which must not fail), and holds
        # each import whole or not at all (read-only here: it sees what a replay would give)
        with open_after_kill(database, read_only=attempt != 5) as store:
            assert lineage_problems(store) == []
            held = store.query_value(
                "select count(*) from responses where starts_with(response_id, ?)", [prefix + "-"]
            )
            assert held in ((ROWS,) if prefix in finished else (0, ROWS)), (prefix, held)
            if held:
                finished.add(prefix)
            if attempt == 5:
                # an erasure in between: lineage must still add up
                report = privacy.forget(store, ["C00000007"])
                assert report.rows_deleted["responses"] > 0

    upcoming[2].kill()
    upcoming[2].wait(timeout=30)
    kept_logs = len(list(tmp_path.glob("crash.duckdb.wal.*.kept")))
    print(f"{attempt} attempts: {kills} killed, {len(finished) - 1} finished; {kept_logs} left a log to replay")
    assert kills >= KILLS, f"only {kills} kills in {BUDGET_SECONDS} s"
    with Store(str(database)) as store:
        assert lineage_problems(store) == []
        loaded = store.query_rows("select count(*), sum(rows_loaded) from imports where status = 'loaded'")[0]
        assert loaded[0] == len(finished)
        erased = store.query_value("select coalesce(sum(rows_deleted), 0) from erased_rows where table_name = 'responses'")
        assert store.query_value("select count(*) from responses") == loaded[1] - erased


# -- stores that cannot be opened ------------------------------------------------------

def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def store_with_unfinished_log(folder: Path) -> tuple[Path, Path]:
    """A store whose last write is only in its write-ahead log: the writing process died
    before any checkpoint (as after a power cut)."""
    database = folder / "cx.duckdb"
    with Store(str(database)) as store:
        with store.transaction() as cursor:
            cursor.execute("insert into customers (customer_id, segment) values ('CHECKPOINTED', 'SMB')")
        store.checkpoint()
    subprocess.run(
        [sys.executable, "-c", textwrap.dedent(f"""
            import os, duckdb
            con = duckdb.connect({str(database)!r})
            con.execute("pragma disable_checkpoint_on_shutdown")
            con.execute("insert into customers (customer_id, segment) values ('ONLY-IN-LOG', 'SMB')")
            os._exit(0)
        """)],
        check=True, cwd=ROOT,
    )
    log = Path(f"{database}.wal")
    assert log.stat().st_size > 0
    return database, log


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cxdata", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_a_corrupt_log_is_reported_with_steps_that_work_and_nothing_is_touched(tmp_path):
    database, log = store_with_unfinished_log(tmp_path)
    damaged = bytearray(log.read_bytes())
    damaged[len(damaged) // 3] ^= 0x01  # one flipped bit: the log's checksum no longer matches
    log.write_bytes(bytes(damaged))
    before = {path.name: digest(path) for path in tmp_path.iterdir()}

    result = run_cli("--db", str(database), "imports")

    assert result.returncode == 2
    assert result.stdout == ""
    message = result.stderr
    for promise in (
        f"The store {database} cannot be opened",
        "Nothing has been changed or deleted.",
        "Stop the dashboard",
        f"Copy {database} (and {log} if it exists) somewhere safe.",
        f"The write-ahead log {log} is damaged. Move it aside",
        "python -m cxdata imports",
    ):
        assert promise in message
    assert "Traceback" not in message
    assert {path.name: digest(path) for path in tmp_path.iterdir()} == before

    # the advice is true: with the log moved aside the store opens as at its last checkpoint
    log.rename(f"{log}.damaged")
    result = run_cli("--db", str(database), "kpis", "--json")
    assert result.returncode == 0, result.stderr
    with Store(str(database)) as store:
        assert store.query_rows("select customer_id from customers") == [("CHECKPOINTED",)]


def test_a_damaged_store_file_is_reported_and_left_as_it_is(tmp_path):
    database = tmp_path / "cx.duckdb"
    Store(str(database)).close()
    content = bytearray(database.read_bytes())
    content[:64] = b"\x00" * 64
    database.write_bytes(bytes(content))
    before = {path.name: digest(path) for path in tmp_path.iterdir()}

    result = run_cli("--db", str(database), "imports")

    assert result.returncode == 2
    assert f"The store {database} cannot be opened" in result.stderr
    assert "Nothing has been changed or deleted." in result.stderr
    assert "The store file itself is damaged. Put back a backup copy" in result.stderr
    assert {path.name: digest(path) for path in tmp_path.iterdir()} == before


def test_a_log_left_by_a_crash_is_kept_as_a_copy_before_it_is_replayed(tmp_path):
    """DuckDB replays a leftover log and deletes it, and drops a garbled one without a word:
    the store keeps the log byte for byte first, so opening never deletes data on its own."""
    database, log = store_with_unfinished_log(tmp_path)
    garbage = b"not a write-ahead log " * 200
    log.write_bytes(garbage)

    with Store(str(database)) as store:
        assert store.kept_log is not None and store.kept_log.read_bytes() == garbage
        assert store.query_rows("select customer_id from customers") == [("CHECKPOINTED",)]
    assert store.kept_log in privacy.copies_outside_the_store(store)


def test_a_healthy_leftover_log_is_replayed_and_kept(tmp_path):
    database, log = store_with_unfinished_log(tmp_path)
    original = log.read_bytes()
    with Store(str(database)) as store:
        assert store.query_rows("select customer_id from customers order by 1") == [("CHECKPOINTED",), ("ONLY-IN-LOG",)]
        assert store.kept_log.read_bytes() == original


def test_a_store_in_use_by_another_process_keeps_its_live_log_uncopied(tmp_path):
    database, log = store_with_unfinished_log(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, sys; con = duckdb.connect({str(database)!r}); print('held', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreError, match="open for writing in another process"):
            Store(str(database))
        assert sorted(path.name for path in tmp_path.iterdir() if ".wal." in path.name) == []
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_the_dashboard_shows_why_a_store_cannot_be_opened_instead_of_crashing(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest
    import streamlit as st

    database, log = store_with_unfinished_log(tmp_path)
    damaged = bytearray(log.read_bytes())
    damaged[len(damaged) // 3] ^= 0x01
    log.write_bytes(bytes(damaged))
    before = {path.name: digest(path) for path in tmp_path.iterdir()}
    monkeypatch.setenv("CX_DB", str(database))
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert len(at.error) == 1
    assert at.error[0].value.startswith(f"The store {database} cannot be opened")
    assert "Move it aside" in at.error[0].value
    assert {path.name: digest(path) for path in tmp_path.iterdir()} == before
