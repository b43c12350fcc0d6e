"""The app AppTest runs for the benchmark: dashboard.py itself, with st.navigation
replaced by a stand-in that runs the one page under test (CX_BENCH_PAGE).

Why not dashboard.py directly: in Streamlit 1.67, AppTest runs the main script only on
the first run of a multipage app; later runs execute the page script alone, so the
filter bar (and its widgets) vanish and a filter change cannot be made, and the shell's
work would go unmeasured. The server runs the main script on every rerun; so does this.
"""

import os
import runpy
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent.parent


class _OnePage:
    def run(self) -> None:
        runpy.run_path(str(ROOT / os.environ["CX_BENCH_PAGE"]), run_name="__main__")


def _run_dashboard() -> None:
    _navigation, _page = st.navigation, st.Page
    st.navigation = lambda *args, **kwargs: _OnePage()
    st.Page = lambda page, *args, **kwargs: page
    try:
        runpy.run_path(str(ROOT / "dashboard.py"), run_name="__main__")
    finally:
        st.navigation, st.Page = _navigation, _page


# CX_BENCH_PROFILE=FILE: profile the script run (it runs in AppTest's script thread, where
# a profiler started by the caller does not see it) and write the stats to FILE
if os.environ.get("CX_BENCH_PROFILE"):
    import cProfile

    profiler = cProfile.Profile()
    try:
        profiler.runcall(_run_dashboard)
    finally:
        profiler.dump_stats(os.environ["CX_BENCH_PROFILE"])
else:
    _run_dashboard()
