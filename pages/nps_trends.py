"""NPS trends: NPS by week or month with its 95 % band, split by segment or channel.

Drill path (all in the URL, so a link reproduces it): `grain` and `split` choose the chart;
`period` (a month "2026-07" or an ISO week "2026-W28") is the clicked period, whose mix of
promoters, passives and detractors is shown by segment or channel; `split_value` is the
clicked bar, whose answers are listed and can be downloaded.
"""

import dataclasses
import re

import streamlit as st

from cxdata import drill, export, formatting, ui
from cxdata.charts import nps as charts
from cxdata.queries import nps as queries

store = ui.get_store()
filters = ui.current_filters()
min_n = ui.min_n()

GRAIN_LABELS = {"month": "Month", "week": "Week"}
SPLIT_LABELS = {"none": "No split", "segment": "Segment", "channel": "Channel"}
DRILL_KEYS = ["period", "split_value"]
# widget key -> (URL key, allowed URL values, default); the URL carries option names, not labels,
# so a link keeps working when a label is reworded
CHOICES = {
    "nps_grain": ("grain", list(GRAIN_LABELS), "month"),
    "nps_split": ("split", list(SPLIT_LABELS), "none"),
}

st.title("NPS trends")

# a widget's value starts from the URL when the page is opened (a link, or a jump from Overview)
for widget_key, (url_key, allowed, default) in CHOICES.items():
    if widget_key not in st.session_state:
        from_url = drill.value(url_key)
        st.session_state[widget_key] = from_url if from_url in allowed else default
if "nps_compare" not in st.session_state:
    st.session_state["nps_compare"] = drill.value("compare") != "no"


def _forget_drill() -> None:
    # a period key of one grain means nothing in the other, and a group of one split nothing in the other
    drill.clear(DRILL_KEYS)


controls = st.columns([1, 2, 3], vertical_alignment="bottom")
with controls[0]:
    grain = st.segmented_control(
        "NPS by", list(GRAIN_LABELS), format_func=GRAIN_LABELS.get, required=True, key="nps_grain",
        on_change=_forget_drill,
    )
with controls[1]:
    split = st.segmented_control(
        "Split by", list(SPLIT_LABELS), format_func=SPLIT_LABELS.get, required=True, key="nps_split",
        on_change=_forget_drill,
    )
with controls[2]:
    compare = st.toggle(
        "Show the previous period too",
        key="nps_compare",
        help="Adds the period of equal length before the chosen dates (shaded), so a change is seen against what came before.",
    )
grain, split = queries.checked_grain(grain), queries.checked_split(split)
mix_by = queries.mix_dimension(split)
ui.sync_query_params(
    {"grain": grain, "split": split, "compare": "yes" if compare else "no"}, managed=("grain", "split", "compare")
)

if filters.date_from is None or filters.date_to is None:
    # open-ended filters (a link without dates) mean the whole span of the data
    first_day, last_day = ui.cached(ui.data_span, store)
    if first_day is None:
        st.info("The store holds no survey answers yet. Import a survey file on the Data page.")
        st.stop()
    filters = dataclasses.replace(filters, date_from=filters.date_from or first_day, date_to=filters.date_to or last_day)

# the chart, the mix and the answers all read the same span
shown = dataclasses.replace(filters, date_from=filters.previous_period().date_from) if compare else filters
trend_query = ui.query(queries.nps_by_period, store, shown, min_n, grain, split)
trend = trend_query.rows()
if trend.empty:
    st.info(
        "No NPS answers match the filters. Widen the period or clear the segment, channel or region "
        "filters in the sidebar."
    )
    st.stop()

period = queries.parse_period(grain, drill.value("period"))
if drill.value("period") is not None and period is None:
    st.warning(f"The link names a period ('{drill.value('period')}') that is not a {grain}; showing the whole trend.")
    drill.clear(DRILL_KEYS)
elif period is None and drill.value("split_value") is not None:
    # a group means something only inside a period
    drill.clear(["split_value"])

drill.breadcrumb(
    "NPS trends",
    [("period", period.short_label if period else ""), ("split_value", f"{charts.DIMENSION_LABELS[mix_by]}: {drill.value('split_value')}")],
)

