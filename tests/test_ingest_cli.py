"""python -m cxdata import / undo / profiles: the report printed, exit codes, profiles as TOML."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

from cxdata import cli
from cxdata.export import safe_csv, safe_frame
from cxdata.ingest import read_toml
from tests.test_ingest_helpers import module_store, store, store_fingerprint, write_csv  # noqa: F401

ROWS = [["Antwort-ID", "Datum", "Weiterempfehlung", "Kommentar"],
        ["A1", "01.03.2024", "9", "=HYPERLINK(\"http://x\")"], ["A2", "02.03.2024", "12", "Grüße"]]


def test_import_prints_the_report_and_writes_rejects(store, tmp_path, capsys):
    path = write_csv(tmp_path / "u.csv", ROWS, ";", "cp1252")
    rejects = tmp_path / "rejects.csv"

    code = cli.main(["import", str(path), "--kind", "survey", "--constant", "channel=web",
                     "--rejects", str(rejects)], store=store)

    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[:6] == [
        "u.csv (survey): loaded 1 of 2 rows; 1 rejected",
        "  detected: csv, encoding cp1252, delimiter ';', layout plain",
        "  rows read: 2, would load: 1, rejected: 1",
        "  of the rows that load, were: new 1, updated 0, unchanged 0, skipped (kept the stored version) 0",
        f"  import id: {store.query_value('select max(import_id) from imports')} "
        f"(undo with: python -m cxdata undo {store.query_value('select max(import_id) from imports')})",
        "  rejected rows by problem:",
    ]
    assert pd.read_csv(rejects, encoding="utf-8-sig").to_dict("records") == [
        {"row": 3, "column": "Weiterempfehlung", "value": 12, "problem": "outside 0 to 10 (nps)"}]
    assert store.query_rows("select response_id, channel, comment from responses") == [
        ("A1", "web", "=HYPERLINK(\"http://x\")")]


def test_a_refused_import_exits_non_zero_and_changes_nothing(store, tmp_path, capsys):
    path = tmp_path / "leer.csv"
    path.write_bytes(b"")
    before = store_fingerprint(store)

    code = cli.main(["import", str(path), "--kind", "tickets"], store=store)

    assert (code, store_fingerprint(store)) == (1, before)
    assert capsys.readouterr().out.startswith("leer.csv (tickets): leer.csv is empty (0 bytes)")


def test_dry_run_writes_nothing(store, tmp_path, capsys):
    path = write_csv(tmp_path / "u.csv", ROWS, ";")
    before = store_fingerprint(store)

    code = cli.main(["import", str(path), "--kind", "survey", "--dry-run"], store=store)

    assert (code, store_fingerprint(store)) == (0, before)
    assert "would load 1 of 2 rows; 1 rejected (dry run: nothing was written)" in capsys.readouterr().out


def test_a_mapping_file_and_saving_it_as_a_profile(store, tmp_path, capsys):
    path = write_csv(tmp_path / "u.csv", ROWS, ";")
    mapping = tmp_path / "m.toml"
    mapping.write_text('kind = "survey"\n[columns]\nresponse_id = "Antwort-ID"\nresponded_at = "Datum"\n'
                       'comment = "Kommentar"\n[constants]\nsurvey = "Welle 1"\n', encoding="utf-8")

    code = cli.main(["import", str(path), "--kind", "survey", "--mapping", str(mapping), "--save-profile", "welle"],
                    store=store)
    shown = tmp_path / "shown.toml"
    capsys.readouterr()
    cli.main(["profiles", "show", "welle"], store=store)
    shown.write_text(capsys.readouterr().out, encoding="utf-8")

    assert code == 0
    assert store.query_rows("select response_id, survey, nps from responses order by 1") == [
        ("A1", "Welle 1", None), ("A2", "Welle 1", None)]
    assert store.query_value("select comment from responses where response_id = 'A2'") == "Grüße"
    assert read_toml(shown.read_text(encoding="utf-8")) == read_toml(mapping.read_text(encoding="utf-8"))


def test_import_with_a_saved_profile_then_undo(store, tmp_path, capsys):
    profile = tmp_path / "p.toml"
    profile.write_text('kind = "survey"\n[columns]\nresponse_id = "Antwort-ID"\nresponded_at = "Datum"\n'
                       'comment = "Kommentar"\n', encoding="utf-8")
    assert cli.main(["profiles", "save", "mein profil", str(profile)], store=store) == 0
    path = write_csv(tmp_path / "u.csv", ROWS, ";")
    before = store_fingerprint(store)

    assert cli.main(["import", str(path), "--kind", "survey", "--profile", "mein profil"], store=store) == 0
    import_id = store.query_value("select max(import_id) from imports")
    assert cli.main(["undo", str(import_id)], store=store) == 0
    assert cli.main(["undo", str(import_id)], store=store) == 1

    after = store_fingerprint(store)
    assert {t: v for t, v in after.items() if t not in ("imports", "store_state")} == {
        t: v for t, v in before.items() if t not in ("imports", "store_state")}
    assert f"Import {import_id} undone: 2 rows removed." in capsys.readouterr().out


def test_an_unknown_profile_is_refused(store, tmp_path, capsys):
    path = write_csv(tmp_path / "u.csv", ROWS, ";")

    code = cli.main(["import", str(path), "--kind", "survey", "--profile", "gibt es nicht"], store=store)

    assert code == 1
    assert "There is no profile 'gibt es nicht'" in capsys.readouterr().out


def test_the_module_runs_as_a_command(tmp_path):
    path = write_csv(tmp_path / "u.csv", ROWS, ";")
    database = tmp_path / "cx.duckdb"

    done = subprocess.run([sys.executable, "-m", "cxdata", "--db", str(database), "import", str(path), "--kind",
                           "survey", "--json"], capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert '"outcome": "loaded"' in done.stdout and '"rows_inserted": 1' in done.stdout


def test_safe_csv_defuses_formulas_but_keeps_numbers():
    frame = pd.DataFrame({
        "text": ["=SUM(A1)", "+49 30 1234", "-12.5", "@cmd", "\tx", "\rx", "plain", None, "-", "1e5"],
        "number": [-1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    })

    lines = safe_csv(frame).decode("utf-8-sig").split("\r\n")

    assert lines == [
        "text,number", "'=SUM(A1),-1", "'+49 30 1234,2", "-12.5,3", "'@cmd,4", "'\tx,5", "\"'\rx\",6", "plain,7",
        ",8", "'-,9", "1e5,10", "",
    ]


def test_safe_frame_defuses_text_and_headers_and_leaves_numbers_and_duplicates_alone():
    frame = pd.DataFrame([["=1+1", -3, "ok"], ["@x", 4, None]], columns=["=name", "n", "n"]).astype({"=name": object})
    frame.isetitem(2, pd.Series(["ok", None], dtype=object))

    safe = safe_frame(frame)

    assert (list(safe.columns), safe.values.tolist()) == (["'=name", "n", "n"], [["'=1+1", -3, "ok"], ["'@x", 4, None]])
    assert frame.values.tolist() == [["=1+1", -3, "ok"], ["@x", 4, None]]
