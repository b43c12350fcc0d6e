"""NPS charts: the trend with its 95 % band, the class mix of one period, what moved.

Pure functions DataFrame -> alt.Chart. Suppressed groups never appear as a number: they
are left out of the trend (the line breaks there) and drawn as a grey "n too small" bar in
the mix.
"""

from __future__ import annotations

import datetime as dt
import math

import altair as alt
import pandas as pd

from cxdata import palette

SUPPRESSED_CLASS = "n too small"
SUPPRESSED_COLOR = "#e3e3e3"
CLASS_LABELS = {
    "detractor": "Detractors (0–6)",
    "passive": "Passives (7–8)",
    "promoter": "Promoters (9–10)",
    SUPPRESSED_CLASS: "n too small",
}
DIMENSION_LABELS = {"segment": "Segment", "channel": "Channel", "touchpoint": "Touchpoint", "none": "All answers"}
UP_COLOR = palette.NPS_CLASS_COLORS[2]
DOWN_COLOR = palette.NPS_CLASS_COLORS[0]


def signed(value: float) -> str:
    """An NPS or a change in points with its sign and a true minus: +12.3, −4.0."""
    return f"{value:+.1f}".replace("-", "−")


def _period_label(row: pd.Series, grain: str) -> str:
    start, end = pd.Timestamp(row["period_start"]), pd.Timestamp(row["period_end"])
    if grain == "month":
        label = f"{start:%B %Y}"
    else:
        label = f"Week {start.isocalendar().week} ({start:%d.%m.} – {end:%d.%m.%Y})"
    return label + (" · cut by the date filter" if row["is_partial"] else "")


def _color(split: str, values: list[str]) -> alt.Color | alt.value:
    if split == "none":
        return alt.value(palette.ACCENT)
    return alt.Color(
        "split_value:N",
        title=DIMENSION_LABELS[split],
        scale=palette.split_scale(split, values),
        # the band's transparency must not fade the legend
        legend=alt.Legend(orient="top", symbolOpacity=1, symbolStrokeWidth=3),
    )


def nps_domain(shown: pd.DataFrame) -> list[float]:
    """The NPS axis: the bands with some air, in steps of ten, never beyond −100 … +100."""
    if shown.empty:
        return [-100.0, 100.0]
    low = max(-100.0, math.floor((shown["nps_low"].min() - 5) / 10) * 10)
    high = min(100.0, math.ceil((shown["nps_high"].max() + 5) / 10) * 10)
    return [float(low), float(high)]


def trend_chart(
    trend: pd.DataFrame,
    grain: str,
    split: str,
    chosen_period: str | None = None,
    current_from: dt.date | None = None,
) -> alt.LayerChart:
    """NPS per period (one line per split group) with its 95 % band; click a point to choose its period.

    trend: rows of nps_by_period; suppressed rows are left out and break the line.
    current_from: where the chosen period starts when the trend also shows the one before it,
    which is then shaded as "previous period".
    """
    shown = trend[~trend["suppressed"].astype(bool)].copy()
    shown["period_label"] = [_period_label(row, grain) for _, row in shown.iterrows()]
    shown["band"] = [f"{signed(low)} to {signed(high)}" for low, high in zip(shown["nps_low"], shown["nps_high"])]
    shown["nps_text"] = [signed(value) for value in shown["nps"]]
    shown = shown[
        ["period", "period_start", "period_label", "split_value", "n", "nps", "nps_low", "nps_high",
         "nps_text", "band", "promoter_share", "detractor_share"]
    ]
    values = sorted(shown["split_value"].unique().tolist())
    color = _color(split, values)
    x = alt.X(
        "period_start:T",
        title=None,
        axis=alt.Axis(
            format="%b %Y" if grain == "month" else "%d.%m.%y",
            # one label per month, or per week (every other week when there are many)
            tickCount={"interval": grain, "step": 1 if grain == "month" or len(shown["period"].unique()) <= 16 else 2},
            labelAngle=0,
            grid=False,
        ),
    )
    y_scale = alt.Scale(domain=nps_domain(shown), nice=False)
    base = alt.Chart(shown).encode(x=x)

    band = base.mark_area(opacity=0.12 if split != "none" else 0.2).encode(
        y=alt.Y("nps_low:Q", title="NPS", scale=y_scale),
        y2="nps_high:Q",
        color=color,
    )
    line = base.mark_line(strokeWidth=2.5, invalid="break-paths-show-domains").encode(
        y=alt.Y("nps:Q", scale=y_scale),
        color=color,
        detail="split_value:N",
    )
    period_pick = alt.selection_point(name="period", fields=["period"], on="click", nearest=True)
    tooltip = [
        alt.Tooltip("period_label:N", title="Period"),
        *([alt.Tooltip("split_value:N", title=DIMENSION_LABELS[split])] if split != "none" else []),
        alt.Tooltip("nps_text:N", title="NPS"),
        alt.Tooltip("band:N", title="95 % range"),
        alt.Tooltip("promoter_share:Q", title="Promoters (%)", format=".1f"),
        alt.Tooltip("detractor_share:Q", title="Detractors (%)", format=".1f"),
        alt.Tooltip("n:Q", title="Answers (n)", format=","),
    ]
    points = (
        base.mark_point(filled=True, size=70, cursor="pointer")
        .encode(
            y=alt.Y("nps:Q", scale=y_scale),
            color=color,
            tooltip=tooltip,
            opacity=alt.condition(period_pick, alt.value(1.0), alt.value(0.55)),
        )
        .add_params(period_pick)
    )
    layers = [band, line, points]
    low, high = y_scale.domain
    if low < 0 < high:
        zero = alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(color="#9a9a9a", strokeDash=[2, 2]).encode(y="zero:Q")
        layers.insert(1, zero)
    if current_from is not None and not shown.empty and shown["period_start"].min() < pd.Timestamp(current_from):
        earlier = pd.DataFrame(
            {"start": [shown["period_start"].min()], "end": [pd.Timestamp(current_from)], "label": ["Previous period"]}
        )
        shade = alt.Chart(earlier).mark_rect(color="#f0f0f0")
        layers = [
            shade.encode(x="start:T", x2="end:T"),
            alt.Chart(earlier)
            .mark_text(align="left", baseline="top", dx=4, dy=4, color="#777777")
            .encode(x="start:T", y=alt.datum(high), text="label:N"),
            *layers,
        ]
    if chosen_period is not None:
        chosen = shown[shown["period"] == chosen_period].head(1)
        if not chosen.empty:
            layers.append(
                alt.Chart(chosen[["period_start"]])
                .mark_rule(color="#333333", strokeDash=[5, 3], strokeWidth=1.5)
                .encode(x="period_start:T")
            )
    return alt.layer(*layers).properties(height=380)


