"""Service charts and tables: a metric by group and over time, a group's tickets, the backlog by age,
NPS by ticket experience.

Pure functions DataFrame -> alt.Chart (or a display DataFrame). Suppressed values never appear
as numbers: bars become a grey "n too small" note, trend points are left out of the line.
"""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from cxdata import palette
from cxdata.queries.service import DIMENSIONS, EXPERIENCES, METRICS, PRIORITY_ORDER, ServiceMetric

SUPPRESSED_TEXT = "n too small"
SUPPRESSED_COLOR = "#c9c9c9"
CATEGORY_COLORS = ["#4c78a8", "#e45756", "#54a24b", "#eeca3b", "#b279a2", "#72b7b2", "#ff9da6", "#9d755d", "#bab0ac"]
PRIORITY_COLORS = ["#9ecae1", "#4292c6", "#f16913", "#a50f15"]
# older open tickets are the worrying ones: the band darkens with age
AGE_BAND_COLORS = ["#fee8c8", "#fdbb84", "#fc8d59", "#e34a33", "#990000"]
GOOD_COLOR = palette.NPS_CLASS_COLORS[2]
BAD_COLOR = palette.NPS_CLASS_COLORS[0]
N_NOUN = {
    "tickets": "tickets",
    "fcr": "resolved tickets",
    "first_response_median": "tickets with a first response",
    "first_response_p90": "tickets with a first response",
    "resolution_median": "resolved tickets",
    "resolution_p90": "resolved tickets",
    "reopen_rate": "tickets resolved at least once",
    "csat": "ticket ratings",
}


# -- words and numbers ----------------------------------------------------------------
def format_value(metric: ServiceMetric, value: float | None) -> str:
    if value is None or pd.isna(value):
        return SUPPRESSED_TEXT
    if metric.unit == "%":
        return f"{value:.1f} %"
    if metric.unit == "hours":
        return f"{value:.1f} h"
    return f"{int(value):,}".replace(",", " ")


def format_count(n: float | int | None) -> str:
    return "0" if n is None or pd.isna(n) else f"{int(n):,}".replace(",", " ")


def signed(value: float) -> str:
    return f"{value:+.1f}".replace("-", "−")


def period_label(start: object, end: object, grain: str, is_partial: bool = False) -> str:
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if grain == "month":
        label = f"{start:%B %Y}"
    else:
        label = f"Week {start.isocalendar().week} ({start:%d.%m.} – {end:%d.%m.%Y})"
    return label + (" · cut by the date filter" if is_partial else "")


def axis_label(start: object, grain: str) -> str:
    """A period on an axis: "Aug 2026" or the week's Monday, "03.08.26"."""
    return f"{pd.Timestamp(start):%b %Y}" if grain == "month" else f"{pd.Timestamp(start):%d.%m.%y}"


def axis_title(metric: ServiceMetric) -> str:
    unit = {"%": " (%)", "hours": " (hours)", "tickets": " (tickets)"}[metric.unit]
    return metric.label + unit


def group_order(dimension: str, values: list[str]) -> list[str]:
    """Priorities by urgency, anything else alphabetically; "Not recorded" last."""
    known = [value for value in PRIORITY_ORDER if value in values] if dimension == "priority" else []
    rest = sorted(value for value in values if value not in known and value != "Not recorded")
    return known + rest + (["Not recorded"] if "Not recorded" in values else [])


def group_scale(dimension: str, values: list[str]) -> alt.Scale:
    """The same group has the same colour in every chart of the page (channels: everywhere)."""
    if dimension == "channel":
        return palette.split_scale("channel", values)
    ordered = group_order(dimension, values)
    if dimension == "priority":
        colors = [PRIORITY_COLORS[PRIORITY_ORDER.index(v)] if v in PRIORITY_ORDER else SUPPRESSED_COLOR for v in ordered]
    else:
        colors = [CATEGORY_COLORS[i % len(CATEGORY_COLORS)] for i in range(len(ordered))]
    return alt.Scale(domain=ordered, range=colors)


