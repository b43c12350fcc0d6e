"""Headline KPIs, read from the kpi_* views in sql/marts (formulas live there, not here)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from cxdata.filters import DEFAULT_MIN_N, FILTER_ARGS, Filters
from cxdata.store import Store

KPI_LABELS = {
    "nps": "NPS",
    "csat": "CSAT",
    "ces": "CES",
    "fcr": "FCR",
    "churn_rate": "Churn rate",
    "revenue_at_risk": "Revenue at risk",
}


def kpi_summary(store: Store, filters: Filters, min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """One row per KPI: value, margin_of_error, n, suppressed."""
    return store.query(f"select * from kpi_summary({FILTER_ARGS}, min_n := ?)", [*filters.params(), min_n])


def kpi_change(store: Store, filters: Filters, min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """One row per KPI: this period, the previous one of equal length, change and significance."""
    previous = filters.previous_period()
    return store.query(
        "select * from kpi_change(?::date, ?::date, ?::date, ?::date,"
        " segments := ?::varchar[], channels := ?::varchar[], regions := ?::varchar[], min_n := ?)",
        [filters.date_from, filters.date_to, previous.date_from, previous.date_to, *filters.params()[2:], min_n],
    )


def _plain(value: Any) -> Any:
    """JSON-friendly: NaN and pandas' NA become None, numpy scalars become Python numbers."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value


def kpis_as_json(store: Store, filters: Filters, min_n: int = DEFAULT_MIN_N) -> dict[str, Any]:
    """The `kpis --json` document: every KPI with its n; suppressed ones carry no value."""
    table = kpi_summary(store, filters, min_n)
    kpis: dict[str, Any] = {}
    for row in table.to_dict("records"):
        entry = {
            "value": _plain(row["value"]),
            "margin_of_error": _plain(row["margin_of_error"]),
            "n": _plain(row["n"]),
            "suppressed": bool(row["suppressed"]),
        }
        if row["kpi"] == "nps":
            entry["promoters"] = _plain(row["promoters"])
            entry["detractors"] = _plain(row["detractors"])
        elif row["kpi"] == "revenue_at_risk":
            entry["customers_at_risk"] = _plain(row["hits"])
        else:
            entry["hits"] = _plain(row["hits"])
        kpis[row["kpi"]] = entry
    return {
        "filters": {
            "from": filters.date_from.isoformat() if filters.date_from else None,
            "to": filters.date_to.isoformat() if filters.date_to else None,
            "segments": list(filters.segments),
            "channels": list(filters.channels),
            "regions": list(filters.regions),
        },
        "min_n": min_n,
        "kpis": kpis,
    }
