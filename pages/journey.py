"""Journey: the journey map (mean emotion per touchpoint in journey order with its 95 % band, pain
points and wow moments marked), abandonment per touchpoint, segments or channels as separate
curves, and for one touchpoint its journeys, their comments and the NPS of the customers who went
through it against those whose journeys did not.

Drill path (in the URL, so a link reproduces it): `journey_split` chooses the comparison;
`journey_touchpoint` is the clicked touchpoint.
"""

import re

import streamlit as st

from cxdata import drill, export, ui
from cxdata.charts import journey as charts
from cxdata.charts.touchpoints import format_count, signed
from cxdata.queries import journey as queries

store = ui.get_store()
filters = ui.current_filters()
min_n = ui.min_n()

SPLIT_KEY = "journey_split"
DRILL_KEY = "journey_touchpoint"
PICK_KEY = "journey_pick"

st.title("Customer journey")

if SPLIT_KEY not in st.session_state:
    from_url = drill.value(SPLIT_KEY)
    st.session_state[SPLIT_KEY] = from_url if from_url in queries.SPLITS else "none"
split = st.segmented_control(
    "Compare",
    list(queries.SPLITS),
    format_func=queries.SPLITS.get,
    required=True,
    key=SPLIT_KEY,
    help="Draw one emotion curve per segment or per channel on top of the overall curve.",
)
# a widget whose state was dropped (a run that did not draw it) comes back empty: fall back
split = split if split in queries.SPLITS else "none"
ui.sync_query_params({SPLIT_KEY: split}, managed=(SPLIT_KEY,))

if filters.date_from is None:
    st.info("The store holds no journey events yet. Import a journey file on the Data page.")
    st.stop()

period = f"{filters.date_from:%d.%m.%Y} – {filters.date_to:%d.%m.%Y}"
journey_query = ui.query(queries.journey_map, store, filters, "none", min_n)
journey = journey_query.rows()
if journey.empty:
    st.info(
        f"No journey events in {period} for these filters. Widen the period or clear the segment, channel or "
        "region filters in the sidebar."
    )
    st.stop()
chosen = drill.value(DRILL_KEY)

# -- the headline: where it hurts, where it delights ----------------------------------------
lows = journey[journey["moment"] == charts.PAIN].sort_values("mean_emotion")
highs = journey[journey["moment"] == charts.WOW].sort_values("mean_emotion", ascending=False)
findings = []
for row in lows.itertuples():
    abandoned = "" if row.abandonment_rate is None or row.abandonment_rate != row.abandonment_rate else f", {row.abandonment_rate:.0f} % of journeys abandoned there"
    findings.append(f":red[**▼ Pain point: {row.touchpoint}**] — mean emotion {row.mean_emotion:+.2f}{abandoned}".replace("-", "−", 1))
for row in highs.itertuples():
    findings.append(f":green[**▲ Wow moment: {row.touchpoint}**] — mean emotion {row.mean_emotion:+.2f}".replace("-", "−", 1))
if findings:
    st.markdown("  \n".join(findings))
else:
    st.markdown("No touchpoint stands out: none lies more than 1.5 standard deviations from the journey's average on the side of its sign.")

# -- the journey map ------------------------------------------------------------------------
st.subheader("How customers feel along the journey")
st.caption(
    f"{period}. Mean emotion of the journey events at each touchpoint (−1 very negative … +1 very positive) with its "
    "95 % range (the band), touchpoints in journey order across the five stages. A pain point (▼) lies more than 1.5 "
    "standard deviations below the journey's average touchpoint and below zero; a wow moment (▲) as far above and above "
    "zero. Click a touchpoint to open it."
)
compared = compared_query = None
if split != "none":
    compared_query = ui.query(queries.journey_map, store, filters, split, min_n)
    compared = compared_query.rows()
event = ui.chart(
    charts.emotion_chart, journey_query, compared_query, split, chosen,
    on_select="rerun",
    key=f"journey_map_{split}_{chosen or ''}",
    width="stretch",
)
drill.push(DRILL_KEY, drill.selected(event, DRILL_KEY, "touchpoint"))
hidden = journey[journey["emotion_suppressed"].astype(bool)]
notes = []
if not hidden.empty:
    notes.append(
        f"n too small: {', '.join(hidden['touchpoint'])} (fewer than {min_n} rated events) "
        "left out of the curve."
    )
if compared is not None:
    small = compared[compared["emotion_suppressed"].astype(bool)]
    notes.append(
        f"Dashed black: all customers. Coloured: each {queries.SPLITS[split].lower()} (a line breaks where it has no or too few rated events)"
        + (f"; {len(small)} point(s) with fewer than {min_n} rated events are left out." if not small.empty else ".")
    )
if notes:
    st.caption(" ".join(notes))

st.subheader("Where journeys are abandoned")
st.caption(
    "Share of the journeys that reached each touchpoint and were abandoned there (a journey is abandoned where its "
    "last 'abandoned' event is). The number of journeys is in the tooltip."
)
bars_event = ui.chart(
    charts.abandonment_chart, journey_query, chosen,
    on_select="rerun",
    key=f"journey_abandonment_{chosen or ''}",
    width="stretch",
)
drill.push(DRILL_KEY, drill.selected(bars_event, DRILL_KEY, "touchpoint"))

