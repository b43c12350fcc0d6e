"""The CX dashboard: navigation, the store and the global filters shared by every page."""

import streamlit as st

from cxdata import ui

st.set_page_config(page_title="CX Dashboard", page_icon=":material/insights:", layout="wide")

store = ui.get_store()
ui.filter_bar(store)

navigation = st.navigation(
    {
        "Executive": [
            st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        ],
        "Analysis": [
            st.Page("pages/nps_trends.py", title="NPS trends", icon=":material/trending_up:"),
            st.Page("pages/touchpoints.py", title="Touchpoints", icon=":material/grid_view:"),
            st.Page("pages/journey.py", title="Journey", icon=":material/route:"),
            st.Page("pages/service.py", title="Service", icon=":material/support_agent:"),
        ],
        "Data": [
            st.Page("pages/data.py", title="Data", icon=":material/upload_file:"),
        ],
    }
)
navigation.run()
