"""Service: ticket volume, FCR, response and resolution times, reopens and ticket CSAT by channel,
category or priority over time; the open backlog; the NPS of customers by their ticket experience.

Drill path (in the URL, so a link reproduces it): `service_by`, `service_grain` and `service_metric`
choose the charts; `service_group` is the clicked bar (a channel, category or priority), whose
tickets are shown over time and listed; `service_period` is a clicked period of that group.
"""

import datetime as dt

import pandas as pd
import streamlit as st

from cxdata import drill, formatting, ui
from cxdata.export import safe_csv
from cxdata.charts import service as charts
from cxdata.queries import service as queries

store = ui.get_store()
filters = ui.current_filters()
min_n = ui.min_n()

DRILL_KEYS = ["service_group", "service_period"]

st.title("Service")


def _forget_drill() -> None:
    # a channel means nothing once tickets are compared by category, nor a week once by month
    drill.clear(DRILL_KEYS)


controls = st.columns([2, 1.3, 3])
with controls[0]:
    dimension = st.segmented_control(
        "Compare by", list(queries.DIMENSIONS), format_func=queries.DIMENSIONS.get, default="category",
        required=True, key="service_by", bind="query-params", on_change=_forget_drill,
    )
with controls[1]:
    grain = st.segmented_control(
        "Over time by", list(queries.GRAINS), format_func=queries.GRAINS.get, default="week",
        required=True, key="service_grain", bind="query-params", on_change=_forget_drill,
    )
with controls[2]:
    metric_key = st.selectbox(
        "Metric", list(queries.METRICS), format_func=lambda key: queries.METRICS[key].label, index=1,
        key="service_metric", bind="query-params",
    )
dimension = queries.check_dimension(dimension or "category", allow_all=False)
grain = queries.check_grain(grain or "week", allow_total=False)
metric = queries.METRICS.get(metric_key or "fcr", queries.METRICS["fcr"])
dimension_label = queries.DIMENSIONS[dimension]

if filters.date_from is None:
    st.info("The store holds no tickets yet. Import a ticket export (for example from Zendesk) on the Data page.")
    st.stop()

# the tiles, the groups and the periods: three views of one query of the window's tickets
metric_views = ui.query(queries.service_metric_views, store, filters, min_n, dimension, grain)
overall = metric_views.part(queries.view_of, "overall").rows()
if overall.empty:
    st.info(
        "No tickets were created in this period for these filters. Widen the period or clear the segment, "
        "channel or region filters in the sidebar."
    )
    st.stop()

st.caption(
    f"Tickets created {filters.date_from:%d.%m.%Y} – {filters.date_to:%d.%m.%Y}. "
    f"Values based on fewer than {min_n} tickets or answers are not shown as numbers (\"n too small\")."
)

# -- headline tiles ------------------------------------------------------------------------
totals = overall.set_index("metric")
now_query = ui.query(queries.backlog_now, store, filters)
now = now_query.rows()


def _tile_value(key: str) -> str:
    row = totals.loc[key]
    return charts.format_value(queries.METRICS[key], None if bool(row["suppressed"]) else row["value"])


def _tile_caption(key: str, noun: str) -> str:
    row = totals.loc[key]
    margin = "" if bool(row["suppressed"]) or pd.isna(row["margin_of_error"]) else f"± {row['margin_of_error']:.1f} · "
    return f"{margin}n = {formatting.format_count(row['n'])} {noun}"


tiles = [
    ("Tickets", _tile_value("tickets"), "created in the period", queries.METRICS["tickets"].help),
    ("FCR", _tile_value("fcr"), _tile_caption("fcr", "resolved"), queries.METRICS["fcr"].help),
    (
        "First reply", _tile_value("first_response_median"),
        f"median · 90 % within {_tile_value('first_response_p90')} · {_tile_caption('first_response_median', 'tickets')}",
        queries.METRICS["first_response_median"].help,
    ),
    (
        "Resolution", _tile_value("resolution_median"),
        f"median · 90 % within {_tile_value('resolution_p90')} · {_tile_caption('resolution_median', 'resolved')}",
        queries.METRICS["resolution_median"].help,
    ),
    ("Reopen rate", _tile_value("reopen_rate"), _tile_caption("reopen_rate", "resolved"), queries.METRICS["reopen_rate"].help),
    ("Ticket CSAT", _tile_value("csat"), _tile_caption("csat", "ratings"), queries.METRICS["csat"].help),
    (
        "Open now", formatting.format_count(now["open_tickets"].sum()),
        f"{formatting.format_count(now.loc[now['band_order'] >= 4, 'open_tickets'].sum())} open over a week",
        "Tickets whose status is not solved or closed, as of the latest ticket activity in the store. "
        "The date filter does not apply; segment, channel and region do.",
    ),
]
# four to a row: seven side by side cut their numbers off ("30 …") on a laptop screen
for row_start in range(0, len(tiles), 4):
    for column, (label, value, caption, help_text) in zip(st.columns(4), tiles[row_start : row_start + 4]):
        with column:
            st.metric(label, value, help=help_text, border=True)
            st.caption(caption)