def _metric_rows(metrics: pd.DataFrame, metric: ServiceMetric) -> pd.DataFrame:
    return metrics[metrics["metric"] == metric.key].copy()


# -- a metric by group: the bar chart to click ------------------------------------------
def group_bar_rows(metrics: pd.DataFrame, metric: ServiceMetric) -> pd.DataFrame:
    """The rows the group bars draw, worst first; suppressed groups keep their n but no value."""
    rows = _metric_rows(metrics, metric)
    rows["suppressed"] = rows["suppressed"].astype(bool)
    rows["value_text"] = [format_value(metric, None if s else v) for v, s in zip(rows["value"], rows["suppressed"])]
    rows["n_text"] = [format_count(n) for n in rows["n"]]
    rows["group_label"] = [f"{g} · n = {t}" for g, t in zip(rows["group_value"], rows["n_text"])]
    margin = rows["margin_of_error"].astype("Float64")
    value = rows["value"].astype("Float64")
    rows["low"] = (value - margin).clip(lower=0).astype(float)
    rows["high"] = (value + margin).clip(upper=100).astype(float)
    worst_first = metric.higher_is_better is True
    rows = rows.sort_values(["suppressed", "value", "group_value"], ascending=[True, worst_first, True], na_position="last")
    return rows[["group_value", "group_label", "n", "n_text", "value", "value_text", "low", "high", "suppressed"]].reset_index(drop=True)


def group_bars(
    metrics: pd.DataFrame, metric: ServiceMetric, dimension: str, overall: float | None = None, chosen: str | None = None
) -> alt.LayerChart:
    """One bar per group (worst first), its 95 % range for shares, a dashed rule at the overall value;
    click a bar to open its tickets (selection "service_group")."""
    rows = group_bar_rows(metrics, metric)
    order = rows["group_label"].tolist()
    values = rows["group_value"].tolist()
    pick = alt.selection_point(name="service_group", fields=["group_value"], on="click")
    # every group is named: Vega would otherwise drop every other label when they crowd
    y = alt.Y("group_label:N", title=None, sort=order, axis=alt.Axis(labelLimit=280, labelOverlap=False))
    shown = rows[~rows["suppressed"]]
    hidden = rows[rows["suppressed"]]
    highlight = (
        alt.condition(alt.datum.group_value == chosen, alt.value(1.0), alt.value(0.4))
        if chosen is not None
        else alt.condition(pick, alt.value(1.0), alt.value(0.55))
    )
    tooltip = [
        alt.Tooltip("group_value:N", title=DIMENSIONS.get(dimension, "Group")),
        alt.Tooltip("value_text:N", title=metric.label),
        alt.Tooltip("n_text:N", title=f"n ({N_NOUN[metric.key]})"),
    ]
    bars = (
        alt.Chart(shown)
        .mark_bar(cursor="pointer", cornerRadiusEnd=2)
        .encode(
            y=y,
            x=alt.X("value:Q", title=axis_title(metric), scale=alt.Scale(domain=[0, 100]) if metric.unit == "%" else alt.Undefined),
            color=alt.Color("group_value:N", scale=group_scale(dimension, values), legend=None),
            opacity=highlight,
            tooltip=tooltip,
        )
        .add_params(pick)
    )
    labels = alt.Chart(shown).mark_text(align="left", dx=4, color="#333333").encode(
        y=y, x=alt.X("high:Q" if metric.unit == "%" else "value:Q"), text="value_text:N"
    )
    layers: list[alt.Chart] = [bars]
    if metric.unit == "%":
        layers.append(
            alt.Chart(shown).mark_rule(color="#444444", strokeWidth=1.2).encode(y=y, x="low:Q", x2="high:Q", tooltip=tooltip)
        )
    layers.append(labels)
    if not hidden.empty:
        layers.append(
            alt.Chart(hidden)
            .mark_text(align="left", dx=4, color="#777777", fontStyle="italic")
            .encode(y=y, x=alt.datum(0), text=alt.value(f"{SUPPRESSED_TEXT}: not shown"), tooltip=tooltip)
        )
    if overall is not None and not pd.isna(overall):
        rule = pd.DataFrame({"overall": [float(overall)], "overall_text": [f"All tickets: {format_value(metric, overall)}"]})
        layers.append(
            alt.Chart(rule)
            .mark_rule(color="#333333", strokeDash=[4, 3])
            .encode(x="overall:Q", tooltip=[alt.Tooltip("overall_text:N", title="Overall")])
        )
    return alt.layer(*layers).properties(height=max(110, 34 * len(rows)))


