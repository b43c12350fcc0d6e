"""Touchpoint charts: the touchpoint × channel heatmap, importance versus performance, one
touchpoint's NPS trend, and its verbatims as a table.

Pure functions DataFrame -> alt.Chart (or a display DataFrame). Suppressed cells never show a
number: they are grey with the words "n too small"; suppressed months are left out of the trend.
"""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from cxdata import palette
from cxdata.queries.touchpoints import METRICS, HeatmapMetric

SUPPRESSED_TEXT = "n too small"
SUPPRESSED_COLOR = "#d9d9d9"
ALL_CHANNELS = "All channels"
UNKNOWN_STAGE = "Not in the touchpoint list"
# the journey's stages as a CX team names them, in their order
STAGE_LABELS = {stage: label for stage, label in palette.STAGE_LABELS.items()}
MOMENT_LABELS = {
    "ZMOT": "ZMOT",
    "FMOT": "FMOT",
    "SMOT": "SMOT",
    "UMOT": "UMOT",
}
MOMENT_HELP = (
    "Moments of truth: ZMOT = zero (research before buying), FMOT = first (choosing and buying), "
    "SMOT = second (using the product), UMOT = ultimate (sharing the experience)."
)
FIX_FIRST = "Fix first"
QUADRANT_COLORS = {
    FIX_FIRST: palette.NPS_CLASS_COLORS[0],
    "Keep up": palette.NPS_CLASS_COLORS[2],
    "Low priority": "#9a9a9a",
    "Possible overkill": "#6b8fb3",
}
QUADRANT_HELP = {
    FIX_FIRST: "matters a lot for recommending, performs below the median",
    "Keep up": "matters a lot, performs well",
    "Low priority": "matters little, performs below the median",
    "Possible overkill": "matters little, performs well",
}


# -- words and numbers ----------------------------------------------------------------
def signed(value: float) -> str:
    return f"{value:+.1f}".replace("-", "−")


def format_metric(metric: HeatmapMetric, value: float | None, margin: float | None = None) -> str:
    if value is None or pd.isna(value):
        return SUPPRESSED_TEXT
    text = signed(value) if metric.unit == "points" else f"{value:.1f} %"
    if margin is not None and not pd.isna(margin):
        text += f" ± {margin:.1f}"
    return text


def cell_text(metric: HeatmapMetric, value: float | None) -> str:
    if value is None or pd.isna(value):
        return SUPPRESSED_TEXT
    return f"{value:+.0f}".replace("-", "−") if metric.unit == "points" else f"{value:.0f} %"


def format_count(n: float | int | None) -> str:
    return "0" if n is None or pd.isna(n) else f"{int(n):,}".replace(",", " ")


def stage_label(stage: object) -> str:
    return UNKNOWN_STAGE if stage is None or pd.isna(stage) else STAGE_LABELS.get(str(stage), str(stage).capitalize())


def touchpoint_label(touchpoint: str, moment: object) -> str:
    """'Invoice & billing · SMOT': the moment of truth travels with the name."""
    if moment is None or pd.isna(moment):
        return touchpoint
    return f"{touchpoint} · {MOMENT_LABELS.get(str(moment), str(moment))}"


def channel_order(channels: list[str]) -> list[str]:
    """The house channel order, unknown channels after it, 'unknown' and then the total last."""
    known = [channel for channel in palette.CHANNELS if channel in channels]
    rest = sorted(channel for channel in channels if channel not in known and channel not in ("unknown", ALL_CHANNELS))
    tail = [channel for channel in ("unknown", ALL_CHANNELS) if channel in channels]
    return known + rest + tail


def channel_label(channel: str) -> str:
    if channel in (ALL_CHANNELS,):
        return channel
    if channel == "unknown":
        return "No channel recorded"
    return channel.capitalize() if channel.islower() else channel


