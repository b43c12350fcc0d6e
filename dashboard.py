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
    }
)
navigation.run()
