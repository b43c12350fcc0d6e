"""Every page's query set, in one table: what each page calls, and how the peer and the
floor answer the same.

Read off pages/*.py for the dashboard's default state of each page (no drill-down
chosen, every page control at its default): a page calls these functions, each through
ui.cached, on every uncached run. The shell (dashboard.py's filter bar) runs before
every page; it is listed as its own entry because its answers do not depend on the
filters and are cached for the whole session.

When a page changes what it calls, change its entry here: the smoke test fails when a
page calls a query function this table does not list.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

from cxdata import overview, ui
from cxdata.bench.floor import Touch
from cxdata.bench.peer import PeerData
from cxdata.bench.peer import journey as peer_journey
from cxdata.bench.peer import kpis as peer_kpis
from cxdata.bench.peer import nps as peer_nps
from cxdata.bench.peer import service as peer_service
from cxdata.bench.peer import touchpoints as peer_touchpoints
from cxdata.bench.peer import shell as peer_shell
from cxdata.filters import Filters
from cxdata.queries import journey as journey_queries
from cxdata.queries import nps as nps_queries
from cxdata.queries import service as service_queries
from cxdata.queries import touchpoints as touchpoint_queries
from cxdata.store import Store

Args = Callable[[Filters, int], tuple]


@dataclasses.dataclass(frozen=True)
class Call:
    """One query a page makes: ours(store, *args(filters, min_n)), and the peer's answer."""

    ours: Callable[..., Any]
    args: Args
    peer: Callable[[PeerData, Filters, int], Any]
    touches: tuple[Touch, ...]
    # the columns that identify a row, so answers compare whatever their row order
    keys: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.ours.__module__.removeprefix('cxdata.')}.{self.ours.__qualname__}"

    def run(self, store: Store, filters: Filters, min_n: int) -> Any:
        return self.ours(store, *self.args(filters, min_n))


@dataclasses.dataclass(frozen=True)
class Page:
    name: str
    file: str | None  # None: not a page of its own (the shell)
    calls: tuple[Call, ...]
    # what the page calls only after a click (a drill-down) or with a control away from its
    # default, or for open-ended filters: not part of the measured default view
    other_calls: tuple[Callable[..., Any], ...] = ()

    def peer_tables(self) -> tuple[str, ...]:
        """The tables the peer must have loaded to answer this page (with the customers
        and touchpoints its joins need)."""
        touched = {touch.table for call in self.calls for touch in call.touches}
        touched |= {"customers", "touchpoints"}
        if any(call.ours is overview.freshness for call in self.calls):
            touched.add("imports")
        return tuple(sorted(touched))


def _no_args(filters: Filters, min_n: int) -> tuple:
    return ()


def _filters_and_min_n(filters: Filters, min_n: int) -> tuple:
    return (filters, min_n)


SHELL = Page(
    "shell",
    None,
    (
        Call(
            ui.filter_options, _no_args, lambda data, filters, min_n: peer_shell.filter_options(data),
            (
                Touch("responses", ("segment", "region", "channel", "customer_id"), "all", False),
                Touch("customers", ("segment", "region"), "all", False),
                Touch("tickets", ("channel",), "all", False),
                Touch("journey_events", ("channel",), "all", False),
            ),
        ),
        Call(
            ui.data_span, _no_args, lambda data, filters, min_n: peer_shell.data_span(data),
            (
                Touch("responses", ("responded_at",), "all", False),
                Touch("tickets", ("created_at",), "all", False),
                Touch("journey_events", ("occurred_at",), "all", False),
            ),
        ),
    ),
)

# what the headline KPIs read: answers and tickets of the period, all customers
KPI_TOUCHES = (
    Touch("responses", ("response_id", "customer_id", "responded_at", "segment", "region", "nps", "csat", "ces")),
    Touch("tickets", ("customer_id", "status", "resolved_at", "replies", "reopens")),
    Touch("customers", ("customer_id", "segment", "region", "signup_date", "churned_on", "annual_revenue"), "all", False),
)


def _with_previous(touches: tuple[Touch, ...]) -> tuple[Touch, ...]:
    return tuple(dataclasses.replace(t, period="with_previous") if t.period == "view" else t for t in touches)


OVERVIEW = Page(
    "overview",
    "pages/overview.py",
    (
        Call(
            overview.kpi_overview,
            lambda filters, min_n: (filters, min_n, overview.trend_grain(filters)),
            lambda data, filters, min_n: peer_kpis.kpi_overview(data, filters, min_n, overview.trend_grain(filters)),
            _with_previous(KPI_TOUCHES),
            keys=("kpi", "period_kind", "period_start"),
        ),
        Call(
            overview.what_moved, _filters_and_min_n, peer_nps.what_moved,
            (Touch("responses", ("segment", "channel", "touchpoint", "nps"), "with_previous"),),
            keys=("dimension", "value"),
        ),
        Call(
            overview.freshness, _no_args, lambda data, filters, min_n: peer_shell.freshness(data),
            (Touch("responses", ("responded_at",), "all", False),),
        ),
    ),
    other_calls=(ui.data_span,),
)


def _nps_trends_span(filters: Filters) -> Filters:
    # the page's "show the previous period too" toggle is on by default: the chart reads both periods
    return dataclasses.replace(filters, date_from=filters.previous_period().date_from)


NPS_TRENDS = Page(
    "nps_trends",
    "pages/nps_trends.py",
    (
        Call(
            nps_queries.nps_by_period,
            lambda filters, min_n: (_nps_trends_span(filters), min_n, "month", "none"),
            lambda data, filters, min_n: peer_nps.nps_by_period(data, _nps_trends_span(filters), min_n, "month", "none"),
            (Touch("responses", ("responded_at", "segment", "region", "channel", "nps"), "with_previous"),),
            keys=("period", "split_value"),
        ),
    ),
    other_calls=(ui.data_span, nps_queries.nps_mix, nps_queries.nps_responses),
)

