"""Journey charts: the journey map (mean emotion per touchpoint with its 95 % band, pain points and
wow moments labelled, stage bands along the axis), abandonment per touchpoint, and for one touchpoint
the NPS of customers who went through it against those who did not.

Pure functions DataFrame -> alt.Chart (or a display DataFrame). Suppressed touchpoints never show a
number: they are left out of the curve and drawn as a grey "n too small" bar.
"""

from __future__ import annotations

import json

import altair as alt
import pandas as pd

from cxdata import palette
from cxdata.charts.touchpoints import channel_label, format_count, signed, stage_label

SUPPRESSED_TEXT = "n too small"
SUPPRESSED_COLOR = "#d9d9d9"
PAIN, WOW = "pain point", "wow moment"
PAIN_COLOR, WOW_COLOR = palette.NPS_CLASS_COLORS[0], palette.NPS_CLASS_COLORS[2]
STAGE_FILLS = ["#f4f6f9", "#e9edf3"]
ABANDON_COLOR = "#e07b39"
# both charts of the map share this y-axis width, so their touchpoints line up
AXIS_WIDTH = 70
SPLIT_TITLES = {"segment": "Segment", "channel": "Channel"}


def _emotion_text(value: float | None) -> str:
    return SUPPRESSED_TEXT if value is None or pd.isna(value) else f"{value:+.2f}".replace("-", "−")


def steps(journey: pd.DataFrame) -> pd.DataFrame:
    """One row per touchpoint along the journey: step number, name, stage (from the overall curve)."""
    return journey.drop_duplicates("journey_step").sort_values("journey_step")[["journey_step", "touchpoint", "stage"]]


def _x(journey: pd.DataFrame, labels: bool = True) -> alt.X:
    """Touchpoints along a numeric axis, so that stage bands can span them; names via labelExpr."""
    ordered = steps(journey)
    names = [""] + ordered["touchpoint"].tolist()
    last = int(ordered["journey_step"].max()) if not ordered.empty else 1
    return alt.X(
        "journey_step:Q",
        title=None,
        scale=alt.Scale(domain=[0.5, last + 0.5], nice=False, zero=False),
        axis=alt.Axis(
            values=ordered["journey_step"].tolist(),
            labelExpr=f"{json.dumps(names)}[datum.value]" if labels else "''",
            labelAngle=-35,
            labelAlign="right",
            labelLimit=180,
            # every touchpoint is named, even when the names are long
            labelOverlap=False,
            labelFontSize=11,
            grid=False,
            ticks=labels,
            domain=False,
        ),
    )


def stage_spans(journey: pd.DataFrame) -> pd.DataFrame:
    """One row per stage: the first and last step it covers, for the bands behind the curve."""
    ordered = steps(journey).copy()
    ordered["stage_label"] = [stage_label(stage) for stage in ordered["stage"]]
    spans = (
        ordered.groupby("stage_label", sort=False)["journey_step"].agg(["min", "max"]).reset_index()
        .rename(columns={"min": "first", "max": "last"})
    )
    spans["start"] = spans["first"] - 0.5
    spans["end"] = spans["last"] + 0.5
    spans["middle"] = (spans["first"] + spans["last"]) / 2
    spans["shade"] = [index % 2 for index in range(len(spans))]
    return spans


def _stage_layers(journey: pd.DataFrame, top: float, bottom: float, labelled: bool) -> list[alt.Chart]:
    """Alternating light bands behind the touchpoints of each stage, with the stage's name on top.
    Fixed fills, not a colour encoding: a shared colour scale would recolour the marks in front."""
    spans = stage_spans(journey)
    layers: list[alt.Chart] = [
        alt.Chart(spans[spans["shade"] == shade])
        .mark_rect(color=fill)
        .encode(x="start:Q", x2="end:Q", y=alt.datum(bottom), y2=alt.datum(top))
        for shade, fill in enumerate(STAGE_FILLS)
    ]
    if labelled:
        layers.append(
            alt.Chart(spans)
            .mark_text(baseline="top", dy=5, fontWeight="bold", fontSize=12, color="#4a5a70")
            .encode(x="middle:Q", y=alt.datum(top), text="stage_label:N")
        )
    return layers


