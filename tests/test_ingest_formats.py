"""Files as they come: every encoding, delimiter, layout and format round-trips into the store."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pandas as pd
import pytest

from cxdata.ingest import import_file, propose_mapping, read_preview
from tests.test_ingest_helpers import DATA, csv_text, module_store, store, write_csv, write_xlsx  # noqa: F401

GERMAN_HEADER = ["Antwort-ID", "Kundennummer", "Datum", "Kanal", "Weiterempfehlung", "Kommentar"]
GERMAN_ROWS = [
    ["00017", "0042", "01.03.2024 10:15", "Web", "9", "Schnell & freundlich"],
    ["00018", "", "15.03.2024", "Telefon", "3", 'Zu teuer; "viel" zu teuer\nund langsam, leider'],
    ["00019", "0044", "31.12.2024 23:59", "App", "10", "Grüße aus Köln – 5 € gespart"],
]
EXPECTED_RESPONSES = [
    ("00017", "0042", dt.datetime(2024, 3, 1, 10, 15), "Web", 9, "Schnell & freundlich"),
    ("00018", None, dt.datetime(2024, 3, 15), "Telefon", 3, 'Zu teuer; "viel" zu teuer\nund langsam, leider'),
    ("00019", "0044", dt.datetime(2024, 12, 31, 23, 59), "App", 10, "Grüße aus Köln – 5 € gespart"),
]
RESPONSE_COLUMNS = "response_id, customer_id, responded_at, channel, nps, comment"


def stored_responses(store) -> list[tuple]:
    return store.query_rows(f"select {RESPONSE_COLUMNS} from responses order by response_id")


@pytest.mark.parametrize(
    "encoding, delimiter",
    [("utf-8", ";"), ("utf-8-sig", ";"), ("cp1252", ";"), ("utf-16", ";"),
     ("utf-8", ","), ("utf-8", "\t"), ("utf-8", "|")],
)
def test_german_survey_csv_round_trips_in_every_encoding_and_delimiter(store, tmp_path, encoding, delimiter):
    path = write_csv(tmp_path / "umfrage.csv", [GERMAN_HEADER, *GERMAN_ROWS], delimiter, encoding)

    preview = read_preview(path)
    report = import_file(store, path, "survey")

    assert (preview.encoding, preview.delimiter, preview.layout.name) == (
        {"utf-16": "utf-16"}.get(encoding, encoding), delimiter, "plain")
    assert (report.outcome, report.rows_read, report.rows_valid, report.rows_rejected) == ("loaded", 3, 3, 0)
    assert stored_responses(store) == EXPECTED_RESPONSES


def test_german_names_are_proposed_for_their_fields(tmp_path):
    path = write_csv(tmp_path / "umfrage.csv", [GERMAN_HEADER + ["Bewertung", "Sprache"],
                                                 *[row + ["4", "de"] for row in GERMAN_ROWS]], ";")

    mapping = propose_mapping(read_preview(path), "survey")

    assert mapping.columns == {
        "response_id": "Antwort-ID", "customer_id": "Kundennummer", "responded_at": "Datum", "channel": "Kanal",
        "nps": "Weiterempfehlung", "csat": "Bewertung", "comment": "Kommentar", "language": "Sprache",
    }


def test_a_score_column_outside_the_fields_range_is_not_proposed_for_it(tmp_path):
    # "Bewertung" sounds like csat (1-5), but values up to 10 do not fit it
    path = write_csv(tmp_path / "u.csv", [["Datum", "Bewertung"], ["01.03.2024", "8"], ["02.03.2024", "10"]], ";")

    assert propose_mapping(read_preview(path), "survey").columns == {"responded_at": "Datum"}


def test_iso_dates_with_offsets_and_excel_serial_dates_are_read(store, tmp_path):
    serial_day = dt.datetime(1899, 12, 30) + dt.timedelta(days=45352.5)
    path = write_csv(tmp_path / "iso.csv", [
        ["id", "date", "nps"],
        ["a", "2024-03-01T10:15:00Z", "9"],
        ["b", "2024-03-01T10:15:00+02:00", "9"],
        ["c", "2024-03-01 10:15:00.250", "9"],
        ["d", "45352.5", "9"],
        ["e", "2024-03-01", "9"],
    ])

    report = import_file(store, path, "survey")

    assert report.rows_valid == 5
    assert store.query_rows("select response_id, responded_at from responses order by 1") == [
        ("a", dt.datetime(2024, 3, 1, 10, 15)),
        ("b", dt.datetime(2024, 3, 1, 10, 15)),
        ("c", dt.datetime(2024, 3, 1, 10, 15, 0, 250000)),
        ("d", serial_day),
        ("e", dt.datetime(2024, 3, 1)),
    ]


def test_german_numbers_and_dates_load_customers(store, tmp_path):
    path = write_csv(tmp_path / "kunden.csv", [
        ["Kundennummer", "Segment", "Kunde seit", "Jahresumsatz", "Gekündigt am"],
        ["000123", "KMU", "01.02.2023", "1.234,56", ""],
        ["000124", "Enterprise", "15.06.2022", "12.500", "31.12.2024"],
        ["000125", "KMU", "02.01.2024", "99,9", ""],
    ], ";", "cp1252")

    report = import_file(store, path, "customers")

    assert report.outcome == "loaded"
    assert store.query_rows(
        "select customer_id, segment, signup_date, annual_revenue, churned_on from customers order by 1"
    ) == [
        ("000123", "KMU", dt.date(2023, 2, 1), Decimal("1234.56"), None),
        ("000124", "Enterprise", dt.date(2022, 6, 15), Decimal("12500.00"), dt.date(2024, 12, 31)),
        ("000125", "KMU", dt.date(2024, 1, 2), Decimal("99.90"), None),
    ]


def test_real_qualtrics_export_is_detected_and_mapped(store, tmp_path):
    path = DATA / "qualtrics_sample_new_de.csv"

    preview = read_preview(path)
    report = import_file(store, path, "survey")

    assert (preview.layout.name, preview.layout.header_rows, preview.column("Q2").label) == (
        "qualtrics", 3, "This is a free text question.")
    assert report.outcome == "loaded"
    assert store.query_rows("select response_id, responded_at, channel, comment, language from responses") == [
        ("R_2YPOQ602ER1jkf1", dt.datetime(2017, 7, 18, 8, 28, 48), "anonymous", "Hello World!", "DE"),
    ]


def test_real_qualtrics_legacy_export_is_detected_and_mapped(store, tmp_path):
    path = DATA / "qualtrics_sample_legacy.csv"

    preview = read_preview(path)
    report = import_file(store, path, "survey")

    assert (preview.layout.name, preview.encoding, [c.name for c in preview.columns[:2]]) == (
        "qualtrics_legacy", "utf-8-sig", ["ResponseID", "ResponseSet"])
    assert report.outcome == "loaded"
    assert store.query_rows("select response_id, responded_at, comment from responses") == [
        ("R_2YPOQ602ER1jkf1", dt.datetime(2017, 7, 18, 8, 28, 48), "Hello World!"),
    ]


def test_qualtrics_export_with_an_nps_question_maps_it_by_its_label(store, tmp_path):
    import_ids = [json.dumps({"ImportId": name}) for name in ("recordedDate", "_recordId", "userLanguage", "QID1", "QID2_TEXT")]
    path = write_csv(tmp_path / "qualtrics.csv", [
        ["RecordedDate", "ResponseId", "UserLanguage", "Q1", "Q2"],
        ["Erfassungsdatum", "Antwort-ID", "Benutzersprache",
         "Wie wahrscheinlich ist es, dass Sie uns einem Freund weiterempfehlen?", "Warum?"],
        import_ids,
        ["2024-05-02 09:00:00", "R_1", "DE", "10", "Alles bestens"],
        ["2024-05-03 11:30:00", "R_2", "DE", "6", ""],
    ])

    report = import_file(store, path, "survey")

    assert report.outcome == "loaded"
    assert store.query_rows("select response_id, nps, comment, language from responses order by 1") == [
        ("R_1", 10, "Alles bestens", "DE"), ("R_2", 6, None, "DE"),
    ]


def test_surveymonkey_export_with_two_header_rows_is_detected_and_mapped(store, tmp_path):
    path = write_csv(tmp_path / "monkey.csv", [
        ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
         "How likely is it that you would recommend us to a friend?", "Which features do you use?", "",
         "Any comments?"],
        ["", "", "", "", "", "Response", "Reports", "Dashboards", "Open-Ended Response"],
        ["114092341234", "4123", "03/01/2024 10:00:00 AM", "03/01/2024 10:15:00 AM", "1.2.3.4", "10", "Reports", "",
         "Great"],
        ["114092341235", "4123", "03/02/2024 01:00:00 PM", "03/13/2024 01:05:00 PM", "1.2.3.5",
         "0 - Not at all likely", "", "Dashboards", ""],
    ])

    preview = read_preview(path)
    report = import_file(store, path, "survey")

    assert preview.layout.name == "surveymonkey"
    assert [c.name for c in preview.columns[6:8]] == ["Which features do you use? - Reports",
                                                      "Which features do you use? - Dashboards"]
    assert report.outcome == "loaded"
    assert store.query_rows("select response_id, responded_at, nps, comment from responses order by 1") == [
        ("114092341234", dt.datetime(2024, 3, 1, 10, 15), 10, "Great"),
        ("114092341235", dt.datetime(2024, 3, 13, 13, 5), 0, None),
    ]


ZENDESK_ROWS = [
    ["Id", "Requester", "Requester id", "Group", "Status", "Priority", "Via", "Ticket type", "Created at",
     "Solved at", "Satisfaction Score", "Reopens", "Replies", "First reply time in minutes",
     "Full resolution time in minutes"],
    ["101", "Anna", "9001", "Support", "Solved", "Normal", "Email", "question", "2024-03-01 10:00",
     "2024-03-01 12:30", "Good", "0", "1", "15", "150"],
    ["102", "Ben", "9002", "Support", "Open", "High", "Web form", "incident", "2024-03-02 09:15", "", "Offered",
     "", "2", "45", ""],
    ["103", "Cara", "9003", "Billing", "On-hold", "-", "Chat", "problem", "2024-03-03 08:00", "", "Bad", "1", "3",
     "", ""],
]


def test_zendesk_ticket_export_is_detected_and_mapped(store, tmp_path):
    path = write_csv(tmp_path / "tickets.csv", ZENDESK_ROWS)

    report = import_file(store, path, "tickets")

    assert (report.layout, report.outcome, report.rows_valid) == ("zendesk", "loaded", 3)
    assert store.query_rows(
        "select ticket_id, customer_id, created_at, first_response_at, resolved_at, channel, category, priority,"
        " status, replies, reopens, csat from tickets order by 1"
    ) == [
        ("101", "9001", dt.datetime(2024, 3, 1, 10), dt.datetime(2024, 3, 1, 10, 15), dt.datetime(2024, 3, 1, 12, 30),
         "Email", "question", "normal", "solved", 1, 0, 5),
        ("102", "9002", dt.datetime(2024, 3, 2, 9, 15), dt.datetime(2024, 3, 2, 10), None,
         "Web form", "incident", "high", "open", 2, None, None),
        ("103", "9003", dt.datetime(2024, 3, 3, 8), None, None, "Chat", "problem", None, "hold", 3, 1, 1),
    ]


def test_journey_file_without_ids_gets_stable_ids_from_its_rows(store, tmp_path):
    rows = [
        ["journey", "customer", "timestamp", "stage", "touchpoint", "emotion", "outcome"],
        ["J1", "C1", "2024-01-01 10:00", "Awareness", "Ad", "0,5", ""],
        ["J1", "C1", "2024-01-01 10:05", "Kauf", "Checkout", "-0,25", "abgebrochen"],
        ["J1", "C1", "2024-01-01 10:05", "Kauf", "Checkout", "-0,25", "abgebrochen"],
    ]
    first = write_csv(tmp_path / "journey.csv", rows, ";")

    report = import_file(store, first, "journey")
    ids = store.query_rows("select event_id from journey_events order by event_id")
    # the same rows in another file (another order, another delimiter) get the same ids
    second = write_csv(tmp_path / "journey2.csv", [rows[0], rows[3], rows[1], rows[2]], ";")
    again = import_file(store, second, "journey")

    assert report.rows_valid == 3 and len({i[0] for i in ids}) == 3
    assert all(i[0].startswith("evt-") for i in ids)
    assert (again.rows_inserted, again.rows_unchanged) == (0, 3)
    assert store.query_rows(
        "select journey_id, stage, touchpoint, emotion, outcome from journey_events order by occurred_at, emotion desc, event_id"
    ) == [("J1", "awareness", "Ad", 0.5, None), ("J1", "purchase", "Checkout", -0.25, "abandoned"),
          ("J1", "purchase", "Checkout", -0.25, "abandoned")]


def test_touchpoints_csv_loads(store, tmp_path):
    path = write_csv(tmp_path / "tp.csv", [["Touchpoint", "Phase", "Reihenfolge", "Moment of truth"],
                                           ["Website", "awareness", "1", "zmot"], ["Kasse", "Kauf", "2", "FMOT"]], ";")

    import_file(store, path, "touchpoints")

    assert store.query_rows("select touchpoint, stage, position, moment_of_truth from touchpoints order by position") == [
        ("Website", "awareness", 1, "ZMOT"), ("Kasse", "purchase", 2, "FMOT"),
    ]


def test_excel_workbook_round_trips_with_real_dates_numbers_and_text_ids(store, tmp_path):
    path = write_xlsx(tmp_path / "umfrage.xlsx", [
        ["Antwort-ID", "Datum", "Weiterempfehlung", "Kommentar"],
        ["00017", dt.datetime(2024, 3, 1, 10, 15), 9, "Gut\nwirklich"],
        ["00018", 45352, 7.0, None],
        [None, None, None, None],
    ], extra_sheet=True)

    preview = read_preview(path)
    report = import_file(store, path, "survey")

    assert (preview.format, preview.sheet, report.rows_read, report.rows_valid) == ("xlsx", "Export", 2, 2)
    assert any("2 sheets" in note for note in report.warnings)
    assert store.query_rows("select response_id, responded_at, nps, comment from responses order by 1") == [
        ("00017", dt.datetime(2024, 3, 1, 10, 15), 9, "Gut\nwirklich"),
        ("00018", dt.datetime(2024, 3, 1), 7, None),
    ]


def test_parquet_file_round_trips(store, tmp_path):
    frame = pd.DataFrame({
        "ticket_id": ["T-001", "T-002"],
        "created_at": pd.to_datetime(["2024-03-01 10:00", "2024-03-02 11:00"]),
        "status": ["solved", "open"],
        "replies": [1, 4],
    })
    path = tmp_path / "tickets.parquet"
    frame.to_parquet(path)

    report = import_file(store, path, "tickets")

    assert (report.format, report.outcome, report.rows_valid) == ("parquet", "loaded", 2)
    assert store.query_rows("select ticket_id, created_at, status, replies from tickets order by 1") == [
        ("T-001", dt.datetime(2024, 3, 1, 10), "solved", 1), ("T-002", dt.datetime(2024, 3, 2, 11), "open", 4),
    ]


def test_a_workbook_named_csv_is_read_as_a_workbook(tmp_path):
    path = write_xlsx(tmp_path / "export.csv", [["id", "date", "nps"], ["x1", "2024-01-02", 8]])

    assert read_preview(path).format == "xlsx"


def test_preview_shows_detection_and_first_rows(tmp_path):
    path = tmp_path / "u.csv"
    path.write_bytes(csv_text([GERMAN_HEADER, *GERMAN_ROWS], ";").encode("cp1252"))

    preview = read_preview(path)

    assert preview.describe() == "CSV, semicolon-separated, CP1252, CSV with one header row"
    assert preview.rows.values.tolist() == GERMAN_ROWS


def test_values_lose_surrounding_unicode_spaces_and_blank_values_are_empty(store, tmp_path):
    # non-breaking, thin and ideographic spaces are what spreadsheets and web forms leave behind
    path = write_csv(tmp_path / "spaces.csv", [
        ["id", "customer", "date", "channel", "nps", "comment"],
        [" a ", "\u00a0 ", "2024-03-01 10:15:00\u00a0", "\u00a0web\u3000", " 9\u2009", "gut\u202f"],
        ["b", "c1", "2024-03-02", "app", "7", "\u3000Ärger über \u00a0Lieferung "],
        ["c", "c2", "2024-03-03", "   ", "\u00a0", "ok"],
    ])

    report = import_file(store, path, "survey")

    assert (report.rows_valid, report.rows_rejected) == (3, 0)
    assert store.query_rows("select response_id, customer_id, responded_at, channel, nps, comment from responses "
                            "order by 1") == [
        ("a", None, dt.datetime(2024, 3, 1, 10, 15), "web", 9, "gut"),
        ("b", "c1", dt.datetime(2024, 3, 2), "app", 7, "Ärger über \u00a0Lieferung"),
        ("c", "c2", dt.datetime(2024, 3, 3), None, None, "ok"),
    ]


def test_a_large_csv_read_in_parallel_keeps_each_records_number_and_text(store, tmp_path):
    # DuckDB's parallel CSV reader splits a file into buffers of 16 MB (read.MAX_RECORD_BYTES):
    # a 20 MB file is read in two, and the rows must come back in the file's order, numbered by
    # it (with the reader free to return them in any order, this test fails)
    rows = [["id", "date", "nps", "comment"]]
    rows += [[f"r{i}", "2024-03-01", str(i % 11), f"Kommentar {i:07d} " + "x" * 80] for i in range(1, 200_001)]
    bad = {2: "neun", 100_000: "11", 199_999: "-1"}  # record numbers, the header being record 1
    for record, value in bad.items():
        rows[record - 1][2] = value
    path = write_csv(tmp_path / "gross.csv", rows)
    assert path.stat().st_size > 20_000_000

    report = import_file(store, path, "survey")

    assert (report.outcome, report.rows_read, report.rows_rejected) == ("loaded", 200_000, 3)
    assert [(row, value) for row, value in report.rejects[["row", "value"]].itertuples(index=False)] == list(bad.items())
    # r1 is record 2, rejected; r99999 and r199998 are records 100000 and 199999
    assert store.query_rows(
        "select response_id, nps, comment from responses "
        "where response_id in ('r1', 'r99998', 'r150000', 'r199999') order by response_id"
    ) == [(f"r{i}", i % 11, f"Kommentar {i:07d} " + "x" * 80) for i in (150_000, 199_999, 99_998)]


@pytest.mark.parametrize("dates, expected, us_note", [
    # ambiguous: read as month/day, as US exports write them, and the note says how to change it
    (["01/02/2024", "03/04/2024"], [dt.datetime(2024, 1, 2), dt.datetime(2024, 3, 4)], True),
    # a day past 12 tells day/month apart: no note
    (["13/02/2024", "25/12/2024 08:00"], [dt.datetime(2024, 2, 13), dt.datetime(2024, 12, 25, 8, 0)], False),
    # formats from the end of the list of tried ones
    (["2024/03/01 10:15", "2024/12/31 23:59"], [dt.datetime(2024, 3, 1, 10, 15), dt.datetime(2024, 12, 31, 23, 59)], False),
    (["01.03.24", "31.12.24"], [dt.datetime(2024, 3, 1), dt.datetime(2024, 12, 31)], False),
])
def test_each_date_format_is_found_whichever_formats_are_tried_first(store, tmp_path, dates, expected, us_note):
    path = write_csv(tmp_path / "daten.csv", [["id", "date", "nps"], *[[f"r{i}", day, "9"] for i, day in enumerate(dates)]])

    report = import_file(store, path, "survey")

    assert (report.outcome, report.rows_rejected) == ("loaded", 0)
    assert [row[0] for row in store.query_rows("select responded_at from responses order by response_id")] == expected
    assert any("read as month/day (US)" in warning for warning in report.warnings) == us_note
