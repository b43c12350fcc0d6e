"""Polite stops: SIGTERM and SIGHUP interrupt the running query at once and end a command as
Ctrl-C does; an import stopped so rolls back whole and says so (cxdata/stopping.py)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import pytest

from cxdata.store import Store
from tests.conftest import ROOT
from tests.test_crash import go, lineage_problems, prepared_import, write_survey

# a query that would run for hours: only an interrupt ends it within the wait below
ENDLESS = "select count(*) from range(1000000000000) as t(a) where a % 7 = 3"
# generous, so that a slow machine never fails: the point is "stopped" against "ran for hours"
WAIT_SECONDS = 60


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=lambda s: s.name)
def test_a_stop_signal_interrupts_a_running_query_instead_of_waiting_for_it(signal_number):
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, duckdb
            from cxdata import stopping
            con = duckdb.connect()
            try:
                with stopping.PoliteStops(con.interrupt):
                    print("running", flush=True)
                    con.execute({ENDLESS!r}).fetchall()
                print("finished", flush=True)
            except stopping.Stopped as stop:
                print(f"stopped by {{stop}}", flush=True)
                sys.exit(stop.exit_code)
        """)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert child.stdout.readline().strip() == "running"
        time.sleep(0.3)  # inside DuckDB by now
        child.send_signal(signal_number)
        out, err = child.communicate(timeout=WAIT_SECONDS)
    finally:
        child.kill()
    assert out.strip() == f"stopped by {signal_number.name}", err
    assert child.returncode == 128 + signal_number


def test_outside_the_main_thread_the_signals_are_left_alone():
    import threading

    from cxdata import stopping

    seen = []
    thread = threading.Thread(target=lambda: seen.append(_handlers_inside(stopping)))
    thread.start()
    thread.join()
    assert seen == [(signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP))]
    # and in the main thread they are set inside the block, and put back after it
    before = (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP))
    assert _handlers_inside(stopping) != before
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)) == before


def _handlers_inside(stopping) -> tuple:
    with stopping.PoliteStops(lambda: None):
        return signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)


def test_an_import_stopped_by_sigterm_rolls_back_whole_and_says_so(tmp_path):
    database = tmp_path / "cx.duckdb"
    Store(str(database)).close()
    finished_csv, stopped_csv = tmp_path / "finished.csv", tmp_path / "stopped.csv"
    write_survey(finished_csv, "F", rows=2_000)
    write_survey(stopped_csv, "S", rows=800_000)
    done = prepared_import(database, finished_csv)
    go(done, database)
    assert done.wait(timeout=120) == 0, done.stderr.read()

    process = prepared_import(database, stopped_csv)
    go(process, database)
    time.sleep(0.2)  # reading the file: the import lasts seconds longer
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=WAIT_SECONDS)

    assert process.returncode == 128 + signal.SIGTERM, err
    assert "stopped by SIGTERM: a write that had not finished was rolled back" in err
    assert "Traceback" not in err
    with Store(str(database), read_only=True) as store:
        assert lineage_problems(store) == []
        assert store.query_rows("select status, rows_loaded from imports") == [("loaded", 2_000)]
        assert store.query_value("select count(*) from responses where starts_with(response_id, 'S-')") == 0