# -- the chosen metric by group and over time ------------------------------------------------
by_group_query = metric_views.part(queries.view_of, "by_group")
by_group = by_group_query.rows()
by_period_query = metric_views.part(queries.view_of, "by_period")
by_period = by_period_query.rows()
group = drill.value("service_group")
period_key = drill.value("service_period")
period_start = None
if period_key is not None:
    try:
        period_start = dt.date.fromisoformat(period_key)
    except ValueError:
        period_start = None
    starts = {pd.Timestamp(s).date() for s in by_period["period_start"].dropna()}
    if period_start not in starts:
        st.warning(f"The link names a period ('{period_key}') with no {grain} of tickets here; showing all periods.")
        drill.clear(["service_period"])
        period_key = period_start = None

period_text = None
if period_start is not None:
    row = by_period[by_period["period_start"] == pd.Timestamp(period_start)].iloc[0]
    period_text = charts.period_label(row["period_start"], row["period_end"], grain, bool(row["is_partial"]))
drill.breadcrumb("Service", [("service_group", f"{dimension_label}: {group}"), ("service_period", period_text or "")])

overall_value = None if bool(totals.loc[metric.key, "suppressed"]) else totals.loc[metric.key, "value"]
sentence = ui.derived(charts.headline, by_group_query, metric, dimension, overall_value)
if sentence:
    st.markdown(f"**{sentence}**")
left, right = st.columns([1, 1.3])
with left:
    st.subheader(f"{metric.short} by {dimension_label.lower()}")
    st.caption(f"{metric.help} Worst first; the dashed line is all tickets. Click a bar to open its tickets.")
    event = ui.chart(
        charts.group_bars, by_group_query, metric, dimension, overall_value, group,
        on_select="rerun",
        # keyed by the drill path, so going back starts with no stale click
        key=f"service_bars_{dimension}_{metric.key}_{group or ''}",
        width="stretch",
    )
    drill.push("service_group", drill.selected(event, "service_group", "group_value"), deeper=["service_period"])
with right:
    st.subheader(f"{metric.short} per {grain}")
    trend = ui.derived(charts.trend_rows, by_period_query, metric, grain)
    if not trend["value"].notna().any():
        st.info(f"No {grain} has enough tickets to show {metric.label.lower()}; widen the period or the filters.")
    else:
        ui.chart(charts.trend_lines, by_period_query, metric, dimension, grain, group, width="stretch")
        hidden = by_period[(by_period["metric"] == metric.key) & by_period["suppressed"].astype(bool)]
        if not hidden.empty:
            st.caption(
                f"n too small: {len(hidden)} {grain}(s) of {', '.join(sorted(hidden['group_value'].unique()))} "
                f"with fewer than {min_n} {charts.N_NOUN[metric.key]} are left out of the lines."
            )

# -- drill: one group's tickets ------------------------------------------------------------
if group is not None:
    known = set(by_group["group_value"])
    if group not in known:
        st.info(f"No tickets of {dimension_label.lower()} '{group}' in this period. Choose a bar in the chart above.")
    else:
        st.subheader(f"{dimension_label} {group}: tickets per {grain}")
        st.caption("Hover a bar for its service metrics; click it to list that period's tickets.")
        period_event = ui.chart(
            charts.group_ticket_bars, by_period_query, group, grain, period_key,
            on_select="rerun",
            key=f"service_group_periods_{dimension}_{grain}_{group}_{period_key or ''}",
            width="stretch",
        )
        drill.push("service_period", drill.selected(period_event, "service_period", "period_key"))
        tickets_query = ui.query(
            queries.ticket_list, store, filters, dimension, group, grain if period_start else None, period_start,
            queries.TICKET_LIST_LIMIT, min_n,
        )
        tickets = tickets_query.rows()
        scope = period_text or f"{filters.date_from:%d.%m.%Y} – {filters.date_to:%d.%m.%Y}"
        st.subheader(f"Tickets of {dimension_label.lower()} {group} · {scope}")
        if tickets.empty:
            st.info(f"No tickets listed: this group has none here, or fewer than {min_n}, too few to show one by one.")
        else:
            total = int(tickets["tickets_in_list"].iloc[0])
            shown = f"the newest {formatting.format_count(len(tickets))} of " if total > len(tickets) else ""
            st.caption(f"Showing {shown}{formatting.format_count(total)} tickets, newest first. Ids only: no names or messages.")
            st.dataframe(
                ui.derived(charts.ticket_table, tickets_query, dimension),
                hide_index=True,
                width="stretch",
                column_config={"Created": st.column_config.DatetimeColumn("Created", format="DD.MM.YYYY HH:mm")},
            )
            st.download_button(
                "Download these tickets (CSV)",
                safe_csv(ui.derived(charts.ticket_table, tickets_query, dimension, False)),
                file_name=f"tickets_{dimension}_{group}_{period_key or 'all'}.csv".replace(" ", "_"),
                mime="text/csv",
            )

