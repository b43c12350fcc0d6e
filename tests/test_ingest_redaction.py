"""Optional redaction at import: contact details in comments never reach the store."""

from __future__ import annotations

from cxdata import cli
from cxdata.store import Store

CSV = (
    "Datum;Weiterempfehlung;Kommentar\n"
    "01.10.2026;9;Bitte rufen Sie mich an: +49 30 12345678\n"
    "02.10.2026;3;Schreiben Sie an anna.muster@example.de, danke\n"
    "03.10.2026;7;Alles gut\n"
)


def import_comments(tmp_path, *options: str) -> list[str]:
    source = tmp_path / "umfrage.csv"
    source.write_bytes(CSV.encode("cp1252"))
    database = str(tmp_path / f"cx{len(options)}.duckdb")
    assert cli.main(["--db", database, "import", str(source), "--kind", "survey", "--constant", "channel=web", *options]) == 0
    with Store(database) as store:
        return [row[0] for row in store.query_rows("select comment from responses order by responded_at")]


def test_redact_replaces_emails_and_phone_numbers_in_comments(tmp_path, capsys):
    assert import_comments(tmp_path, "--redact") == [
        "Bitte rufen Sie mich an: [phone]",
        "Schreiben Sie an [email], danke",
        "Alles gut",
    ]
    assert "Contact details removed from 2 distinct comment texts." in capsys.readouterr().out


def test_without_redact_comments_are_stored_as_written(tmp_path):
    assert import_comments(tmp_path) == [
        "Bitte rufen Sie mich an: +49 30 12345678",
        "Schreiben Sie an anna.muster@example.de, danke",
        "Alles gut",
    ]
