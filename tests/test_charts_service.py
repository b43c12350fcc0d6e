"""Service chart builders through chart.to_dict(): encodings, selection names, rows drawn, suppression."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cxdata import palette
from cxdata.charts import service as charts
from cxdata.filters import Filters
from cxdata.queries import service

FCR = service.METRICS["fcr"]
RESOLUTION = service.METRICS["resolution_median"]


def metric_rows(rows: list[tuple]) -> pd.DataFrame:
    """service_metrics rows from (period_start, group, metric, n, value, margin, suppressed)."""
    frame = pd.DataFrame(rows, columns=["period_start", "group_value", "metric", "n", "value", "margin_of_error", "suppressed"])
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["period_end"] = frame["period_start"] + pd.Timedelta(days=6)
    frame["is_partial"] = False
    frame["metric_order"] = frame["metric"].map({key: i for i, key in enumerate(service.METRICS, start=1)})
    frame["hits"] = None
    return frame


TOTALS = metric_rows([
    (None, "Billing", "fcr", 120, 35.0, 8.5, False),
    (None, "Delivery", "fcr", 300, 75.0, 4.9, False),
    (None, "Account", "fcr", 4, None, None, True),
    (None, "Technical", "fcr", 200, 66.0, 6.6, False),
    (None, "Billing", "resolution_median", 120, 40.0, None, False),
    (None, "Delivery", "resolution_median", 300, 12.0, None, False),
    (None, "Account", "resolution_median", 4, None, None, True),
    (None, "Technical", "resolution_median", 200, 20.0, None, False),
    *[(None, group, "tickets", n, float(n), None, False) for group, n in (("Billing", 130), ("Delivery", 310), ("Account", 5), ("Technical", 210))],
])


def spec_of(chart) -> dict:
    return chart.to_dict()


def layer_data(spec: dict, layer: dict) -> list[dict]:
    data = layer.get("data") or spec.get("data")
    return spec["datasets"][data["name"]] if "name" in data else data.get("values", [])


def layers_with(spec: dict, mark: str) -> list[dict]:
    return [layer for layer in spec["layer"] if (layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]) == mark]


def test_group_bars_draw_each_shown_group_worst_first_with_a_named_selection():
    spec = spec_of(charts.group_bars(TOTALS, FCR, "category", overall=62.0))
    bars = layers_with(spec, "bar")[0]
    params = spec.get("params", []) + [p for layer in spec["layer"] for p in layer.get("params", [])]
    assert [(p["name"], p["select"]["fields"]) for p in params] == [("service_group", ["group_value"])]
    drawn = layer_data(spec, bars)
    # worst FCR first; the suppressed group has no bar
    assert [(row["group_value"], row["value"]) for row in drawn] == [("Billing", 35.0), ("Technical", 66.0), ("Delivery", 75.0)]
    assert bars["encoding"]["y"]["sort"] == ["Billing · n = 120", "Technical · n = 200", "Delivery · n = 300", "Account · n = 4"]
    assert bars["encoding"]["x"]["title"] == "First contact resolution (%)"
    assert bars["encoding"]["x"]["scale"] == {"domain": [0, 100]}


def test_group_bars_write_n_too_small_for_a_suppressed_group_never_its_value():
    spec = spec_of(charts.group_bars(TOTALS, FCR, "category"))
    notes = [layer for layer in layers_with(spec, "text") if layer["encoding"]["text"] == {"value": "n too small: not shown"}]
    assert [row["group_value"] for row in layer_data(spec, notes[0])] == ["Account"]
    assert all(row["value"] is None or pd.isna(row["value"]) for row in layer_data(spec, notes[0]))


def test_group_bars_put_the_slowest_group_first_for_a_time():
    spec = spec_of(charts.group_bars(TOTALS, RESOLUTION, "category"))
    drawn = layer_data(spec, layers_with(spec, "bar")[0])
    assert [row["group_value"] for row in drawn] == ["Billing", "Technical", "Delivery"]
    assert layers_with(spec, "bar")[0]["encoding"]["x"]["title"] == "Full resolution time (median) (hours)"
    assert not layers_with(spec, "rule"), "times carry no margin and no overall was given"


def test_overall_value_is_drawn_as_a_dashed_rule():
    spec = spec_of(charts.group_bars(TOTALS, FCR, "category", overall=62.0))
    rules = [layer for layer in layers_with(spec, "rule") if layer["encoding"]["x"]["field"] == "overall"]
    assert [row["overall"] for row in layer_data(spec, rules[0])] == [62.0]


WEEKS = metric_rows([
    ("2025-05-05", "web", "fcr", 40, 70.0, 14.0, False),
    ("2025-05-12", "web", "fcr", 3, None, None, True),
    ("2025-05-19", "web", "fcr", 38, 60.0, 15.0, False),
    ("2025-05-05", "phone", "fcr", 50, 80.0, 11.0, False),
    ("2025-05-05", "web", "tickets", 50, 50.0, None, False),
    ("2025-05-12", "web", "tickets", 9, 9.0, None, False),
    ("2025-05-19", "web", "tickets", 44, 44.0, None, False),
])


def test_trend_lines_break_at_suppressed_weeks_and_keep_channel_colours():
    spec = spec_of(charts.trend_lines(WEEKS, FCR, "channel", "week"))
    line = layers_with(spec, "line")[0]
    drawn = layer_data(spec, line)
    # the suppressed week stays as a gap with no value: the line breaks instead of bridging it
    assert [(row["group_value"], row["period_axis"], row["value"]) for row in drawn] == [
        ("phone", "05.05.25", 80.0), ("web", "05.05.25", 70.0), ("web", "12.05.25", None), ("web", "19.05.25", 60.0)
    ]
    assert line["encoding"]["x"]["sort"] == ["05.05.25", "12.05.25", "19.05.25"]
    assert line["mark"]["invalid"] == "break-paths-show-domains"
    points = layers_with(spec, "point")[0]
    assert points["transform"] == [{"filter": "isValid(datum.value)"}]
    color = line["encoding"]["color"]
    assert color["scale"]["domain"][: len(palette.CHANNELS)] == palette.CHANNELS
    assert color["scale"]["range"][: len(palette.CHANNELS)] == palette.CHANNEL_COLORS
    # the legend lists only the channels there are
    assert color["legend"]["values"] == ["web", "phone"]


def test_a_groups_ticket_bars_have_one_clickable_bar_per_period_with_every_metric_in_the_tooltip():
    spec = spec_of(charts.group_ticket_bars(WEEKS, "web", "week"))
    assert [(p["name"], p["select"]["fields"]) for p in spec["params"]] == [("service_period", ["period_key"])]
    drawn = spec["datasets"][spec["data"]["name"]]
    assert [(row["period_key"], row["tickets"], row["fcr_text"]) for row in drawn] == [
        ("2025-05-05", 50, "70.0 %"), ("2025-05-12", 9, "n too small"), ("2025-05-19", 44, "60.0 %")
    ]
    assert [t["title"] for t in spec["encoding"]["tooltip"]] == ["Period"] + [m.label for m in service.METRICS.values()]


def test_backlog_bars_stack_the_age_bands_oldest_darkest(metric_store):
    filters = Filters(dt.date(2025, 3, 1), dt.date(2025, 5, 31))
    backlog = service.backlog(metric_store, filters, "month")
    spec = spec_of(charts.backlog_bars(backlog, "month"))
    drawn = spec["datasets"][spec["data"]["name"]]
    assert len(drawn) == 3 * 5 == len(backlog)
    assert sum(row["open_tickets"] for row in drawn) == int(backlog["open_tickets"].sum())
    color = spec["encoding"]["color"]
    assert color["scale"] == {"domain": ["Under 1 day", "1–3 days", "3–7 days", "1–4 weeks", "Over 4 weeks"], "range": charts.AGE_BAND_COLORS}


EXPERIENCE = pd.DataFrame({
    "experience_order": [1, 2, 3, 4, 5],
    "experience": ["no_ticket", "first_contact", "not_first_contact", "reopened", "still_open"],
    "n": [900, 120, 300, 80, 6],
    "promoters": [400, 50, 90, 10, 1],
    "detractors": [200, 30, 120, 50, 3],
    "suppressed": [False, False, False, False, True],
    "nps": [22.2, 16.7, -10.0, -50.0, None],
    "margin_of_error": [5.0, 15.0, 9.0, 17.0, None],
    "z_vs_no_ticket": [None, -0.7, -5.5, -8.0, None],
})


def test_experience_bars_show_nps_with_range_and_test_result_and_hide_small_groups():
    spec = spec_of(charts.experience_bars(EXPERIENCE))
    bars = layers_with(spec, "bar")[0]
    drawn = layer_data(spec, bars)
    assert [(row["label"], row["nps_text"], row["versus"]) for row in drawn] == [
        ("No ticket · n = 900", "+22.2 ± 5.0", "the baseline"),
        ("Resolved at first contact · n = 120", "+16.7 ± 15.0", "no significant difference"),
        ("Resolved, not at first contact · n = 300", "−10.0 ± 9.0", "significantly lower"),
        ("Reopened · n = 80", "−50.0 ± 17.0", "significantly lower"),
    ]
    # from the lowest range end (−67, down to −80 in steps of ten plus one) to the highest (31.7, up to 40 plus
    # 20 for the labels)
    assert bars["encoding"]["x"]["scale"] == {"domain": [-80, 60], "nice": False}
    notes = [layer for layer in layers_with(spec, "text") if layer["encoding"]["text"] == {"value": "n too small: not shown"}]
    assert [row["label"] for row in layer_data(spec, notes[0])] == ["Ticket still open · n = 6"]


def test_scorecard_has_one_row_per_group_and_writes_n_too_small():
    nps = pd.DataFrame({
        "group_value": ["Billing", "Delivery"], "n": [200, 5], "nps": [-20.0, None],
        "margin_of_error": [9.0, None], "suppressed": [False, True],
    })
    table = charts.scorecard(TOTALS, nps.assign(promoters=0, detractors=0), "category")
    assert table.columns.tolist() == ["Category", "Tickets"] + [m.short for key, m in service.METRICS.items() if key != "tickets"] + [
        "NPS after a ticket", "NPS n"]
    assert table["Tickets"].tolist() == [5, 130, 310, 210]
    assert table["Category"].tolist() == ["Account", "Billing", "Delivery", "Technical"]
    assert table["FCR"].tolist() == ["n too small", "35.0 %", "75.0 %", "66.0 %"]
    assert table["NPS after a ticket"].tolist() == ["n too small", "−20.0 ± 9.0", "n too small", "n too small"]
    assert table["NPS n"].tolist() == [0, 200, 5, 0]


@pytest.mark.parametrize("dimension, values, expected", [
    ("priority", ["urgent", "low", "Not recorded", "high", "normal"], ["low", "normal", "high", "urgent", "Not recorded"]),
    ("category", ["Returns", "Not recorded", "Billing"], ["Billing", "Returns", "Not recorded"]),
])
def test_groups_are_ordered_by_urgency_or_name_with_unrecorded_last(dimension, values, expected):
    assert charts.group_order(dimension, values) == expected


def test_nps_after_a_ticket_of_each_group_is_worst_first_with_the_no_ticket_baseline():
    nps = pd.DataFrame({
        "group_value": ["Billing", "Delivery", "Returns"], "n": [400, 350, 7], "promoters": [100, 150, 3],
        "detractors": [180, 60, 2], "suppressed": [False, False, True], "nps": [-20.0, 25.7, None],
        "margin_of_error": [8.0, 8.5, None],
    })
    spec = spec_of(charts.group_nps_bars(nps, "category", baseline=31.0))
    drawn = layer_data(spec, layers_with(spec, "bar")[0])
    assert [(row["label"], row["nps_text"], row["direction"]) for row in drawn] == [
        ("Billing · n = 400", "−20.0 ± 8.0", "down"), ("Delivery · n = 350", "+25.7 ± 8.5", "up")
    ]
    baseline = [layer for layer in layers_with(spec, "rule") if layer["encoding"]["x"]["field"] == "baseline"]
    assert [row["baseline"] for row in layer_data(spec, baseline[0])] == [31.0]
    notes = [layer for layer in layers_with(spec, "text") if layer["encoding"]["text"] == {"value": "n too small: not shown"}]
    assert [row["label"] for row in layer_data(spec, notes[0])] == ["Returns · n = 7"]


def test_ticket_table_writes_durations_and_outcomes_for_people_and_numbers_for_the_csv():
    tickets = pd.DataFrame({
        "ticket_id": ["T2", "T1"], "customer_id": ["C1", None], "created_at": pd.to_datetime(["2025-05-02", "2025-05-01"]),
        "channel": ["web", "phone"], "category": ["Billing", "Billing"], "priority": ["low", "high"],
        "status": ["open", "solved"], "replies": [0, 1], "reopens": [0, 0],
        "resolved_at_first_contact": pd.array([None, True], dtype="boolean"),
        "first_response_hours": [None, 0.25], "resolution_hours": [None, 30.04], "csat": pd.array([None, 5], dtype="Int64"),
        "tickets_in_list": [2, 2],
    })
    readable = charts.ticket_table(tickets, "category")
    assert readable[["Ticket", "Resolved at first contact", "First response", "Resolution"]].values.tolist() == [
        ["T2", "—", "no reply yet", "not resolved"], ["T1", "yes", "15 min", "30.0 h"],
    ]
    assert "Category" not in readable.columns and "Channel" in readable.columns
    for_csv = charts.ticket_table(tickets, "channel", readable=False)
    assert "Channel" not in for_csv.columns
    assert for_csv["Resolution (hours)"].tolist()[1] == 30.04 and pd.isna(for_csv["Resolution (hours)"].tolist()[0])
