"""What the Overview page shows, as plain values: KPI tiles and data freshness."""

from __future__ import annotations

import dataclasses

import pandas as pd

from cxdata import formatting
from cxdata.metrics import KPI_LABELS
from cxdata.store import Store

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


def _delta(row: dict) -> str | None:
    change = row["change"]
    if change is None or pd.isna(change):
        return None
    if row["kpi"] == "revenue_at_risk":
        text = ("+" if change >= 0 else "−") + formatting.format_money(abs(change))
        return f"{text} vs previous"
    unit = " pts" if row["kpi"] == "nps" else " pp"
    mark = "significant" if row["significant"] is True else "not significant"
    return f"{change:+.1f}{unit} · {mark}".replace("-", "−", 1)


def kpi_tiles(changes: pd.DataFrame) -> list[KpiTile]:
    tiles = []
    for row in changes.to_dict("records"):
        kpi = row["kpi"]
        value = formatting.format_kpi(kpi, row["value"])
        if kpi == "nps" and not row["suppressed"]:
            value = f"{value} ± {row['margin_of_error']:.1f}"
        significant = row["significant"] is True
        if kpi == "revenue_at_risk" or not significant:
            # a change that may be noise is shown grey, not as news
            color = "off" if kpi != "revenue_at_risk" else ("inverse" if kpi in LOWER_IS_BETTER else "normal")
        else:
            color = "inverse" if kpi in LOWER_IS_BETTER else "normal"
        noun = "customers" if kpi in ("churn_rate", "revenue_at_risk") else ("tickets" if kpi == "fcr" else "answers")
        tiles.append(
            KpiTile(
                kpi=kpi,
                label=KPI_LABELS[kpi],
                value=value,
                delta=_delta(row),
                delta_color=color,
                caption=f"n = {formatting.format_count(row['n'])} {noun}",
                help=KPI_HELP[kpi],
            )
        )
    return tiles


def freshness(store: Store) -> str:
    row = store.query_rows("select last_response_at, last_import_at from data_span")[0]
    parts = []
    if row[0] is not None:
        parts.append(f"Latest response: {row[0]:%d.%m.%Y %H:%M}")
    if row[1] is not None:
        parts.append(f"latest import: {row[1]:%d.%m.%Y %H:%M}")
    return " · ".join(parts) if parts else "No data loaded yet."