# -- the heatmap ----------------------------------------------------------------------
def heatmap_cells(performance: pd.DataFrame, metric: HeatmapMetric) -> pd.DataFrame:
    """The rows the heatmap draws: one per touchpoint and channel, with labels and display texts."""
    cells = performance.copy()
    cells["suppressed"] = cells["suppressed"].astype(bool)
    cells["stage_label"] = [stage_label(stage) for stage in cells["stage"]]
    cells["touchpoint_label"] = [touchpoint_label(tp, mot) for tp, mot in zip(cells["touchpoint"], cells["moment_of_truth"])]
    cells["channel_label"] = [channel_label(channel) for channel in cells["channel"]]
    cells["value_text"] = [format_metric(metric, v, m) for v, m in zip(cells["value"], cells["margin_of_error"])]
    cells["cell_text"] = [cell_text(metric, v) for v in cells["value"]]
    cells["n_text"] = [format_count(n) for n in cells["n"]]
    cells["moment_text"] = ["—" if pd.isna(m) else str(m) for m in cells["moment_of_truth"]]
    # a number on a deep red or green cell is read in white
    shown = cells.loc[~cells["suppressed"], "value"]
    low, high = color_domain(metric, shown)
    middle, half = (low + high) / 2, (high - low) / 2 or 1
    cells["light_text"] = [
        (not suppressed) and abs((value - middle) / half) > 0.6 for value, suppressed in zip(cells["value"], cells["suppressed"])
    ]
    columns = ["touchpoint", "touchpoint_label", "stage_label", "moment_text", "channel", "channel_label", "n", "n_text",
               "value", "value_text", "cell_text", "light_text", "suppressed"]
    return cells[columns]


def color_domain(metric: HeatmapMetric, values: pd.Series) -> tuple[float, float]:
    """NPS is centred on zero (red below, green above); shares run over what the data shows."""
    values = values.dropna().astype(float)
    if values.empty:
        return (-100.0, 100.0) if metric.unit == "points" else (0.0, 100.0)
    if metric.unit == "points":
        reach = max(10.0, math.ceil(max(abs(values.min()), abs(values.max())) / 10) * 10)
        return -reach, reach
    low, high = math.floor(values.min() / 5) * 5, math.ceil(values.max() / 5) * 5
    return float(low), float(high if high > low else low + 5)


