"""Touchpoint performance: a touchpoint × channel heatmap in journey order, importance versus
performance of the rated attributes, and one touchpoint's NPS trend and comments.

Drill path (in the URL, so a link reproduces it): `tp_metric` chooses the heatmap's metric;
`touchpoint` is the clicked touchpoint (a heatmap cell, a touchpoint in the importance chart, or
the picker), whose monthly NPS and comments are shown below.
"""

import re

import streamlit as st

from cxdata import drill, export, ui
from cxdata.charts import touchpoints as charts
from cxdata.queries import touchpoints as queries

store = ui.get_store()
filters = ui.current_filters()
min_n = ui.min_n()

METRIC_KEY = "tp_metric"
PICK_KEY = "tp_pick"

st.title("Touchpoint performance")

if METRIC_KEY not in st.session_state:
    from_url = drill.value(METRIC_KEY)
    st.session_state[METRIC_KEY] = from_url if from_url in queries.METRICS else "nps"
metric = st.segmented_control(
    "Metric",
    list(queries.METRICS),
    format_func=lambda key: queries.METRICS[key].label,
    required=True,
    key=METRIC_KEY,
    help=" ".join(f"{m.label}: {m.help}" for m in queries.METRICS.values()),
)
# a widget whose state was dropped (a run that did not draw it) comes back empty: fall back
metric = metric if metric in queries.METRICS else "nps"
ui.sync_query_params({METRIC_KEY: metric}, managed=(METRIC_KEY,))
chosen_metric = queries.METRICS[metric]

if filters.date_from is None:
    st.info("The store holds no survey answers yet. Import a survey file on the Data page.")
    st.stop()

period = f"{filters.date_from:%d.%m.%Y} – {filters.date_to:%d.%m.%Y}"
answers = ui.cached(queries.touchpoint_answers, store, filters, min_n)
if answers.empty:
    st.info(
        f"No survey answer in {period} names a touchpoint for these filters. Widen the period or clear the "
        "segment, channel or region filters in the sidebar; survey files need a touchpoint column for this page."
    )
    st.stop()

# -- the heatmap --------------------------------------------------------------------------
chosen = drill.value("touchpoint")
st.subheader(f"{chosen_metric.label} by touchpoint and channel")
st.caption(
    f"{period}. Touchpoints run down the journey, grouped by stage; the moment of truth follows the name. "
    f"{chosen_metric.help} Grey cells have fewer than {min_n} answers (n too small). Click a cell to open its touchpoint."
)
performance_query = ui.query(queries.touchpoint_performance, store, filters, metric, min_n)
performance = performance_query.rows()
if performance.empty:
    st.info(f"No {chosen_metric.label} answers at any touchpoint for these filters. Choose another metric above.")
else:
    event = ui.chart(
        charts.heatmap_chart, performance_query, metric, chosen,
        on_select="rerun",
        key=f"tp_heatmap_{metric}_{chosen or ''}",
    )
    drill.push("touchpoint", drill.selected(event, "touchpoint", "touchpoint"))
    hidden = performance[performance["suppressed"].astype(bool)]
    notes = [charts.MOMENT_HELP]
    if not hidden.empty:
        notes.insert(0, f"n too small: {len(hidden)} of {len(performance)} cells have fewer than {min_n} answers and show no number.")
    st.caption(" ".join(notes))

# -- importance versus performance ----------------------------------------------------------
st.subheader("What to fix first: importance versus performance")
importance_query = ui.query(queries.importance_performance, store, filters, min_n)
importance = importance_query.rows()
shown = importance[~importance["suppressed"].astype(bool)]
if shown.empty:
    st.info(
        "No attribute ratings (with an NPS answer on the same response) for these filters, or too few: "
        f"each attribute needs at least {min_n}. Attribute ratings come from the survey's rating grid."
    )
