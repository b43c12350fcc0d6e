"""The NPS chart builders through chart.to_dict(): encodings, named selections, the rows they draw."""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pytest

from cxdata import overview, palette
from cxdata.charts import nps as charts
from cxdata.filters import Filters
from cxdata.queries import nps as queries
from tests.conftest import build_store

WINDOW = Filters(dt.date(2025, 4, 1), dt.date(2025, 9, 30))


def selection_params(spec: dict) -> list[dict]:
    params = spec.get("params", []) + [p for layer in spec.get("layer", []) for p in layer.get("params", [])]
    return [p for p in params if "select" in p]


def datasets(spec: dict) -> list[list[dict]]:
    return list(spec["datasets"].values())


def main_rows(spec: dict, column: str) -> list[dict]:
    """The largest dataset that has `column`: the rows the chart's main marks are drawn from."""
    return max((rows for rows in datasets(spec) if rows and column in rows[0]), key=len)


def min_n_between(store, grain: str, split: str, period: str | None = None) -> int:
    """A min n above the median group, so that a case holds both shown and suppressed groups."""
    if period is None:
        sizes = queries.nps_by_period(store, WINDOW, 1, grain, split)["n"]
    else:
        sizes = queries.nps_mix(store, WINDOW, 1, grain, period, split).drop_duplicates("split_value")["n"]
    return int(sizes.median()) + 1


def point_layer(spec: dict) -> dict:
    (layer,) = [layer for layer in spec["layer"] if layer["mark"]["type"] == "point"]
    return layer


def layer_marks(spec: dict) -> list[str]:
    return [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]]


@pytest.mark.parametrize("grain, split", [("month", "none"), ("week", "channel"), ("month", "segment")])
def test_trend_draws_only_unsuppressed_points_with_a_period_selection(metric_store, grain, split):
    trend = queries.nps_by_period(metric_store, WINDOW, min_n_between(metric_store, grain, split), grain, split)
    assert trend["suppressed"].any() and not trend["suppressed"].all(), "the case must hold both kinds of point"
    spec = charts.trend_chart(trend, grain, split).to_dict()
    (selection,) = selection_params(spec)
    assert (selection["name"], selection["select"]["fields"], selection["select"]["on"]) == ("period", ["period"], "click")
    rows = main_rows(spec, "period")
    shown = trend[~trend["suppressed"]]
    assert sorted((r["period"], r["split_value"]) for r in rows) == sorted(zip(shown["period"], shown["split_value"]))
    assert [r["nps"] for r in sorted(rows, key=lambda r: (r["period"], r["split_value"]))] == pytest.approx(
        shown.sort_values(["period", "split_value"])["nps"].tolist()
    )
    low, high = spec["layer"][0]["encoding"]["y"]["scale"]["domain"]
    assert -100 <= low <= shown["nps_low"].min() and shown["nps_high"].max() <= high <= 100
    # the zero line only when zero is on the axis
    assert layer_marks(spec) == ["area"] + (["rule"] if low < 0 < high else []) + ["line", "point"]


def test_trend_colours_channels_with_the_palette_and_an_unsplit_line_with_the_accent(metric_store):
    by_channel = charts.trend_chart(queries.nps_by_period(metric_store, WINDOW, 10, "month", "channel"), "month", "channel")
    color = point_layer(by_channel.to_dict())["encoding"]["color"]
    assert (color["field"], color["scale"]["domain"][:6], color["scale"]["range"][:6]) == (
        "split_value", palette.CHANNELS, palette.CHANNEL_COLORS
    )
    unsplit = charts.trend_chart(queries.nps_by_period(metric_store, WINDOW, 10, "month", "none"), "month", "none")
    assert point_layer(unsplit.to_dict())["encoding"]["color"] == {"value": palette.ACCENT}


def test_trend_tooltips_name_the_period_the_band_and_n(metric_store):
    spec = charts.trend_chart(queries.nps_by_period(metric_store, WINDOW, 10, "month", "segment"), "month", "segment").to_dict()
    titles = [t["title"] for t in point_layer(spec)["encoding"]["tooltip"]]
    assert titles == ["Period", "Segment", "NPS", "95 % range", "Promoters (%)", "Detractors (%)", "Answers (n)"]
    first = min(main_rows(spec, "period"), key=lambda r: (r["period"], r["split_value"]))
    assert first["period_label"] == "April 2025"
    assert first["band"] == f"{charts.signed(first['nps_low'])} to {charts.signed(first['nps_high'])}"


def test_trend_marks_the_chosen_period_and_shades_the_previous_period(metric_store):
    trend = queries.nps_by_period(metric_store, WINDOW, 10, "month", "none")
    spec = charts.trend_chart(trend, "month", "none", chosen_period="2025-06", current_from=dt.date(2025, 7, 1)).to_dict()
    assert layer_marks(spec)[:2] == ["rect", "text"] and layer_marks(spec)[-3:] == ["line", "point", "rule"]
    shading = [rows for rows in datasets(spec) if rows and "label" in rows[0]]
    assert [(r["label"], r["start"][:10], r["end"][:10]) for r in shading[0]] == [("Previous period", "2025-04-01", "2025-07-01")]
    chosen = [rows for rows in datasets(spec) if rows and list(rows[0]) == ["period_start"]]
    assert [r["period_start"][:10] for r in chosen[0]] == ["2025-06-01"]