def map_points(overall: pd.DataFrame) -> pd.DataFrame:
    """The overall curve's rows with display texts; suppressed touchpoints keep their row (null emotion)."""
    rows = overall.copy()
    rows["emotion_text"] = [_emotion_text(value) for value in rows["mean_emotion"]]
    rows["band_text"] = [
        "" if pd.isna(lo) else f"{_emotion_text(lo)} to {_emotion_text(hi)}" for lo, hi in zip(rows["emotion_lower"], rows["emotion_upper"])
    ]
    rows["stage_label"] = [stage_label(stage) for stage in rows["stage"]]
    rows["moment_text"] = [
        {PAIN: "Pain point", WOW: "Wow moment"}.get(moment, "—") if isinstance(moment, str) else "—" for moment in rows["moment"]
    ]
    rows["n_text"] = [format_count(n) for n in rows["n"]]
    rows["emotion_n_text"] = [format_count(n) for n in rows["emotion_n"]]
    rows["abandonment_text"] = [
        SUPPRESSED_TEXT if pd.isna(rate) else f"{rate:.1f} % ± {margin:.1f}" for rate, margin in zip(rows["abandonment_rate"], rows["abandonment_margin"])
    ]
    rows["label"] = [
        f"{'▼' if moment == PAIN else '▲'} {touchpoint} ({_emotion_text(emotion)})" if isinstance(moment, str) else ""
        for touchpoint, moment, emotion in zip(rows["touchpoint"], rows["moment"], rows["mean_emotion"])
    ]
    columns = ["journey_step", "touchpoint", "stage_label", "moment", "moment_text", "mean_emotion", "emotion_lower",
               "emotion_upper", "emotion_text", "band_text", "emotion_n_text", "n_text", "abandonment_text", "label",
               "emotion_suppressed", "suppressed"]
    return rows[columns]


def emotion_domain(rows: pd.DataFrame) -> tuple[float, float]:
    lows = rows["emotion_lower"].dropna()
    highs = rows["emotion_upper"].dropna()
    if lows.empty:
        return -1.0, 1.0
    # room above for the stage names and the labels of the highs, below for the labels of the lows
    return max(-1.05, min(-0.2, float(lows.min()) - 0.25)), min(1.1, max(0.3, float(highs.max()) + 0.4))


def _tooltip() -> list[alt.Tooltip]:
    return [
        alt.Tooltip("touchpoint:N", title="Touchpoint"),
        alt.Tooltip("stage_label:N", title="Stage"),
        alt.Tooltip("emotion_text:N", title="Mean emotion (−1 to +1)"),
        alt.Tooltip("band_text:N", title="95 % range"),
        alt.Tooltip("moment_text:N", title="Marked as"),
        alt.Tooltip("emotion_n_text:N", title="Rated events (n)"),
        alt.Tooltip("abandonment_text:N", title="Journeys abandoned here"),
        alt.Tooltip("n_text:N", title="Journeys through it (n)"),
    ]


def comparison_lines(compared: pd.DataFrame) -> pd.DataFrame:
    """One row per compared group and journey step, with no emotion where the group has no (or too few)
    rated events there, so that its line breaks instead of bridging touchpoints it never passed."""
    shown = compared[~compared["emotion_suppressed"].astype(bool)]
    grid = pd.MultiIndex.from_product(
        [sorted(compared["compared_group"].unique()), steps(compared)["journey_step"].tolist()],
        names=["compared_group", "journey_step"],
    ).to_frame(index=False)
    names = steps(compared)[["journey_step", "touchpoint"]]
    lines = grid.merge(names, on="journey_step").merge(
        shown[["compared_group", "journey_step", "mean_emotion", "n"]], on=["compared_group", "journey_step"], how="left"
    )
    return lines


