"""The Service page under AppTest: what it shows against independent pandas computations."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from cxdata.charts.service import format_value
from cxdata.filters import Filters
from cxdata.queries import service
from tests.conftest import ROOT, build_store
from tests.test_queries_service import (
    effective_tickets,
    expected_nps_by_experience,
    expected_nps_by_group,
    expected_service_metrics,
)

PAGE = "pages/service.py"


@pytest.fixture(scope="module")
def page_store(tmp_path_factory, synthetic) -> str:
    path = str(tmp_path_factory.mktemp("service_page") / "service.duckdb")
    build_store(synthetic, database=path).close()
    return path


def open_page(
    monkeypatch, database: str, url: dict[str, str] | None = None, widgets: dict[str, str] | None = None, **drill: str
) -> AppTest:
    """The Service page with the global filters from `url`, the page's controls set to `widgets`
    and then the drill keys (a click writes these to the URL) set to `drill`."""
    monkeypatch.setenv("CX_DB", database)
    # caches are per process and AppTest runs in this one: start every test from a cold cache
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    # the URL as a shared link would carry it, before the first run reads the filters from it
    for key, value in (url or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGE)
    at.run()
    # AppTest does not initialise URL-bound widgets from the URL (the browser does): set them as a user would
    for key, value in (widgets or {}).items():
        at.segmented_control(key=key).set_value(value).run()
    if drill:
        for key, value in drill.items():
            at.query_params[key] = value
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown_filters(at: AppTest) -> Filters:
    """The period the page shows, read back from the URL the filter bar wrote."""
    def day(key: str) -> dt.date:
        value = at.query_params[key]
        return dt.date.fromisoformat(value if isinstance(value, str) else value[-1])

    return Filters(day("from"), day("to"))


def expected_text(rows: pd.DataFrame, metric: str) -> str:
    row = rows[rows["metric"] == metric].iloc[0]
    return format_value(service.METRICS[metric], None if row["suppressed"] else row["value"])


def expected_caption(rows: pd.DataFrame, metric: str, noun: str) -> str:
    row = rows[rows["metric"] == metric].iloc[0]
    margin = "" if row["suppressed"] or pd.isna(row["margin_of_error"]) else f"± {row['margin_of_error']:.1f} · "
    return f"{margin}n = {row['n']} {noun}"


def test_tiles_show_the_service_metrics_of_the_chosen_period(monkeypatch, page_store, synthetic):
    at = open_page(monkeypatch, page_store)
    filters = shown_filters(at)
    expected = expected_service_metrics(synthetic, filters, 10, "all", "total")
    open_now = effective_tickets(synthetic, Filters(), dates=False)
    assert [(m.label, m.value) for m in at.metric] == [
        ("Tickets", str(int(expected.loc[expected["metric"] == "tickets", "n"].iloc[0]))),
        ("FCR", expected_text(expected, "fcr")),
        ("First reply", expected_text(expected, "first_response_median")),
        ("Resolution", expected_text(expected, "resolution_median")),
        ("Reopen rate", expected_text(expected, "reopen_rate")),
        ("Ticket CSAT", expected_text(expected, "csat")),
        ("Open now", str(int((~open_now["status"].isin(["solved", "closed"])).sum()))),
    ]
    captions = [c.value for c in at.caption]
    for wanted in (
        expected_caption(expected, "fcr", "resolved"),
        f"median · 90 % within {expected_text(expected, 'first_response_p90')} · {expected_caption(expected, 'first_response_median', 'tickets')}",
        f"median · 90 % within {expected_text(expected, 'resolution_p90')} · {expected_caption(expected, 'resolution_median', 'resolved')}",
        expected_caption(expected, "reopen_rate", "resolved"),
        expected_caption(expected, "csat", "ratings"),
    ):
        assert wanted in captions


def test_the_page_names_the_category_with_the_lowest_fcr(monkeypatch, page_store, synthetic):
    at = open_page(monkeypatch, page_store)
    expected = expected_service_metrics(synthetic, shown_filters(at), 10, "category", "total")
    overall = expected_service_metrics(synthetic, shown_filters(at), 10, "all", "total")
    fcr = expected[(expected["metric"] == "fcr") & ~expected["suppressed"]].sort_values("value")
    worst = fcr.iloc[0]
    sentence = (
        f"**Category {worst['group_value']} has the lowest first contact resolution: {worst['value']:.1f} % "
        f"against {expected_text(overall, 'fcr')} for all tickets.**"
    )
    assert sentence in [m.value for m in at.markdown]


def test_scorecard_shows_every_category_with_its_metrics(monkeypatch, page_store, synthetic):
    at = open_page(monkeypatch, page_store)
    expected = expected_service_metrics(synthetic, shown_filters(at), 10, "category", "total")
    table = at.dataframe[0].value
    assert table["Category"].tolist() == sorted(expected["group_value"].unique())
    for column, metric in (("Tickets", "tickets"), ("FCR", "fcr"), ("Ticket CSAT", "csat"),
                           ("Resolution (median)", "resolution_median"), ("Reopen rate", "reopen_rate")):
        wanted = [
            int(expected.loc[(expected["group_value"] == g) & (expected["metric"] == "tickets"), "n"].iloc[0])
            if metric == "tickets"
            else expected_text(expected[expected["group_value"] == g], metric)
            for g in table["Category"]
        ]
        assert table[column].tolist() == wanted, column


def test_a_chosen_category_lists_exactly_its_tickets_newest_first(monkeypatch, page_store, synthetic):
    at = open_page(monkeypatch, page_store, service_group="Billing")
    tickets = effective_tickets(synthetic, shown_filters(at))
    billing = tickets[tickets["category"] == "Billing"].sort_values(["created_at", "ticket_id"], ascending=[False, True])
    listed = at.dataframe[0].value
    assert listed["Ticket"].tolist() == billing["ticket_id"].tolist()
    # the category is the same on every row, so the list leaves it out
    assert listed.columns.tolist() == [
        "Ticket", "Customer", "Created", "Channel", "Priority", "Status", "Agent replies", "Reopens",
        "Resolved at first contact", "First response", "Resolution", "CSAT (1–5)",
    ]
    assert any(f"Showing {len(billing)} tickets" in c.value for c in at.caption)
    assert [m.value for m in at.markdown if "Drill path" in m.value] == ["**Drill path:** Service › Category: Billing"]


def test_a_chosen_month_narrows_the_list_to_that_month(monkeypatch, page_store, synthetic):
    at = open_page(monkeypatch, page_store, widgets={"service_grain": "month"}, service_group="Billing", service_period="2025-11-01")
    tickets = effective_tickets(synthetic, shown_filters(at))
    chosen = tickets[(tickets["category"] == "Billing") & (tickets["created_at"].dt.to_period("M") == pd.Period("2025-11", "M"))]
    listed = at.dataframe[0].value
    assert sorted(listed["Ticket"]) == sorted(chosen["ticket_id"]) and len(chosen) > 0
    assert any("November 2025" in s.value for s in at.subheader)


def test_a_link_to_a_period_that_is_not_there_warns_and_lists_the_whole_range(monkeypatch, page_store):
    at = open_page(monkeypatch, page_store, widgets={"service_grain": "month"}, service_group="Billing", service_period="2025-11-17")
    assert [w.value for w in at.warning] == [
        "The link names a period ('2025-11-17') with no month of tickets here; showing all periods."
    ]
    assert "service_period" not in at.query_params


def test_values_from_too_few_tickets_show_n_too_small(monkeypatch, page_store, synthetic):
    monkeypatch.setenv("CX_MIN_N", "150")
    at = open_page(monkeypatch, page_store)
    expected = expected_service_metrics(synthetic, shown_filters(at), 150, "category", "total")
    fcr = expected[expected["metric"] == "fcr"]
    assert fcr["suppressed"].all(), "the fixture must make every category's FCR too small at min n 150"
    assert at.dataframe[0].value["FCR"].tolist() == ["n too small"] * len(fcr)
    tiles = {m.label: m.value for m in at.metric}
    overall = expected_service_metrics(synthetic, shown_filters(at), 150, "all", "total")
    assert tiles["FCR"] == expected_text(overall, "fcr")
    assert (tiles["FCR"] == "n too small") == bool(overall.loc[overall["metric"] == "fcr", "suppressed"].iloc[0])


def test_a_period_without_tickets_says_what_to_do(monkeypatch, page_store):
    at = open_page(monkeypatch, page_store, url={"from": "2030-01-01", "to": "2030-03-31"})
    assert [i.value for i in at.info] == [
        "No tickets were created in this period for these filters. Widen the period or clear the segment, "
        "channel or region filters in the sidebar."
    ]
    assert not at.dataframe and not at.metric


def test_an_empty_store_points_to_the_data_page(monkeypatch):
    # a store that is not a local file gets no demo data
    at = open_page(monkeypatch, ":memory:")
    assert [i.value for i in at.info] == [
        "The store holds no tickets yet. Import a ticket export (for example from Zendesk) on the Data page."
    ]


def test_comparing_by_priority_orders_the_scorecard_by_urgency(monkeypatch, page_store, synthetic):
    at = open_page(monkeypatch, page_store, widgets={"service_by": "priority"})
    tickets = effective_tickets(synthetic, shown_filters(at))
    counts = tickets["priority"].value_counts()
    table = at.dataframe[0].value
    assert table[["Priority", "Tickets"]].values.tolist() == [[p, int(counts[p])] for p in ["low", "normal", "high", "urgent"]]
    assert [s.value for s in at.subheader][:2] == ["FCR by priority", "FCR per week"]


def nps_text(row) -> str:
    return "n too small" if row["suppressed"] else f"{row['nps']:+.1f} ± {row['margin_of_error']:.1f}".replace("-", "−")


@pytest.mark.parametrize("dimension", ["category", "priority"])
def test_the_scorecard_and_the_nps_charts_show_the_nps_after_a_ticket(monkeypatch, page_store, synthetic, dimension):
    """Both "NPS after a ticket" views come from one query: the scorecard's column per group of the
    chosen dimension, and the experiences that are significantly below customers without a ticket."""
    at = open_page(monkeypatch, page_store, widgets={"service_by": dimension})
    filters = shown_filters(at)
    groups = expected_nps_by_group(synthetic, filters, 10, dimension).set_index("group_value")
    table = at.dataframe[0].value
    label = service.DIMENSIONS[dimension]
    assert table["NPS after a ticket"].tolist() == [
        nps_text(groups.loc[g]) if g in groups.index else "n too small" for g in table[label]
    ]
    assert table["NPS n"].tolist() == [int(groups.loc[g, "n"]) if g in groups.index else 0 for g in table[label]]
    assert set(groups.index) <= set(table[label])

    experiences = expected_nps_by_experience(synthetic, filters, 10).set_index("experience")
    base = experiences.loc["no_ticket"]
    lower = []
    for name, row in experiences.drop(index="no_ticket").iterrows():
        if row["suppressed"] or base["suppressed"]:
            continue
        p1, d1, p0, d0 = row.promoters / row.n, row.detractors / row.n, base.promoters / base.n, base.detractors / base.n
        z = ((p1 - d1) - (p0 - d0)) / math.sqrt(((p1 + d1) - (p1 - d1) ** 2) / row.n + ((p0 + d0) - (p0 - d0) ** 2) / base.n)
        if z < -1.96:
            lower.append(service.EXPERIENCES[name].lower())
    captions = [c.value for c in at.caption if c.value.startswith("Significantly lower NPS")]
    assert captions == ([f"Significantly lower NPS than customers without a ticket (95 %): {', '.join(lower)}."] if lower else [])
    assert f"**After a ticket, by {label.lower()}**" in [m.value for m in at.markdown]
