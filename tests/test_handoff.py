"""A command-line call while another process (the dashboard) holds the store is run by that process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from cxdata import layout
from cxdata.store import Store
from tests.conftest import ROOT

HOLDER = textwrap.dedent(
    """
    import sys
    from cxdata import cli, handoff
    from cxdata.store import Store
    store = Store(sys.argv[1])
    if sys.argv[2] == "watch":
        handoff.start_watcher(sys.argv[1], lambda argv: cli.main(argv, store=store))
    print("held", flush=True)
    sys.stdin.read()
    """
)


def hold(path: str, mode: str) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, path, mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def run_cli(*argv: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "cxdata", *argv], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)


def test_a_command_sent_while_the_dashboard_holds_the_store_is_run_by_the_dashboard(tmp_path):
    path = str(tmp_path / "cx.duckdb")
    with Store(path) as store:
        with store.transaction() as cursor:
            cursor.execute("insert into responses (response_id, responded_at, nps) select 'R' || i, timestamp '2025-01-01' + to_minutes(i), i % 11 from range(100) t(i)")
            # what an import keeps in step: the derived columns and day counts (cxdata/layout.py)
            layout.refresh(cursor)
    holder = hold(path, "watch")
    try:
        result = run_cli("--db", path, "kpis", "--json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["kpis"]["nps"]["n"] == 100
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_a_holder_that_takes_no_commands_gets_a_plain_lock_message(tmp_path, monkeypatch):
    path = str(tmp_path / "cx.duckdb")
    Store(path).close()
    holder = hold(path, "hold")
    try:
        result = run_cli("--db", path, "imports")
        assert result.returncode == 2
        assert f"is open for writing in another process (process {holder.pid})" in result.stderr
        assert "Traceback" not in result.stderr
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_db_may_stand_before_or_after_the_command(tmp_path, capsys):
    from cxdata import cli

    before, after = str(tmp_path / "before.duckdb"), str(tmp_path / "after.duckdb")
    assert cli.main(["--db", before, "init"]) == 0
    assert cli.main(["init", "--db", after]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"Store {before} is at schema version {Store(before).schema_version()}.",
        f"Store {after} is at schema version {Store(after).schema_version()}.",
    ]
