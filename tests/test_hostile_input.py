"""Hostile and broken files: each one either imports correctly or is refused with a clear
message, and a refusal leaves every table exactly as it was."""

from __future__ import annotations

import codecs
import csv
import io
import tempfile
from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, event, given, settings

from cxdata.ingest import KINDS, import_file
from cxdata.store import Store
from tests.conftest import table_fingerprint

# what a refusal must never show a user: raw engine errors and stack traces
RAW_ERRORS = ("Traceback", "Binder Error", "Parser Error", "Catalog Error", "INTERNAL Error", "duckdb.", "_duckdb")

FORMULAS = ["=1+1", "=HYPERLINK(\"http://evil.example\",\"klick\")", "@SUM(A1:A9)", "+49 30 1234567", "-2+3",
            "=cmd|' /C calc'!A0", "\t=1", "\r=1"]
SQL = ["'; drop table responses; --", "\"; delete from imports; --", "select * from customers", "1 or 1=1",
       "$1", "?", "x') union select 1 --"]
HEADER_NAMES = ["response_id", "responded_at", "nps", "comment", "Datum", "Kanal", "Kommentar", "NPS", "Bewertung",
                "ticket_id", "created_at", "customer_id", "", " ", "response_id", "rеsponse_id",  # Cyrillic е
                "a" * 5000, *SQL, *FORMULAS, "Grüße", "名前", "\"quoted\"", "semi;colon", "new\nline"]
CELLS = st.one_of(
    st.sampled_from(["1", "2", "10", "0", "11", "-1", "9,5", "2025-01-31", "31.01.2025", "31.01.2025 13:45",
                     "45678", "web", "", "NA", "null", "ÄÖÜß", "Grüße aus Köln"]),
    st.sampled_from(SQL + FORMULAS),
    st.text(max_size=40),
    st.builds(lambda n: "x" * n, st.integers(min_value=10_000, max_value=200_000)),
)


def encode(text: str, encoding: str) -> bytes:
    if encoding == "mixed":
        # a file stitched from two exports: the first half UTF-8, the rest cp1252
        half = len(text) // 2
        return text[:half].encode("utf-8", "replace") + text[half:].encode("cp1252", "replace")
    if encoding == "utf-8-sig":
        return codecs.BOM_UTF8 + text.encode("utf-8", "replace")
    return text.encode(encoding, "replace")


@st.composite
def delimited_files(draw) -> tuple[str, bytes]:
    header = draw(st.lists(st.sampled_from(HEADER_NAMES), min_size=0, max_size=8))
    width = len(header)
    rows = draw(st.lists(
        # ragged: rows may be shorter or longer than the header
        st.lists(CELLS, min_size=0, max_size=width + 2), max_size=12,
    ))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    buffer = io.StringIO()
    if draw(st.booleans()):
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
        for row in [header, *rows]:
            writer.writerow(row)
    else:
        # written without any quoting: delimiters and quotes inside cells break the structure
        buffer.write("\n".join(delimiter.join(row) for row in [header, *rows]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "mixed"]))
    suffix = draw(st.sampled_from([".csv", ".csv", ".tsv", ".txt"]))
    return suffix, encode(buffer.getvalue(), encoding)


@st.composite
def survey_like_files(draw) -> tuple[str, bytes]:
    """Mostly a good survey export, with hostile extra columns and cells, some rows ragged."""
    extras = draw(st.lists(st.sampled_from(HEADER_NAMES), max_size=3))
    header = ["response_id", "responded_at", "nps", "comment", *extras]
    rows = []
    for number in range(draw(st.integers(min_value=1, max_value=12))):
        row = [
            draw(st.sampled_from([f"S{number}", f"S{number}", f"0{number}", "", "'; drop table responses; --"])),
            draw(st.sampled_from(["2025-01-31", "31.01.2025", "31.01.2025 13:45", "not a date"])),
            draw(st.sampled_from(["0", "7", "10", "11", "-1", "sehr gut"])),
            draw(CELLS),
            *[draw(CELLS) for _ in extras],
        ]
        rows.append(row[: draw(st.integers(min_value=len(row) - 1, max_value=len(row)))] if draw(st.booleans()) else row)
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows([header, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "mixed"]))
    return ".csv", encode(buffer.getvalue(), encoding)


@st.composite
def random_files(draw) -> tuple[str, bytes]:
    suffix = draw(st.sampled_from([".csv", ".xlsx", ".parquet", ".tsv"]))
    prefix = draw(st.sampled_from([b"", b"response_id,responded_at,nps\n", b"PK\x03\x04", b"PAR1", b"\xef\xbb\xbf"]))
    return suffix, prefix + draw(st.binary(max_size=4000))


