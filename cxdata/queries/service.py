"""Service page queries: ticket metrics, backlog and the NPS of customers by their ticket experience.

Every function that takes the store reads one mart in sql/marts with the global filters as bound
parameters; dimensions and grains are checked against allow-lists before they reach SQL. experiences()
and groups() take apart the one result that answers both "NPS after a ticket" charts."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd

from cxdata.filters import DEFAULT_MIN_N, FILTER_ARGS, Filters
from cxdata.store import Store

DIMENSIONS = {"channel": "Channel", "category": "Category", "priority": "Priority"}
GRAINS = {"week": "Week", "month": "Month"}
# the order priorities are shown in: by urgency, not alphabetically
PRIORITY_ORDER = ["low", "normal", "high", "urgent"]
# the window before an NPS answer in which a ticket counts as the customer's experience
LOOKBACK_DAYS = 90
TICKET_LIST_LIMIT = 500
EXPERIENCE_COLUMNS = [
    "experience_order", "experience", "n", "promoters", "detractors", "suppressed", "nps", "margin_of_error", "z_vs_no_ticket",
]
GROUP_COLUMNS = ["group_value", "n", "promoters", "detractors", "suppressed", "nps", "margin_of_error"]


@dataclasses.dataclass(frozen=True)
class ServiceMetric:
    key: str
    label: str
    short: str  # for table columns and tiles
    unit: str  # "tickets", "%" or "hours"
    higher_is_better: bool | None
    help: str


METRICS = {
    metric.key: metric
    for metric in (
        ServiceMetric("tickets", "Ticket volume", "Tickets", "tickets", None, "Tickets created in the period."),
        ServiceMetric(
            "fcr", "First contact resolution", "FCR", "%", True,
            "Resolved tickets (solved or closed, with a resolution time) with at most one agent reply and no reopen, "
            "among resolved tickets whose replies and reopens are known.",
        ),
        ServiceMetric(
            "first_response_median", "First response time (median)", "First reply (median)", "hours", False,
            "Median hours from ticket creation to the first agent response, among tickets that have one.",
        ),
        ServiceMetric(
            "first_response_p90", "First response time (90th percentile)", "First reply (p90)", "hours", False,
            "90 % of first responses came within this many hours.",
        ),
        ServiceMetric(
            "resolution_median", "Full resolution time (median)", "Resolution (median)", "hours", False,
            "Median hours from ticket creation to its (last) resolution, among resolved tickets.",
        ),
        ServiceMetric(
            "resolution_p90", "Full resolution time (90th percentile)", "Resolution (p90)", "hours", False,
            "90 % of resolved tickets were resolved within this many hours.",
        ),
        ServiceMetric(
            "reopen_rate", "Reopen rate", "Reopen rate", "%", False,
            "Tickets reopened at least once, among tickets resolved at least once whose reopen count is known.",
        ),
        ServiceMetric(
            "csat", "Ticket CSAT", "Ticket CSAT", "%", True,
            "Share of ticket satisfaction ratings of 4 or 5 on the 1–5 scale (top-2-box).",
        ),
    )
}

EXPERIENCES = {
    "no_ticket": "No ticket",
    "first_contact": "Resolved at first contact",
    "not_first_contact": "Resolved, not at first contact",
    "reopened": "Reopened",
    "still_open": "Ticket still open",
    "unknown": "Resolved, outcome not recorded",
}


def check_dimension(dimension: str, allow_all: bool = True) -> str:
    if dimension in DIMENSIONS or (allow_all and dimension == "all"):
        return dimension
    raise ValueError(f"Tickets cannot be compared by '{dimension}'; choose one of {', '.join(DIMENSIONS)}.")


def check_grain(grain: str, allow_total: bool = True) -> str:
    if grain in GRAINS or (allow_total and grain == "total"):
        return grain
    raise ValueError(f"'{grain}' is not a time grain; choose one of {', '.join(GRAINS)}.")


def service_metric_views(
    store: Store, filters: Filters, min_n: int = DEFAULT_MIN_N, dimension: str = "category", grain: str = "week"
) -> pd.DataFrame:
    """What the Service page shows of its metrics, from one read of the tickets: one row per view
    ("overall": all tickets of the window; "by_group": each group of `dimension`; "by_period":
    each group per period of `grain`), period, group and metric, as service_metrics states each
    view. view_of takes one apart."""
    return store.query(
        f"select * from service_metric_views({FILTER_ARGS}, min_n := ?, dimension := ?, grain := ?)"
        " order by view, period_start nulls first, group_value, metric_order",
        [*filters.params(), min_n, check_dimension(dimension), check_grain(grain)],
    )


def view_of(views: pd.DataFrame, view: str) -> pd.DataFrame:
    """One view of service_metric_views, in service_metrics' columns and order."""
    return views[views["view"] == view].drop(columns="view").reset_index(drop=True)