# -- a metric over time ----------------------------------------------------------------
def trend_rows(metrics: pd.DataFrame, metric: ServiceMetric, grain: str) -> pd.DataFrame:
    """One row per period and group; a suppressed period keeps its row with no value, so the line
    breaks there instead of bridging it."""
    rows = _metric_rows(metrics, metric)
    rows["value"] = rows["value"].where(~rows["suppressed"].astype(bool))
    rows["period_text"] = [
        period_label(s, e, grain, bool(p)) for s, e, p in zip(rows["period_start"], rows["period_end"], rows["is_partial"])
    ]
    rows["period_axis"] = [axis_label(s, grain) for s in rows["period_start"]]
    rows["value_text"] = [format_value(metric, v) for v in rows["value"]]
    rows["n_text"] = [format_count(n) for n in rows["n"]]
    rows = rows.sort_values(["period_start", "group_value"])
    return rows[["period_start", "period_axis", "period_text", "group_value", "value", "value_text", "n", "n_text"]].reset_index(drop=True)


def trend_lines(
    metrics: pd.DataFrame, metric: ServiceMetric, dimension: str, grain: str, chosen: str | None = None
) -> alt.LayerChart:
    """The metric per period, one line per group; suppressed periods are left out and break the line."""
    rows = trend_rows(metrics, metric, grain)
    values = metrics["group_value"].drop_duplicates().tolist()
    scale = group_scale(dimension, values)
    color = alt.Color(
        "group_value:N", title=DIMENSIONS.get(dimension, "Group"), scale=scale,
        # the legend names the groups there are, in the colour scale's order
        legend=alt.Legend(orient="top", columns=4, labelLimit=160, values=[v for v in scale.domain if v in values]),
    )
    periods = rows["period_axis"].drop_duplicates().tolist()
    x = alt.X(
        "period_axis:O", title="Week starting" if grain == "week" else None, sort=periods,
        axis=alt.Axis(labelAngle=0 if len(periods) <= 14 else -45, labelOverlap="greedy", grid=False),
    )
    y = alt.Y("value:Q", title=axis_title(metric), scale=alt.Scale(domain=[0, 100]) if metric.unit == "%" else alt.Undefined)
    opacity = alt.condition(alt.datum.group_value == chosen, alt.value(1.0), alt.value(0.25)) if chosen else alt.value(1.0)
    tooltip = [
        alt.Tooltip("period_text:N", title="Period"),
        alt.Tooltip("group_value:N", title=DIMENSIONS.get(dimension, "Group")),
        alt.Tooltip("value_text:N", title=metric.label),
        alt.Tooltip("n_text:N", title=f"n ({N_NOUN[metric.key]})"),
    ]
    base = alt.Chart(rows).encode(x=x, y=y, color=color, opacity=opacity)
    line = base.mark_line(strokeWidth=2.2, invalid="break-paths-show-domains")
    points = base.transform_filter("isValid(datum.value)").mark_point(filled=True, size=45).encode(tooltip=tooltip)
    return alt.layer(line, points).properties(height=320)


