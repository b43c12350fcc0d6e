"""Bad input is refused with a message naming what is wrong and where, and the store is left exactly as it was."""

from __future__ import annotations

import json
import random
import zipfile

import pytest

from cxdata.ingest import import_file, read_toml
from tests.test_ingest_helpers import module_store, store, store_fingerprint, write_csv, write_xlsx  # noqa: F401

HEADER = ["ID", "Datum", "NPS", "Kommentar"]


@pytest.fixture
def loaded(store, tmp_path):
    """A store holding one earlier import, so an unchanged fingerprint means something."""
    path = write_csv(tmp_path / "earlier.csv", [HEADER, ["1", "01.03.2024", "9", "gut"], ["2", "02.03.2024", "3", ""]], ";")
    assert import_file(store, path, "survey").outcome == "loaded"
    return store


def refused(store, path, kind="survey", **options):
    before = store_fingerprint(store)
    report = import_file(store, path, kind, **options)
    assert store_fingerprint(store) == before
    assert report.outcome == "refused" and report.import_id is None
    return report.message


def test_an_empty_file(loaded, tmp_path):
    path = tmp_path / "leer.csv"
    path.write_bytes(b"")

    assert refused(loaded, path) == "leer.csv is empty (0 bytes): export it again from the source tool."


def test_a_file_of_blank_lines(loaded, tmp_path):
    path = tmp_path / "blank.csv"
    path.write_bytes(b"\r\n  \r\n\r\n")

    assert refused(loaded, path) == "blank.csv contains no data: only blank lines or spaces."


def test_a_header_without_rows(loaded, tmp_path):
    path = write_csv(tmp_path / "kopf.csv", [HEADER], ";")

    assert refused(loaded, path) == "kopf.csv has a header row (ID, Datum, NPS, Kommentar) but no data rows."


def test_qualtrics_header_rows_without_responses(loaded, tmp_path):
    path = write_csv(tmp_path / "q.csv", [["RecordedDate", "ResponseId"], ["Erfassungsdatum", "Antwort-ID"],
                                          [json.dumps({"ImportId": "recordedDate"}), json.dumps({"ImportId": "_recordId"})]])

    assert refused(loaded, path) == "q.csv has header rows (RecordedDate, ResponseId) but no data rows."


@pytest.mark.parametrize("content, expected", [
    (b"\x89PNG\r\n\x1a\n" + bytes(200), "bild.csv is a PNG image, not a CSV, Excel (.xlsx) or Parquet file."),
    (b"%PDF-1.7\n" + bytes(200), "bild.csv is a PDF document, not a CSV, Excel (.xlsx) or Parquet file."),
    (random.Random(4).randbytes(4000), "bild.csv is a binary file (it contains zero bytes), not a CSV or text export."),
    (bytes(range(1, 32)) * 200, "bild.csv does not look like text"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "old Excel 97-2003 (.xls)"),
])
def test_a_binary_file_renamed_to_csv(loaded, tmp_path, content, expected):
    path = tmp_path / "bild.csv"
    path.write_bytes(content)

    assert expected in refused(loaded, path)


def test_a_ticket_export_imported_as_survey(loaded, tmp_path):
    path = write_csv(tmp_path / "tickets.csv", [
        ["Id", "Status", "Priority", "Via", "Created at", "Solved at"], ["1", "Open", "Low", "Email", "2024-01-01 10:00", ""],
    ])

    assert refused(loaded, path) == (
        "tickets.csv is a Zendesk Support ticket export, which holds tickets, not survey. "
        "Import it with kind tickets, or give a mapping to read it as survey anyway."
    )


def test_a_customer_file_imported_as_tickets_names_what_is_missing_and_the_likely_kind(loaded, tmp_path):
    path = write_csv(tmp_path / "kunden.csv", [["Kundennummer", "Segment", "Jahresumsatz"], ["K1", "KMU", "1.000,00"]], ";")

    message = refused(loaded, path, "tickets")

    assert message == (
        "The file cannot be imported as tickets with this mapping: nothing gives the required field created_at: "
        "choose its column in the mapping or give a constant. The file's columns are: 'Kundennummer', 'Segment', "
        "'Jahresumsatz'. It looks like a customers export: import it with kind customers."
    )


def test_a_file_whose_every_row_fails(loaded, tmp_path):
    path = write_csv(tmp_path / "kaputt.csv", [HEADER, ["7", "nie", "9", ""], ["8", "32.13.2024", "3", ""]], ";")

    assert refused(loaded, path) == (
        "none of the 2 rows can be loaded. The problems: Datum: not a date or time (responded_at) (2 rows, first on row 2)."
    )


