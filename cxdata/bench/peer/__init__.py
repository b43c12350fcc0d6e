"""The peer: the same questions answered the way most Streamlit dashboards do it.

The tables are loaded into pandas DataFrames once (a dashboard caches them with
st.cache_data), joined there to the customer's segment and region, and every question is
then a filter and a groupby in pandas. The peer is given every advantage that is honest:
only the columns the pages need are loaded, through DuckDB's fast DataFrame export, and the
joins and derived flags are prepared once at load, not per question.

Each module here answers one page's questions with the same columns as ours, so that the
answers can be checked equal (compare.py) before anything is timed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Callable

import numpy as np
import pandas as pd

from cxdata.bench.timing import timed
from cxdata.filters import Filters
from cxdata.store import Store

RESPONSE_COLUMNS = (
    "response_id, customer_id, responded_at, survey, channel, touchpoint, segment, region, nps, csat, ces, comment, language"
)
TICKET_COLUMNS = (
    "ticket_id, customer_id, created_at, first_response_at, resolved_at, channel, category, priority, status,"
    " replies, reopens, csat"
)
JOURNEY_COLUMNS = "journey_id, customer_id, occurred_at, stage, touchpoint, channel, emotion, outcome"


@dataclasses.dataclass
class PeerData:
    """Every table a page reads, as DataFrames, with the customer's segment and region
    joined on (a response's own segment and region override the customer's)."""

    customers: pd.DataFrame
    touchpoints: pd.DataFrame
    responses: pd.DataFrame
    ratings: pd.DataFrame
    tickets: pd.DataFrame
    journey: pd.DataFrame
    imports: pd.DataFrame
    load_ms: dict[str, float]

    def load_ms_of(self, tables: tuple[str, ...]) -> float:
        return sum(self.load_ms[table] for table in tables)


# columns with few distinct values are held as pandas categoricals (as a careful pandas
# dashboard would): as plain strings, 30M journey events alone overflow this machine's memory
CATEGORICAL = {
    "customers": ("segment", "region", "plan"),
    "responses": ("survey", "channel", "touchpoint", "segment", "region", "language"),
    "response_ratings": ("attribute",),
    "tickets": ("channel", "category", "priority", "status"),
    "journey_events": ("stage", "touchpoint", "channel", "outcome"),
}
CHUNK_VECTORS = 500  # 2048 rows each: about a million rows per chunk


def read_table(store: Store, table: str, columns: str) -> pd.DataFrame:
    """`select columns from table` as a DataFrame, fetched a million rows at a time and
    the low-cardinality columns made categorical per chunk, so no whole table is ever held
    as Python-side strings."""
    wanted = [column.strip() for column in columns.split(",")]
    categorical = {
        column: pd.CategoricalDtype(
            sorted(value for (value,) in store.query_rows(f"select distinct {column} from {table}") if value is not None)
        )
        for column in CATEGORICAL.get(table, ())
        if column in wanted
    }
    cursor = store.cursor()
    cursor.execute(f"select {columns} from {table}")
    chunks = []
    while True:
        chunk = cursor.fetch_df_chunk(CHUNK_VECTORS)
        if chunk.empty:
            break
        chunks.append(chunk.astype(categorical) if categorical else chunk)
    if not chunks:
        return store.query(f"select {columns} from {table} limit 0").astype(categorical)
    return pd.concat(chunks, ignore_index=True)


def _load_customers(store: Store) -> pd.DataFrame:
    frame = read_table(
        store, "customers",
        "customer_id, segment, region, plan, signup_date, annual_revenue::double as annual_revenue, churned_on",
    )
    for column in ("signup_date", "churned_on"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def _load_touchpoints(store: Store) -> pd.DataFrame:
    return store.query("select touchpoint, stage, position, moment_of_truth, description from touchpoints")


def _customer_attribute(frame: pd.DataFrame, customers: pd.DataFrame, column: str) -> pd.Series:
    """The customer's segment or region for every row (a lookup, not a merge that copies the frame)."""
    return frame["customer_id"].map(customers.set_index("customer_id")[column])


def _load_responses(store: Store, customers: pd.DataFrame, touchpoints: pd.DataFrame) -> pd.DataFrame:
    frame = read_table(store, "responses", RESPONSE_COLUMNS)
    for column in ("segment", "region"):
        # the answer's own value, else the customer's: one categorical over both sets of values
        values = pd.CategoricalDtype(sorted(set(frame[column].cat.categories) | set(customers[column].cat.categories)))
        own = frame[column].astype(values)
        frame[column] = own.fillna(_customer_attribute(frame, customers, column).astype(values))
    places = touchpoints.set_index("touchpoint")
    frame["stage"] = frame["touchpoint"].map(places["stage"])
    frame["touchpoint_position"] = frame["touchpoint"].map(places["position"])
    frame["moment_of_truth"] = frame["touchpoint"].map(places["moment_of_truth"])
    nps = as_float(frame["nps"])
    frame["nps_class"] = np.select([nps >= 9, nps >= 7, nps >= 0], ["promoter", "passive", "detractor"], default=None)
    return frame