def mix_bars(mix: pd.DataFrame) -> pd.DataFrame:
    """The rows the mix chart draws: a group's three classes, or one grey bar when it is suppressed."""
    suppressed = mix["suppressed"].astype(bool)
    shown = mix.loc[~suppressed, ["split_value", "class_order", "nps_class", "n", "answers", "share", "nps"]].copy()
    hidden = (
        mix.loc[suppressed, ["split_value", "n"]]
        .drop_duplicates("split_value")
        .assign(class_order=4, nps_class=SUPPRESSED_CLASS, answers=pd.NA, share=100.0, nps=float("nan"))
    )
    bars = pd.concat([shown, hidden[shown.columns]], ignore_index=True) if not hidden.empty else shown
    bars["class_label"] = bars["nps_class"].map(CLASS_LABELS)
    bars["group_label"] = [
        f"{value} · n = {int(n):,}".replace(",", " ") for value, n in zip(bars["split_value"], bars["n"])
    ]
    bars["nps_text"] = ["n too small" if pd.isna(value) else signed(value) for value in bars["nps"]]
    bars["share_text"] = [
        "" if cls == SUPPRESSED_CLASS or pd.isna(share) or share < 7 else f"{share:.0f} %"
        for cls, share in zip(bars["nps_class"], bars["share"])
    ]
    return bars


