"""The NPS trends page under AppTest on a demo store: what it shows for a drill path set in the URL."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
import streamlit as st
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from cxdata import demo, export
from cxdata.filters import Filters
from cxdata.queries import nps as queries
from cxdata.store import Store
from tests.conftest import ROOT

WINDOW = {"from": "2026-08-02", "to": "2026-10-31"}
FILTERS = Filters(dt.date(2026, 8, 2), dt.date(2026, 10, 31))
# the chart, the mix and the answers cover the chosen dates and the period of equal length before them
SHOWN = Filters(FILTERS.previous_period().date_from, FILTERS.date_to)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("nps_trends_page") / "demo.duckdb"
    store = Store(str(path))
    demo.build_demo(store, responses=20_000)
    yield store
    store.close()


def open_page(demo_store, monkeypatch, **params: str | list[str]) -> AppTest:
    monkeypatch.setenv("CX_DB", demo_store.database)
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    # the filters are read from the URL on the first run, as when a link is opened
    for key, value in {**WINDOW, **params}.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("pages/nps_trends.py")
    at.run()
    assert not at.exception, at.exception
    return at


def charts(at: AppTest) -> list:
    return [element for element in at.main if getattr(element, "type", None) == "vega_lite_chart"]


def chart_rows(chart, column: str = "split_value") -> pd.DataFrame:
    """The rows a chart draws its main marks from: its largest dataset that has `column`
    (others hold rules, shading and labels)."""
    frames = [dataframe_util.convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.proto.datasets]
    return max((frame for frame in frames if column in frame.columns), key=len)


def selections(chart) -> list[str]:
    spec = json.loads(chart.proto.spec)
    params = spec.get("params", []) + [param for layer in spec.get("layer", []) for param in layer.get("params", [])]
    return [param["name"] for param in params if "select" in param]


def raw_answers(store: Store, channel: str, start: str, end: str) -> pd.DataFrame:
    """The NPS answers of one channel and period straight from the responses table (the demo sets every
    answer's channel; no segment or region filter is set here)."""
    return store.query(
        "select response_id, responded_at, nps from main.responses"
        " where channel = ? and nps is not null and responded_at >= ?::date and responded_at < ?::date",
        [channel, start, end],
    )


def test_the_trend_is_one_clickable_chart_per_month_with_no_drill_down(demo_store, monkeypatch):
    at = open_page(demo_store, monkeypatch)
    (chart,) = charts(at)
    assert selections(chart) == ["period"]
    expected = queries.nps_by_period(demo_store, SHOWN, 10, "month", "none")
    shown = chart_rows(chart)
    assert shown[["period", "n"]].values.tolist() == expected.loc[~expected["suppressed"], ["period", "n"]].values.tolist()
    assert shown["nps"].tolist() == pytest.approx(expected.loc[~expected["suppressed"], "nps"].tolist())
    assert [(w.key, w.value) for w in at.button_group] == [("nps_grain", "month"), ("nps_split", "none")]
    assert not [s for s in at.subheader if "Who made up" in s.value]
    assert (at.query_params["grain"], at.query_params["split"]) == ("month", "none")


def test_grain_and_split_in_the_url_choose_the_chart(demo_store, monkeypatch):
    at = open_page(demo_store, monkeypatch, grain="week", split="channel")
    assert [(w.key, w.value) for w in at.button_group] == [("nps_grain", "week"), ("nps_split", "channel")]
    shown = chart_rows(charts(at)[0])
    expected = queries.nps_by_period(demo_store, SHOWN, 10, "week", "channel")
    assert sorted(shown["split_value"].unique()) == sorted(expected.loc[~expected["suppressed"], "split_value"].unique())
    assert len(shown) == int((~expected["suppressed"]).sum())


def test_a_period_in_the_url_shows_its_mix_by_channel_with_n(demo_store, monkeypatch):
    at = open_page(demo_store, monkeypatch, split="channel", period="2026-09")
    assert [s.value for s in at.main.subheader] == ["Who made up the score · September 2026"]
    trend, mix = charts(at)
    assert selections(mix) == ["split_value"]
    shown = chart_rows(mix).drop_duplicates("split_value").set_index("split_value")["n"].sort_index()
    raw = demo_store.query(
        "select channel, count(*) as n from main.responses where nps is not null"
        " and responded_at >= '2026-09-01' and responded_at < '2026-10-01' group by channel"
    ).set_index("channel")["n"].sort_index()
    assert shown.to_dict() == raw.to_dict()
    assert "Drill path:** NPS trends › Sep 2026" in at.markdown[0].value


def test_a_bar_in_the_url_lists_exactly_its_answers_and_downloads_them_through_safe_csv(demo_store, monkeypatch):
    handed, safe_csv = [], export.safe_csv

    def spy(frame: pd.DataFrame) -> bytes:
        handed.append(frame.copy())
        return safe_csv(frame)

    monkeypatch.setattr(export, "safe_csv", spy)
    at = open_page(demo_store, monkeypatch, split="channel", period="2026-09", split_value="app")
    (table,) = at.dataframe
    raw = raw_answers(demo_store, "app", "2026-09-01", "2026-10-01")
    assert table.value.columns.tolist() == ["Date", "Score", "Class", "Channel", "Touchpoint", "Segment", "Comment"]
    assert len(table.value) == len(raw) > 10
    assert set(table.value["Channel"]) == {"app"}
    assert table.value["Score"].tolist() == sorted(raw["nps"].tolist())
    assert sorted(table.value["Date"]) == sorted(raw["responded_at"])
    assert len(handed) == 1 and sorted(handed[0]["Response ID"]) == sorted(raw["response_id"])
    assert at.get("download_button")[0].proto.label == "Download these answers (CSV)"
    assert "Drill path:** NPS trends › Sep 2026 › Channel: app" in at.markdown[0].value


def test_a_too_small_group_shows_the_suppression_message_and_no_answers(demo_store, monkeypatch):
    filters = Filters(FILTERS.date_from, FILTERS.date_to, regions=("Schweiz",))
    shown = Filters(filters.previous_period().date_from, filters.date_to, regions=("Schweiz",))
    trend = queries.nps_by_period(demo_store, shown, 10, "week", "segment")
    small = trend[trend["suppressed"].astype(bool) & (trend["period_start"] >= pd.Timestamp(filters.date_from))]
    assert not small.empty, "the case needs a group below min n"
    period, value = small.iloc[0]["period"], small.iloc[0]["split_value"]
    label = queries.parse_period("week", period).label
    at = open_page(demo_store, monkeypatch, grain="week", split="segment", period=period, split_value=value, region="Schweiz")
    assert [i.value for i in at.info][-1] == (
        f"n too small: segment '{value}' has fewer than 10 answers in {label}, so its individual answers are not shown."
    )
    assert not at.dataframe and not at.get("download_button")
    # the bar is drawn grey without a share
    bars = chart_rows(charts(at)[-1])
    assert bars.loc[bars["split_value"] == value, ["nps_class", "share_text"]].values.tolist() == [["n too small", ""]]


def test_the_breadcrumb_leads_back_to_the_whole_trend(demo_store, monkeypatch):
    at = open_page(demo_store, monkeypatch, split="channel", period="2026-09", split_value="app")
    at.button(key="drill_back_NPS trends").click().run()
    assert "period" not in at.query_params and "split_value" not in at.query_params
    assert len(charts(at)) == 1 and not at.dataframe


def test_changing_the_grain_forgets_the_drill_path(demo_store, monkeypatch):
    at = open_page(demo_store, monkeypatch, split="channel", period="2026-09", split_value="app")
    at.button_group(key="nps_grain").set_value("week").run()
    assert at.query_params["grain"] == "week"
    assert "period" not in at.query_params and "split_value" not in at.query_params
    assert not at.dataframe


def test_a_period_that_does_not_fit_the_grain_is_named_and_ignored(demo_store, monkeypatch):
    at = open_page(demo_store, monkeypatch, period="2026-W36")
    assert [w.value for w in at.warning] == [
        "The link names a period ('2026-W36') that is not a month; showing the whole trend."
    ]
    assert len(charts(at)) == 1


def test_filters_without_answers_show_a_helpful_message(demo_store, monkeypatch):
    at = open_page(demo_store, monkeypatch, **{"from": "2023-01-01", "to": "2023-01-31"})
    assert [i.value for i in at.info] == [
        "No NPS answers match the filters. Widen the period or clear the segment, channel or region filters in the sidebar."
    ]
    assert not charts(at)
