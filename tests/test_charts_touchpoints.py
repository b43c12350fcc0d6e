"""The touchpoint chart builders, through chart.to_dict(): encodings, selection names, row counts,
suppressed cells drawn as "n too small" and never as numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from cxdata.charts import touchpoints as charts
from cxdata.filters import Filters
from cxdata.queries import touchpoints as queries
from tests.conftest import build_store
from tests.test_queries_touchpoints import RARE, TOUCHPOINTS, UNLISTED, touchpoint_tables


@pytest.fixture(scope="module")
def chart_store():
    store = build_store(touchpoint_tables())
    yield store
    store.close()


def dataset(spec: dict, column: str) -> list[dict]:
    """The one inline dataset whose rows carry `column`."""
    found = [rows for rows in spec["datasets"].values() if rows and column in rows[0]]
    assert len(found) == 1, f"{len(found)} datasets carry {column}"
    return found[0]


def layers(spec: dict) -> list[dict]:
    return spec["spec"]["layer"] if "spec" in spec else spec["layer"]


@pytest.mark.parametrize("metric", ["nps", "csat", "ces"])
def test_heatmap_draws_one_cell_per_touchpoint_and_channel(chart_store, metric):
    performance = queries.touchpoint_performance(chart_store, Filters(), metric, min_n=10)
    spec = charts.heatmap_chart(performance, metric).to_dict()
    cells = dataset(spec, "channel_label")
    assert len(cells) == len(performance)
    assert {(row["touchpoint"], row["channel"]) for row in cells} == set(zip(performance["touchpoint"], performance["channel"]))
    assert spec["params"] == [
        {"name": "touchpoint", "select": {"type": "point", "fields": ["touchpoint"], "on": "click"}, "views": spec["params"][0]["views"]}
    ]


def test_heatmap_runs_down_the_journey_grouped_by_stage(chart_store):
    performance = queries.touchpoint_performance(chart_store, Filters(), "nps", min_n=10)
    spec = charts.heatmap_chart(performance, "nps").to_dict()
    rect = layers(spec)[0]
    listed = sorted(TOUCHPOINTS, key=lambda t: t[2])
    assert rect["encoding"]["y"]["sort"] == [f"{name} · {mot}" for name, _, _, mot in listed] + [UNLISTED]
    assert spec["facet"]["row"]["field"] == "stage_label"
    assert spec["facet"]["row"]["sort"] == ["Awareness", "Consideration", "Purchase", "Service", "Loyalty", charts.UNKNOWN_STAGE]
    assert rect["encoding"]["x"]["sort"] == [charts.channel_label(c) for c in ["web", "app", "phone", "email", "chat", "store"]] + ["All channels"]


def test_heatmap_shows_suppressed_cells_as_n_too_small(chart_store):
    performance = queries.touchpoint_performance(chart_store, Filters(), "nps", min_n=10)
    spec = charts.heatmap_chart(performance, "nps").to_dict()
    cells = dataset(spec, "channel_label")
    hidden = [row for row in cells if row["suppressed"]]
    assert hidden and {row["touchpoint"] for row in hidden} >= {RARE}
    assert all(row["cell_text"] == "n too small" and row["value_text"] == "n too small" and row["value"] is None for row in hidden)
    shown = [row for row in cells if not row["suppressed"]]
    assert all(row["cell_text"] != "n too small" for row in shown)
    shown_rects, grey_rects = layers(spec)[:2]
    assert shown_rects["transform"] == [{"filter": "(!datum.suppressed)"}] and shown_rects["encoding"]["color"]["field"] == "value"
    assert grey_rects["transform"] == [{"filter": "datum.suppressed"}] and grey_rects["mark"]["color"] == charts.SUPPRESSED_COLOR
    assert "color" not in grey_rects["encoding"]
    assert all(any(t["field"] == "n_text" for t in layer["encoding"]["tooltip"]) for layer in (shown_rects, grey_rects))


@pytest.mark.parametrize(
    "metric, values, expected",
    [("nps", [-12.0, 37.0], [-40.0, 0.0, 40.0]), ("csat", [61.0, 88.0], [60.0, 90.0]), ("ces", [50.0, 50.0], [50.0, 55.0])],
)
def test_heatmap_colours_nps_around_zero_and_shares_over_their_range(metric, values, expected):
    performance = pd.DataFrame(
        {
            "touchpoint": ["A", "B"], "stage": ["awareness", "purchase"], "position": [1, 2], "moment_of_truth": [None, "FMOT"],
            "channel": ["web", "All channels"], "all_channels": [False, True], "metric": [metric] * 2, "n": [50, 60],
            "value": values, "margin_of_error": [5.0, 4.0], "suppressed": [False, False],
        }
    )
    spec = charts.heatmap_chart(performance, metric).to_dict()
    assert layers(spec)[0]["encoding"]["color"]["scale"]["domain"] == expected


def test_importance_chart_places_shown_attributes_with_median_lines(chart_store):
    importance = queries.importance_performance(chart_store, Filters(), min_n=10)
    spec = charts.importance_chart(importance).to_dict()
    points = dataset(spec, "quadrant")
    shown = importance[~importance["suppressed"].astype(bool)]
    assert sorted(row["attribute"] for row in points) == sorted(shown["attribute"])
    medians = dataset(spec, "median_x")
    assert medians == [{"median_x": shown["median_performance"].iloc[0], "median_y": shown["median_importance"].iloc[0]}]
    assert [param["name"] for param in spec["params"]] == ["attribute"]
    assert {row["quadrant"] for row in points} <= set(charts.QUADRANT_COLORS)


def test_trend_chart_breaks_its_line_at_suppressed_months(chart_store):
    trend = queries.touchpoint_trend(chart_store, Filters(), "Invoice & billing", min_n=22)
    assert trend["suppressed"].any() and not trend["suppressed"].all()
    spec = charts.trend_chart(trend, "Invoice & billing").to_dict()
    rows = dataset(spec, "nps_text")
    assert len(rows) == len(trend)
    by_month = {pd.Timestamp(row["month"]).date(): row for row in rows}
    for month, suppressed in zip(pd.to_datetime(trend["month"]).dt.date, trend["suppressed"]):
        assert (by_month[month]["nps"] is None) == bool(suppressed)


def test_verbatim_table_reads_as_words_and_dates(chart_store):
    verbatims = queries.touchpoint_verbatims(chart_store, Filters(), "Delivery", min_n=10)
    table = charts.verbatim_table(verbatims)
    assert list(table.columns) == list(charts.VERBATIM_COLUMNS.values())
    assert len(table) == len(verbatims)
    first = verbatims.iloc[0]
    assert table.iloc[0]["Date"] == f"{first['responded_at']:%d.%m.%Y %H:%M}"
    assert table.iloc[0]["Comment"] == first["comment"]
    assert set(table["NPS answer"]) <= {""} | {str(n) for n in range(11)}
    assert set(table["Promoter / detractor"]) <= {"", "Promoter", "Passive", "Detractor"}
