"""Guarantees of loading: mapping files, constants, wide ratings, no duplicates, identical files, undo."""

from __future__ import annotations

import datetime as dt

import pytest

from cxdata.ingest import Mapping, RatingScale, import_file, read_toml, undo_import
from cxdata.ingest import profiles
from cxdata.ingest.report import ImportRefused
from tests.test_ingest_helpers import module_store, store, store_fingerprint, write_csv  # noqa: F401

WIDE_HEADER = ["ReviewID", "Datum", "Wie wahrscheinlich ist es, dass Sie uns weiterempfehlen?", "Kommentar",
               "Seat comfort", "Legroom", "Wifi"]
WIDE_ROWS = [
    ["R1", "01.03.2024", "9", "Bequem", "5", "4", "0"],
    ["R2", "02.03.2024", "4", "", "2", "0", "3"],
    ["R3", "03.03.2024", "", "Nur Sitze bewertet", "4", "", ""],
]
WIDE_TOML = '''
kind = "survey"
[columns]          # canonical field = column header in the file
response_id = "ReviewID"
responded_at = "Datum"
nps = "Wie wahrscheinlich ist es, dass Sie uns weiterempfehlen?"
comment = "Kommentar"
[constants]        # canonical field = value for every row
channel = "web"
[ratings]          # column header in the file = touchpoint or attribute name
"Seat comfort" = "Seat comfort"
"Legroom" = "Legroom"
"Wifi" = "Onboard wifi"
[ratings_scale]
min = 1
max = 5
not_applicable = [0]
'''


def wide_file(tmp_path, rows=WIDE_ROWS, name="wide.csv"):
    return write_csv(tmp_path / name, [WIDE_HEADER, *rows], ";")


def test_the_issues_mapping_file_loads_a_wide_export_with_constants_and_ratings(store, tmp_path):
    report = import_file(store, wide_file(tmp_path), "survey", mapping=read_toml(WIDE_TOML))

    assert (report.outcome, report.rows_valid, report.ratings_loaded) == ("loaded", 3, 5)
    assert store.query_rows("select response_id, responded_at, channel, nps, comment from responses order by 1") == [
        ("R1", dt.datetime(2024, 3, 1), "web", 9, "Bequem"),
        ("R2", dt.datetime(2024, 3, 2), "web", 4, None),
        ("R3", dt.datetime(2024, 3, 3), "web", None, "Nur Sitze bewertet"),
    ]
    # 0 is "not applicable": no rating row, not a rating of 0
    assert store.query_rows("select response_id, attribute, rating, scale_min, scale_max from response_ratings order by 1, 2") == [
        ("R1", "Legroom", 4.0, 1.0, 5.0), ("R1", "Seat comfort", 5.0, 1.0, 5.0),
        ("R2", "Onboard wifi", 3.0, 1.0, 5.0), ("R2", "Seat comfort", 2.0, 1.0, 5.0),
        ("R3", "Seat comfort", 4.0, 1.0, 5.0),
    ]


def test_a_mapping_survives_the_toml_round_trip(tmp_path):
    mapping = Mapping(
        kind="survey", columns={"response_id": "Antwort \"ID\"", "responded_at": "Datum"},
        constants={"channel": "web", "survey": "Welle 3"}, ratings={"Sitz = bequem?": "Sitzkomfort"},
        ratings_scale=RatingScale(0, 10, (99, "k.A.")), options={"decimal": ","},
    )

    assert read_toml(mapping.to_toml()) == Mapping(
        kind="survey", columns={"response_id": "Antwort \"ID\"", "responded_at": "Datum"},
        constants={"channel": "web", "survey": "Welle 3"}, ratings={"Sitz = bequem?": "Sitzkomfort"},
        ratings_scale=RatingScale(0.0, 10.0, (99, "k.A.")), options={"decimal": ","},
    )