# -- one group's tickets over time (the drill) ----------------------------------------------
def group_periods(metrics: pd.DataFrame, group: str, grain: str) -> pd.DataFrame:
    """One row per period of one group, every metric as a column (text for the tooltip)."""
    rows = metrics[metrics["group_value"] == group]
    if rows.empty:
        return pd.DataFrame(columns=["period_key", "period_start", "period_text", "period_axis", "tickets"])
    keys = rows[["period_start", "period_end", "is_partial"]].drop_duplicates("period_start").sort_values("period_start")
    wide = keys.copy()
    wide["period_key"] = [pd.Timestamp(s).date().isoformat() for s in wide["period_start"]]
    wide["period_text"] = [period_label(s, e, grain, bool(p)) for s, e, p in zip(wide["period_start"], wide["period_end"], wide["is_partial"])]
    wide["period_axis"] = [axis_label(s, grain) for s in wide["period_start"]]
    for key, metric in METRICS.items():
        part = rows[rows["metric"] == key].set_index("period_start")
        value = part["value"].where(~part["suppressed"].astype(bool))
        texts = {start: format_value(metric, v) for start, v in value.items()}
        wide[f"{key}_text"] = [texts.get(start, SUPPRESSED_TEXT) for start in wide["period_start"]]
        if key == "tickets":
            wide["tickets"] = wide["period_start"].map(part["n"]).fillna(0).astype(int)
    return wide.reset_index(drop=True)


def group_ticket_bars(metrics: pd.DataFrame, group: str, grain: str, chosen_period: str | None = None) -> alt.Chart:
    """Ticket volume per period of one group, with its service metrics in the tooltip;
    click a bar to list that period's tickets (selection "service_period")."""
    rows = group_periods(metrics, group, grain)
    pick = alt.selection_point(name="service_period", fields=["period_key"], on="click")
    highlight = (
        alt.condition(alt.datum.period_key == chosen_period, alt.value(1.0), alt.value(0.35))
        if chosen_period is not None
        else alt.condition(pick, alt.value(1.0), alt.value(0.7))
    )
    tooltip = [alt.Tooltip("period_text:N", title="Period")] + [
        alt.Tooltip(f"{key}_text:N", title=metric.label) for key, metric in METRICS.items()
    ]
    return (
        alt.Chart(rows)
        .mark_bar(cursor="pointer", color=palette.ACCENT)
        .encode(
            x=alt.X("period_axis:O", title="Week starting" if grain == "week" else None, sort=rows["period_axis"].tolist(),
                    axis=alt.Axis(labelAngle=0 if len(rows) <= 14 else -45, grid=False)),
            y=alt.Y("tickets:Q", title="Tickets created"),
            opacity=highlight,
            tooltip=tooltip,
        )
        .add_params(pick)
        .properties(height=240)
    )


# -- backlog -----------------------------------------------------------------------------
def backlog_bars(backlog: pd.DataFrame, grain: str) -> alt.Chart:
    """Tickets open at the end of each period, stacked by how long they had been open."""
    rows = backlog.copy()
    rows["period_text"] = [
        f"End of {period_label(s, e, grain)}" for s, e in zip(rows["period_start"], rows["period_end"])
    ]
    rows["open_text"] = [format_count(n) for n in rows["open_tickets"]]
    bands = rows.drop_duplicates("band_order").sort_values("band_order")["age_band"].tolist()
    rows["period_end_text"] = [f"{pd.Timestamp(e):%d.%m.%y}" for e in rows["period_end"]]
    ends = rows.drop_duplicates("period_end").sort_values("period_end")["period_end_text"].tolist()
    return (
        alt.Chart(rows)
        .mark_bar()
        .encode(
            x=alt.X("period_end_text:O", title=f"End of {grain}", sort=ends,
                    axis=alt.Axis(labelAngle=0 if len(ends) <= 14 else -45, grid=False)),
            y=alt.Y("open_tickets:Q", title="Open tickets", stack="zero"),
            color=alt.Color("age_band:N", title="Open for", sort=bands,
                            scale=alt.Scale(domain=bands, range=AGE_BAND_COLORS[: len(bands)]),
                            legend=alt.Legend(orient="top")),
            order=alt.Order("band_order:Q"),
            tooltip=[
                alt.Tooltip("period_text:N", title="Snapshot"),
                alt.Tooltip("age_band:N", title="Open for"),
                alt.Tooltip("open_text:N", title="Open tickets"),
            ],
        )
        .properties(height=260)
    )


