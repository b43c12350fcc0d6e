"""What the Overview page shows, as plain values: KPI tiles with their trend, what moved, data freshness."""

from __future__ import annotations

import dataclasses
import datetime as dt
from urllib.parse import urlencode

import pandas as pd

from cxdata import formatting
from cxdata.filters import DEFAULT_MIN_N, FILTER_ARGS, Filters
from cxdata.metrics import KPI_LABELS
from cxdata.queries import nps as nps_queries
from cxdata.store import Store

# a window up to this long is drawn week by week, a longer one month by month
WEEKLY_TREND_MAX_DAYS = 120
# the last month of the window is drilled into only when the window covers this much of it
MIN_DAYS_OF_DRILLED_MONTH = 15
# the URL key the Touchpoints page reads its chosen touchpoint from
TOUCHPOINT_KEY = "touchpoint"

KPI_HELP = {
    "nps": "Net Promoter Score: % promoters (9–10) minus % detractors (0–6), ± its 95 % margin of error.",
    "csat": "Share of CSAT answers 4 or 5 on the 1–5 scale (top-2-box).",
    "ces": "Share of CES answers 5–7 on the 1–7 scale: customers who found it easy.",
    "fcr": "First contact resolution: resolved tickets with at most one agent reply and no reopen.",
    "churn_rate": "Customers who churned in the period among those active at its start (segment and region filters only).",
    "revenue_at_risk": "Annual revenue of active customers whose latest NPS answer in the period is a detractor.",
}
# for these a fall is good news
LOWER_IS_BETTER = {"churn_rate", "revenue_at_risk"}


@dataclasses.dataclass(frozen=True)
class KpiTile:
    kpi: str
    label: str
    value: str
    delta: str | None
    delta_color: str
    caption: str
    help: str
    # the KPI per week or month of the window, suppressed periods left out
    trend: tuple[float, ...] = ()
    # the arrow follows the change's sign (the delta text carries a true minus, which st.metric does not read)
    delta_arrow: str = "off"
    delta_description: str | None = None


def _delta(row: dict) -> tuple[str | None, str, str | None]:
    """(change as text, arrow, what the change means) for one row of kpi_change."""
    change = row["change"]
    if change is None or pd.isna(change):
        return None, "off", None
    arrow = "up" if change > 0 else ("down" if change < 0 else "off")
    if row["kpi"] == "revenue_at_risk":
        text = ("+" if change >= 0 else "−") + formatting.format_money(abs(change))
        return text, arrow, "vs previous period"
    unit = " pts" if row["kpi"] == "nps" else " pp"
    mark = "significant" if row["significant"] is True else "not significant"
    return f"{change:+.1f}{unit}".replace("-", "−", 1), arrow, mark


def _delta_color(row: dict) -> str:
    """Green for good news, red for bad, grey for a change that may be noise. Named colours, because
    the delta text starts with a true minus, from which st.metric cannot tell a fall."""
    change = row["change"]
    if change is None or pd.isna(change) or change == 0:
        return "gray"
    # revenue at risk is a sum: no test applies, so every change is shown as news
    if row["kpi"] != "revenue_at_risk" and row["significant"] is not True:
        return "gray"
    better = change < 0 if row["kpi"] in LOWER_IS_BETTER else change > 0
    return "green" if better else "red"


def kpi_tiles(changes: pd.DataFrame, trend: pd.DataFrame | None = None) -> list[KpiTile]:
    """One tile per KPI row of kpi_change; `trend` (rows of kpi_trend) adds the small line."""
    tiles = []
    for row in changes.to_dict("records"):
        kpi = row["kpi"]
        value = formatting.format_kpi(kpi, row["value"])
        if kpi == "nps" and not row["suppressed"]:
            value = f"{value} ± {row['margin_of_error']:.1f}"
        color = _delta_color(row)
        delta, arrow, description = _delta(row)
        noun = "customers" if kpi in ("churn_rate", "revenue_at_risk") else ("tickets" if kpi == "fcr" else "answers")
        tiles.append(
            KpiTile(
                kpi=kpi,
                label=KPI_LABELS[kpi],
                value=value,
                delta=delta,
                delta_arrow=arrow,
                delta_description=description,
                delta_color=color,
                caption=f"n = {formatting.format_count(row['n'])} {noun}",
                help=KPI_HELP[kpi],
                trend=trend_values(trend, kpi) if trend is not None else (),
            )
        )
    return tiles


def trend_grain(filters: Filters) -> str:
    if filters.date_from is None or filters.date_to is None:
        return "month"
    return "week" if (filters.date_to - filters.date_from).days + 1 <= WEEKLY_TREND_MAX_DAYS else "month"