@pytest.mark.parametrize("text, problem", [
    ('kind = "survey"\n[columns]\nscore = "x"', "'score', which is not a field of a survey import"),
    ('kind = "orders"', "kind = one of survey, tickets, journey, customers, touchpoints"),
    ('kind = "tickets"\n[ratings]\nx = "y"', "[ratings] only applies to survey imports"),
    ('kind = "survey"\n[ratings_scale]\nmin = 5\nmax = 1', "min (5.0) must be below max (1.0)"),
    ('kind = "survey"\n[colums]\nnps = "x"', "unknown entries: colums"),
    ('kind = "survey"\ncolumns = [', "not valid TOML"),
])
def test_a_bad_mapping_file_is_refused_with_what_is_wrong(text, problem):
    with pytest.raises(ValueError) as error:
        read_toml(text)

    assert problem in str(error.value)


def test_constants_fill_missing_fields_and_empty_cells(store, tmp_path):
    path = write_csv(tmp_path / "welle.csv", [["ID", "NPS", "Kanal"], ["1", "9", ""], ["2", "7", "App"]], ";")

    report = import_file(store, path, "survey", constants={"responded_at": "15.04.2024", "channel": "web"})

    assert report.outcome == "loaded"
    assert store.query_rows("select response_id, responded_at, channel, nps from responses order by 1") == [
        ("1", dt.datetime(2024, 4, 15), "web", 9), ("2", dt.datetime(2024, 4, 15), "App", 7),
    ]


def test_an_invalid_constant_refuses_the_import(store, tmp_path):
    path = write_csv(tmp_path / "welle.csv", [["ID", "NPS"], ["1", "9"]])
    before = store_fingerprint(store)

    report = import_file(store, path, "survey", constants={"responded_at": "gestern"})

    assert report.outcome == "refused"
    assert "constant responded_at" in report.message and "not a date" in report.message
    assert store_fingerprint(store) == before


def test_validation_reports_each_rejected_row_with_its_column_and_reason(store, tmp_path):
    path = write_csv(tmp_path / "u.csv", [
        ["ID", "Datum", "NPS", "CSAT"],
        ["1", "01.03.2024", "9", "5"],
        ["2", "31.02.2024", "11", "4"],
        ["3", "", "8", "x"],
        ["1", "02.03.2024", "7", ""],
        ["4", "03.03.2024", "8,5", "3", "extra"],
    ], ";")

    report = import_file(store, path, "survey", dry_run=True)

    assert (report.outcome, report.rows_read, report.rows_valid, report.rows_rejected) == ("dry_run", 5, 1, 4)
    assert report.rejects.values.tolist() == [
        [3, "Datum", "31.02.2024", "not a date or time (responded_at)"],
        [3, "NPS", "11", "outside 0 to 10 (nps)"],
        [4, "CSAT", "x", "not a number (csat)"],
        [4, "Datum", None, "empty, but responded_at is required"],
        [5, "ID", "1", "the same response_id as row 2"],
        [6, "(row)", None, "more fields than the header has columns"],
        [6, "NPS", "8,5", "not a whole number (nps)"],
    ]


def test_reimporting_overlapping_rows_updates_changed_and_keeps_unchanged_without_duplicates(store, tmp_path):
    first = import_file(store, wide_file(tmp_path), "survey", mapping=read_toml(WIDE_TOML))
    changed = [["R1", "01.03.2024", "10", "Bequem", "5", "4", "0"], WIDE_ROWS[1], ["R4", "04.03.2024", "8", "", "", "", ""]]
    second = import_file(store, wide_file(tmp_path, changed, "wide2.csv"), "survey", mapping=read_toml(WIDE_TOML))

    assert (first.rows_inserted, second.rows_inserted, second.rows_updated, second.rows_unchanged) == (3, 1, 1, 1)
    assert store.query_rows("select response_id, nps, import_id from responses order by 1") == [
        ("R1", 10, second.import_id), ("R2", 4, second.import_id), ("R3", None, first.import_id),
        ("R4", 8, second.import_id),
    ]


