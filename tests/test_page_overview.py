"""The Overview page under AppTest on a demo store: KPI tiles equal the kpis command, trend lines,
what moved (with its way into NPS trends) and data freshness."""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from cxdata import cli, demo, overview
from cxdata.filters import Filters
from cxdata.metrics import KPI_LABELS
from cxdata.store import Store
from tests.conftest import ROOT

# 90 days from the app release in the demo: the app channel's NPS falls against the 90 days before
AFTER_RELEASE = {"from": "2026-06-15", "to": "2026-09-12"}
FILTER_CASES = {
    "after_release": {},
    "one_segment": {"segment": "SMB"},
    "several_filters": {"segment": ["Enterprise", "SMB"], "channel": ["app", "web"], "region": "Schweiz"},
}


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("overview_page") / "demo.duckdb"
    store = Store(str(path))
    demo.build_demo(store, responses=20_000)
    yield store
    store.close()


def run_app(demo_store, monkeypatch, page: str | None = None, **params: str | list[str]) -> AppTest:
    monkeypatch.setenv("CX_DB", demo_store.database)
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    # the filters are read from the URL on the first run, as when a link is opened
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    assert not at.exception, at.exception
    return at


def filters_of(params: dict) -> Filters:
    listed = lambda key: tuple([params[key]] if isinstance(params.get(key), str) else params.get(key, ()))
    return Filters(dt.date.fromisoformat(params["from"]), dt.date.fromisoformat(params["to"]),
                   listed("segment"), listed("channel"), listed("region"))


def kpis_command(store: Store, params: dict, capsys) -> dict:
    """What `python -m cxdata kpis --json` prints for the same filters."""
    argv = ["kpis", "--json", "--from", params["from"], "--to", params["to"]]
    filters = filters_of(params)
    for option, values in (("--segment", filters.segments), ("--channel", filters.channels), ("--region", filters.regions)):
        for value in values:
            argv += [option, value]
    capsys.readouterr()
    assert cli.main(argv, store=store) == 0
    return json.loads(capsys.readouterr().out)["kpis"]


def shown_number(text: str) -> tuple[float, float]:
    """A tile's value as a number and the rounding its text allows: '+32.3 ± 3.4', '70.4 %', '€1.23 M', '€950 k'."""
    text = text.split(" ± ")[0].replace("−", "-")
    if text.startswith("€"):
        amount = text[1:]
        for suffix, factor, step in ((" M", 1_000_000, 0.005), (" k", 1_000, 0.5)):
            if amount.endswith(suffix):
                return float(amount[: -len(suffix)]) * factor, step * factor
        return float(amount), 0.5
    return float(text.removesuffix(" %")), 0.05


@pytest.mark.parametrize("case", FILTER_CASES)
def test_kpi_tiles_equal_the_kpis_command(demo_store, monkeypatch, capsys, case):
    params = {**AFTER_RELEASE, **FILTER_CASES[case]}
    expected = kpis_command(demo_store, params, capsys)
    at = run_app(demo_store, monkeypatch, **params)
    assert [m.label for m in at.metric] == [KPI_LABELS[kpi] for kpi in expected]
    counts = [c.value for c in at.caption if c.value.startswith("n = ")]
    for metric, count, (kpi, want) in zip(at.metric, counts, expected.items()):
        assert int(re.match(r"n = ([\d ]+) ", count)[1].replace(" ", "")) == want["n"], kpi
        if want["suppressed"]:
            assert metric.value == "n too small", kpi
            continue
        value, rounding = shown_number(metric.value)
        assert value == pytest.approx(want["value"], abs=rounding), kpi
        if kpi == "nps":
            assert float(metric.value.split(" ± ")[1]) == pytest.approx(want["margin_of_error"], abs=0.05)
    if case == "several_filters":
        assert any(want["suppressed"] for want in expected.values()), "the case must show a suppressed tile"