def kpi_trend(store: Store, filters: Filters, min_n: int = DEFAULT_MIN_N, grain: str = "week") -> pd.DataFrame:
    """One row per KPI and week or month of the window, each computed as the headline tile computes it."""
    return store.query(
        f"select * from kpi_trend({FILTER_ARGS}, min_n := ?, grain := ?)",
        [*filters.params(), min_n, nps_queries.checked_grain(grain)],
    )


def kpi_overview(store: Store, filters: Filters, min_n: int = DEFAULT_MIN_N, grain: str = "week") -> pd.DataFrame:
    """The Overview's tiles and their small lines from one query: per KPI, the whole window
    against the previous period (period_kind 'window', as kpi_change) and each week or month
    of the window (as kpi_trend)."""
    previous = filters.previous_period()
    return store.query(
        "select * from kpi_overview(?::date, ?::date, ?::date, ?::date,"
        " segments := ?::varchar[], channels := ?::varchar[], regions := ?::varchar[], min_n := ?, grain := ?)",
        [filters.date_from, filters.date_to, previous.date_from, previous.date_to, *filters.params()[2:], min_n,
         nps_queries.checked_grain(grain)],
    )


def overview_tiles(kpis: pd.DataFrame) -> list[KpiTile]:
    """kpi_tiles of a kpi_overview result."""
    window = kpis["period_kind"] == "window"
    return kpi_tiles(kpis[window], kpis[~window])


def trend_values(trend: pd.DataFrame, kpi: str) -> tuple[float, ...]:
    """The KPI's values in period order; a suppressed period is left out, never drawn as a number."""
    rows = trend[(trend["kpi"] == kpi) & ~trend["suppressed"].astype(bool)].sort_values("period_start")
    return tuple(float(value) for value in rows["value"] if not pd.isna(value))


def what_moved(store: Store, filters: Filters, min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """One row per segment, channel and touchpoint: NPS now and in the previous period of equal length,
    the change and whether it is significant; significant ones first, biggest change first."""
    previous = filters.previous_period()
    return store.query(
        "select * from what_moved(?::date, ?::date, ?::date, ?::date,"
        " segments := ?::varchar[], channels := ?::varchar[], regions := ?::varchar[], min_n := ?)",
        [filters.date_from, filters.date_to, previous.date_from, previous.date_to, *filters.params()[2:], min_n],
    )


def drilled_month(filters: Filters) -> str:
    """The month a link from Overview opens in NPS trends: the last month of the window, or the one
    before when the window holds only a few days of the last one and more of the one before."""
    last = filters.date_to
    first_of_last = last.replace(day=1)
    covered = (last - max(first_of_last, filters.date_from)).days + 1
    before = first_of_last - dt.timedelta(days=1)
    covered_before = (before - max(before.replace(day=1), filters.date_from)).days + 1
    if covered < MIN_DAYS_OF_DRILLED_MONTH and covered_before > covered:
        return nps_queries.period_key("month", before)
    return nps_queries.period_key("month", last)


def nps_trends_params(filters: Filters, dimension: str, value: str) -> dict[str, str | list[str]]:
    """The URL of NPS trends split by `dimension` and drilled to `value` in the window's last month."""
    return {
        **filters.to_query_params(),
        "grain": "month",
        "split": dimension,
        "period": drilled_month(filters),
        "split_value": value,
    }


def target_for(filters: Filters, dimension: str, value: str) -> tuple[str, dict[str, str | list[str]]]:
    """(page, URL keys) a mover opens: NPS trends drilled to a segment or channel; the
    Touchpoints page for a touchpoint (NPS trends is not split by touchpoint)."""
    if dimension in ("segment", "channel"):
        return "pages/nps_trends.py", nps_trends_params(filters, dimension, value)
    return "pages/touchpoints.py", {**filters.to_query_params(), TOUCHPOINT_KEY: value}


def link_for(filters: Filters, dimension: str, value: str) -> str:
    """The same target as a relative link (the page's URL path is its file name)."""
    page, params = target_for(filters, dimension, value)
    return page.removeprefix("pages/").removesuffix(".py") + "?" + urlencode(params, doseq=True)


def freshness(store: Store) -> str:
    row = store.query_rows("select last_response_at, last_import_at from data_span")[0]
    parts = []
    if row[0] is not None:
        parts.append(f"Latest response: {row[0]:%d.%m.%Y %H:%M}")
    if row[1] is not None:
        parts.append(f"latest import: {row[1]:%d.%m.%Y %H:%M}")
    return " · ".join(parts) if parts else "No data loaded yet."
