"""The journey chart builders, through chart.to_dict(): the touchpoints along the axis, the
selection name, pain points and wow moments labelled, suppressed touchpoints never drawn as numbers."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from cxdata.charts import journey as charts
from cxdata.filters import Filters
from cxdata.queries import journey as queries
from tests.conftest import build_store
from tests.test_queries_journey import PAIN, RARE, WOW, journey_tables


@pytest.fixture(scope="module")
def chart_store():
    store = build_store(journey_tables())
    yield store
    store.close()


@pytest.fixture(scope="module")
def overall(chart_store) -> pd.DataFrame:
    return queries.journey_map(chart_store, Filters(), "none", min_n=10)


def rows_with(spec: dict, column: str) -> list[list[dict]]:
    return [rows for rows in spec["datasets"].values() if rows and column in rows[0]]


def find_layers(spec: dict, mark: str) -> list[dict]:
    return [layer for layer in spec["layer"] if (layer["mark"] if isinstance(layer["mark"], str) else layer["mark"]["type"]) == mark]


def test_emotion_chart_names_every_touchpoint_in_journey_order(overall):
    spec = charts.emotion_chart(overall).to_dict()
    axis = next(layer["encoding"]["x"]["axis"] for layer in spec["layer"] if "axis" in layer["encoding"].get("x", {}))
    names = json.loads(axis["labelExpr"].split("[datum.value]")[0])
    assert names == [""] + overall.sort_values("journey_step")["touchpoint"].tolist()
    assert axis["values"] == sorted(overall["journey_step"].tolist())
    assert axis["labelOverlap"] is False


def test_emotion_chart_labels_the_pain_point_and_the_wow_moment(overall):
    spec = charts.emotion_chart(overall).to_dict()
    labels = [row["label"] for rows in rows_with(spec, "label") for row in rows if row["label"]]
    assert sorted(set(labels)) == sorted(
        f"{'▼' if moment == 'pain point' else '▲'} {tp} ({charts._emotion_text(e)})"
        for tp, moment, e in zip(overall["touchpoint"], overall["moment"], overall["mean_emotion"])
        if isinstance(moment, str)
    )
    assert any(label.startswith(f"▼ {PAIN}") for label in labels) and any(label.startswith(f"▲ {WOW}") for label in labels)
    assert [param["name"] for param in spec["params"]] == ["journey_touchpoint"]
    assert spec["params"][0]["select"]["fields"] == ["touchpoint"]


def test_emotion_chart_leaves_suppressed_touchpoints_out_of_the_curve(overall):
    spec = charts.emotion_chart(overall).to_dict()
    line_rows = max(rows_with(spec, "emotion_suppressed"), key=len)
    assert len(line_rows) == len(overall)
    rare = next(row for row in line_rows if row["touchpoint"] == RARE)
    assert rare["mean_emotion"] is None and rare["emotion_text"] == "n too small"
    clickable = [rows for rows in rows_with(spec, "emotion_suppressed") if len(rows) < len(overall)]
    assert clickable and all(not row["emotion_suppressed"] for row in clickable[0])


def test_stage_bands_cover_the_touchpoints_of_each_stage(overall):
    spans = charts.stage_spans(overall)
    assert spans["stage_label"].tolist() == ["Awareness", "Consideration", "Purchase", "Service", "Loyalty"]
    for span in spans.itertuples():
        inside = overall[(overall["journey_step"] >= span.first) & (overall["journey_step"] <= span.last)]
        assert {charts.stage_label(stage) for stage in inside["stage"]} == {span.stage_label}
    assert spans["first"].iloc[0] == 1 and spans["last"].iloc[-1] == overall["journey_step"].max()


@pytest.mark.parametrize("split_by", ["segment", "channel"])
def test_compared_curves_break_where_a_group_has_no_rated_events(chart_store, overall, split_by):
    compared = queries.journey_map(chart_store, Filters(), split_by, min_n=10)
    lines = charts.comparison_lines(compared)
    groups = compared["compared_group"].nunique()
    assert len(lines) == groups * overall["journey_step"].nunique()
    shown = compared[~compared["emotion_suppressed"].astype(bool)]
    assert lines["mean_emotion"].notna().sum() == len(shown)
    spec = charts.emotion_chart(overall, compared, split_by).to_dict()
    assert sum(len(rows) for rows in rows_with(spec, "group_label")) == len(lines)


def test_abandonment_chart_shows_each_rate_or_n_too_small(overall):
    spec = charts.abandonment_chart(overall, PAIN).to_dict()
    rows = max(rows_with(spec, "bar_text"), key=len)
    assert len(rows) == len(overall)
    by_touchpoint = {row["touchpoint"]: row for row in rows}
    for touchpoint, rate, suppressed in zip(overall["touchpoint"], overall["abandonment_rate"], overall["suppressed"]):
        expected = "n too small" if suppressed else f"{rate:.0f} %"
        assert by_touchpoint[touchpoint]["bar_text"] == expected
    assert by_touchpoint[PAIN]["kind"] == "Pain point" and by_touchpoint[RARE]["kind"] == "n too small"
    assert [param["name"] for param in spec["params"]] == ["journey_touchpoint"]


@pytest.mark.parametrize("min_n", [10, 10_000])
def test_nps_comparison_never_draws_a_suppressed_group(chart_store, min_n):
    row = queries.touchpoint_nps(chart_store, Filters(), PAIN, min_n=min_n).iloc[0]
    groups = charts.nps_comparison(row, PAIN)
    assert groups["group"].tolist() == [f"Went through {PAIN}", "Journeys without it"]
    for prefix, group in zip(("through", "other"), groups.itertuples()):
        if row[f"{prefix}_suppressed"]:
            assert group.nps_text == "n too small" and pd.isna(group.nps)
        else:
            assert group.nps == pytest.approx(row[f"{prefix}_nps"])
            assert group.low == pytest.approx(row[f"{prefix}_nps"] - row[f"{prefix}_margin"])
    charts.nps_comparison_chart(row, PAIN).to_dict()


def test_tables_read_as_words(chart_store):
    journeys = queries.touchpoint_journeys(chart_store, Filters(), PAIN, min_n=10)
    table = charts.journeys_table(journeys, PAIN)
    assert list(table.columns) == list(charts.JOURNEY_COLUMNS.values()) and len(table) == len(journeys)
    expected = [
        ("Abandoned here" if here else f"Abandoned at {at}") if outcome == "abandoned" else {"completed": "Completed", "open": "Still open"}[outcome]
        for outcome, here, at in zip(journeys["outcome"], journeys["abandoned_here"], journeys["abandoned_at"])
    ]
    assert table["How it ended"].tolist() == expected
    comments = queries.touchpoint_comments(chart_store, Filters(), PAIN, min_n=10)
    comment_table = charts.comments_table(comments)
    assert list(comment_table.columns) == list(charts.COMMENT_COLUMNS.values()) and len(comment_table) == len(comments)
    assert comment_table["Answer about"].str.startswith("★").tolist() == comments["about_this_touchpoint"].tolist()
