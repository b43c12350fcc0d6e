"""ui.chart's spec cache: a rerun with the same data draws the spec st.altair_chart would draw,
without running the query or the chart builder again; new data or other arguments rebuild it."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import streamlit as st
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

from cxdata import layout, ui
from cxdata.charts import nps as charts
from cxdata.filters import Filters
from cxdata.queries import nps as queries
from tests.conftest import build_store

WINDOW = Filters(dt.date(2025, 4, 1), dt.date(2025, 9, 30))
built: list[tuple] = []
queried: list[tuple] = []


def counted_nps_by_period(store, *args):
    queried.append(args)
    return queries.nps_by_period(store, *args)


def counted_trend_chart(trend, grain, split):
    built.append((grain, split))
    return charts.trend_chart(trend, grain, split)


@pytest.fixture
def store(tmp_path, synthetic):
    # a file of its own: the caches key by the store's path and its data version
    store = build_store(synthetic, database=str(tmp_path / "chart_cache.duckdb"))
    st.cache_data.clear()
    built.clear()
    queried.clear()
    yield store
    store.close()


def test_the_spec_is_the_one_st_altair_chart_draws(store):
    spec = ui.chart_spec(counted_trend_chart, ui.query(counted_nps_by_period, store, WINDOW, 10, "month", "none"), "month", "none")
    rows = queries.nps_by_period(store, WINDOW, 10, "month", "none")
    assert spec == _convert_altair_to_vega_lite_spec(charts.trend_chart(rows, "month", "none"))
    assert spec["datasets"] and all(isinstance(data, bytes) for data in spec["datasets"].values())


def test_a_rerun_with_the_same_data_neither_queries_nor_builds(store, monkeypatch):
    first = ui.chart_spec(counted_trend_chart, ui.query(counted_nps_by_period, store, WINDOW, 10, "month", "none"), "month", "none")
    assert (built, len(queried)) == ([("month", "none")], 1)
    # a hit keys on the query, not its rows: it does not even ask the query cache
    monkeypatch.setattr(ui.Query, "rows", lambda self: pytest.fail("a cache hit fetched the rows"))
    again = ui.chart_spec(counted_trend_chart, ui.query(counted_nps_by_period, store, WINDOW, 10, "month", "none"), "month", "none")
    assert again == first
    assert (built, len(queried)) == ([("month", "none")], 1)


@pytest.mark.parametrize(
    "query_args, chart_args",
    [
        ((WINDOW, 10, "week", "none"), ("week", "none")),  # another query
        ((WINDOW, 10, "month", "none"), ("month", "segment")),  # the same rows, other chart arguments
    ],
)
def test_other_arguments_build_another_spec(store, query_args, chart_args):
    first = ui.chart_spec(counted_trend_chart, ui.query(counted_nps_by_period, store, WINDOW, 10, "month", "none"), "month", "none")
    other = ui.chart_spec(counted_trend_chart, ui.query(counted_nps_by_period, store, *query_args), *chart_args)
    assert built == [("month", "none"), chart_args]
    assert other != first


def test_new_data_builds_the_chart_again(store):
    ui.chart_spec(counted_trend_chart, ui.query(counted_nps_by_period, store, WINDOW, 10, "month", "none"), "month", "none")
    with store.transaction() as cursor:
        cursor.execute("delete from responses where nps < 9")
        # what an import would keep in step: the stored day counts (cxdata/summaries.py)
        layout.refresh(cursor)
    # the next rerun names the query again, now at the new data version
    spec = ui.chart_spec(counted_trend_chart, ui.query(counted_nps_by_period, store, WINDOW, 10, "month", "none"), "month", "none")
    assert (built, len(queried)) == ([("month", "none")] * 2, 2)
    rows = queries.nps_by_period(store, WINDOW, 10, "month", "none")
    assert (rows["nps"].dropna() == 100).all()
    assert spec == _convert_altair_to_vega_lite_spec(charts.trend_chart(rows, "month", "none"))


def test_a_named_query_shares_its_cache_entry_with_cached(store):
    rows = ui.query(counted_nps_by_period, store, WINDOW, 10, "month", "none").rows()
    again = ui.cached(counted_nps_by_period, store, WINDOW, 10, "month", "none")
    assert len(queried) == 1
    pd.testing.assert_frame_equal(again, rows)


def test_equal_arguments_made_of_other_objects_draw_the_cached_spec(store):
    # a rerun rebuilds its filters and reads its choices from widgets: equal values, new objects
    ui.chart_spec(counted_trend_chart, ui.query(counted_nps_by_period, store, WINDOW, 10, "month", "none"), "month", "none")
    rebuilt = Filters(dt.date(2025, 4, 1), dt.date(2025, 9, 30))
    query = ui.query(counted_nps_by_period, store, rebuilt, 10, "".join(["mon", "th"]), "".join(["no", "ne"]))
    ui.chart_spec(counted_trend_chart, query, "".join(["mon", "th"]), "".join(["no", "ne"]))
    assert built == [("month", "none")]


# -- a part of a query: one query answers two charts ------------------------------------------
picked: list[str] = []


def months_of(trend, first: bool):
    picked.append("first" if first else "rest")
    months = sorted(trend["period"].unique())
    return trend[trend["period"].isin(months[:1] if first else months[1:])]


def test_two_parts_of_a_query_run_the_query_once(store):
    picked.clear()
    whole = ui.query(counted_nps_by_period, store, WINDOW, 10, "month", "none")
    first, rest = whole.part(months_of, True).rows(), whole.part(months_of, False).rows()
    assert len(queried) == 1
    rows = queries.nps_by_period(store, WINDOW, 10, "month", "none")
    pd.testing.assert_frame_equal(first, months_of(rows, True))
    pd.testing.assert_frame_equal(rest, months_of(rows, False))
    assert len(first) == 1 and len(rest) == len(rows) - 1


def test_a_chart_of_a_part_is_keyed_by_the_query_and_the_part(store, monkeypatch):
    def spec(first: bool) -> dict:
        # a rerun names the query and its part again: new objects, equal values
        part = ui.query(counted_nps_by_period, store, WINDOW, 10, "month", "none").part(months_of, first)
        return ui.chart_spec(counted_trend_chart, part, "month", "none")

    rows = months_of(queries.nps_by_period(store, WINDOW, 10, "month", "none"), True)
    picked.clear()
    first = spec(True)
    assert first == _convert_altair_to_vega_lite_spec(charts.trend_chart(rows, "month", "none"))
    # a hit neither fetches the query's rows nor takes the part again
    with monkeypatch.context() as patched:
        patched.setattr(ui.Query, "rows", lambda self: pytest.fail("a cache hit fetched the rows"))
        patched.setattr(ui.Part, "rows", lambda self: pytest.fail("a cache hit took the part"))
        assert spec(True) == first
    # the other part of the same query is another chart, from the query's cached rows
    assert spec(False) != first
    assert (len(queried), len(built), picked) == (1, 2, ["first", "rest"])


# -- the data version: read once per run ------------------------------------------------------
def test_a_run_reads_the_data_version_once_and_again_after_a_write(store, monkeypatch):
    reads = []
    read = store.data_version
    monkeypatch.setattr(store, "data_version", lambda: reads.append(1) or read())
    ui.forget_run()
    for grain in ("month", "week", "month"):
        ui.query(counted_nps_by_period, store, WINDOW, 10, grain, "none").rows()
    assert (len(reads), len(queried)) == (1, 2)
    with store.transaction() as cursor:
        cursor.execute("delete from responses where nps < 9")
        # what an import would keep in step: the stored day counts (cxdata/summaries.py)
        layout.refresh(cursor)
    # the same run, after a write: the new version, so the rows are queried again
    rows = ui.query(counted_nps_by_period, store, WINDOW, 10, "month", "none").rows()
    assert (len(reads), len(queried)) == (2, 3)
    assert (rows["nps"].dropna() == 100).all()
    ui.forget_run()
    ui.query(counted_nps_by_period, store, WINDOW, 10, "month", "none").rows()
    assert (len(reads), len(queried)) == (3, 3)