else:
    st.caption(
        "Importance: how strongly a rating moves with the customer's likelihood to recommend (Pearson correlation "
        "of the rating with the NPS answer of the same response). Performance: the average rating as a share of its "
        "scale. The dashed lines are the medians; top left is what matters most and performs worst. "
        "Click a touchpoint to open it."
    )
    ip_event = ui.chart(
        charts.importance_chart, importance_query, on_select="rerun", key=f"tp_importance_{chosen or ''}", width="stretch"
    )
    picked = drill.selected(ip_event, "attribute", "attribute")
    if picked is not None:
        rows = importance[importance["attribute"] == picked]
        if not rows.empty and bool(rows.iloc[0]["is_touchpoint"]):
            drill.push("touchpoint", picked)
        else:
            st.info(f"'{picked}' is a rated attribute, not a touchpoint of the journey: it has no touchpoint trend.")
    fix_first = shown[shown["quadrant"] == charts.FIX_FIRST]
    if fix_first.empty:
        st.success("Nothing falls in the fix-first quadrant: no attribute is both above the median importance and below the median performance.")
    else:
        items = [
            f"**{row.attribute}** — importance r = {row.importance:.2f}, performance {row.performance:.0f} % "
            f"(average {row.mean_rating:.2f} on {row.scale_min:g}–{row.scale_max:g}), n = {charts.format_count(row.n)}"
            for row in fix_first.sort_values("importance", ascending=False).itertuples()
        ]
        st.markdown(":red[**Fix first**] (" + charts.QUADRANT_HELP[charts.FIX_FIRST] + "):\n\n" + "\n".join(f"- {item}" for item in items))
    too_few = importance[importance["suppressed"].astype(bool)]
    if not too_few.empty:
        st.caption(
            "Not placed (n too small, or ratings that do not vary): " + ", ".join(sorted(too_few["attribute"])) + "."
        )

# -- one touchpoint -------------------------------------------------------------------------
st.divider()
options = answers["touchpoint"].tolist()
drill.picker("Open a touchpoint", options, "touchpoint", PICK_KEY, help="The same as clicking a touchpoint in the charts above.")

if chosen is None:
    st.info("Click a touchpoint in the heatmap (or choose one above) to see its NPS over time and read its comments.")
    st.stop()

drill.breadcrumb("Touchpoints", [("touchpoint", chosen)])
found = answers[answers["touchpoint"] == chosen]
if found.empty:
    st.info(f"No survey answers about '{chosen}' for these filters. Choose another touchpoint or widen the filters.")
    st.stop()
summary = found.iloc[0]
st.subheader(chosen)
if bool(summary["suppressed"]):
    st.info(
        f"n too small: '{chosen}' has {int(summary['n'])} answers for these filters, fewer than {min_n}. "
        "Its scores and comments are not shown; widen the period or the filters."
    )
    st.stop()

tiles = st.columns(4)
tiles[0].metric("Answers", charts.format_count(summary["n"]), border=True)
for column, key in zip(tiles[1:], queries.METRICS):
    tile_metric = queries.METRICS[key]
    rows = ui.cached(queries.touchpoint_performance, store, filters, key, min_n)
    total = rows[(rows["touchpoint"] == chosen) & rows["all_channels"].astype(bool)]
    if total.empty:
        column.metric(tile_metric.label, "no answers", help=tile_metric.help, border=True)
        continue
    row = total.iloc[0]
    column.metric(
        tile_metric.label, charts.format_metric(tile_metric, row["value"], row["margin_of_error"]),
        help=tile_metric.help, border=True,
    )
    column.caption(f"n = {charts.format_count(row['n'])} answers")

st.markdown("**NPS by month**")
trend_query = ui.query(queries.touchpoint_trend, store, filters, chosen, min_n)
trend = trend_query.rows()
shown_months = trend[~trend["suppressed"].astype(bool)]
if trend.empty:
    st.info(f"No NPS answers about '{chosen}' for these filters.")
elif shown_months.empty:
    st.info(f"n too small: every month has fewer than {min_n} NPS answers about '{chosen}'. Widen the period to see a trend.")
else:
    ui.chart(charts.trend_chart, trend_query, chosen, width="stretch", key=f"tp_trend_{chosen}")
    missing = len(trend) - len(shown_months)
    caption = "The band is the 95 % range of each month's NPS."
    if missing:
        caption += f" n too small: {missing} month(s) with fewer than {min_n} answers are left out of the line."
    st.caption(caption)

st.markdown("**What customers said**")
verbatims_query = ui.query(queries.touchpoint_verbatims, store, filters, chosen, min_n)
verbatims = verbatims_query.rows()
if verbatims.empty:
    st.info(f"None of the {charts.format_count(summary['n'])} answers about '{chosen}' in these filters has a comment.")
else:
    comments = int(summary["comments"])
    if comments > len(verbatims):
        st.caption(f"The newest {charts.format_count(len(verbatims))} of {charts.format_count(comments)} comments; narrow the period to read older ones.")
    else:
        st.caption(f"{charts.format_count(comments)} comments, newest first.")
    table = ui.derived(charts.verbatim_table, verbatims_query)
    st.dataframe(table, hide_index=True, width="stretch", key=f"tp_verbatims_{chosen}")
    slug = re.sub(r"[^a-z0-9]+", "-", chosen.lower()).strip("-") or "touchpoint"
    st.download_button(
        "Download these comments (CSV)",
        export.safe_csv(table),
        file_name=f"comments_{slug}_{filters.date_from:%Y%m%d}-{filters.date_to:%Y%m%d}.csv",
        mime="text/csv",
        key=f"tp_download_{chosen}",
    )