def _load_ratings(store: Store) -> pd.DataFrame:
    return read_table(store, "response_ratings", "response_id, attribute, rating, scale_min, scale_max")


def _load_tickets(store: Store, customers: pd.DataFrame) -> pd.DataFrame:
    frame = read_table(store, "tickets", TICKET_COLUMNS)
    for column in ("segment", "region"):
        frame[column] = _customer_attribute(frame, customers, column)
    # SQL's three-valued logic, kept: a ticket without a status but with a resolution time is
    # neither resolved nor unresolved (null), and the FCR rule treats it as SQL does
    has_resolution = frame["resolved_at"].notna()
    resolved = pd.array(frame["status"].isin(["solved", "closed"]) & has_resolution, dtype="boolean")
    resolved[(frame["status"].isna() & has_resolution).to_numpy()] = pd.NA
    frame["is_resolved"] = resolved
    replies, reopens = as_float(frame["replies"]), as_float(frame["reopens"])
    unknown = (frame["is_resolved"] == False).fillna(False).to_numpy() | np.isnan(replies) | np.isnan(reopens)  # noqa: E712
    fcr = pd.array((replies <= 1) & (reopens == 0), dtype="boolean")
    fcr[unknown] = pd.NA
    frame["is_fcr"] = fcr
    frame["first_response_minutes"] = seconds_between(frame["created_at"], frame["first_response_at"]) / 60.0
    frame["resolution_minutes"] = seconds_between(frame["created_at"], frame["resolved_at"]) / 60.0
    return frame


def _load_journey(store: Store, customers: pd.DataFrame, touchpoints: pd.DataFrame) -> pd.DataFrame:
    frame = read_table(store, "journey_events", JOURNEY_COLUMNS)
    for column in ("segment", "region"):
        frame[column] = _customer_attribute(frame, customers, column)
    return frame


def load(store: Store, log: Callable[[str], None] = print) -> PeerData:
    """Every table into pandas, each load timed (the joins count as part of the load)."""
    load_ms: dict[str, float] = {}

    def step(name: str, function: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        ms, frame = timed(function)
        load_ms[name] = ms
        log(f"  peer loaded {name}: {len(frame):,} rows in {ms / 1000:.1f} s")
        return frame

    customers = step("customers", lambda: _load_customers(store))
    touchpoints = step("touchpoints", lambda: _load_touchpoints(store))
    responses = step("responses", lambda: _load_responses(store, customers, touchpoints))
    ratings = step("response_ratings", lambda: _load_ratings(store))
    tickets = step("tickets", lambda: _load_tickets(store, customers))
    journey = step("journey_events", lambda: _load_journey(store, customers, touchpoints))
    imports = step("imports", lambda: store.query("select import_id, kind, status, finished_at from imports"))
    return PeerData(customers, touchpoints, responses, ratings, tickets, journey, imports, load_ms)


def as_float(column: pd.Series) -> np.ndarray:
    """A nullable numeric column as floats, missing values as NaN (comparisons with NaN are false)."""
    return pd.to_numeric(column, errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def filled(column: pd.Series, missing: str) -> pd.Series:
    """coalesce(column, missing), for plain and categorical columns alike."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        if missing not in column.cat.categories:
            column = column.cat.add_categories([missing])
    return column.fillna(missing)


def seconds_between(start, end) -> pd.Series:
    """As DuckDB's date_diff('second', start, end): whole seconds crossed, each moment cut to its second."""
    difference = (end.dt.floor("s") if hasattr(end, "dt") else end.floor("s")) - (
        start.dt.floor("s") if hasattr(start, "dt") else start.floor("s")
    )
    return difference.dt.total_seconds()


# -- the global filters, the pandas way --------------------------------------------------

def day_window(frame: pd.DataFrame, column: str, date_from: dt.date | None, date_to: dt.date | None) -> pd.Series:
    """Rows on or after date_from and before the day after date_to (as the SQL macros)."""
    mask = pd.Series(True, index=frame.index)
    if date_from is not None:
        mask &= frame[column] >= pd.Timestamp(date_from)
    if date_to is not None:
        mask &= frame[column] < pd.Timestamp(date_to) + pd.Timedelta(days=1)
    return mask


def filtered(frame: pd.DataFrame, date_column: str, filters: Filters) -> pd.DataFrame:
    mask = day_window(frame, date_column, filters.date_from, filters.date_to)
    for column, chosen in (("segment", filters.segments), ("channel", filters.channels), ("region", filters.regions)):
        if chosen:
            mask &= frame[column].isin(chosen)
    return frame[mask]
