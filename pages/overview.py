"""Overview: the headline KPIs for the chosen filters, against the previous period."""

import streamlit as st

from cxdata import metrics, overview, ui

store = ui.get_store()
filters = ui.current_filters()
min_n = ui.min_n()

st.title("Customer experience at a glance")
if filters.date_from is None:
    st.info("The store holds no data yet. Import survey, ticket or journey files on the Data page.")
    st.stop()

previous = filters.previous_period()
st.caption(
    f"{filters.date_from:%d.%m.%Y} – {filters.date_to:%d.%m.%Y}, compared with "
    f"{previous.date_from:%d.%m.%Y} – {previous.date_to:%d.%m.%Y}. "
    f"Groups with fewer than {min_n} answers are not shown as numbers."
)

changes = ui.cached(metrics.kpi_change, store, filters, min_n)
columns = st.columns(len(changes))
for column, tile in zip(columns, overview.kpi_tiles(changes)):
    with column:
        st.metric(tile.label, tile.value, tile.delta, delta_color=tile.delta_color, help=tile.help, border=True)
        st.caption(tile.caption)

freshness = ui.cached(overview.freshness, store)
st.caption(freshness)