def test_each_tile_draws_its_weekly_trend_without_suppressed_weeks(demo_store, monkeypatch):
    # the store channel has weeks below and above min n in this window
    params = {**AFTER_RELEASE, "channel": "store"}
    at = run_app(demo_store, monkeypatch, **params)
    filters = filters_of(params)
    trend = overview.kpi_trend(demo_store, filters, 10, "week")
    assert trend["suppressed"].any() and not trend.loc[trend["kpi"] == "nps", "suppressed"].all()
    for metric, kpi in zip(at.metric, KPI_LABELS):
        values = overview.trend_values(trend, kpi)
        assert list(metric.proto.chart_data) == (pytest.approx(list(values)) if len(values) >= 2 else []), kpi
    # NPS per ISO week from the raw answers, weeks with fewer than 10 answers left out
    raw = demo_store.query(
        "select responded_at, nps from main.responses where channel = 'store' and nps is not null"
        " and responded_at >= ?::date and responded_at < ?::date + 1",
        [filters.date_from, filters.date_to],
    )
    weeks = raw.groupby(raw["responded_at"].dt.to_period("W-SUN"))["nps"]
    nps = weeks.apply(lambda s: 100 * ((s >= 9).mean() - (s <= 6).mean()))[weeks.size() >= 10]
    assert list(at.metric[0].proto.chart_data) == pytest.approx(nps.tolist())


def expected_app_change(store: Store, filters: Filters) -> float:
    def app_nps(start: dt.date, end: dt.date) -> float:
        scores = store.query(
            "select nps from main.responses where channel = 'app' and nps is not null"
            " and responded_at >= ?::date and responded_at < ?::date + 1",
            [start, end],
        )["nps"]
        return 100 * ((scores >= 9).mean() - (scores <= 6).mean())

    previous = filters.previous_period()
    return app_nps(filters.date_from, filters.date_to) - app_nps(previous.date_from, previous.date_to)


def test_what_moved_lists_the_app_drop_with_a_link_into_nps_trends(demo_store, monkeypatch):
    at = run_app(demo_store, monkeypatch, **AFTER_RELEASE)
    filters = filters_of(AFTER_RELEASE)
    moved = overview.what_moved(demo_store, filters, 10)
    significant = moved[moved["significant"].fillna(False).astype(bool)]
    (table,) = at.dataframe
    assert table.value["group"].tolist() == [
        f"{dimension.capitalize()}: {value}" for dimension, value in zip(significant["dimension"], significant["value"])
    ]
    assert table.value["change"].abs().is_monotonic_decreasing
    app = table.value.set_index("group").loc["Channel: app"]
    assert app["change"] == pytest.approx(expected_app_change(demo_store, filters))
    assert app["change"] < -10
    assert app["link"] == overview.link_for(filters, "channel", "app")


def test_the_app_link_opens_nps_trends_on_the_app_answers_of_the_month(demo_store, monkeypatch):
    at = run_app(demo_store, monkeypatch, **AFTER_RELEASE)
    link = at.dataframe[0].value.set_index("group").loc["Channel: app", "link"]
    target = urlsplit(link)
    assert target.path == "nps_trends"
    params = {key: values if len(values) > 1 else values[0] for key, values in parse_qs(target.query).items()}
    # the window ends 12 days into September, so the link drills into August
    assert (params["grain"], params["split"], params["period"], params["split_value"]) == ("month", "channel", "2026-08", "app")

    trends = run_app(demo_store, monkeypatch, page="pages/nps_trends.py", **params)
    assert trends.main.subheader[-1].value == "The answers behind it · Channel app, August 2026"
    raw = demo_store.query(
        "select count(*) as n from main.responses where channel = 'app' and nps is not null"
        " and responded_at >= '2026-08-01' and responded_at < '2026-09-01'"
    )["n"].iloc[0]
    assert len(trends.dataframe[0].value) == raw
    assert set(trends.dataframe[0].value["Channel"]) == {"app"}


def test_freshness_names_the_latest_response_and_import(demo_store, monkeypatch):
    at = run_app(demo_store, monkeypatch, **AFTER_RELEASE)
    latest_response = demo_store.query_value("select max(responded_at) from main.responses")
    latest_import = demo_store.query_value("select max(finished_at) from main.imports where status = 'loaded'")
    assert at.caption[-1].value == f"Latest response: {latest_response:%d.%m.%Y %H:%M} · latest import: {latest_import:%d.%m.%Y %H:%M}"


def test_a_window_without_answers_shows_n_too_small_and_nothing_to_compare(demo_store, monkeypatch):
    at = run_app(demo_store, monkeypatch, **{"from": "2023-01-01", "to": "2023-01-31"})
    values = {m.label: m.value for m in at.metric}
    assert (values["NPS"], values["CSAT"], values["CES"]) == ("n too small",) * 3
    assert [i.value for i in at.info] == ["No NPS answers in this period or the previous one, so there is nothing to compare."]
    assert not at.dataframe
