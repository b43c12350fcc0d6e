"""The Data page: its logic functions, and under AppTest its history and undo (AppTest cannot upload)."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from cxdata.ingest import Mapping, RatingScale, import_file, read_preview
from cxdata.ingest import page as logic
from cxdata.store import Store
from tests.conftest import ROOT
from tests.test_ingest_helpers import write_csv

ROWS = [["Antwort-ID", "Datum", "Weiterempfehlung", "Kommentar", "Sitz", "WLAN"],
        ["A1", "01.03.2024", "9", "gut", "5", "0"], ["A2", "02.03.2024", "11", "", "3", "4"]]


def test_the_forms_choices_become_a_mapping():
    mapping = logic.mapping_from_form(
        "survey",
        {"response_id": "Antwort-ID", "responded_at": "Datum", "nps": logic.NOT_MAPPED, "comment": ""},
        constants={"channel": " web ", "survey": "  "},
        ratings={"Sitz": "Sitzkomfort", "WLAN": ""},
        scale=(1, 5), not_applicable="0; k.A.",
    )

    assert mapping == Mapping(
        kind="survey", columns={"response_id": "Antwort-ID", "responded_at": "Datum"}, constants={"channel": "web"},
        ratings={"Sitz": "Sitzkomfort", "WLAN": "WLAN"}, ratings_scale=RatingScale(1.0, 5.0, (0, "k.A.")),
    )


@pytest.mark.parametrize("size, text", [(0, "0 bytes"), (1023, "1023 bytes"), (1536, "1.5 KB"),
                                        (57_882_996, "55.2 MB"), (3 * 1024**3, "3.0 GB")])
def test_sizes_read_as_people_read_them(size, text):
    assert logic.human_size(size) == text


def test_ratings_are_dropped_for_kinds_other_than_survey():
    assert logic.mapping_from_form("tickets", {"ticket_id": "Id"}, ratings={"x": "y"}).ratings == {}


@pytest.mark.parametrize("text, values", [("0", (0,)), ("0, 99", (0, 99)), ("k.A.; 0,5", ("k.A.", 0, 5)),
                                          ("", ()), ("n/a, 2.5", ("n/a", 2.5))])
def test_not_applicable_values_are_numbers_where_they_can_be(text, values):
    assert logic.parse_not_applicable(text) == values


def test_a_column_shows_its_question_label(tmp_path):
    preview = read_preview(ROOT / "tests" / "data" / "qualtrics_sample_new_de.csv")

    assert [logic.column_label(preview, name) for name in ("Q2", "ResponseId", logic.NOT_MAPPED)] == [
        "Q2 — This is a free text question.", "ResponseId — Antwort-ID", logic.NOT_MAPPED]


def test_the_reports_counts_and_rejects_download(tmp_path):
    store = Store(":memory:")
    path = write_csv(tmp_path / "u.csv", ROWS, ";")

    report = import_file(store, path, "survey", dry_run=True)

    assert logic.report_counts(report).values.tolist() == [
        ["Rows read", 2], ["Rows that would load", 1], ["Rows rejected", 1], ["New", 1],
        ["Updated (stored with other values)", 0], ["Unchanged (already stored as they are)", 0],
        ["Skipped (stored version kept)", 0], ["Ratings", 0],
    ]
    assert logic.rejects_csv(report).decode("utf-8-sig").split("\r\n") == [
        "row,column,value,problem", "3,Weiterempfehlung,11,outside 0 to 10 (nps)", ""]
    assert logic.rejects_file_name(report) == "u-rejected-rows.csv"
    store.close()


@pytest.fixture
def page_store(tmp_path) -> tuple[str, int]:
    database = str(tmp_path / "page.duckdb")
    store = Store(database)
    report = import_file(store, write_csv(tmp_path / "u.csv", ROWS, ";"), "survey")
    store.close()
    return database, report.import_id


def open_data_page(monkeypatch, database: str) -> AppTest:
    monkeypatch.setenv("CX_DB", database)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_page_lists_imports_and_undoes_one_after_confirmation(monkeypatch, page_store):
    database, import_id = page_store
    at = open_data_page(monkeypatch, database)

    history = at.dataframe[0].value
    assert history[["Import", "Kind", "File", "Status", "Read", "Held", "Rejected", "New"]].values.tolist() == [
        [import_id, "survey", "u.csv", "loaded", 2, 1, 1, 1]]

    at.button(key=f"ingest_undo_{import_id}").click().run()
    at.button(key=f"ingest_undo_yes_{import_id}").click().run()

    assert not at.exception, [e.value for e in at.exception]
    assert at.success[0].value == f"Import {import_id} undone: 1 row removed."
    assert at.dataframe[0].value["Status"].tolist() == ["undone"]
    assert [b.key for b in at.button if b.key and b.key.startswith("ingest_undo_")] == []
