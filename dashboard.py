"""The CX dashboard: navigation, the store and the global filters shared by every page."""

import streamlit as st

from cxdata import ui

st.set_page_config(page_title="CX Dashboard", page_icon=":material/insights:", layout="wide")

# st.navigation first: it ends Streamlit's pages/-folder mode before any page code runs
navigation = ui.navigation()
store = ui.get_store()
ui.filter_bar(store)
navigation.run()