def test_a_trend_of_only_suppressed_points_draws_no_points(metric_store):
    trend = queries.nps_by_period(metric_store, WINDOW, 10_000, "month", "none")
    spec = charts.trend_chart(trend, "month", "none").to_dict()
    assert [rows for rows in datasets(spec) if rows and "period" in rows[0]] == []


def test_mix_draws_three_classes_per_group_and_one_grey_bar_for_a_suppressed_group(metric_store):
    mix = queries.nps_mix(metric_store, WINDOW, min_n_between(metric_store, "month", "channel", "2025-05"), "month", "2025-05", "channel")
    hidden = sorted(mix.loc[mix["suppressed"], "split_value"].unique())
    shown = sorted(mix.loc[~mix["suppressed"], "split_value"].unique())
    assert hidden and shown, "the case must hold both kinds of group"
    spec = charts.mix_chart(mix, "channel").to_dict()
    rows = main_rows(spec, "split_value")
    assert sorted((r["split_value"], r["nps_class"]) for r in rows) == sorted(
        [(value, klass) for value in shown for klass in palette.NPS_CLASSES] + [(value, "n too small") for value in hidden]
    )
    for row in rows:
        if row["nps_class"] == "n too small":
            assert (row["share"], row["share_text"], row["nps_text"]) == (100.0, "", "n too small")
            assert row["answers"] is None
    (selection,) = selection_params(spec)
    assert (selection["name"], selection["select"]["fields"]) == ("split_value", ["split_value"])
    color = spec["layer"][0]["encoding"]["color"]["scale"]
    assert color == {"domain": palette.NPS_CLASSES + ["n too small"], "range": palette.NPS_CLASS_COLORS + [charts.SUPPRESSED_COLOR]}


def test_mix_puts_the_worst_group_on_top_and_leaves_the_grey_class_out_when_nothing_is_suppressed(metric_store):
    mix = queries.nps_mix(metric_store, WINDOW, 10, "month", "2025-05", "segment")
    mix = mix[mix["split_value"] != "Not recorded"]
    assert not mix["suppressed"].any()
    spec = charts.mix_chart(mix, "segment").to_dict()
    order = spec["layer"][0]["encoding"]["y"]["sort"]
    by_nps = mix.drop_duplicates("split_value").sort_values("nps")
    assert [label.split(" · ")[0] for label in order] == by_nps["split_value"].tolist()
    assert spec["layer"][0]["encoding"]["color"]["scale"]["domain"] == palette.NPS_CLASSES


def test_what_moved_draws_the_significant_groups_biggest_change_first_and_is_clickable(metric_store):
    rng = random.Random(5)
    rows = []
    # app falls, web rises, phone stays where it was
    for month, scores in ((1, {"app": [10, 9, 8], "web": [0, 5, 8], "phone": [10, 8, 2]}), (2, {"app": [0, 3, 8], "web": [10, 9, 8], "phone": [10, 8, 2]})):
        for i in range(900):
            channel = ["app", "web", "phone"][i % 3]
            rows.append({"response_id": f"R{month}-{i}", "responded_at": dt.datetime(2025, month, 1 + i % 28, 12),
                         "channel": channel, "nps": rng.choice(scores[channel])})
    store = build_store({"responses": pd.DataFrame(rows)})
    moved = overview.what_moved(store, Filters(dt.date(2025, 2, 1), dt.date(2025, 2, 28)), 10)
    significant = moved[moved["significant"].fillna(False).astype(bool)]
    assert sorted(significant["value"]) == ["app", "web"]
    # the whole what_moved result: the chart leaves out what did not move significantly (phone)
    spec = charts.what_moved_chart(moved).to_dict()
    (selection,) = selection_params(spec)
    assert (selection["name"], selection["select"]["fields"]) == ("moved", ["key"])
    rows = main_rows(spec, "key")
    assert sorted(r["key"] for r in rows) == sorted(significant["dimension"] + "|" + significant["value"])
    order = spec["layer"][0]["encoding"]["y"]["sort"]
    changes = {f"{charts.DIMENSION_LABELS[d]}: {v}": c for d, v, c in zip(significant["dimension"], significant["value"], significant["change"])}
    assert [abs(changes[label]) for label in order] == sorted((abs(c) for c in changes.values()), reverse=True)
    assert {r["direction"] for r in rows} == {"up" if c > 0 else "down" for c in changes.values()}


@pytest.mark.parametrize(
    "lows, highs, expected",
    [([-3.0], [12.0], [-10.0, 20.0]), ([-99.0], [100.0], [-100.0, 100.0]), ([31.0], [44.0], [20.0, 50.0])],
)
def test_the_nps_axis_holds_every_band_with_some_air(lows, highs, expected):
    assert charts.nps_domain(pd.DataFrame({"nps_low": lows, "nps_high": highs})) == expected