@pytest.fixture(scope="module")
def store() -> Store:
    store = Store(":memory:")
    yield store
    store.close()


def check_outcome(store: Store, report, before: dict, version: int) -> None:
    """Loaded: the lineage row and the rows agree. Otherwise: a clear message and nothing changed."""
    if report.outcome == "loaded":
        lineage = store.query_rows(
            "select status, rows_loaded, rows_read, rows_rejected from imports where import_id = ?", [report.import_id]
        )
        assert lineage == [("loaded", report.rows_inserted + report.rows_updated + report.rows_unchanged,
                            report.rows_read, report.rows_rejected)]
        table = {"survey": "responses", "tickets": "tickets", "journey": "journey_events",
                 "customers": "customers", "touchpoints": "touchpoints"}[report.kind]
        held = store.query_value(f"select count(*) from {table} where import_id = ?", [report.import_id])
        assert held == lineage[0][1] > 0
        assert report.rows_valid + report.rows_rejected == report.rows_read
        assert store.data_version() == version + 1
        return
    assert report.outcome in ("refused", "already_loaded"), report.outcome
    assert len(report.message) > 20, report.message
    assert not any(raw in report.message for raw in RAW_ERRORS), report.message
    assert table_fingerprint(store) == before
    assert store.data_version() == version


def run_import(store: Store, suffix: str, content: bytes, kind: str, property_based: bool = False):
    before, version = table_fingerprint(store), store.data_version()
    with tempfile.TemporaryDirectory(prefix="cx-hostile-") as folder:
        path = Path(folder) / f"export{suffix}"
        path.write_bytes(content)
        report = import_file(store, path, kind)
    check_outcome(store, report, before, version)
    if property_based:
        event(report.outcome)  # --hypothesis-show-statistics shows how many loaded and how many were refused
    return report


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow, HealthCheck.data_too_large])
@given(file=random_files(), kind=st.sampled_from(KINDS))
def test_random_bytes_are_refused_or_loaded_never_half_loaded(store, file, kind):
    run_import(store, *file, kind, property_based=True)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow, HealthCheck.data_too_large])
@given(file=delimited_files(), kind=st.sampled_from(["survey", "tickets", "customers"]))
def test_broken_delimited_files_are_refused_or_loaded_never_half_loaded(store, file, kind):
    run_import(store, *file, kind, property_based=True)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow, HealthCheck.data_too_large])
@given(file=survey_like_files())
def test_survey_exports_with_hostile_cells_load_their_good_rows_or_are_refused(store, file):
    run_import(store, *file, "survey", property_based=True)


def test_formula_and_sql_cells_are_stored_as_the_text_they_are(store):
    comments = SQL + [value for value in FORMULAS if not value.startswith(("\t", "\r"))]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["response_id", "responded_at", "nps", "comment"])
    for number, comment in enumerate(comments):
        writer.writerow([f"H{number}", "2025-02-01", number % 11, comment])
    report = run_import(store, ".csv", buffer.getvalue().encode("utf-8"), "survey")
    assert report.outcome == "loaded"
    stored = store.query_rows("select comment from responses where import_id = ? order by response_id", [report.import_id])
    expected = sorted((f"H{number}", comment) for number, comment in enumerate(comments))
    assert [row[0] for row in stored] == [comment for _, comment in expected]


def test_sql_and_duplicate_headers_do_not_reach_sql(store):
    header = ["response_id", "response_id", "", "'; drop table responses; --", "responded_at", "nps", "comment"]
    rows = [["D1", "D1-bis", "x", "y", "2025-02-02", "7", "ok"], ["D2", "D2-bis", "x", "y", "2025-02-03", "8", "gut"]]
    content = "\n".join(",".join(f'"{cell}"' for cell in row) for row in [header, *rows]).encode("utf-8")
    report = run_import(store, ".csv", content, "survey")
    if report.outcome == "loaded":
        stored = store.query_rows(
            "select response_id, nps, comment from responses where import_id = ? order by 1", [report.import_id]
        )
        assert stored in ([("D1", 7, "ok"), ("D2", 8, "gut")], [("D1-bis", 7, "ok"), ("D2-bis", 8, "gut")])
    assert store.query_value("select count(*) from information_schema.tables where table_name = 'responses'") == 1


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"response_id,responded_at,nps\n",
        b"\x00\x01\x02\x03" * 500,
        "Kommentar;;\nSehr gut;;\nSchlecht;;\n".encode("cp1252"),
        b"response_id,responded_at,nps\nA,not a date,99\nB,,\n",
    ],
    ids=["empty", "header only", "binary", "one column round trip", "every row fails"],
)
def test_known_bad_files_are_refused_with_a_message(store, content):
    report = run_import(store, ".csv", content, "survey")
    assert report.outcome == "refused"