def emotion_chart(
    overall: pd.DataFrame, compared: pd.DataFrame | None = None, split_by: str = "none", chosen: str | None = None
) -> alt.LayerChart:
    """The journey map: the overall mean emotion per touchpoint with its 95 % band over stage bands,
    pain points (red, ▼) and wow moments (green, ▲) labelled; with `compared`, one thin line per
    segment or channel on top. Click a touchpoint to open it (selection 'journey_touchpoint')."""
    rows = map_points(overall)
    shown = rows[~rows["emotion_suppressed"].astype(bool)]
    low, high = emotion_domain(shown if compared is None else pd.concat([shown, compared[~compared["emotion_suppressed"].astype(bool)]]))
    y_scale = alt.Scale(domain=[low, high], nice=False)
    x = _x(overall)
    y_title = "Mean emotion (−1 … +1)"
    y_axis = alt.Axis(minExtent=AXIS_WIDTH, maxExtent=AXIS_WIDTH)
    y = alt.Y("mean_emotion:Q", title=y_title, scale=y_scale, axis=y_axis)
    pick = alt.selection_point(name="journey_touchpoint", fields=["touchpoint"], on="click", nearest=True)

    # every step is present (suppressed ones with null emotion) so the line breaks at them
    base = alt.Chart(rows).encode(x=x)
    layers: list[alt.Chart] = _stage_layers(overall, high, low, labelled=True)
    layers.append(alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="#8a8a8a", strokeDash=[3, 3]).encode(y=alt.Y("zero:Q", scale=y_scale)))
    curve_color = palette.ACCENT if compared is None else "#222222"
    layers.append(base.mark_area(opacity=0.18 if compared is None else 0.1, color=curve_color).encode(y=alt.Y("emotion_lower:Q", scale=y_scale, title=y_title, axis=y_axis), y2="emotion_upper:Q"))
    layers.append(base.mark_line(color=curve_color, strokeWidth=3 if compared is None else 2, strokeDash=[1, 0] if compared is None else [6, 3]).encode(y=y))
    if compared is not None and not compared.empty:
        lines = comparison_lines(compared)
        lines["emotion_text"] = [_emotion_text(value) for value in lines["mean_emotion"]]
        lines["n_text"] = [format_count(n) for n in lines["n"]]
        lines["group_label"] = [channel_label(value) if split_by == "channel" else value for value in lines["compared_group"]]
        groups = sorted(lines["compared_group"].unique().tolist())
        scale = palette.split_scale(split_by, groups)
        if split_by == "channel":
            scale = alt.Scale(domain=[channel_label(value) for value in scale.domain], range=scale.range)
        layers.append(
            alt.Chart(lines[["journey_step", "touchpoint", "group_label", "mean_emotion", "emotion_text", "n_text"]])
            .mark_line(point=alt.OverlayMarkDef(size=30, filled=True), strokeWidth=1.8, opacity=0.9)
            .encode(
                x=x,
                y=alt.Y("mean_emotion:Q", scale=y_scale),
                color=alt.Color("group_label:N", title=SPLIT_TITLES.get(split_by, "Group"), scale=scale, legend=alt.Legend(orient="top", symbolStrokeWidth=3)),
                tooltip=[
                    alt.Tooltip("group_label:N", title=SPLIT_TITLES.get(split_by, "Group")),
                    alt.Tooltip("touchpoint:N", title="Touchpoint"),
                    alt.Tooltip("emotion_text:N", title="Mean emotion"),
                    alt.Tooltip("n_text:N", title="Journeys (n)"),
                ],
            )
        )
    outline = alt.condition(alt.datum.touchpoint == chosen, alt.value("#111111"), alt.value("white")) if chosen else alt.value("white")
    moment_color = alt.Color(
        "moment_text:N",
        title=None,
        scale=alt.Scale(domain=["Pain point", "Wow moment", "—"], range=[PAIN_COLOR, WOW_COLOR, curve_color]),
        legend=alt.Legend(orient="top", values=["Pain point", "Wow moment"]),
    )
    layers.append(
        alt.Chart(rows[~rows["emotion_suppressed"].astype(bool)])
        .mark_point(filled=True, cursor="pointer", strokeWidth=2)
        .encode(
            x=x,
            y=alt.Y("mean_emotion:Q", scale=y_scale),
            color=moment_color,
            size=alt.condition("datum.moment_text != '—'", alt.value(260), alt.value(90)),
            shape=alt.Shape("moment_text:N", scale=alt.Scale(domain=["Pain point", "Wow moment", "—"], range=["triangle-down", "triangle-up", "circle"]), legend=None),
            stroke=outline,
            tooltip=_tooltip(),
        )
        .add_params(pick)
    )
    marked = rows[rows["label"] != ""]
    for moment, dy, baseline in ((PAIN, 18, "top"), (WOW, -18, "bottom")):
        chosen_rows = marked[marked["moment"] == moment]
        if chosen_rows.empty:
            continue
        layers.append(
            alt.Chart(chosen_rows)
            .mark_text(dy=dy, baseline=baseline, fontWeight="bold", fontSize=13, color=PAIN_COLOR if moment == PAIN else WOW_COLOR)
            .encode(x=x, y=alt.Y("mean_emotion:Q", scale=y_scale), text="label:N")
        )
    return alt.layer(*layers).resolve_scale(color="independent").properties(height=420)


def abandonment_bars(overall: pd.DataFrame) -> pd.DataFrame:
    rows = map_points(overall)
    rows["abandonment_rate"] = overall["abandonment_rate"].to_numpy()
    rows["bar"] = rows["abandonment_rate"].fillna(0.0)
    rows["bar_text"] = [SUPPRESSED_TEXT if pd.isna(rate) else f"{rate:.0f} %" for rate in rows["abandonment_rate"]]
    rows["kind"] = [
        SUPPRESSED_TEXT if suppressed else ("Pain point" if moment == PAIN else "Touchpoint")
        for suppressed, moment in zip(rows["suppressed"].astype(bool), rows["moment"])
    ]
    return rows