# -- scorecard ---------------------------------------------------------------------------------
st.subheader(f"Every {dimension_label.lower()} at a glance")
# one query pairs the answers with the tickets before them for the scorecard and both NPS charts
after_tickets_query = ui.query(queries.nps_after_tickets, store, filters, min_n, dimension)
nps_groups_query = after_tickets_query.part(queries.groups)
nps_groups = nps_groups_query.rows()
st.caption(
    "All service metrics for the period. \"NPS after a ticket\": the NPS of answers given by customers who "
    f"had a ticket of that {dimension_label.lower()} in the {queries.LOOKBACK_DAYS} days before answering (± 95 % margin)."
)
st.dataframe(
    ui.derived(charts.scorecard, by_group_query, nps_groups_query, dimension),
    hide_index=True,
    width="stretch",
    column_config={
        name: st.column_config.Column(width="small")
        for name in ("Tickets", "FCR", "Reopen rate", "Ticket CSAT", "NPS n")
    },
)

# -- backlog -----------------------------------------------------------------------------------
st.subheader("Open backlog")
backlog_left, backlog_right = st.columns([1.6, 1])
with backlog_left:
    backlog_query = ui.query(queries.backlog, store, filters, grain)
    backlog = backlog_query.rows()
    st.caption(f"Tickets still open at the end of each {grain}, by how long they had been open.")
    if backlog.empty or backlog["open_tickets"].sum() == 0:
        st.info("No ticket was open at the end of any period.")
    else:
        ui.chart(charts.backlog_bars, backlog_query, grain, width="stretch")
with backlog_right:
    as_of = now["as_of_at"].dropna()
    when = f"{pd.Timestamp(as_of.iloc[0]):%d.%m.%Y %H:%M}" if not as_of.empty else "the latest ticket activity"
    st.caption(f"Open now (as of {when}, the latest ticket activity in the store), by age. The date filter does not apply.")
    if now["open_tickets"].sum() == 0:
        st.info("No ticket is open now.")
    else:
        ui.chart(charts.backlog_now_bars, now_query, width="stretch")

# -- NPS by ticket experience --------------------------------------------------------------
st.subheader("NPS by ticket experience")
experience_query = after_tickets_query.part(queries.experiences)
experience = experience_query.rows()
st.caption(
    f"NPS answers in the period from known customers, grouped by the tickets they opened in the "
    f"{queries.LOOKBACK_DAYS} days up to the answer (any channel). With several tickets the worst outcome counts: "
    "reopened, then still open, then resolved after more than one reply, then resolved at first contact. "
    "Bars show the NPS, lines its 95 % range."
)
if experience["n"].sum() == 0:
    st.info("No NPS answers from known customers in this period.")
else:
    by_experience, by_ticket_group = st.columns(2)
    with by_experience:
        st.markdown("**By the outcome of their tickets**")
        ui.chart(charts.experience_bars, experience_query, width="stretch")
        worse = experience[(experience["z_vs_no_ticket"] < -1.96)]
        if not worse.empty:
            names = ", ".join(queries.EXPERIENCES[e].lower() for e in worse["experience"])
            st.caption(f"Significantly lower NPS than customers without a ticket (95 %): {names}.")
    with by_ticket_group:
        baseline = experience.loc[experience["experience"] == "no_ticket", "nps"].iloc[0]
        st.markdown(f"**After a ticket, by {dimension_label.lower()}**")
        if nps_groups.empty:
            st.info(f"No NPS answers from customers with a ticket in the {queries.LOOKBACK_DAYS} days before.")
        else:
            ui.chart(charts.group_nps_bars, nps_groups_query, dimension, baseline, width="stretch")
            st.caption(
                f"Customers who had a ticket of that {dimension_label.lower()} in the {queries.LOOKBACK_DAYS} days "
                "before answering (a customer can count in several); the dashed line is customers without a ticket."
            )