def heatmap_chart(performance: pd.DataFrame, metric_key: str, chosen: str | None = None) -> alt.FacetChart:
    """Touchpoints (rows, in journey order, grouped by stage) × channels (columns, 'All channels'
    last); colour = the metric, grey "n too small" where suppressed; click a cell to open its touchpoint."""
    metric = METRICS[metric_key]
    cells = heatmap_cells(performance, metric)
    touchpoint_order = list(dict.fromkeys(cells["touchpoint_label"]))
    stages = [stage_label(stage) for stage in palette.STAGES]
    stage_order = [label for label in stages if label in set(cells["stage_label"])]
    if UNKNOWN_STAGE in set(cells["stage_label"]):
        stage_order.append(UNKNOWN_STAGE)
    columns = [channel_label(channel) for channel in channel_order(cells["channel"].unique().tolist())]
    low, high = color_domain(metric, cells.loc[~cells["suppressed"], "value"])

    pick = alt.selection_point(name="touchpoint", fields=["touchpoint"], on="click")
    x = alt.X(
        "channel_label:N",
        title=None,
        sort=columns,
        axis=alt.Axis(orient="top", labelAngle=0, labelFontWeight="bold", domain=False, ticks=False),
    )
    y = alt.Y(
        "touchpoint_label:N",
        title=None,
        sort=touchpoint_order,
        axis=alt.Axis(labelLimit=280, domain=False, ticks=False, labelFontSize=12),
    )
    scale = alt.Scale(scheme=palette.GOOD_BAD_SCHEME, domain=[low, high], clamp=True)
    if metric.unit == "points":
        scale = alt.Scale(scheme=palette.GOOD_BAD_SCHEME, domain=[low, 0, high], clamp=True)
    tooltip = [
        alt.Tooltip("touchpoint:N", title="Touchpoint"),
        alt.Tooltip("stage_label:N", title="Stage"),
        alt.Tooltip("moment_text:N", title="Moment of truth"),
        alt.Tooltip("channel_label:N", title="Channel"),
        alt.Tooltip("value_text:N", title=f"{metric.label} (95 % margin)"),
        alt.Tooltip("n_text:N", title="Answers (n)"),
    ]
    outline = (
        alt.condition(alt.datum.touchpoint == chosen, alt.value("#222222"), alt.value("white"))
        if chosen is not None
        else alt.value("white")
    )
    base = alt.Chart().encode(x=x, y=y)
    rects = (
        base.mark_rect(cursor="pointer", strokeWidth=2)
        .encode(
            color=alt.Color(
                "value:Q",
                title=f"{metric.label}{' (%)' if metric.unit == '%' else ''}",
                scale=scale,
                legend=alt.Legend(orient="top", gradientLength=260, direction="horizontal"),
            ),
            stroke=outline,
            tooltip=tooltip,
        )
        .transform_filter(~alt.datum.suppressed)
        .add_params(pick)
    )
    # their own layer: a colour scale drops the null values of suppressed cells
    grey_rects = (
        base.mark_rect(cursor="pointer", strokeWidth=2, color=SUPPRESSED_COLOR)
        .encode(stroke=outline, tooltip=tooltip)
        .transform_filter(alt.datum.suppressed)
        .add_params(pick)
    )
    texts = (
        base.mark_text(fontSize=11)
        .encode(
            text="cell_text:N",
            color=alt.condition(alt.datum.light_text, alt.value("white"), alt.value("#222222")),
            tooltip=tooltip,
        )
        .transform_filter(~alt.datum.suppressed)
    )
    hidden = (
        base.mark_text(fontSize=10, fontStyle="italic", color="#555555")
        .encode(text="cell_text:N", tooltip=tooltip)
        .transform_filter(alt.datum.suppressed)
    )
    return (
        alt.layer(rects, grey_rects, texts, hidden, data=cells)
        .properties(width=alt.Step(92), height=alt.Step(26))
        .facet(
            row=alt.Row(
                "stage_label:N",
                title=None,
                sort=stage_order,
                header=alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top",
                                  labelFontWeight="bold", labelFontSize=13, labelPadding=4),
            ),
            spacing=8,
        )
        .resolve_scale(y="independent")
    )


# -- importance versus performance ------------------------------------------------------
def importance_points(ip: pd.DataFrame) -> pd.DataFrame:
    shown = ip[~ip["suppressed"].astype(bool)].copy()
    shown["performance_text"] = [f"{value:.0f} % of the scale" for value in shown["performance"]]
    shown["rating_text"] = [
        f"{mean:.2f} on {low:g}–{high:g}" for mean, low, high in zip(shown["mean_rating"], shown["scale_min"], shown["scale_max"])
    ]
    shown["importance_text"] = [
        f"r = {r:.2f}" + ("" if pd.isna(lo) else f" (95 %: {lo:.2f} to {hi:.2f})")
        for r, lo, hi in zip(shown["importance"], shown["importance_lower"], shown["importance_upper"])
    ]
    shown["n_text"] = [format_count(n) for n in shown["n"]]
    shown["kind"] = ["Touchpoint" if flag else "Attribute" for flag in shown["is_touchpoint"].astype(bool)]
    columns = ["attribute", "kind", "is_touchpoint", "importance", "performance", "quadrant", "performance_text",
               "rating_text", "importance_text", "n_text"]
    return shown[columns]