def test_a_one_column_file_from_a_broken_spreadsheet_round_trip(loaded, tmp_path):
    path = tmp_path / "roundtrip.csv"
    path.write_text('ID,Datum,NPS;;\r\n1,01.03.2024,9;;\r\n"2,02.03.2024,7";;\r\n', encoding="cp1252")

    message = refused(loaded, path)

    assert message.startswith("roundtrip.csv has one column only: every line is one field followed by empty ';' "
                              "fields (line 1 is: 'ID,Datum,NPS;;').")


def test_a_damaged_workbook(loaded, tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", [HEADER, ["1", "01.03.2024", 9, "x"]])
    path = tmp_path / "kaputt.xlsx"
    path.write_bytes(good.read_bytes()[:400])

    assert refused(loaded, path).startswith("kaputt.xlsx is a damaged ZIP/Excel file and cannot be opened")


def test_a_zip_that_is_not_a_workbook(loaded, tmp_path):
    path = tmp_path / "archiv.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")

    assert refused(loaded, path) == "archiv.xlsx is a ZIP archive but not an Excel workbook (.xlsx); unpack it first."


def rewrite_member(path, member, text):
    with zipfile.ZipFile(path) as source:
        parts = {item.filename: source.read(item.filename) for item in source.infolist()}
    parts[member] = text.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


def test_a_workbook_with_entity_expansion_in_a_sheet_is_refused_unexpanded(loaded, tmp_path):
    path = write_xlsx(tmp_path / "boese.xlsx", [HEADER, ["1", "01.03.2024", 9, "x"]])
    rewrite_member(path, "xl/worksheets/sheet1.xml", LAUGHS + (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>'))

    assert refused(loaded, path).startswith("boese.xlsx is refused: it contains XML entity or DTD declarations (in xl/")


def test_a_workbook_with_entity_expansion_in_its_shared_strings_is_refused(loaded, tmp_path):
    path = write_xlsx(tmp_path / "boese.xlsx", [HEADER, ["1", "01.03.2024", 9, "x"]])
    rewrite_member(path, "xl/workbook.xml", LAUGHS + '<workbook xmlns="http://schemas.openxmlformats.org/'
                   'spreadsheetml/2006/main"><sheets><sheet name="&lol3;" sheetId="1" r:id="rId1" '
                   'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/></sheets></workbook>')

    assert refused(loaded, path).startswith("boese.xlsx is refused: it contains XML entity or DTD declarations (in xl/")


def test_a_zip_bomb_workbook(loaded, tmp_path):
    path = tmp_path / "bombe.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (24 * 1024 * 1024))

    assert "would expand" in refused(loaded, path) and "zip bomb" in refused(loaded, path)


def test_a_damaged_parquet_file(loaded, tmp_path):
    path = tmp_path / "daten.parquet"
    path.write_bytes(b"PAR1" + bytes(range(256)) * 4)

    assert refused(loaded, path).startswith("daten.parquet is not a readable Parquet file")


def test_a_file_over_the_configured_size_limit(loaded, tmp_path, monkeypatch):
    path = write_csv(tmp_path / "gross.csv", [HEADER] + [[str(i), "01.03.2024", "9", "x" * 100] for i in range(20000)])
    monkeypatch.setenv("CX_IMPORT_MAX_MB", "1")

    message = refused(loaded, path)

    assert message.startswith(f"gross.csv is {path.stat().st_size / 1024 / 1024:.1f} MB, more than the limit of 1 MB.")
    assert "CX_IMPORT_MAX_MB" in message


def test_a_mapping_that_names_columns_the_file_lacks(loaded, tmp_path):
    path = write_csv(tmp_path / "u.csv", [HEADER, ["3", "03.03.2024", "9", ""]], ";")
    mapping = read_toml('kind = "survey"\n[columns]\nresponded_at = "Date"\nnps = "NPS"')

    assert refused(loaded, path, mapping=mapping) == (
        "The file cannot be imported as survey with this mapping: the column 'Date' (for responded_at) is not in "
        "the file; nothing gives the required field responded_at: choose its column in the mapping or give a "
        "constant. The file's columns are: 'ID', 'Datum', 'NPS', 'Kommentar'."
    )


def test_rows_the_store_itself_would_refuse_roll_back_everything(loaded, tmp_path, monkeypatch):
    # a check the validation does not know (simulated) makes the insert fail inside the transaction
    from cxdata.ingest import validate

    monkeypatch.setattr(validate, "_range_sql", lambda field, number: "")
    path = write_csv(tmp_path / "u.csv", [HEADER, ["5", "05.03.2024", "9", ""], ["6", "06.03.2024", "42", ""]], ";")

    message = refused(loaded, path)

    assert message.startswith("The store refused the rows (Constraint Error")