def test_reimport_with_skip_keeps_the_stored_version_and_says_so(store, tmp_path):
    import_file(store, wide_file(tmp_path), "survey", mapping=read_toml(WIDE_TOML))
    changed = [["R1", "01.03.2024", "10", "Bequem", "5", "4", "0"]]

    report = import_file(store, wide_file(tmp_path, changed, "w2.csv"), "survey", mapping=read_toml(WIDE_TOML),
                         on_conflict="skip")

    assert (report.rows_inserted, report.rows_updated, report.rows_skipped) == (0, 0, 1)
    assert store.query_value("select nps from responses where response_id = 'R1'") == 9


def test_the_identical_file_is_recognised_by_its_hash_and_changes_nothing(store, tmp_path):
    path = wide_file(tmp_path)
    first = import_file(store, path, "survey", mapping=read_toml(WIDE_TOML))
    before = store_fingerprint(store)
    copy = tmp_path / "renamed copy.csv"
    copy.write_bytes(path.read_bytes())

    again = import_file(store, copy, "survey", mapping=read_toml(WIDE_TOML))

    assert (again.outcome, again.previous_import_id) == ("already_loaded", first.import_id)
    assert f"already imported as import {first.import_id}" in again.message
    assert store_fingerprint(store) == before


def test_a_dry_run_counts_what_would_happen_and_writes_nothing(store, tmp_path):
    import_file(store, wide_file(tmp_path), "survey", mapping=read_toml(WIDE_TOML))
    before = store_fingerprint(store)
    changed = [["R1", "01.03.2024", "10", "", "5", "4", "0"], ["R9", "09.03.2024", "3", "", "", "", ""]]

    report = import_file(store, wide_file(tmp_path, changed, "w2.csv"), "survey", mapping=read_toml(WIDE_TOML),
                         dry_run=True)

    assert (report.outcome, report.rows_inserted, report.rows_updated, report.import_id) == ("dry_run", 1, 1, None)
    assert store_fingerprint(store) == before


def test_the_lineage_row_records_the_load(store, tmp_path):
    path = wide_file(tmp_path)
    report = import_file(store, path, "survey", mapping=read_toml(WIDE_TOML))

    names = [row[0] for row in store.query_rows("select column_name from information_schema.columns "
                                                "where table_name = 'imports' order by ordinal_position")]
    row = [dict(zip(names, values)) for values in store.query_rows("select * from imports")]
    for values in row:
        assert values.pop("started_at") <= values.pop("finished_at")

    assert row == [{
        "import_id": report.import_id, "kind": "survey", "file_name": "wide.csv", "sha256": report.sha256,
        "rows_read": 3, "rows_loaded": 3, "rows_rejected": 0, "status": "loaded", "rows_inserted": 3,
        "rows_updated": 0, "rows_unchanged": 0, "rows_skipped": 0, "size_bytes": path.stat().st_size,
        "profile": None, "mapping": read_toml(WIDE_TOML).to_toml(), "undone_at": None,
    }]


def test_undo_removes_an_imports_rows_and_ratings(store, tmp_path):
    before = store_fingerprint(store)
    report = import_file(store, wide_file(tmp_path), "survey", mapping=read_toml(WIDE_TOML))

    result = undo_import(store, report.import_id)

    after = store_fingerprint(store)
    assert (result.deleted["responses"], store.query_value("select status from imports")) == (3, "undone")
    assert {t: after[t] for t in after if t not in ("imports", "store_state")} == {
        t: before[t] for t in before if t not in ("imports", "store_state")}


