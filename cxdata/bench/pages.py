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

from cxdata import metrics, overview, ui
from cxdata.bench.floor import Touch
from cxdata.bench.peer import PeerData
from cxdata.bench.peer import kpis as peer_kpis
from cxdata.bench.peer import shell as peer_shell
from cxdata.filters import Filters
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

OVERVIEW = Page(
    "overview",
    "pages/overview.py",
    (
        Call(
            metrics.kpi_change, _filters_and_min_n, peer_kpis.kpi_change,
            (
                Touch("responses", ("response_id", "customer_id", "responded_at", "nps", "csat", "ces"), "with_previous"),
                Touch("tickets", ("status", "resolved_at", "replies", "reopens"), "with_previous"),
                Touch("customers", ("signup_date", "churned_on", "annual_revenue"), "all"),
            ),
            keys=("kpi",),
        ),
        Call(
            overview.freshness, _no_args, lambda data, filters, min_n: peer_shell.freshness(data),
            (Touch("responses", ("responded_at",), "all", False),),
        ),
    ),
)

PAGES: tuple[Page, ...] = (SHELL, OVERVIEW)


def by_name(names: list[str] | None) -> tuple[Page, ...]:
    if not names:
        return PAGES
    known = {page.name: page for page in PAGES}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"Unknown page(s) {', '.join(unknown)}; the pages are {', '.join(known)}.")
    return tuple(known[name] for name in names)