# the page's controls at their defaults: compare by category, over time by week
SERVICE_DIMENSION, SERVICE_GRAIN = "category", "week"
TICKET_METRIC_COLUMNS = (
    "created_at", "first_response_at", "resolved_at", "category", "status", "replies", "reopens", "csat", "customer_id",
)
# what the "NPS after a ticket" question reads: the period's answers, and every ticket before them
AFTER_TICKET_TOUCHES = (
    Touch("responses", ("customer_id", "responded_at", "segment", "region", "nps")),
    Touch("tickets", ("customer_id", "created_at", "category", "status", "resolved_at", "replies", "reopens"), "all", False),
)

SERVICE = Page(
    "service",
    "pages/service.py",
    (
        Call(
            service_queries.service_metric_views,
            lambda filters, min_n: (filters, min_n, SERVICE_DIMENSION, SERVICE_GRAIN),
            lambda data, filters, min_n: peer_service.service_metric_views(
                data, filters, min_n, SERVICE_DIMENSION, SERVICE_GRAIN
            ),
            (Touch("tickets", TICKET_METRIC_COLUMNS),),
            keys=("view", "period_start", "group_value", "metric"),
        ),
        Call(
            service_queries.backlog_now,
            lambda filters, min_n: (filters,),
            lambda data, filters, min_n: peer_service.backlog_now(data, filters),
            (
                Touch("tickets", ("created_at", "status", "customer_id"), "all"),
                Touch("tickets", ("created_at", "first_response_at", "resolved_at"), "all", False),
            ),
            keys=("band_order",),
        ),
        Call(
            service_queries.nps_after_tickets,
            lambda filters, min_n: (filters, min_n, SERVICE_DIMENSION),
            lambda data, filters, min_n: peer_service.nps_after_tickets(
                data, filters, min_n, SERVICE_DIMENSION, service_queries.LOOKBACK_DAYS
            ),
            AFTER_TICKET_TOUCHES,
            keys=("breakdown", "value"),
        ),
        Call(
            service_queries.backlog,
            lambda filters, min_n: (filters, SERVICE_GRAIN),
            lambda data, filters, min_n: peer_service.backlog(data, filters, SERVICE_GRAIN),
            # every ticket created up to the end of the period can be open in it
            (Touch("tickets", ("created_at", "resolved_at", "status", "customer_id"), "all"),),
            keys=("period_start", "band_order"),
        ),
    ),
    other_calls=(service_queries.ticket_list,),
)

# the heatmap's metric control at its default
TOUCHPOINT_METRIC = "nps"

TOUCHPOINTS = Page(
    "touchpoints",
    "pages/touchpoints.py",
    (
        Call(
            touchpoint_queries.touchpoint_answers, _filters_and_min_n, peer_touchpoints.touchpoint_answers,
            (Touch("responses", ("responded_at", "segment", "region", "channel", "touchpoint", "comment")),),
            keys=("touchpoint",),
        ),
        Call(
            touchpoint_queries.touchpoint_performance,
            lambda filters, min_n: (filters, TOUCHPOINT_METRIC, min_n),
            lambda data, filters, min_n: peer_touchpoints.touchpoint_performance(data, filters, TOUCHPOINT_METRIC, min_n),
            (Touch("responses", ("responded_at", "segment", "region", "channel", "touchpoint", "nps")),),
            keys=("touchpoint", "channel"),
        ),
        Call(
            touchpoint_queries.importance_performance, _filters_and_min_n, peer_touchpoints.importance_performance,
            (
                Touch("responses", ("response_id", "responded_at", "segment", "region", "channel", "nps")),
                Touch("response_ratings", ("response_id", "attribute", "rating", "scale_min", "scale_max")),
            ),
            keys=("attribute",),
        ),
    ),
    other_calls=(touchpoint_queries.touchpoint_trend, touchpoint_queries.touchpoint_verbatims),
)

JOURNEY = Page(
    "journey",
    "pages/journey.py",
    (
        # the comparison control at its default ("none"): the overall curve only
        Call(
            journey_queries.journey_map,
            lambda filters, min_n: (filters, "none", min_n),
            lambda data, filters, min_n: peer_journey.journey_map(data, filters, "none", min_n),
            (
                Touch(
                    "journey_events",
                    (
                        "occurred_at", "customer_id", "channel", "journey_id", "touchpoint", "stage", "emotion", "outcome",
                        "previous_visit_at",
                    ),
                ),
            ),
            keys=("compared_group", "touchpoint"),
        ),
    ),
    other_calls=(
        journey_queries.touchpoint_outcomes, journey_queries.touchpoint_nps, journey_queries.touchpoint_comments,
        journey_queries.touchpoint_journeys,
    ),
)

# the Data page reads only the import history (a few rows, uncached): its whole script is
# measured, it has no filtered query set to compare
DATA = Page("data", "pages/data.py", ())

PAGES: tuple[Page, ...] = (SHELL, OVERVIEW, NPS_TRENDS, TOUCHPOINTS, JOURNEY, SERVICE, DATA)


def by_name(names: list[str] | None) -> tuple[Page, ...]:
    if not names:
        return PAGES
    known = {page.name: page for page in PAGES}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"Unknown page(s) {', '.join(unknown)}; the pages are {', '.join(known)}.")
    return tuple(known[name] for name in names)
