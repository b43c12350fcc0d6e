"""Whole page scripts, server side, through Streamlit's AppTest: the dashboard shell
(filter bar, navigation) and the page, as a browser's rerun would execute them."""

from __future__ import annotations

import os
from pathlib import Path

from cxdata.filters import Filters

# dashboard.py with its navigation narrowed to one page (see page_app.py for why)
APP = Path(__file__).resolve().parent / "page_app.py"
RUN_TIMEOUT_SECONDS = 1800


class PageSession:
    """One simulated browser session on one page of the dashboard."""

    def __init__(self, database: str, page_file: str, filters: Filters):
        from streamlit.testing.v1 import AppTest

        os.environ["CX_DB"] = database
        os.environ["CX_BENCH_PAGE"] = page_file
        self.page_file = page_file
        self.app = AppTest.from_file(str(APP), default_timeout=RUN_TIMEOUT_SECONDS)
        for key, value in filters.to_query_params().items():
            self.app.query_params[key] = value
        self.run()

    def run(self) -> None:
        self.app.run()
        self.check()

    def check(self) -> None:
        """A benchmark of a page that failed would measure nothing: stop loudly."""
        if self.app.exception:
            raise RuntimeError(f"{self.page_file} raised: {self.app.exception[0].value}")
        errors = [element.value for element in self.app.error]
        if errors:
            raise RuntimeError(f"{self.page_file} showed an error: {errors[0]}")

    def set_filters(self, filters: Filters) -> None:
        """Change the global filters the way a user does: through the sidebar widgets."""
        self.app.date_input(key="filter_period").set_value((filters.date_from, filters.date_to))
        for dimension in ("segment", "channel", "region"):
            self.app.multiselect(key=f"filter_{dimension}").set_value(list(getattr(filters, dimension + "s")))


def clear_query_cache() -> None:
    """Forget every cached query result (st.cache_data), keeping the open store
    (st.cache_resource): the next run queries the store again, as on a new filter choice."""
    import streamlit as st

    st.cache_data.clear()