def abandonment_chart(overall: pd.DataFrame, chosen: str | None = None) -> alt.LayerChart:
    """Share of the journeys through each touchpoint that were abandoned there, with n in the tooltip;
    same x axis as the emotion chart; pain points in red, suppressed touchpoints as grey "n too small"."""
    rows = abandonment_bars(overall)
    x = _x(overall)
    top = max(10.0, float(rows["bar"].max()) * 1.2)
    y = alt.Y("bar:Q", title="Abandoned here (%)", scale=alt.Scale(domain=[0, top], nice=False), axis=alt.Axis(minExtent=AXIS_WIDTH, maxExtent=AXIS_WIDTH))
    pick = alt.selection_point(name="journey_touchpoint", fields=["touchpoint"], on="click")
    outline = alt.condition(alt.datum.touchpoint == chosen, alt.value("#111111"), alt.value(None)) if chosen else alt.value(None)
    base = alt.Chart(rows).encode(x=x)
    bars = base.mark_bar(size=26, strokeWidth=2).encode(
        y=y,
        color=alt.Color("kind:N", scale=alt.Scale(domain=["Touchpoint", "Pain point", SUPPRESSED_TEXT], range=[ABANDON_COLOR, PAIN_COLOR, SUPPRESSED_COLOR]), legend=None),
        stroke=outline,
        tooltip=_tooltip(),
    )
    # a short bar is hard to hit: the whole column above each touchpoint takes the click
    hit_areas = (
        base.mark_bar(size=40, opacity=0.001, cursor="pointer")
        .encode(y=alt.datum(0), y2=alt.datum(top), tooltip=_tooltip())
        .add_params(pick)
    )
    # a suppressed touchpoint gets a stub bar so its "n too small" has something to stand on
    stubs = (
        alt.Chart(rows[rows["suppressed"].astype(bool)])
        .mark_bar(size=26, color=SUPPRESSED_COLOR)
        .encode(x=x, y=alt.datum(0), y2=alt.datum(top * 0.08))
    )
    labels = base.mark_text(dy=-6, baseline="bottom", fontSize=11, color="#333333").encode(
        y=alt.Y("bar:Q", scale=alt.Scale(domain=[0, top], nice=False)),
        text="bar_text:N",
    ).transform_filter(~alt.datum.suppressed)
    hidden = (
        alt.Chart(rows[rows["suppressed"].astype(bool)])
        .mark_text(dy=-6, baseline="bottom", fontSize=10, fontStyle="italic", color="#777777")
        .encode(x=x, y=alt.datum(top * 0.08), text="bar_text:N")
    )
    return alt.layer(*_stage_layers(overall, top, 0.0, labelled=False), stubs, bars, labels, hidden, hit_areas).properties(height=220)


# -- one touchpoint ---------------------------------------------------------------------
def nps_comparison(nps_row: pd.Series, touchpoint: str) -> pd.DataFrame:
    groups = []
    for prefix, label in (("through", f"Went through {touchpoint}"), ("other", "Journeys without it")):
        suppressed = bool(nps_row[f"{prefix}_suppressed"])
        value, margin = nps_row[f"{prefix}_nps"], nps_row[f"{prefix}_margin"]
        groups.append(
            {
                "group": label,
                "nps": None if suppressed else float(value),
                "low": None if suppressed else float(value - margin),
                "high": None if suppressed else float(value + margin),
                "nps_text": SUPPRESSED_TEXT if suppressed else f"{signed(value)} ± {margin:.1f}",
                "n_text": format_count(nps_row[f"{prefix}_n"]),
                "customers_text": format_count(nps_row[f"{prefix}_customers"]),
                "suppressed": suppressed,
            }
        )
    return pd.DataFrame(groups)