def mix_chart(mix: pd.DataFrame, mix_by: str, chosen_value: str | None = None) -> alt.LayerChart:
    """100 % bars of detractors, passives and promoters per group of one period, worst NPS on top;
    click a bar to choose its group."""
    bars = mix_bars(mix)
    # worst first; suppressed groups (no NPS) last
    order = (
        bars.drop_duplicates("group_label")
        .sort_values(["nps", "split_value"], na_position="last")["group_label"]
        .tolist()
    )
    value_pick = alt.selection_point(name="split_value", fields=["split_value"], on="click")
    classes, colors = list(palette.NPS_CLASSES), list(palette.NPS_CLASS_COLORS)
    if (bars["nps_class"] == SUPPRESSED_CLASS).any():
        classes, colors = classes + [SUPPRESSED_CLASS], colors + [SUPPRESSED_COLOR]
    y = alt.Y("group_label:N", title=None, sort=order, axis=alt.Axis(labelLimit=260))
    base = alt.Chart(bars).encode(y=y)
    highlight = (
        alt.condition(alt.datum.split_value == chosen_value, alt.value(1.0), alt.value(0.45))
        if chosen_value is not None
        else alt.condition(value_pick, alt.value(1.0), alt.value(0.6))
    )
    stacked = (
        base.mark_bar(cursor="pointer")
        .encode(
            x=alt.X(
                "share:Q",
                title="Share of answers (%)",
                stack="zero",
                scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(values=[0, 25, 50, 75, 100]),
            ),
            color=alt.Color(
                "nps_class:N",
                title=None,
                scale=alt.Scale(domain=classes, range=colors),
                legend=alt.Legend(
                    orient="top",
                    labelExpr=" : ".join(f"datum.label == '{key}' ? '{text}'" for key, text in CLASS_LABELS.items())
                    + " : datum.label",
                ),
            ),
            order=alt.Order("class_order:Q"),
            opacity=highlight,
            tooltip=[
                alt.Tooltip("split_value:N", title=DIMENSION_LABELS.get(mix_by, "Group")),
                alt.Tooltip("class_label:N", title="Answers"),
                alt.Tooltip("share:Q", title="Share (%)", format=".1f"),
                alt.Tooltip("answers:Q", title="Count"),
                alt.Tooltip("nps_text:N", title="NPS of the group"),
                alt.Tooltip("n:Q", title="Answers in the group (n)", format=","),
            ],
        )
        .add_params(value_pick)
    )
    labels = base.mark_text(color="white", fontWeight="bold").encode(
        x=alt.X("share:Q", stack="zero", bandPosition=0.5),
        order=alt.Order("class_order:Q"),
        text="share_text:N",
    )
    suppressed_labels = (
        alt.Chart(bars[bars["nps_class"] == SUPPRESSED_CLASS])
        .mark_text(color="#555555", align="left", dx=8, fontStyle="italic")
        .encode(y=y, x=alt.datum(0), text=alt.value("n too small: answers not shown"))
    )
    return alt.layer(stacked, labels, suppressed_labels).properties(height=alt.Step(34))


def change_domain(changes: pd.Series) -> list[float]:
    """The change axis from zero to the biggest move on each side, with room for the bar labels."""
    low, high = min(0.0, float(changes.min())), max(0.0, float(changes.max()))
    room = 0.25 * max(high - low, 1.0)
    return [low - (room if low < 0 else 0), high + (room if high > 0 else 0)]


def what_moved_chart(moved: pd.DataFrame) -> alt.LayerChart:
    """The NPS change of each group that moved significantly, biggest first; click a bar to open it.

    moved: rows of what_moved; only those with `significant` true are drawn (so the chart can be
    cached by the what_moved query itself).
    """
    rows = moved[moved["significant"].fillna(False).astype(bool)].copy()
    rows["group_label"] = [
        f"{DIMENSION_LABELS.get(dimension, dimension)}: {value}" for dimension, value in zip(rows["dimension"], rows["value"])
    ]
    rows["direction"] = ["up" if change > 0 else "down" for change in rows["change"]]
    rows["change_text"] = [signed(change) + " pts" for change in rows["change"]]
    rows["previous_text"] = [signed(value) for value in rows["previous_nps"]]
    rows["nps_text"] = [signed(value) for value in rows["nps"]]
    rows["key"] = rows["dimension"] + "|" + rows["value"]
    rows = rows[
        ["key", "dimension", "value", "group_label", "direction", "change", "change_text", "previous_text",
         "nps_text", "n", "previous_n"]
    ]
    order = rows.reindex(rows["change"].abs().sort_values(ascending=False).index)["group_label"].tolist()
    pick = alt.selection_point(name="moved", fields=["key"], on="click")
    base = alt.Chart(rows).encode(y=alt.Y("group_label:N", title=None, sort=order, axis=alt.Axis(labelLimit=260)))
    bars = (
        base.mark_bar(cursor="pointer", cornerRadius=2)
        .encode(
            x=alt.X(
                "change:Q",
                title="Change in NPS (points)",
                scale=alt.Scale(domain=change_domain(rows["change"])),
                axis=alt.Axis(tickCount=8),
            ),
            color=alt.Color(
                "direction:N",
                scale=alt.Scale(domain=["down", "up"], range=[DOWN_COLOR, UP_COLOR]),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("group_label:N", title="Group"),
                alt.Tooltip("previous_text:N", title="NPS before"),
                alt.Tooltip("nps_text:N", title="NPS now"),
                alt.Tooltip("change_text:N", title="Change"),
                alt.Tooltip("previous_n:Q", title="Answers before (n)", format=","),
                alt.Tooltip("n:Q", title="Answers now (n)", format=","),
            ],
        )
        .add_params(pick)
    )
    # each label just beyond its bar's end, on the side the bar points to
    labels = [
        base.transform_filter(alt.datum.direction == direction)
        .mark_text(align=align, dx=offset, color="#333333")
        .encode(x=alt.X("change:Q"), text="change_text:N")
        for direction, align, offset in (("up", "left", 4), ("down", "right", -4))
    ]
    zero = alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(color="#777777").encode(x="zero:Q")
    return alt.layer(bars, zero, *labels).properties(height=alt.Step(30))