hidden = trend[trend["suppressed"].astype(bool)]
if len(hidden) == len(trend):
    st.info(
        f"n too small: every {grain} has fewer than {min_n} answers"
        + (f" in each {charts.DIMENSION_LABELS[split].lower()}" if split != "none" else "")
        + " for these filters, so no NPS is shown. Choose months instead of weeks, no split, or wider filters."
    )
else:
    st.caption(
        f"NPS per {grain} with its 95 % range (the band around the line), "
        + (
            f"{filters.date_from:%d.%m.%Y} – {filters.date_to:%d.%m.%Y} and the period of equal length before it (shaded). "
            if compare
            else f"{filters.date_from:%d.%m.%Y} – {filters.date_to:%d.%m.%Y}. "
        )
        + "Click a point to see who made up that period's score."
    )
    event = ui.chart(
        charts.trend_chart, trend_query, grain, split, period.key if period else None, filters.date_from if compare else None,
        on_select="rerun",
        # keyed by the drill path, so that going back starts with no stale click
        key=f"nps_trend_{grain}_{split}_{period.key if period else ''}",
        width="stretch",
    )
    drill.push("period", drill.selected(event, "period", "period"), deeper=["split_value"])
    if not hidden.empty:
        groups = "" if split == "none" else f" ({', '.join(sorted(hidden['split_value'].unique()))})"
        st.caption(
            f"n too small: {len(hidden)} point(s){groups} with fewer than {min_n} answers are left out of the line."
        )

if period is None:
    st.stop()

st.subheader(f"Who made up the score · {period.label}")
mix_query = ui.query(queries.nps_mix, store, shown, min_n, grain, period.key, mix_by)
mix = mix_query.rows()
if mix.empty:
    st.info(f"No NPS answers in {period.label} for these filters. Choose another period in the chart above.")
    st.stop()

value = drill.value("split_value")
if split == "none":
    st.caption("By channel; choose a split above to compare segments instead.")
st.caption("Click a bar to read the answers behind it.")
mix_event = ui.chart(
    charts.mix_chart, mix_query, mix_by, value,
    on_select="rerun",
    key=f"nps_mix_{grain}_{split}_{period.key}_{value or ''}",
    width="stretch",
)
drill.push("split_value", drill.selected(mix_event, "split_value", "split_value"))

if value is None:
    st.stop()

groups = mix.drop_duplicates("split_value").set_index("split_value")
dimension = charts.DIMENSION_LABELS[mix_by].lower()
if value not in groups.index:
    st.info(f"No NPS answers from {dimension} '{value}' in {period.label}. Choose a bar in the chart above.")
    st.stop()
if bool(groups.loc[value, "suppressed"]):
    st.info(
        f"n too small: {dimension} '{value}' has fewer than {min_n} answers in {period.label}, "
        "so its individual answers are not shown."
    )
    st.stop()

answers = ui.cached(queries.nps_responses, store, shown, min_n, grain, period.key, mix_by, value)
st.subheader(f"The answers behind it · {charts.DIMENSION_LABELS[mix_by]} {value}, {period.label}")
st.caption(
    f"{formatting.format_count(len(answers))} answers, detractors first. "
    f"NPS {charts.signed(groups.loc[value, 'nps'])}."
)
table = answers.rename(
    columns={
        "response_id": "Response ID",
        "responded_at": "Date",
        "nps": "Score",
        "nps_class": "Class",
        "channel": "Channel",
        "touchpoint": "Touchpoint",
        "segment": "Segment",
        "comment": "Comment",
    }
)
table["Class"] = table["Class"].str.capitalize()
# an answer without a touchpoint or comment shows an empty cell, not "None"
table[["Touchpoint", "Comment"]] = table[["Touchpoint", "Comment"]].fillna("")
st.dataframe(
    table.drop(columns="Response ID"),
    hide_index=True,
    width="stretch",
    column_config={
        "Date": st.column_config.DatetimeColumn("Date", format="DD.MM.YYYY HH:mm"),
        "Score": st.column_config.NumberColumn("Score", help="0–10: how likely to recommend"),
        "Comment": st.column_config.TextColumn("Comment", width="large"),
    },
)
st.download_button(
    "Download these answers (CSV)",
    data=export.safe_csv(table),
    file_name=re.sub(r"[^\w.-]+", "_", f"nps_{period.key}_{mix_by}_{value}.csv"),
    mime="text/csv",
    icon=":material/download:",
)