def importance_chart(ip: pd.DataFrame) -> alt.LayerChart:
    """Each rated attribute placed by performance (x, % of its scale) and importance (y, correlation of its
    rating with the NPS answer); lines at the medians; the 'Fix first' quadrant (top left) in red."""
    points = importance_points(ip)
    median_x, median_y = float(ip["median_performance"].dropna().iloc[0]), float(ip["median_importance"].dropna().iloc[0])
    x_low = max(0.0, math.floor((points["performance"].min() - 5) / 5) * 5)
    x_high = min(100.0, math.ceil((points["performance"].max() + 5) / 5) * 5)
    y_low = max(-1.0, math.floor((points["importance"].min() - 0.05) * 10) / 10)
    y_high = min(1.0, math.ceil((points["importance"].max() + 0.05) * 10) / 10)
    # every layer carries the same scales, or Vega-Lite widens the shared domain to zero
    x_scale = alt.Scale(domain=[x_low, x_high], nice=False, zero=False)
    y_scale = alt.Scale(domain=[y_low, y_high], nice=False, zero=False)
    x = alt.X("performance:Q", title="Performance: average rating (% of its scale)", scale=x_scale)
    y = alt.Y("importance:Q", title="Importance: correlation with likelihood to recommend (r)", scale=y_scale)
    quadrants = list(QUADRANT_COLORS)
    pick = alt.selection_point(name="attribute", fields=["attribute"], on="click")
    tooltip = [
        alt.Tooltip("attribute:N", title="Rated"),
        alt.Tooltip("kind:N", title="Kind"),
        alt.Tooltip("quadrant:N", title="Quadrant"),
        alt.Tooltip("importance_text:N", title="Importance"),
        alt.Tooltip("performance_text:N", title="Performance"),
        alt.Tooltip("rating_text:N", title="Average rating"),
        alt.Tooltip("n_text:N", title="Ratings with an NPS answer (n)"),
    ]
    base = alt.Chart(points).encode(x=x, y=y)
    dots = (
        base.mark_circle(size=160, opacity=0.9, cursor="pointer", stroke="white", strokeWidth=1)
        .encode(
            color=alt.Color(
                "quadrant:N",
                title=None,
                scale=alt.Scale(domain=quadrants, range=[QUADRANT_COLORS[q] for q in quadrants]),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=tooltip,
        )
        .add_params(pick)
    )
    labels = (
        base.mark_text(align="left", dx=10, fontSize=12, color="#333333")
        .encode(text="attribute:N")
        .transform_filter(alt.datum.quadrant != FIX_FIRST)
    )
    fix_labels = (
        base.mark_text(align="left", dx=10, fontSize=12, fontWeight="bold", color=QUADRANT_COLORS[FIX_FIRST])
        .encode(text="attribute:N")
        .transform_filter(alt.datum.quadrant == FIX_FIRST)
    )
    lines = pd.DataFrame({"median_x": [median_x], "median_y": [median_y]})
    vertical = alt.Chart(lines).mark_rule(color="#888888", strokeDash=[4, 3]).encode(x=alt.X("median_x:Q", scale=x_scale))
    horizontal = alt.Chart(lines).mark_rule(color="#888888", strokeDash=[4, 3]).encode(y=alt.Y("median_y:Q", scale=y_scale))
    corners = pd.DataFrame(
        [
            {"x": x_low, "y": y_high, "text": "FIX FIRST", "align": "left", "color": QUADRANT_COLORS[FIX_FIRST]},
            {"x": x_high, "y": y_high, "text": "KEEP UP", "align": "right", "color": QUADRANT_COLORS["Keep up"]},
            {"x": x_low, "y": y_low, "text": "LOW PRIORITY", "align": "left", "color": "#777777"},
            {"x": x_high, "y": y_low, "text": "POSSIBLE OVERKILL", "align": "right", "color": "#777777"},
        ]
    )
    corner_layers = [
        alt.Chart(corners.iloc[[i]])
        .mark_text(align=row["align"], baseline="top" if row["y"] == y_high else "bottom", dx=6 if row["align"] == "left" else -6,
                   dy=6 if row["y"] == y_high else -6, fontWeight="bold", fontSize=12, color=row["color"])
        .encode(x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale), text="text:N")
        for i, row in corners.iterrows()
    ]
    return alt.layer(vertical, horizontal, *corner_layers, dots, labels, fix_labels).properties(height=420)


