"""The Journey page under AppTest on a demo store: the planted low and high, abandonment, a touchpoint
drill-down set in the URL, suppression and empty states, against pandas over the raw tables."""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
import pytest
import streamlit as st
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from cxdata import demo
from cxdata.charts import journey as charts
from cxdata.filters import Filters
from cxdata.queries import journey as queries
from cxdata.store import Store
from tests.conftest import ROOT

WINDOW = {"from": "2026-05-04", "to": "2026-10-31"}
FILTERS = Filters(dt.date(2026, 5, 4), dt.date(2026, 10, 31))
PAIN, WOW = "Invoice & billing", "Unboxing & setup"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("journey_page") / "demo.duckdb"
    store = Store(str(path))
    demo.build_demo(store, responses=20_000)
    yield store
    store.close()


def open_page(database: str, monkeypatch, **params: str | list[str]) -> AppTest:
    monkeypatch.setenv("CX_DB", database)
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("pages/journey.py")
    at.run()
    assert not at.exception, at.exception
    return at


def charts_of(at: AppTest) -> list:
    return [element for element in at.main if getattr(element, "type", None) == "vega_lite_chart"]


def chart_frames(chart) -> list[pd.DataFrame]:
    return [dataframe_util.convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.proto.datasets]


def selections(chart) -> list[str]:
    spec = json.loads(chart.proto.spec)
    params = spec.get("params", []) + [param for layer in spec.get("layer", []) for param in layer.get("params", [])]
    return [param["name"] for param in params if "select" in param]


def raw_events(store: Store, start: str = WINDOW["from"], end: str = WINDOW["to"]) -> pd.DataFrame:
    return store.query(
        "select journey_id, customer_id, touchpoint, occurred_at, emotion, outcome from main.journey_events"
        " where occurred_at >= ?::date and occurred_at < ?::date + 1",
        [start, end],
    )


def test_the_map_makes_the_planted_low_and_high_obvious(demo_store, monkeypatch):
    at = open_page(demo_store.database, monkeypatch, **WINDOW)
    events = raw_events(demo_store)
    means = events.groupby("touchpoint")["emotion"].mean()
    assert means.idxmin() == PAIN and means.idxmax() == WOW
    headline = at.main.markdown[0].value
    assert headline.splitlines()[0].startswith(f":red[**▼ Pain point: {PAIN}**] — mean emotion −{abs(means[PAIN]):.2f}")
    assert f":green[**▲ Wow moment: {WOW}**] — mean emotion +{means[WOW]:.2f}" in headline
    emotion, abandonment = charts_of(at)
    assert selections(emotion) == ["journey_touchpoint"] and selections(abandonment) == ["journey_touchpoint"]
    labels = [text for frame in chart_frames(emotion) if "label" in frame.columns for text in frame["label"] if text]
    assert f"▼ {PAIN} (−{abs(means[PAIN]):.2f})" in labels and f"▲ {WOW} (+{means[WOW]:.2f})" in labels
    # the deepest low also loses the most journeys
    bars = max((frame for frame in chart_frames(abandonment) if "bar_text" in frame.columns), key=len).set_index("touchpoint")
    assert bars["abandonment_rate"].idxmax() == PAIN
    assert bars.loc[PAIN, "kind"] == "Pain point"


def test_the_curve_follows_the_journey_with_every_touchpoints_mean(demo_store, monkeypatch):
    at = open_page(demo_store.database, monkeypatch, **WINDOW)
    curve = max((frame for frame in chart_frames(charts_of(at)[0]) if "emotion_text" in frame.columns), key=len)
    order = demo_store.query("select touchpoint from main.touchpoints order by position")["touchpoint"].tolist()
    assert curve.sort_values("journey_step")["touchpoint"].tolist() == order
    means = raw_events(demo_store).groupby("touchpoint")["emotion"].mean()
    assert curve.set_index("touchpoint")["mean_emotion"].sort_index().tolist() == pytest.approx(means.sort_index().tolist())


def test_a_comparison_in_the_url_draws_one_curve_per_segment(demo_store, monkeypatch):
    at = open_page(demo_store.database, monkeypatch, journey_split="segment", **WINDOW)
    assert [(w.key, w.value) for w in at.button_group] == [("journey_split", "segment")]
    lines = next(frame for frame in chart_frames(charts_of(at)[0]) if "group_label" in frame.columns)
    segments = demo_store.query("select distinct segment from main.customers")["segment"].tolist()
    assert sorted(lines["group_label"].unique()) == sorted(segments)
    assert len(lines) == len(segments) * demo_store.query_value("select count(*) from main.touchpoints")