def backlog_now_bars(now: pd.DataFrame) -> alt.LayerChart:
    rows = now.copy()
    rows["open_text"] = [format_count(n) for n in rows["open_tickets"]]
    bands = rows.sort_values("band_order")["age_band"].tolist()
    base = alt.Chart(rows).encode(y=alt.Y("age_band:N", title="Open for", sort=bands))
    # room for the count after the longest bar
    top = max(1, int(rows["open_tickets"].max())) * 1.18
    bars = base.mark_bar().encode(
        x=alt.X("open_tickets:Q", title="Open tickets now", scale=alt.Scale(domain=[0, top], nice=False)),
        color=alt.Color("age_band:N", scale=alt.Scale(domain=bands, range=AGE_BAND_COLORS[: len(bands)]), legend=None),
        tooltip=[alt.Tooltip("age_band:N", title="Open for"), alt.Tooltip("open_text:N", title="Open tickets")],
    )
    labels = base.mark_text(align="left", dx=4, color="#333333").encode(
        x=alt.X("open_tickets:Q", scale=alt.Scale(domain=[0, top], nice=False)), text="open_text:N"
    )
    return alt.layer(bars, labels).properties(height=200)


# -- NPS by ticket experience ------------------------------------------------------------
def experience_rows(experience: pd.DataFrame) -> pd.DataFrame:
    rows = experience.copy()
    rows["suppressed"] = rows["suppressed"].astype(bool)
    rows["label"] = [f"{EXPERIENCES[e]} · n = {format_count(n)}" for e, n in zip(rows["experience"], rows["n"])]
    rows["nps_text"] = [
        SUPPRESSED_TEXT if s else f"{signed(v)} ± {m:.1f}" for v, m, s in zip(rows["nps"], rows["margin_of_error"], rows["suppressed"])
    ]
    rows["low"] = (rows["nps"] - rows["margin_of_error"]).clip(lower=-100)
    rows["high"] = (rows["nps"] + rows["margin_of_error"]).clip(upper=100)

    def versus(experience: str, z: float | None) -> str:
        if experience == "no_ticket":
            return "the baseline"
        if z is None or pd.isna(z):
            return "not tested (n too small)"
        if abs(z) <= 1.96:
            return "no significant difference"
        return "significantly higher" if z > 0 else "significantly lower"

    rows["versus"] = [versus(e, z) for e, z in zip(rows["experience"], rows["z_vs_no_ticket"])]
    rows["direction"] = ["up" if (v or 0) >= 0 else "down" for v in rows["nps"].fillna(0)]
    return rows[["experience_order", "experience", "label", "n", "nps", "low", "high", "nps_text", "versus", "direction", "suppressed"]]


def experience_domain(shown: pd.DataFrame) -> list[float]:
    """From the lowest to the highest end of the 95 % ranges in steps of 10, zero always in view,
    with room for the labels; never beyond what NPS can take."""
    if shown.empty:
        return [-100, 100]
    low = min(0.0, float(shown["low"].min()))
    high = max(0.0, float(shown["high"].max()))
    low = max(-100, 10 * math.floor(low / 10) - (10 if low < 0 else 0))
    high = min(100, 10 * math.ceil(high / 10) + 20)
    return [low, high]