# -- one touchpoint ---------------------------------------------------------------------
def trend_chart(trend: pd.DataFrame, touchpoint: str) -> alt.LayerChart:
    """The touchpoint's NPS per month with its 95 % band; suppressed months are left out (the line breaks)."""
    shown = trend[~trend["suppressed"].astype(bool)].copy()
    shown["month_label"] = [f"{pd.Timestamp(month):%B %Y}" for month in shown["month"]]
    shown["nps_text"] = [signed(value) for value in shown["nps"]]
    shown["band_text"] = [f"{signed(lo)} to {signed(hi)}" for lo, hi in zip(shown["nps_lower"], shown["nps_upper"])]
    shown["n_text"] = [format_count(n) for n in shown["n"]]
    shown["month"] = pd.to_datetime(shown["month"])
    # every month in the span, so a suppressed month breaks the line instead of being bridged
    full = trend[["month"]].assign(month=pd.to_datetime(trend["month"])).merge(shown, on="month", how="left")
    low = max(-100.0, math.floor((shown["nps_lower"].min() - 5) / 10) * 10) if not shown.empty else -100.0
    high = min(100.0, math.ceil((shown["nps_upper"].max() + 5) / 10) * 10) if not shown.empty else 100.0
    y_scale = alt.Scale(domain=[low, high], nice=False)
    x = alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0, grid=False, tickCount={"interval": "month", "step": 1 if len(full) <= 14 else 3}))
    tooltip = [
        alt.Tooltip("month_label:N", title="Month"),
        alt.Tooltip("nps_text:N", title=f"NPS · {touchpoint}"),
        alt.Tooltip("band_text:N", title="95 % range"),
        alt.Tooltip("n_text:N", title="Answers (n)"),
    ]
    base = alt.Chart(full).encode(x=x)
    band = base.mark_area(opacity=0.2, color=palette.ACCENT).encode(y=alt.Y("nps_lower:Q", title="NPS", scale=y_scale), y2="nps_upper:Q")
    line = base.mark_line(color=palette.ACCENT, strokeWidth=2.5).encode(y=alt.Y("nps:Q", scale=y_scale))
    points = base.mark_point(filled=True, size=60, color=palette.ACCENT).encode(y=alt.Y("nps:Q", scale=y_scale), tooltip=tooltip)
    layers = [band, line, points]
    if low < 0 < high:
        layers.insert(1, alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(color="#9a9a9a", strokeDash=[2, 2]).encode(y="zero:Q"))
    return alt.layer(*layers).properties(height=300)


VERBATIM_COLUMNS = {
    "responded_at": "Date",
    "nps": "NPS answer",
    "nps_class": "Promoter / detractor",
    "csat": "CSAT (1–5)",
    "ces": "CES (1–7)",
    "channel": "Channel",
    "segment": "Segment",
    "comment": "Comment",
}
CLASS_WORDS = {"promoter": "Promoter", "passive": "Passive", "detractor": "Detractor"}


def verbatim_table(verbatims: pd.DataFrame) -> pd.DataFrame:
    """The comments as a CX director reads them: dated dd.mm.yyyy, words for classes, no ids."""
    table = verbatims[list(VERBATIM_COLUMNS)].copy()
    table["responded_at"] = [f"{pd.Timestamp(at):%d.%m.%Y %H:%M}" for at in table["responded_at"]]
    table["nps_class"] = [CLASS_WORDS.get(value, "") if isinstance(value, str) else "" for value in table["nps_class"]]
    table["channel"] = [channel_label(value) if isinstance(value, str) else "" for value in table["channel"]]
    # an unanswered question is blank, not "None"
    for column in ("nps", "csat", "ces"):
        table[column] = ["" if pd.isna(value) else str(int(value)) for value in table[column]]
    table["segment"] = table["segment"].fillna("")
    return table.rename(columns=VERBATIM_COLUMNS)