def test_a_touchpoint_in_the_url_shows_its_journeys_nps_gap_and_comments(demo_store, monkeypatch):
    at = open_page(demo_store.database, monkeypatch, journey_touchpoint=PAIN, **WINDOW)
    events = raw_events(demo_store)
    through = events.loc[events["touchpoint"] == PAIN, "journey_id"].unique()
    abandoned = events[events["outcome"] == "abandoned"].sort_values("occurred_at").groupby("journey_id")["touchpoint"].last()
    here = int((abandoned.reindex(through) == PAIN).sum())
    metrics = {m.label: m.value for m in at.main.metric}
    assert metrics["Journeys through it"] == charts.format_count(len(through))
    assert metrics["Abandoned here"] == f"{100 * here / len(through):.1f} %"
    assert "Drill path:** Journey › Invoice & billing" in "".join(m.value for m in at.main.markdown)

    answers = demo_store.query(
        "select customer_id, nps, comment, touchpoint, responded_at from main.responses"
        " where customer_id is not null and responded_at >= ?::date and responded_at < ?::date + 1",
        [WINDOW["from"], WINDOW["to"]],
    )
    passed = set(events.loc[events["touchpoint"] == PAIN, "customer_id"].dropna())
    travellers = set(events["customer_id"].dropna())
    scored = answers[answers["nps"].notna()]

    def nps(scores: pd.Series) -> tuple[float, float]:
        p, d = (scores >= 9).mean(), (scores <= 6).mean()
        return 100 * (p - d), 1.96 * 100 * math.sqrt(((p + d) - (p - d) ** 2) / len(scores))

    inside = scored[scored["customer_id"].isin(passed)]["nps"]
    outside = scored[scored["customer_id"].isin(travellers - passed)]["nps"]
    (caption,) = [c.value for c in at.main.caption if c.value.startswith("Went through it")]
    value, margin = nps(inside)
    assert f"NPS {charts.signed(value)} ± {margin:.1f}, n = {charts.format_count(len(inside))} answers" in caption
    value, margin = nps(outside)
    assert f"Journeys without it: NPS {charts.signed(value)} ± {margin:.1f}, n = {charts.format_count(len(outside))} answers" in caption
    row = queries.touchpoint_nps(demo_store, FILTERS, PAIN, 10).iloc[0]
    assert ("a significant difference" in caption) == bool(row["significant"])

    comments, journeys = at.dataframe
    said = answers[answers["customer_id"].isin(passed) & (answers["comment"].fillna("").str.strip() != "")]
    assert len(comments.value) == min(len(said), queries.LIST_LIMIT)
    about = comments.value["Answer about"].str.startswith("★")
    assert about.sum() == min((said["touchpoint"] == PAIN).sum(), queries.LIST_LIMIT)
    assert about.tolist() == sorted(about.tolist(), reverse=True)
    assert len(journeys.value) == min(len(through), queries.LIST_LIMIT)


def test_a_touchpoint_few_journeys_passed_shows_the_suppression_message(demo_store, monkeypatch):
    day = {"from": "2026-10-30", "to": "2026-10-31"}
    counts = raw_events(demo_store, day["from"], day["to"]).groupby("touchpoint")["journey_id"].nunique()
    small = counts[counts < 10]
    assert not small.empty, "the case needs a touchpoint with fewer than 10 journeys"
    touchpoint, n = small.index[0], int(small.iloc[0])
    at = open_page(demo_store.database, monkeypatch, journey_touchpoint=touchpoint, **day)
    assert at.main.info[-1].value == (
        f"n too small: {n} journeys passed '{touchpoint}' in these filters, fewer than 10. "
        "Their outcomes, comments and NPS are not shown; widen the period or the filters."
    )
    assert not at.dataframe and not at.main.metric
    bars = max((frame for frame in chart_frames(charts_of(at)[1]) if "bar_text" in frame.columns), key=len).set_index("touchpoint")
    assert bars.loc[touchpoint, "bar_text"] == "n too small"


def test_filters_without_journeys_show_a_helpful_message(demo_store, monkeypatch):
    at = open_page(demo_store.database, monkeypatch, **{"from": "2023-01-01", "to": "2023-01-31"})
    assert [i.value for i in at.main.info] == [
        "No journey events in 01.01.2023 – 31.01.2023 for these filters. Widen the period or clear the segment, "
        "channel or region filters in the sidebar."
    ]
    assert not charts_of(at)


def test_an_empty_store_says_where_to_start(monkeypatch):
    at = open_page(":memory:", monkeypatch)
    assert [i.value for i in at.main.info] == ["The store holds no journey events yet. Import a journey file on the Data page."]
    assert not charts_of(at)


def test_choosing_a_touchpoint_puts_it_in_the_url_and_the_breadcrumb_leads_back(demo_store, monkeypatch):
    at = open_page(demo_store.database, monkeypatch, **WINDOW)
    assert "journey_touchpoint" not in at.query_params and not at.dataframe
    at.main.selectbox(key="journey_pick").set_value(WOW).run()
    assert at.query_params["journey_touchpoint"] == WOW
    assert [s.value for s in at.main.subheader][-1] == WOW
    at.button(key="drill_back_Journey").click().run()
    assert "journey_touchpoint" not in at.query_params and not at.dataframe
    assert at.main.selectbox(key="journey_pick").value is None