# -- one touchpoint -------------------------------------------------------------------------
st.divider()
options = journey.sort_values("journey_step")["touchpoint"].tolist()
drill.picker("Open a touchpoint", options, DRILL_KEY, PICK_KEY, help="The same as clicking a touchpoint in the charts above.")

if chosen is None:
    st.info("Click a touchpoint (a low, for instance) to see its journeys, their comments and how the NPS of those customers compares.")
    st.stop()

drill.breadcrumb("Journey", [(DRILL_KEY, chosen)])
if chosen not in options:
    st.info(f"No journey passed '{chosen}' in these filters. Choose another touchpoint or widen the filters.")
    st.stop()

st.subheader(chosen)
outcomes = ui.cached(queries.touchpoint_outcomes, store, filters, chosen, min_n)
summary = outcomes.iloc[0]
if bool(summary["suppressed"]):
    st.info(
        f"n too small: {int(summary['n'])} journeys passed '{chosen}' in these filters, fewer than {min_n}. "
        "Their outcomes, comments and NPS are not shown; widen the period or the filters."
    )
    st.stop()

tiles = st.columns(4)
tiles[0].metric("Journeys through it", format_count(summary["n"]), border=True)
tiles[1].metric("Abandoned here", f"{summary['abandoned_here_pct']:.1f} %", border=True,
                help="Journeys whose last 'abandoned' event is at this touchpoint.")
tiles[1].caption(f"{format_count(summary['abandoned_here'])} journeys")
tiles[2].metric("Abandoned elsewhere", f"{summary['abandoned_elsewhere_pct']:.1f} %", border=True,
                help="Journeys through this touchpoint that were abandoned at another touchpoint.")
tiles[2].caption(f"{format_count(summary['abandoned_elsewhere'])} journeys")
tiles[3].metric("Completed", f"{summary['completed_pct']:.1f} %", border=True,
                help="Journeys marked completed; the rest are still open (no outcome yet).")
tiles[3].caption(f"{format_count(summary['completed'])} journeys · {format_count(summary['still_open'])} still open")

st.markdown("**NPS of customers who went through it, against customers whose journeys did not**")
nps = ui.cached(queries.touchpoint_nps, store, filters, chosen, min_n)
if nps.empty or (int(nps.iloc[0]["through_n"]) == 0 and int(nps.iloc[0]["other_n"]) == 0):
    st.info("None of these customers gave an NPS answer in the chosen period.")
else:
    row = nps.iloc[0]
    ui.chart(charts.nps_comparison_chart, row, chosen, width="stretch", key=f"journey_nps_{chosen}")
    if row["difference"] is None or row["difference"] != row["difference"]:
        st.caption(f"n too small: one of the groups has fewer than {min_n} NPS answers, so no difference is stated.")
    else:
        verdict = "a significant difference (95 %)" if bool(row["significant"]) else "not a significant difference (could be chance)"
        st.caption(
            f"Went through it: NPS {signed(row['through_nps'])} ± {row['through_margin']:.1f}, n = {format_count(row['through_n'])} answers "
            f"from {format_count(row['through_customers'])} customers. Journeys without it: NPS {signed(row['other_nps'])} ± "
            f"{row['other_margin']:.1f}, n = {format_count(row['other_n'])} answers from {format_count(row['other_customers'])} customers. "
            f"Difference {signed(row['difference'])} points, z = {row['z']:.2f}: {verdict}. "
            "All NPS answers of these customers in the period count, whatever they were about."
        )

st.markdown("**What these customers said**")
comments_query = ui.query(queries.touchpoint_comments, store, filters, chosen, min_n)
comments = comments_query.rows()
if comments.empty:
    st.info(f"None of the customers whose journeys passed '{chosen}' left a survey comment in the period.")
else:
    st.caption(
        "Survey comments of the customers whose journeys passed this touchpoint (journey events carry no comments); "
        f"answers about {chosen} itself (★) first, then the newest. Up to {format_count(queries.LIST_LIMIT)} are listed."
    )
    comment_table = ui.derived(charts.comments_table, comments_query)
    st.dataframe(comment_table, hide_index=True, width="stretch", key=f"journey_comments_{chosen}")
    slug = re.sub(r"[^a-z0-9]+", "-", chosen.lower()).strip("-") or "touchpoint"
    st.download_button(
        "Download these comments (CSV)",
        export.safe_csv(comment_table),
        file_name=f"journey_comments_{slug}_{filters.date_from:%Y%m%d}-{filters.date_to:%Y%m%d}.csv",
        mime="text/csv",
        key=f"journey_download_{chosen}",
    )

with st.expander(f"The journeys that passed {chosen} (newest first, up to {format_count(queries.LIST_LIMIT)})"):
    journeys_query = ui.query(queries.touchpoint_journeys, store, filters, chosen, min_n)
    st.dataframe(ui.derived(charts.journeys_table, journeys_query, chosen), hide_index=True, width="stretch", key=f"journey_list_{chosen}")
