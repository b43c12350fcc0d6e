"""Journey page queries: the journey map (emotion and abandonment per touchpoint, optionally per
segment or channel) and, for one touchpoint, its journeys, their comments and the NPS of the
customers who went through it against those who did not.

Every function reads one mart in sql/marts with the global filters as bound parameters;
the comparison dimension is checked against an allow-list and bound as a value."""

from __future__ import annotations

import pandas as pd

from cxdata.filters import DEFAULT_MIN_N, FILTER_ARGS, Filters
from cxdata.store import Store

SPLITS = {"none": "No comparison", "segment": "Segment", "channel": "Channel"}
# the most recent rows listed for one touchpoint; counts above them come from the full data
LIST_LIMIT = 1_000


def _checked_split(split_by: str) -> str:
    if split_by not in SPLITS:
        raise ValueError(f"Unknown comparison {split_by!r}; choose one of {', '.join(SPLITS)}.")
    return split_by


def journey_map(store: Store, filters: Filters, split_by: str = "none", min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """One row per touchpoint (and compared group): mean emotion with its 95 % band, abandonment, n,
    pain points and wow moments; in journey order."""
    return store.query(
        f"select * from journey_map({FILTER_ARGS}, min_n := ?, split_by := ?) order by journey_step, compared_group",
        [*filters.params(), min_n, _checked_split(split_by)],
    )


def touchpoint_outcomes(store: Store, filters: Filters, touchpoint: str, min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """One row: how many journeys passed the touchpoint and how they ended (abandoned here, abandoned
    later or earlier, completed, still open). Empty when no journey passed it."""
    return store.query(
        f"select * from journey_touchpoint_outcomes({FILTER_ARGS}, min_n := ?) where touchpoint = ?",
        [*filters.params(), min_n, touchpoint],
    )


def touchpoint_outcomes_all(store: Store, filters: Filters, min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """One row per touchpoint: how the journeys that passed it ended."""
    return store.query(
        f"select * from journey_touchpoint_outcomes({FILTER_ARGS}, min_n := ?) order by touchpoint",
        [*filters.params(), min_n],
    )


def touchpoint_nps(store: Store, filters: Filters, touchpoint: str, min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """One row: NPS (n, margin) of customers who went through the touchpoint and of all others, the difference
    and whether it is significant. Empty when no journey passed the touchpoint."""
    return store.query(
        f"select * from journey_touchpoint_nps({FILTER_ARGS}, min_n := ?) where touchpoint = ?",
        [*filters.params(), min_n, touchpoint],
    )


def touchpoint_nps_all(store: Store, filters: Filters, min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """One row per touchpoint: the NPS gap between customers who went through it and the others."""
    return store.query(
        f"select * from journey_touchpoint_nps({FILTER_ARGS}, min_n := ?) order by difference nulls last, touchpoint",
        [*filters.params(), min_n],
    )


def touchpoint_journeys(
    store: Store, filters: Filters, touchpoint: str, min_n: int = DEFAULT_MIN_N, limit: int = LIST_LIMIT
) -> pd.DataFrame:
    """The most recent journeys that passed the touchpoint; empty when fewer than min n did."""
    return store.query(
        f"select journey_id, customer_id, segment, channel, started_at, reached_at, last_event_at, events,"
        f" emotion, outcome, abandoned_at, abandoned_here, touchpoint_journeys"
        f" from journey_touchpoint_journeys({FILTER_ARGS}, min_n := ?) where touchpoint = ?"
        " order by reached_at desc, journey_id limit ?",
        [*filters.params(), min_n, touchpoint, limit],
    )


def touchpoint_comments(
    store: Store, filters: Filters, touchpoint: str, min_n: int = DEFAULT_MIN_N, limit: int = LIST_LIMIT
) -> pd.DataFrame:
    """Comments of customers whose journeys passed the touchpoint, those about the touchpoint itself first;
    empty when fewer than min n customers passed it."""
    return store.query(
        f"select responded_at, answered_about, about_this_touchpoint, channel, segment, nps, nps_class, comment,"
        f" response_id, touchpoint_customers"
        f" from journey_touchpoint_comments({FILTER_ARGS}, min_n := ?) where touchpoint = ?"
        " order by about_this_touchpoint desc, responded_at desc, response_id limit ?",
        [*filters.params(), min_n, touchpoint, limit],
    )
