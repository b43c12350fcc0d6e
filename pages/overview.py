"""Overview: the headline KPIs against the previous period with their trend, what moved, and how fresh the data is."""

import dataclasses

import streamlit as st

from cxdata import drill, metrics, overview, ui
from cxdata.charts import nps as nps_charts

store = ui.get_store()
filters = ui.current_filters()
min_n = ui.min_n()

st.title("Customer experience at a glance")
if filters.date_from is None or filters.date_to is None:
    # open-ended filters (a link without dates) mean the whole span of the data
    first_day, last_day = ui.cached(ui.data_span, store)
    if first_day is None:
        st.info("The store holds no data yet. Import survey, ticket or journey files on the Data page.")
        st.stop()
    filters = dataclasses.replace(filters, date_from=filters.date_from or first_day, date_to=filters.date_to or last_day)

previous = filters.previous_period()
grain = overview.trend_grain(filters)
st.caption(
    f"{filters.date_from:%d.%m.%Y} – {filters.date_to:%d.%m.%Y}, compared with "
    f"{previous.date_from:%d.%m.%Y} – {previous.date_to:%d.%m.%Y}; the small lines show each {grain}. "
    f"Groups with fewer than {min_n} answers are not shown as numbers."
)

kpis = ui.query(overview.kpi_overview, store, filters, min_n, grain)
tiles = ui.derived(overview.overview_tiles, kpis)
# three to a row: wide enough for the value with its margin and for the trend line
for row_start in range(0, len(tiles), 3):
    for column, tile in zip(st.columns(3), tiles[row_start : row_start + 3]):
        with column:
            st.metric(
                tile.label,
                tile.value,
                tile.delta,
                delta_color=tile.delta_color,
                delta_arrow=tile.delta_arrow,
                delta_description=tile.delta_description,
                help=tile.help,
                border=True,
                # a line needs two points; a single one would be drawn as a misleading flat line
                chart_data=list(tile.trend) if len(tile.trend) >= 2 else None,
                chart_type="line",
            )
            st.caption(tile.caption)

st.subheader("What moved")
st.caption(
    "Segments, channels and touchpoints whose NPS changed significantly (95 %) against the previous period, "
    "biggest change first. Click a bar to open it: a segment or channel in NPS trends, a touchpoint "
    "on the Touchpoints page."
)
moved_query = ui.query(overview.what_moved, store, filters, min_n)
moved = moved_query.rows()
significant = moved[moved["significant"].fillna(False).astype(bool)]
if moved.empty:
    st.info("No NPS answers in this period or the previous one, so there is nothing to compare.")
elif significant.empty:
    st.info(
        f"No segment, channel or touchpoint changed its NPS significantly: every difference against "
        f"{previous.date_from:%d.%m.%Y} – {previous.date_to:%d.%m.%Y} is within what chance alone would give."
    )
else:
    event = ui.chart(nps_charts.what_moved_chart, moved_query, on_select="rerun", key="what_moved", width="stretch")
    picked = drill.selected(event, "moved", "key")
    if picked is not None:
        dimension, value = picked.split("|", 1)
        page, params = overview.target_for(filters, dimension, value)
        st.switch_page(page, query_params=params)

    table = significant.assign(
        group=[f"{nps_charts.DIMENSION_LABELS[d]}: {v}" for d, v in zip(significant["dimension"], significant["value"])],
        link=[overview.link_for(filters, d, v) for d, v in zip(significant["dimension"], significant["value"])],
    )[["group", "previous_nps", "nps", "change", "previous_n", "n", "link"]]
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "group": st.column_config.TextColumn("Group"),
            "previous_nps": st.column_config.NumberColumn("NPS before", format="%+.1f"),
            "nps": st.column_config.NumberColumn("NPS now", format="%+.1f"),
            "change": st.column_config.NumberColumn("Change (points)", format="%+.1f"),
            "previous_n": st.column_config.NumberColumn("Answers before (n)", format="%d"),
            "n": st.column_config.NumberColumn("Answers now (n)", format="%d"),
            "link": st.column_config.LinkColumn("Open", display_text="Open →", help="Opens in a new tab"),
        },
    )
    if len(moved) > 1:
        st.caption(
            f"{len(significant)} of {len(moved)} groups compared moved significantly; with many groups "
            "tested at 95 %, about one in twenty may show a change by chance alone."
        )

st.caption(ui.cached(overview.freshness, store))