def _nps_bars(rows: pd.DataFrame, order: list[str], tooltip: list[alt.Tooltip], baseline: float | None = None) -> alt.LayerChart:
    """Horizontal NPS bars with their 95 % ranges and labels; suppressed rows as a grey note."""
    y = alt.Y("label:N", title=None, sort=order, axis=alt.Axis(labelLimit=320))
    shown, hidden = rows[~rows["suppressed"]], rows[rows["suppressed"]]
    scale = alt.Scale(domain=experience_domain(shown), nice=False)
    bars = alt.Chart(shown).mark_bar(cornerRadiusEnd=2).encode(
        y=y,
        x=alt.X("nps:Q", title="NPS of their answers", scale=scale),
        color=alt.Color("direction:N", scale=alt.Scale(domain=["down", "up"], range=[BAD_COLOR, GOOD_COLOR]), legend=None),
        tooltip=tooltip,
    )
    ranges = alt.Chart(shown).mark_rule(color="#333333", strokeWidth=1.4).encode(y=y, x=alt.X("low:Q", scale=scale), x2="high:Q", tooltip=tooltip)
    labels = alt.Chart(shown).mark_text(align="left", dx=6, color="#333333").encode(
        y=y, x=alt.X("high:Q", scale=scale), text="nps_text:N"
    )
    zero = alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(color="#777777").encode(x="zero:Q")
    layers = [bars, ranges, zero, labels]
    if baseline is not None and not pd.isna(baseline):
        reference = pd.DataFrame({"baseline": [float(baseline)], "baseline_text": [f"No ticket: {signed(baseline)}"]})
        layers.append(
            alt.Chart(reference).mark_rule(color="#333333", strokeDash=[4, 3]).encode(
                x=alt.X("baseline:Q", scale=scale), tooltip=[alt.Tooltip("baseline_text:N", title="Customers without a ticket")]
            )
        )
    if not hidden.empty:
        layers.append(
            alt.Chart(hidden).mark_text(align="left", dx=6, color="#777777", fontStyle="italic").encode(
                y=y, x=alt.datum(0), text=alt.value(f"{SUPPRESSED_TEXT}: not shown"), tooltip=tooltip
            )
        )
    return alt.layer(*layers).properties(height=max(120, 40 * len(rows)))


def experience_bars(experience: pd.DataFrame) -> alt.LayerChart:
    """NPS of each ticket experience with its 95 % range, next to customers who had no ticket."""
    rows = experience_rows(experience)
    order = rows.sort_values("experience_order")["label"].tolist()
    tooltip = [
        alt.Tooltip("label:N", title="Ticket experience"),
        alt.Tooltip("nps_text:N", title="NPS ± 95 % margin"),
        alt.Tooltip("versus:N", title="Against customers without a ticket"),
    ]
    return _nps_bars(rows, order, tooltip)


def group_nps_rows(nps: pd.DataFrame) -> pd.DataFrame:
    rows = nps.copy()
    rows["suppressed"] = rows["suppressed"].astype(bool)
    rows["label"] = [f"{g} · n = {format_count(n)}" for g, n in zip(rows["group_value"], rows["n"])]
    rows["nps_text"] = [
        SUPPRESSED_TEXT if s else f"{signed(v)} ± {m:.1f}" for v, m, s in zip(rows["nps"], rows["margin_of_error"], rows["suppressed"])
    ]
    rows["low"] = (rows["nps"] - rows["margin_of_error"]).clip(lower=-100)
    rows["high"] = (rows["nps"] + rows["margin_of_error"]).clip(upper=100)
    rows["direction"] = ["up" if v >= 0 else "down" for v in rows["nps"].fillna(0)]
    rows = rows.sort_values(["suppressed", "nps", "group_value"], na_position="last")
    return rows[["group_value", "label", "n", "nps", "low", "high", "nps_text", "direction", "suppressed"]].reset_index(drop=True)


def group_nps_bars(nps: pd.DataFrame, dimension: str, baseline: float | None = None) -> alt.LayerChart:
    """The NPS of customers after a ticket of each group, worst first; the dashed rule is customers
    without any ticket."""
    rows = group_nps_rows(nps)
    tooltip = [
        alt.Tooltip("group_value:N", title=f"Had a ticket of {DIMENSIONS.get(dimension, 'group').lower()}"),
        alt.Tooltip("nps_text:N", title="NPS ± 95 % margin"),
        alt.Tooltip("n:Q", title="NPS answers (n)", format=","),
    ]
    return _nps_bars(rows, rows["label"].tolist(), tooltip, baseline)


