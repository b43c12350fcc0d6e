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


# CX_BENCH_SKIP_ALTAIR_VALIDATION=1: a design experiment — Altair validates every chart it
# converts against the Vega-Lite JSON schema (now only when ui.chart's spec cache misses: a new
# filter choice); this measures such a run without that validation
if os.environ.get("CX_BENCH_SKIP_ALTAIR_VALIDATION"):
    from altair.utils import schemapi

    schemapi.disable_debug_mode()
    schemapi.SchemaBase.validate = classmethod(lambda cls, instance, schema=None: None)


# CX_BENCH_PARTS=FILE: where a rerun's time goes, without a profiler's distortion: the time
# spent in the cached query calls, the chart specs (ui.chart_spec: the cache lookup; on a miss
# the chart builders of cxdata.charts and Altair's to_dict with validation and Arrow
# serialisation, counted inside it), the tables and sentences of ui.derived (likewise),
# st.vega_lite_chart (the spec to JSON, its selections),
# st.altair_chart (a chart drawn without ui.chart) and st.dataframe, written as JSON
def _timed_parts(path: str) -> None:
    import functools
    import importlib
    import json
    import pkgutil
    import time

    import cxdata.charts
    from cxdata import ui

    spent: dict[str, float] = {}
    patched: list[tuple[object, str, object]] = []
    # only the outermost timed call counts (a chart builder calls other builders)
    depth = [0]

    def wrap(owner: object, name: str, part: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed_call(*args, **kwargs):
            depth[0] += 1
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                depth[0] -= 1
                if depth[0] == 0:
                    spent[part] = spent.get(part, 0.0) + (time.perf_counter() - started) * 1000

        setattr(owner, name, timed_call)
        patched.append((owner, name, original))

    wrap(ui, "cached", "cached queries (cache hits included)")
    wrap(ui.Query, "rows", "cached queries (cache hits included)")
    wrap(ui, "chart_spec", "chart specs (cache lookups; built on a miss)")
    wrap(ui, "derived", "derived tables and sentences (cache lookups; built on a miss)")
    wrap(st, "vega_lite_chart", "st.vega_lite_chart (spec JSON, selections)")
    wrap(st, "altair_chart", "st.altair_chart (to_dict, validation, Arrow)")
    wrap(st, "dataframe", "st.dataframe")
    for module_info in pkgutil.iter_modules(cxdata.charts.__path__):
        module = importlib.import_module(f"cxdata.charts.{module_info.name}")
        for name, value in list(vars(module).items()):
            if callable(value) and getattr(value, "__module__", None) == module.__name__ and not name.startswith("_"):
                wrap(module, name, "chart builders (cxdata.charts)")
    started = time.perf_counter()
    try:
        _run_dashboard()
    finally:
        spent["whole script"] = (time.perf_counter() - started) * 1000
        for owner, name, original in reversed(patched):
            setattr(owner, name, original)
        with open(path, "w", encoding="utf-8") as out:
            json.dump({part: round(ms, 1) for part, ms in spent.items()}, out)


# CX_BENCH_PROFILE=FILE: profile the script run (it runs in AppTest's script thread, where
# a profiler started by the caller does not see it) and write the stats to FILE
if os.environ.get("CX_BENCH_PARTS"):
    _timed_parts(os.environ["CX_BENCH_PARTS"])
elif os.environ.get("CX_BENCH_PROFILE"):
    import cProfile

    profiler = cProfile.Profile()
    try:
        profiler.runcall(_run_dashboard)
    finally:
        profiler.dump_stats(os.environ["CX_BENCH_PROFILE"])
else:
    _run_dashboard()
