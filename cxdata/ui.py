"""Streamlit glue shared by every page: the store, the global filters, cached queries and charts."""

from __future__ import annotations

import atexit
import dataclasses
import datetime as dt
import functools
import io
import os
import pickle
import threading
from typing import Any, Callable, TypeVar

import pandas as pd
import streamlit as st
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

from cxdata import cli, handoff
from cxdata.filters import DEFAULT_MIN_N, Filters
from cxdata.store import Store, StoreError, is_local_file, resolve_database

T = TypeVar("T")
FILTER_STATE_KEY = "cx_filters"
DEFAULT_WINDOW_DAYS = 90


@st.cache_resource(show_spinner="Opening the CX store…")
def _open_store(database: str) -> Store:
    from cxdata import demo

    if is_local_file(database):
        # the app must show something real right after install
        demo.ensure_demo(database)
    store = Store(database)
    # closing checkpoints the write-ahead log, so a stopped dashboard leaves a clean store
    atexit.register(store.close)
    if is_local_file(database):
        # command-line calls that find the store held by us are run here (see cxdata/handoff.py)
        handoff.start_watcher(database, lambda argv: cli.main(argv, store=store))
    return store


def pages() -> dict[str, list]:
    """The dashboard's navigation: sections of explicit pages."""
    return {
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


def navigation() -> Any:
    """dashboard.py's st.navigation; from then on this process runs every page through it."""
    global _shell_has_run
    chosen = st.navigation(pages())
    _shell_has_run = True
    return chosen


_shell_has_run = False


def _draw_shell_around_a_lone_page() -> None:
    """Streamlit treats an app with a pages/ folder as an old-style multipage app until
    dashboard.py first calls st.navigation, so a copied link opened as the first request
    after start runs its page alone: no filter bar, an automatic menu. Such a page leaves
    that mode and reruns, now through dashboard.py. AppTest re-enters that mode on every
    run and does not follow a rerun: there, once dashboard.py has run, the page draws the
    shell's menu and filters itself."""
    from streamlit.runtime.pages_manager import PagesManager

    if not PagesManager.uses_pages_directory:
        return
    if not _shell_has_run:
        PagesManager.uses_pages_directory = False
        st.rerun()
    st.navigation(pages())
    filter_bar(_open_store_or_stop())


def get_store() -> Store:
    """The process-wide store, for dashboard.py (after its st.navigation) and every page."""
    forget_run()
    _draw_shell_around_a_lone_page()
    store = _open_store_or_stop()
    if getattr(store, "kept_log", None):
        st.warning(
            f"The store was not closed cleanly last time. A copy of its write-ahead log is kept at "
            f"{store.kept_log}. If an import made just before is missing from the Data page's history, "
            "import it again; then the copy can be deleted.",
            icon=":material/warning:",
        )
    return store


def _open_store_or_stop() -> Store:
    """A store that cannot be opened stops the page with its reason."""
    database = resolve_database(None)
    try:
        return _open_store(database)
    except StoreError as error:
        st.error(str(error))
        st.stop()
        raise  # unreachable: st.stop() raises


def min_n() -> int:
    try:
        return max(1, int(os.environ.get("CX_MIN_N", DEFAULT_MIN_N)))
    except ValueError:
        return DEFAULT_MIN_N


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_call(_function: Callable[..., T], function_name: str, key: bytes, _store: Store, _args: tuple[Any, ...]) -> T:
    # keyed by the pickled Query.cache_key (see _as_bytes): Streamlit hashing the filters
    # itself was a tenth of a page's rerun from cache
    return _function(_store, *_args)


def cached(function: Callable[..., T], store: Store, *args: Any) -> T:
    """function(store, *args), cached by its arguments, the store and its data version,
    so a repeated filter change is instant and a new import shows at once."""
    return query(function, store, *args).rows()


def _qualified_name(function: Callable[..., Any]) -> str:
    return f"{function.__module__}.{function.__qualname__}"


@dataclasses.dataclass(frozen=True, eq=False)
class Query:
    """A cached query by reference: `rows()` is `cached(function, store, *args)`. A chart or
    a derived table drawn from it (see `chart_spec`, `derived`) is keyed by the query, so a
    rerun with the same data neither fetches nor hashes the rows."""

    function: Callable[..., Any]
    store: Store
    args: tuple[Any, ...]

    @functools.cached_property
    def data_version(self) -> int:
        # read once: the rows and every chart or table keyed by them belong to the same version
        return run_data_version(self.store)

    def rows(self) -> Any:
        """cached(function, store, *args), at this query's data version."""
        return _cached_call(
            self.function, _qualified_name(self.function), _as_bytes(self.cache_key()), self.store, self.args
        )

    def cache_key(self) -> tuple[Any, ...]:
        """What `cached` keys the result by."""
        return (_qualified_name(self.function), self.store.database, self.data_version, self.args)

    def part(self, function: Callable[..., Any], *args: Any) -> "Part":
        """function(rows, *args) of this query's rows, standing in for a query of its own."""
        return Part(function, self, args)


@dataclasses.dataclass(frozen=True, eq=False)
class Part:
    """Rows taken from a query's result by a pure function (`query.part(function, *args)`), for
    one query that answers two charts: the query runs once and each chart reads its part. A
    Part goes wherever a Query goes (`chart`, `derived`, `chart_spec`) and is keyed by the
    query's cache key and the function, so a rerun with the same data neither runs the
    function nor hashes the rows."""

    function: Callable[..., Any]
    query: Query
    args: tuple[Any, ...]

    def rows(self) -> Any:
        """function(query.rows(), *args), cached like a derived table."""
        return derived(self.function, self.query, *self.args)

    def cache_key(self) -> tuple[Any, ...]:
        return (_qualified_name(self.function), self.query.cache_key(), self.args)


# what a chart, a derived table or a part can be drawn from by reference
_BY_REFERENCE = (Query, Part)


# what one run of a page's script keeps: the store's data version (run_data_version)
_this_run = threading.local()


def forget_run() -> None:
    """A new run of the script: what the last one kept is read again (get_store calls it)."""
    _this_run.data_version = None


def run_data_version(store: Store) -> int:
    """store.data_version(), read once per run of the script (each read is a query, about a
    millisecond, and a page keys a dozen results by it) and again after a write through the
    store (an import on the Data page, a command handed over by the command line). Only this
    process can write while it holds the store, and its writes go through Store.transaction."""
    kept = getattr(_this_run, "data_version", None)
    if kept is None or kept[0] is not store or kept[1] != store.commits:
        kept = (store, store.commits, store.data_version())
        _this_run.data_version = kept
    return kept[2]


def query(function: Callable[..., Any], store: Store, *args: Any) -> Query:
    return Query(function, store, args)


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_result(_function: Callable[..., T], function_name: str, key: bytes, _args: tuple[Any, ...]) -> T:
    return _function(*(arg.rows() if isinstance(arg, _BY_REFERENCE) else arg for arg in _args))


def _cached_with_queries(function: Callable[..., T], function_name: str, args: tuple[Any, ...]) -> T:
    """function(*args), cached by its name and its arguments; a Query (or Part) argument counts
    by its cache key and is run (a query cache hit, usually) only when the result is not cached."""
    key = tuple(arg.cache_key() if isinstance(arg, _BY_REFERENCE) else arg for arg in args)
    return _cached_result(function, function_name, _as_bytes(key), args)


def _as_bytes(key: tuple[Any, ...]) -> bytes:
    """The key pickled: Streamlit hashes bytes at once but walks a dataclass such as Filters
    through its reduce protocol (about 1 ms each). Without the memo, equal values give equal
    bytes whichever objects they share; equal bytes unpickle to equal values."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(key)
    return buffer.getvalue()


def derived(function: Callable[..., T], *args: Any) -> T:
    """function(*args): a table or a sentence a page derives from query results, cached like
    a chart's spec (see chart_spec), so a rerun with the same data does not compute it again."""
    return _cached_with_queries(function, _qualified_name(function), args)


def chart_spec(builder: Callable[..., Any], *args: Any) -> dict:
    """The Vega-Lite spec of builder(*args), cached by the builder and its arguments; a Query
    argument counts by its cache key and is run only when the spec is not cached."""

    def spec(*values: Any) -> dict:
        # Streamlit's own conversion, as st.altair_chart does it: validated against the Vega-Lite
        # schema, the theme Streamlit draws with, each DataFrame as an Arrow dataset named by its
        # hash, under the lock that guards Altair's process-wide settings. It is private: the
        # pinned Streamlit has it, and tests/test_charts_cache.py fails at import without it
        return _convert_altair_to_vega_lite_spec(builder(*values))

    return _cached_with_queries(spec, f"Vega-Lite spec of {_qualified_name(builder)}", args)


def chart(builder: Callable[..., Any], *args: Any, **options: Any) -> Any:
    """st.altair_chart(builder(*args), **options), drawn from a cached spec: on a rerun with
    the same data the chart is neither built nor converted nor validated again (that took
    50–500 ms a page). The options are st.vega_lite_chart's, the same as st.altair_chart's,
    and a selection event has the same shape."""
    return st.vega_lite_chart(spec=chart_spec(builder, *args), **options)


def filter_options(store: Store) -> pd.DataFrame:
    return store.query("select * from filter_options order by dimension, value")


def data_span(store: Store) -> tuple[dt.date | None, dt.date | None]:
    row = store.query_rows("select first_day, last_day from data_span")[0]
    return row[0], row[1]


def _default_filters(last_day: dt.date | None) -> Filters:
    if last_day is None:
        return Filters()
    return Filters(last_day - dt.timedelta(days=DEFAULT_WINDOW_DAYS - 1), last_day)


def filter_bar(store: Store) -> Filters:
    """The global filters in the sidebar, kept in session state and mirrored in the URL."""
    options = cached(filter_options, store)
    first_day, last_day = cached(data_span, store)
    if FILTER_STATE_KEY not in st.session_state:
        from_url = Filters.from_query_params(
            {key: st.query_params.get_all(key) for key in ("from", "to", "segment", "channel", "region")}
        )
        st.session_state[FILTER_STATE_KEY] = from_url if from_url != Filters() else _default_filters(last_day)
    current: Filters = st.session_state[FILTER_STATE_KEY]

    with st.sidebar:
        st.subheader("Filters")
        if first_day is None:
            st.caption("No data yet: import files on the Data page.")
            return current
        chosen = st.date_input(
            "Period",
            value=(current.date_from or first_day, current.date_to or last_day),
            min_value=min(first_day, current.date_from or first_day),
            max_value=max(last_day, current.date_to or last_day),
            format="DD.MM.YYYY",
            key="filter_period",
        )
        picked = {}
        for dimension, label in (("segment", "Segment"), ("channel", "Channel"), ("region", "Region")):
            values = options.loc[options["dimension"] == dimension, "value"].tolist()
            selected = getattr(current, dimension + "s")
            picked[dimension] = st.multiselect(
                label,
                values,
                default=[value for value in selected if value in values],
                placeholder="All",
                key=f"filter_{dimension}",
            )
    # a half-picked range (one date) keeps the previous end until the second click
    if isinstance(chosen, (tuple, list)) and len(chosen) == 2:
        date_from, date_to = chosen
    else:
        date_from, date_to = current.date_from, current.date_to
    updated = Filters(date_from, date_to, tuple(picked["segment"]), tuple(picked["channel"]), tuple(picked["region"]))
    st.session_state[FILTER_STATE_KEY] = updated
    sync_query_params(updated.to_query_params(), managed=("from", "to", "segment", "channel", "region"))
    return updated


def current_filters() -> Filters:
    return st.session_state.get(FILTER_STATE_KEY, Filters())


def sync_query_params(values: dict[str, Any], managed: tuple[str, ...]) -> None:
    """Write `values` into the URL for the `managed` keys only, leaving drill-down keys alone."""
    for key in managed:
        wanted = values.get(key)
        if wanted is None:
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get_all(key) != (wanted if isinstance(wanted, list) else [wanted]):
            st.query_params[key] = wanted