# -- the scorecard table -----------------------------------------------------------------
def scorecard(metrics: pd.DataFrame, nps: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """One row per group, every service metric as text ("n too small" when suppressed), and the NPS
    of customers who had such a ticket; for st.dataframe."""
    groups = group_order(dimension, metrics["group_value"].drop_duplicates().tolist())
    table = pd.DataFrame({DIMENSIONS.get(dimension, "Group"): groups})
    by_metric = {key: metrics[metrics["metric"] == key].set_index("group_value") for key in METRICS}
    table["Tickets"] = [int(by_metric["tickets"].loc[g, "n"]) if g in by_metric["tickets"].index else 0 for g in groups]
    for key, metric in METRICS.items():
        if key == "tickets":
            continue
        part = by_metric[key]
        table[metric.short] = [
            format_value(metric, None if g not in part.index or bool(part.loc[g, "suppressed"]) else part.loc[g, "value"])
            for g in groups
        ]
    answers = nps.set_index("group_value") if not nps.empty else pd.DataFrame(columns=["n", "nps", "margin_of_error", "suppressed"])
    table["NPS after a ticket"] = [
        (SUPPRESSED_TEXT if bool(answers.loc[g, "suppressed"]) else f"{signed(answers.loc[g, 'nps'])} ± {answers.loc[g, 'margin_of_error']:.1f}")
        if g in answers.index else SUPPRESSED_TEXT
        for g in groups
    ]
    table["NPS n"] = [int(answers.loc[g, "n"]) if g in answers.index else 0 for g in groups]
    return table


def headline(by_group: pd.DataFrame, metric: ServiceMetric, dimension: str, overall: float | None) -> str | None:
    """One sentence naming the group that stands out most on the metric, against all tickets."""
    rows = group_bar_rows(by_group, metric)
    rows = rows[~rows["suppressed"]]
    if len(rows) < 2:
        return None
    worst = rows.iloc[0]
    noun = DIMENSIONS.get(dimension, "group").lower()
    if metric.higher_is_better is None:
        quality = "the most tickets"
    elif metric.unit == "hours":
        quality = f"the longest {metric.label[0].lower() + metric.label[1:]}"
    elif metric.higher_is_better:
        quality = f"the lowest {metric.label[0].lower() + metric.label[1:]}"
    else:
        quality = f"the highest {metric.label[0].lower() + metric.label[1:]}"
    against = "" if overall is None or pd.isna(overall) else f" against {format_value(metric, overall)} for all tickets"
    if metric.higher_is_better is None:
        against = "" if overall is None or pd.isna(overall) else f" of {format_value(metric, overall)}"
    return f"{noun.capitalize()} {worst['group_value']} has {quality}: {worst['value_text']}{against}."


# -- the ticket list ---------------------------------------------------------------------------
TICKET_COLUMNS = {
    "ticket_id": "Ticket",
    "customer_id": "Customer",
    "created_at": "Created",
    "channel": "Channel",
    "category": "Category",
    "priority": "Priority",
    "status": "Status",
    "replies": "Agent replies",
    "reopens": "Reopens",
    "resolved_at_first_contact": "Resolved at first contact",
    "first_response_hours": "First response",
    "resolution_hours": "Resolution",
    "csat": "CSAT (1–5)",
}


def format_duration(hours: float | None, missing: str) -> str:
    if hours is None or pd.isna(hours):
        return missing
    if hours < 1:
        return f"{round(hours * 60):.0f} min"
    return f"{hours:.1f} h"


def ticket_table(tickets: pd.DataFrame, dimension: str, readable: bool = True) -> pd.DataFrame:
    """The ticket list for people (durations as text, yes/no) or, readable=False, for a CSV
    (hours as numbers). The column of the chosen dimension is left out: it is the same on every row."""
    table = tickets.drop(columns=["tickets_in_list", *([dimension] if dimension in DIMENSIONS else [])])
    fcr = table["resolved_at_first_contact"]
    if readable:
        table["resolved_at_first_contact"] = ["—" if pd.isna(v) else ("yes" if v else "no") for v in fcr]
        table["first_response_hours"] = [format_duration(v, "no reply yet") for v in table["first_response_hours"]]
        table["resolution_hours"] = [format_duration(v, "not resolved") for v in table["resolution_hours"]]
        return table.rename(columns=TICKET_COLUMNS)
    columns = {**TICKET_COLUMNS, "first_response_hours": "First response (hours)", "resolution_hours": "Resolution (hours)"}
    return table.rename(columns=columns)