def test_undoing_a_reimport_puts_back_the_versions_it_replaced(store, tmp_path):
    first = import_file(store, wide_file(tmp_path), "survey", mapping=read_toml(WIDE_TOML))
    after_first = store.query_rows("select * from responses order by 1"), store.query_rows(
        "select response_id, attribute, rating, scale_min, scale_max from response_ratings order by 1, 2")
    changed = [["R1", "01.03.2024", "10", "Anders", "1", "1", "1"], ["R5", "05.03.2024", "5", "", "", "", ""]]
    second = import_file(store, wide_file(tmp_path, changed, "w2.csv"), "survey", mapping=read_toml(WIDE_TOML))

    result = undo_import(store, second.import_id)

    assert (result.deleted["responses"], result.restored["responses"]) == (2, 1)
    assert (store.query_rows("select * from responses order by 1"),
            store.query_rows("select response_id, attribute, rating, scale_min, scale_max from response_ratings order by 1, 2")) == after_first
    assert first.import_id != second.import_id


def test_undo_counts_and_names_the_unchanged_rows_it_hands_back_apart(store, tmp_path):
    first = import_file(store, wide_file(tmp_path), "survey", mapping=read_toml(WIDE_TOML))
    # R1 changed, R2 as before, R5 new
    rows = [["R1", "01.03.2024", "10", "Anders", "1", "1", "1"], WIDE_ROWS[1], ["R5", "05.03.2024", "5", "", "", "", ""]]
    second = import_file(store, wide_file(tmp_path, rows, "w2.csv"), "survey", mapping=read_toml(WIDE_TOML))

    result = undo_import(store, second.import_id)

    assert (result.deleted["responses"], result.restored["responses"], result.kept["responses"]) == (2, 1, 1)
    assert result.message == (f"Import {second.import_id} undone: 2 rows removed, 1 earlier version put back, "
                              "1 row handed back unchanged to earlier imports.")
    assert store.query_rows("select response_id, import_id from responses order by 1") == [
        ("R1", first.import_id), ("R2", first.import_id), ("R3", first.import_id)]


def test_undoing_the_first_import_leaves_rows_a_later_import_took_over(store, tmp_path):
    first = import_file(store, wide_file(tmp_path), "survey", mapping=read_toml(WIDE_TOML))
    second = import_file(store, wide_file(tmp_path, WIDE_ROWS[:1], "w2.csv"), "survey", mapping=read_toml(WIDE_TOML))

    undo_import(store, first.import_id)

    assert (second.rows_unchanged, store.query_rows("select response_id, import_id from responses")) == (
        1, [("R1", second.import_id)])
    # and undoing the second as well does not bring back the first (undone) version
    undo_import(store, second.import_id)
    assert store.query_value("select count(*) from responses") == 0


def test_a_reimport_saves_the_values_of_the_rows_it_changes_and_only_a_marker_for_those_unchanged(store, tmp_path):
    import_file(store, wide_file(tmp_path), "survey", mapping=read_toml(WIDE_TOML))
    changed = [WIDE_ROWS[0], ["R2", "02.03.2024", "6", "Besser", "2", "0", "3"], WIDE_ROWS[2]]
    again = import_file(store, wide_file(tmp_path, changed, "w2.csv"), "survey", mapping=read_toml(WIDE_TOML))

    saved = store.query_rows(
        "select table_name, row_key, previous_row is not null from import_replaced_rows "
        "where import_id = ? order by 1, 2", [again.import_id])
    assert (again.rows_unchanged, again.rows_updated) == (2, 1)
    # a cumulative export imported again must not store every unchanged answer once more
    assert saved == [("response_ratings", "R2", True),
                     ("responses", "R1", False), ("responses", "R2", True), ("responses", "R3", False)]


def test_undo_twice_or_of_an_unknown_import_is_refused(store, tmp_path):
    report = import_file(store, wide_file(tmp_path), "survey", mapping=read_toml(WIDE_TOML))
    undo_import(store, report.import_id)

    with pytest.raises(ImportRefused, match="already been undone"):
        undo_import(store, report.import_id)
    with pytest.raises(ImportRefused, match="no import 999"):
        undo_import(store, 999)


