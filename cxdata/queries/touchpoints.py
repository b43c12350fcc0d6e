"""Touchpoints page queries: the touchpoint × channel heatmap, importance versus performance,
and one touchpoint's NPS trend and verbatims.

Every function reads one mart in sql/marts with the global filters as bound parameters;
the metric and the touchpoint are bound values too, the metric checked against an allow-list."""

from __future__ import annotations

import dataclasses

import pandas as pd

from cxdata.filters import DEFAULT_MIN_N, FILTER_ARGS, Filters
from cxdata.store import Store

# the most recent comments shown for one touchpoint; the download holds the same rows
VERBATIM_LIMIT = 2_000


@dataclasses.dataclass(frozen=True)
class HeatmapMetric:
    key: str
    label: str
    unit: str  # "points" for NPS, "%" for shares
    help: str


METRICS = {
    metric.key: metric
    for metric in (
        HeatmapMetric(
            "nps", "NPS", "points",
            "Net Promoter Score: % promoters (9–10) minus % detractors (0–6) among the answers at the touchpoint.",
        ),
        HeatmapMetric("csat", "CSAT", "%", "Share of CSAT answers 4 or 5 on the 1–5 scale (top-2-box)."),
        HeatmapMetric("ces", "CES", "%", "Share of CES answers 5–7 on the 1–7 scale: customers who found it easy."),
    )
}


def _checked_metric(metric: str) -> str:
    if metric not in METRICS:
        raise ValueError(f"Unknown metric {metric!r}; choose one of {', '.join(METRICS)}.")
    return metric


def touchpoint_performance(store: Store, filters: Filters, metric: str = "nps", min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """One row per touchpoint and channel (plus 'All channels'): the metric's value, margin, n, suppressed;
    touchpoints in journey order."""
    return store.query(
        f"select * from touchpoint_performance({FILTER_ARGS}, min_n := ?) where metric = ?"
        " order by position nulls last, touchpoint, all_channels, channel",
        [*filters.params(), min_n, _checked_metric(metric)],
    )


def importance_performance(store: Store, filters: Filters, min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """One row per rated attribute: importance (correlation with the NPS answer), performance (% of scale),
    n, quadrant; shown ones first, most important first."""
    return store.query(
        f"select * from importance_performance({FILTER_ARGS}, min_n := ?)"
        " order by suppressed, importance desc nulls last, attribute",
        [*filters.params(), min_n],
    )


def touchpoint_answers(store: Store, filters: Filters, min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """One row per touchpoint answered about: answers (n), comments, suppressed; in journey order."""
    return store.query(
        f"select * from touchpoint_answers({FILTER_ARGS}, min_n := ?) order by position nulls last, touchpoint",
        [*filters.params(), min_n],
    )


def touchpoint_trend(store: Store, filters: Filters, touchpoint: str, min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """One row per month: the touchpoint's NPS with its 95 % band and n."""
    return store.query(
        f"select * from touchpoint_trend({FILTER_ARGS}, min_n := ?) where touchpoint = ? order by month",
        [*filters.params(), min_n, touchpoint],
    )


def touchpoint_verbatims(
    store: Store, filters: Filters, touchpoint: str, min_n: int = DEFAULT_MIN_N, limit: int = VERBATIM_LIMIT
) -> pd.DataFrame:
    """The touchpoint's most recent comments (date, scores, channel); empty when its answers are below min n."""
    return store.query(
        f"select responded_at, channel, segment, nps, nps_class, csat, ces, comment, response_id"
        f" from touchpoint_verbatims({FILTER_ARGS}, min_n := ?) where touchpoint = ?"
        " order by responded_at desc, response_id limit ?",
        [*filters.params(), min_n, touchpoint, limit],
    )