def service_metrics(
    store: Store, filters: Filters, min_n: int = DEFAULT_MIN_N, dimension: str = "all", grain: str = "total"
) -> pd.DataFrame:
    """One row per period (NaT for grain "total"), group and metric: n, hits, value, margin, suppressed."""
    return store.query(
        f"select * from service_metrics({FILTER_ARGS}, min_n := ?, dimension := ?, grain := ?)"
        " order by period_start nulls first, group_value, metric_order",
        [*filters.params(), min_n, check_dimension(dimension), check_grain(grain)],
    )


def nps_after_tickets(
    store: Store, filters: Filters, min_n: int = DEFAULT_MIN_N, dimension: str = "category"
) -> pd.DataFrame:
    """The NPS of answers by the tickets before them, both ways the page shows it, from one pairing of
    answers with tickets: one row per ticket experience (breakdown "experience": NPS, margin, n and
    the z of its difference from "no ticket") and one per group of `dimension` (breakdown "group": the
    NPS of answers whose customer had a ticket of that group before answering). experiences() and
    groups() take the two apart."""
    return store.query(
        f"select * from service_nps_after_tickets({FILTER_ARGS}, min_n := ?, dimension := ?, lookback_days := ?)"
        " order by breakdown, experience_order, value",
        [*filters.params(), min_n, check_dimension(dimension, allow_all=False), LOOKBACK_DAYS],
    )


def experiences(after_tickets: pd.DataFrame) -> pd.DataFrame:
    """nps_after_tickets' experience rows: one per ticket experience, in the order shown."""
    rows = after_tickets[after_tickets["breakdown"] == "experience"].rename(columns={"value": "experience"})
    # every experience has its order (only group rows have none)
    return rows[EXPERIENCE_COLUMNS].astype({"experience_order": "int32"}).reset_index(drop=True)


def groups(after_tickets: pd.DataFrame) -> pd.DataFrame:
    """nps_after_tickets' group rows: one per group of its dimension, by name."""
    rows = after_tickets[after_tickets["breakdown"] == "group"].rename(columns={"value": "group_value"})
    return rows[GROUP_COLUMNS].sort_values("group_value").reset_index(drop=True)


def backlog(store: Store, filters: Filters, grain: str = "week") -> pd.DataFrame:
    """One row per period and age band: tickets still open when the period closed."""
    return store.query(
        f"select * from service_backlog({FILTER_ARGS}, grain := ?)",
        [*filters.params(), check_grain(grain, allow_total=False)],
    )


def backlog_now(store: Store, filters: Filters) -> pd.DataFrame:
    """One row per age band: tickets open now (the date range does not apply)."""
    return store.query(f"select * from service_backlog_now({FILTER_ARGS})", filters.params())


def ticket_list(
    store: Store,
    filters: Filters,
    dimension: str,
    group: str,
    grain: str | None = None,
    period_start: dt.date | None = None,
    limit: int = TICKET_LIST_LIMIT,
    min_n: int = DEFAULT_MIN_N,
) -> pd.DataFrame:
    """The newest tickets of one group (and period), ids only; tickets_in_list counts them all.
    Empty when the group holds fewer than min_n tickets."""
    if period_start is not None and grain is None:
        raise ValueError("A period needs its grain (week or month).")
    return store.query(
        f"select * from ticket_list({FILTER_ARGS}, dimension := ?, group_value := ?, grain := ?, period_start := ?::date,"
        " min_n := ?) order by created_at desc, ticket_id limit ?",
        [
            *filters.params(),
            check_dimension(dimension),
            group,
            None if grain is None else check_grain(grain, allow_total=False),
            period_start,
            min_n,
            limit,
        ],
    )
