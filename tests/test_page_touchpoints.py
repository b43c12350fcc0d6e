"""The Touchpoints page under AppTest on a demo store: what it shows for the filters and drill path
in the URL, against the query functions and against pandas over the raw tables."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from cxdata import demo, export
from cxdata.charts import touchpoints as charts
from cxdata.filters import Filters
from cxdata.queries import touchpoints as queries
from cxdata.store import Store
from tests.conftest import ROOT

WINDOW = {"from": "2026-08-03", "to": "2026-10-31"}
FILTERS = Filters(dt.date(2026, 8, 3), dt.date(2026, 10, 31))
PAIN = "Invoice & billing"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("touchpoints_page") / "demo.duckdb"
    store = Store(str(path))
    demo.build_demo(store, responses=20_000)
    yield store
    store.close()


def open_page(database: str, monkeypatch, **params: str | list[str]) -> AppTest:
    monkeypatch.setenv("CX_DB", database)
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    # the filters are read from the URL on the first run, as when a link is opened
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("pages/touchpoints.py")
    at.run()
    assert not at.exception, at.exception
    return at


def charts_of(at: AppTest) -> list:
    return [element for element in at.main if getattr(element, "type", None) == "vega_lite_chart"]


def chart_rows(chart, column: str) -> pd.DataFrame:
    frames = [dataframe_util.convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.proto.datasets]
    return max((frame for frame in frames if column in frame.columns), key=len)


def selections(chart) -> list[str]:
    spec = json.loads(chart.proto.spec)
    params = spec.get("params", []) + [param for layer in spec.get("layer", []) for param in layer.get("params", [])]
    return [param["name"] for param in params if "select" in param]


def raw_answers(store: Store, start: str = WINDOW["from"], end: str = WINDOW["to"]) -> pd.DataFrame:
    """Answers about a touchpoint in the window, straight from the responses table (no other filter is set)."""
    return store.query(
        "select response_id, responded_at, touchpoint, channel, nps, csat, ces, comment from main.responses"
        " where touchpoint is not null and responded_at >= ?::date and responded_at < ?::date + 1",
        [start, end],
    )


def nps_and_margin(scores: pd.Series) -> tuple[int, float, float]:
    scores = scores.dropna()
    n = len(scores)
    p, d = (scores >= 9).mean(), (scores <= 6).mean()
    return n, 100 * (p - d), 1.96 * 100 * math.sqrt(((p + d) - (p - d) ** 2) / n)


def test_the_heatmap_draws_every_touchpoint_and_channel_with_its_n(demo_store, monkeypatch):
    at = open_page(demo_store.database, monkeypatch, **WINDOW)
    heatmap = charts_of(at)[0]
    assert selections(heatmap) == ["touchpoint"]
    cells = chart_rows(heatmap, "channel_label")
    answers = raw_answers(demo_store)
    answered = answers[answers["nps"].notna()]
    # every touchpoint's "All channels" cell against pandas over the raw answers
    totals = cells[cells["channel"] == "All channels"].set_index("touchpoint")
    assert set(totals.index) == set(answered["touchpoint"])
    for touchpoint, group in answered.groupby("touchpoint"):
        n, value, _ = nps_and_margin(group["nps"])
        assert totals.loc[touchpoint, "n"] == n
        assert totals.loc[touchpoint, "value"] == pytest.approx(value)
    by_channel = answered.groupby(["touchpoint", "channel"]).size()
    single = cells[cells["channel"] != "All channels"].set_index(["touchpoint", "channel"])["n"]
    assert single.sort_index().to_dict() == by_channel.sort_index().to_dict()
    assert [(w.key, w.value) for w in at.button_group] == [("tp_metric", "nps")]


def test_the_metric_in_the_url_chooses_the_heatmap(demo_store, monkeypatch):
    at = open_page(demo_store.database, monkeypatch, tp_metric="ces", **WINDOW)
    assert [(w.key, w.value) for w in at.button_group] == [("tp_metric", "ces")]
    cells = chart_rows(charts_of(at)[0], "channel_label")
    expected = queries.touchpoint_performance(demo_store, FILTERS, "ces", 10)
    assert sorted(zip(cells["touchpoint"], cells["channel"], cells["n"])) == sorted(zip(expected["touchpoint"], expected["channel"], expected["n"]))
    assert [s.value for s in at.main.subheader][0] == "CES by touchpoint and channel"


def test_fix_first_names_the_attributes_that_matter_most_and_perform_worst(demo_store, monkeypatch):
    at = open_page(demo_store.database, monkeypatch, **WINDOW)
    # pandas over the raw tables: correlation of each rating with the same response's NPS answer
    rated = demo_store.query(
        "select r.attribute, r.rating, r.scale_min, r.scale_max, s.nps from main.response_ratings r"
        " join main.responses s using (response_id) where s.responded_at >= ?::date and s.responded_at < ?::date + 1",
        [WINDOW["from"], WINDOW["to"]],
    )
    rows = []
    for attribute, group in rated.groupby("attribute"):
        pairs = group.dropna(subset=["nps"])
        r = float(np.corrcoef(pairs["rating"], pairs["nps"].astype(float))[0, 1])
        performance = float((100 * (group["rating"] - group["scale_min"]) / (group["scale_max"] - group["scale_min"])).mean())
        rows.append((attribute, r, performance))
    importance_median = float(np.median([r for _, r, _ in rows]))
    performance_median = float(np.median([p for _, _, p in rows]))
    fix_first = sorted(a for a, r, p in rows if r >= importance_median and p < performance_median)
    assert fix_first, "the demo plants attributes to fix"
    (listing,) = [m.value for m in at.main.markdown if "**Fix first**" in m.value]
    named = sorted(line.split("**")[1] for line in listing.splitlines() if line.startswith("- "))
    assert named == fix_first
    importance = charts_of(at)[1]
    assert selections(importance) == ["attribute"]
    assert sorted(chart_rows(importance, "quadrant")["attribute"]) == sorted(a for a, _, _ in rows)


def test_a_touchpoint_in_the_url_shows_its_scores_trend_and_comments(demo_store, monkeypatch):
    handed, safe_csv = [], export.safe_csv

    def spy(frame: pd.DataFrame) -> bytes:
        handed.append(frame.copy())
        return safe_csv(frame)

    monkeypatch.setattr(export, "safe_csv", spy)
    at = open_page(demo_store.database, monkeypatch, touchpoint=PAIN, **WINDOW)
    answers = raw_answers(demo_store)
    mine = answers[answers["touchpoint"] == PAIN]
    n, value, margin = nps_and_margin(mine["nps"])
    metrics = {m.label: m.value for m in at.main.metric}
    assert metrics["Answers"] == charts.format_count(len(mine))
    assert metrics["NPS"] == f"{charts.signed(value)} ± {margin:.1f}"
    satisfied = mine["csat"].dropna() >= 4
    p = satisfied.mean()
    assert metrics["CSAT"] == f"{100 * p:.1f} % ± {1.96 * 100 * math.sqrt(p * (1 - p) / len(satisfied)):.1f}"
    assert "Drill path:** Touchpoints › Invoice & billing" in "".join(m.value for m in at.main.markdown)
    trend = charts_of(at)[2]
    months = chart_rows(trend, "nps_text").dropna(subset=["nps"])
    for month, group in mine.groupby(mine["responded_at"].dt.to_period("M")):
        _, month_nps, _ = nps_and_margin(group["nps"])
        assert months.loc[months["month"].dt.to_period("M") == month, "nps"].tolist() == pytest.approx([month_nps])
    commented = mine[mine["comment"].fillna("").str.strip() != ""].sort_values("responded_at", ascending=False)
    (table,) = at.dataframe
    assert table.value.columns.tolist() == list(charts.VERBATIM_COLUMNS.values())
    assert len(table.value) == len(commented) > 10
    assert table.value["Comment"].tolist() == [text.strip() for text in commented["comment"]]
    assert table.value["Date"].tolist() == [f"{at:%d.%m.%Y %H:%M}" for at in commented["responded_at"]]
    assert len(handed) == 1 and handed[0].equals(table.value)
    assert at.get("download_button")[0].proto.label == "Download these comments (CSV)"


def test_a_touchpoint_below_min_n_shows_the_suppression_message_and_no_comments(demo_store, monkeypatch):
    day = {"from": "2026-10-30", "to": "2026-10-30"}
    answers = raw_answers(demo_store, day["from"], day["to"])
    counts = answers.groupby("touchpoint").size()
    small = counts[counts < 10]
    assert not small.empty, "the case needs a touchpoint with fewer than 10 answers"
    touchpoint, n = small.index[0], int(small.iloc[0])
    at = open_page(demo_store.database, monkeypatch, touchpoint=touchpoint, **day)
    assert at.main.info[-1].value == (
        f"n too small: '{touchpoint}' has {n} answers for these filters, fewer than 10. "
        "Its scores and comments are not shown; widen the period or the filters."
    )
    assert not at.dataframe and not at.get("download_button") and not at.main.metric
    cells = chart_rows(charts_of(at)[0], "channel_label")
    hidden = cells[cells["touchpoint"] == touchpoint]
    assert hidden["cell_text"].tolist() == ["n too small"] * len(hidden)


def test_choosing_a_touchpoint_puts_it_in_the_url_and_the_breadcrumb_leads_back(demo_store, monkeypatch):
    at = open_page(demo_store.database, monkeypatch, **WINDOW)
    assert "touchpoint" not in at.query_params and not at.dataframe
    at.main.selectbox(key="tp_pick").set_value("Delivery").run()
    assert at.query_params["touchpoint"] == "Delivery"
    assert [s.value for s in at.main.subheader][-1] == "Delivery"
    at.button(key="drill_back_Touchpoints").click().run()
    assert "touchpoint" not in at.query_params and not at.dataframe
    assert at.main.selectbox(key="tp_pick").value is None


def test_filters_without_answers_show_a_helpful_message(demo_store, monkeypatch):
    at = open_page(demo_store.database, monkeypatch, **{"from": "2023-01-01", "to": "2023-01-31"})
    assert [i.value for i in at.main.info] == [
        "No survey answer in 01.01.2023 – 31.01.2023 names a touchpoint for these filters. Widen the period or clear the "
        "segment, channel or region filters in the sidebar; survey files need a touchpoint column for this page."
    ]
    assert not charts_of(at)


def test_an_empty_store_says_where_to_start(monkeypatch):
    at = open_page(":memory:", monkeypatch)
    assert [i.value for i in at.main.info] == ["The store holds no survey answers yet. Import a survey file on the Data page."]
    assert not charts_of(at)