def nps_comparison_chart(nps_row: pd.Series, touchpoint: str) -> alt.LayerChart:
    """NPS with its 95 % range for customers who went through the touchpoint and for those whose
    journeys did not; a suppressed group is named "n too small" instead of drawn."""
    groups = nps_comparison(nps_row, touchpoint)
    shown = groups[~groups["suppressed"]]
    low = min(shown["low"].tolist(), default=-10.0) - 5
    high = max(shown["high"].tolist(), default=10.0) + 5
    x_scale = alt.Scale(domain=[max(-100.0, low), min(100.0, high)], nice=True, zero=False)
    x_axis = alt.Axis(tickCount=8)
    y = alt.Y("group:N", title=None, sort=groups["group"].tolist(), axis=alt.Axis(labelLimit=320, labelFontSize=12))
    tooltip = [
        alt.Tooltip("group:N", title="Customers"),
        alt.Tooltip("nps_text:N", title="NPS (95 % margin)"),
        alt.Tooltip("n_text:N", title="NPS answers (n)"),
        alt.Tooltip("customers_text:N", title="Customers"),
    ]
    base = alt.Chart(groups).encode(y=y)
    # red or green only for a difference that is significant; otherwise the house accent
    difference, significant = nps_row.get("difference"), nps_row.get("significant")
    through_color = palette.ACCENT
    if significant is True or (significant is not None and not pd.isna(significant) and bool(significant)):
        through_color = PAIN_COLOR if difference < 0 else WOW_COLOR
    colors = alt.Color("group:N", scale=alt.Scale(domain=groups["group"].tolist(), range=[through_color, "#7a7a7a"]), legend=None)
    whiskers = base.mark_rule(strokeWidth=3).encode(x=alt.X("low:Q", title="NPS with its 95 % range", scale=x_scale, axis=x_axis), x2="high:Q", color=colors, tooltip=tooltip)
    dots = base.mark_point(filled=True, size=160).encode(x=alt.X("nps:Q", scale=x_scale), color=colors, tooltip=tooltip)
    labels = base.mark_text(align="left", dx=12, dy=-12, fontSize=12).encode(x=alt.X("nps:Q", scale=x_scale), text="nps_text:N")
    hidden = (
        alt.Chart(groups[groups["suppressed"]])
        .mark_text(align="left", fontStyle="italic", color="#777777")
        .encode(y=y, x=alt.datum(x_scale.domain[0]), text=alt.value("n too small: fewer answers than the minimum"))
    )
    return alt.layer(whiskers, dots, labels, hidden).properties(height=130)


JOURNEY_COLUMNS = {
    "reached_at": "Reached the touchpoint",
    "started_at": "Journey began",
    "segment": "Segment",
    "channel": "Channel here",
    "emotion": "Emotion here",
    "events": "Events",
    "outcome_text": "How it ended",
    "customer_id": "Customer",
}
OUTCOME_WORDS = {"completed": "Completed", "open": "Still open"}


def journeys_table(journeys: pd.DataFrame, touchpoint: str) -> pd.DataFrame:
    table = journeys.copy()
    table["outcome_text"] = [
        ("Abandoned here" if here else f"Abandoned at {at}") if outcome == "abandoned" else OUTCOME_WORDS.get(outcome, outcome)
        for outcome, here, at in zip(table["outcome"], table["abandoned_here"].astype(bool), table["abandoned_at"])
    ]
    for column in ("reached_at", "started_at"):
        table[column] = [f"{pd.Timestamp(at):%d.%m.%Y}" for at in table[column]]
    table["emotion"] = [_emotion_text(value) if not pd.isna(value) else "" for value in table["emotion"]]
    table["channel"] = [channel_label(value) if isinstance(value, str) else "" for value in table["channel"]]
    table["segment"] = table["segment"].fillna("")
    table["customer_id"] = table["customer_id"].fillna("")
    return table[list(JOURNEY_COLUMNS)].rename(columns=JOURNEY_COLUMNS)


COMMENT_COLUMNS = {
    "responded_at": "Date",
    "about_text": "Answer about",
    "nps": "NPS answer",
    "class_text": "Promoter / detractor",
    "channel": "Channel",
    "segment": "Segment",
    "comment": "Comment",
}
CLASS_WORDS = {"promoter": "Promoter", "passive": "Passive", "detractor": "Detractor"}


def comments_table(comments: pd.DataFrame) -> pd.DataFrame:
    table = comments.copy()
    table["responded_at"] = [f"{pd.Timestamp(at):%d.%m.%Y}" for at in table["responded_at"]]
    table["about_text"] = [
        f"★ {about}" if this else (about if isinstance(about, str) else "General (no touchpoint)")
        for about, this in zip(table["answered_about"], table["about_this_touchpoint"].astype(bool))
    ]
    table["class_text"] = [CLASS_WORDS.get(value, "") if isinstance(value, str) else "" for value in table["nps_class"]]
    table["channel"] = [channel_label(value) if isinstance(value, str) else "" for value in table["channel"]]
    table["nps"] = ["" if pd.isna(value) else str(int(value)) for value in table["nps"]]
    table["segment"] = table["segment"].fillna("")
    return table[list(COMMENT_COLUMNS)].rename(columns=COMMENT_COLUMNS)