def test_a_file_can_be_loaded_again_after_its_import_was_undone(store, tmp_path):
    path = wide_file(tmp_path)
    first = import_file(store, path, "survey", mapping=read_toml(WIDE_TOML))
    undo_import(store, first.import_id)

    again = import_file(store, path, "survey", mapping=read_toml(WIDE_TOML))

    assert (again.outcome, again.rows_inserted) == ("loaded", 3)


def test_profiles_are_saved_found_for_matching_files_and_used(store, tmp_path):
    profiles.save_profile(store, "Bahn-Umfrage", read_toml(WIDE_TOML))
    from cxdata.ingest import read_preview

    preview = read_preview(wide_file(tmp_path))
    report = import_file(store, wide_file(tmp_path), "survey", profile="Bahn-Umfrage")

    assert profiles.matching_profile(store, preview.columns, "survey") == "Bahn-Umfrage"
    assert profiles.load_profile(store, "Bahn-Umfrage") == read_toml(WIDE_TOML)
    assert (report.outcome, report.ratings_loaded, store.query_value("select profile from imports")) == (
        "loaded", 5, "Bahn-Umfrage")


def test_an_upload_given_as_bytes_loads_under_its_name_and_leaves_no_copy(store, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    content = "ID;Datum;NPS\r\n1;01.03.2024;9\r\n".encode("cp1252")

    report = import_file(store, content, "survey", file_name="upload.csv")

    assert (report.outcome, report.file_name, store.query_value("select file_name from imports")) == (
        "loaded", "upload.csv", "upload.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_few_bad_rows_among_many_are_each_reported_and_every_other_row_loads(store, tmp_path):
    rows = [[f"{i:05d}", f"{1 + i % 28:02d}.03.2024", str(i % 11), ""] for i in range(1, 3001)]
    rows[99][2] = "zehn"  # row 101 of the file
    rows[1499][1] = "32.03.2024"  # row 1501
    rows[2999][0] = rows[9][0]  # row 3001 repeats the id of row 11
    rows[2000][3] = "x"  # row 2002: a comment alone is an answer
    rows[2000][2] = ""
    path = write_csv(tmp_path / "viele.csv", [["ID", "Datum", "NPS", "Kommentar"], *rows], ";")

    report = import_file(store, path, "survey")

    assert (report.outcome, report.rows_read, report.rows_valid, report.rows_rejected) == ("loaded", 3000, 2997, 3)
    assert report.rejects.values.tolist() == [
        [101, "NPS", "zehn", "not a number (nps)"],
        [1501, "Datum", "32.03.2024", "not a date or time (responded_at)"],
        [3001, "ID", "00010", "the same response_id as row 11"],
    ]
    stored = dict(store.query_rows("select response_id, nps from responses"))
    assert sorted(stored) == sorted({f"{i:05d}" for i in range(1, 3001)} - {"00100", "01500", "03000"})
    assert (stored["02001"], stored["00010"], stored["00011"]) == (None, 10, 0)


def test_a_row_whose_only_answer_is_a_rating_loads_and_one_without_any_answer_is_rejected(store, tmp_path):
    rows = [
        WIDE_ROWS[0],
        ["R4", "04.03.2024", "", "", "3", "", ""],
        ["R5", "05.03.2024", "", "", "0", "0", ""],  # 0 is 'not applicable': no rating
        ["R6", "06.03.2024", "", "", "", "", ""],
    ]

    report = import_file(store, wide_file(tmp_path, rows), "survey", mapping=read_toml(WIDE_TOML))

    assert (report.outcome, report.rows_valid, report.rows_rejected, report.ratings_loaded) == ("loaded", 2, 2, 3)
    assert report.rejects.values.tolist() == [
        [4, "(row)", None, "no answer: no nps, csat, ces, comment or rating"],
        [5, "(row)", None, "no answer: no nps, csat, ces, comment or rating"],
    ]
    assert store.query_rows("select response_id, attribute, rating from response_ratings order by 1, 2") == [
        ("R1", "Legroom", 4.0), ("R1", "Seat comfort", 5.0), ("R4", "Seat comfort", 3.0),
    ]
