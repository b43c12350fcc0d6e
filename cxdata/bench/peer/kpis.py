"""The headline KPIs (Overview page), the pandas way."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd

from cxdata.bench.peer import PeerData, filtered
from cxdata.filters import Filters

Z95 = 1.96


def nps_score(promoters: float, detractors: float, n: float) -> float | None:
    return 100.0 * (promoters - detractors) / n if n > 0 else None


def nps_margin(promoters: float, detractors: float, n: float) -> float | None:
    if n <= 0:
        return None
    p, d = promoters / n, detractors / n
    return Z95 * 100.0 * math.sqrt(max((p + d) - (p - d) ** 2, 0.0) / n)


def share_pct(hits: float, n: float) -> float | None:
    return 100.0 * hits / n if n > 0 else None


def share_margin(hits: float, n: float) -> float | None:
    if n <= 0:
        return None
    p = hits / n
    return Z95 * 100.0 * math.sqrt(p * (1 - p) / n)


def nps_change_z(p1: float, d1: float, n1: float, p0: float, d0: float, n0: float) -> float | None:
    if not (n1 > 0 and n0 > 0):
        return None
    variance = 10000.0 * ((p1 + d1) / n1 - ((p1 - d1) / n1) ** 2) / n1 + 10000.0 * (
        (p0 + d0) / n0 - ((p0 - d0) / n0) ** 2
    ) / n0
    if variance == 0:
        return None
    return (nps_score(p1, d1, n1) - nps_score(p0, d0, n0)) / math.sqrt(variance)


def share_change_z(h1: float, n1: float, h0: float, n0: float) -> float | None:
    if not (n1 > 0 and n0 > 0):
        return None
    pooled = (h1 + h0) / (n1 + n0)
    variance = pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n0)
    if variance == 0:
        return None
    return (h1 / n1 - h0 / n0) / math.sqrt(variance)


def nps_counts(answers: pd.DataFrame) -> tuple[int, int, int]:
    """(n, promoters, detractors) of the NPS answers among `answers`."""
    scores = answers["nps"].dropna()
    return int(len(scores)), int((scores >= 9).sum()), int((scores <= 6).sum())


def kpi_counts(data: PeerData, filters: Filters) -> pd.DataFrame:
    """As sql/marts/kpi_counts.sql: one row per KPI with the counts its formula needs."""
    responses = filtered(data.responses, "responded_at", filters)
    tickets = filtered(data.tickets, "created_at", filters)
    customers = data.customers
    if filters.segments:
        customers = customers[customers["segment"].isin(filters.segments)]
    if filters.regions:
        customers = customers[customers["region"].isin(filters.regions)]
    start = pd.Timestamp(filters.date_from) if filters.date_from else data.responses["responded_at"].min().normalize()
    end = pd.Timestamp(filters.date_to) if filters.date_to else data.responses["responded_at"].max().normalize()

    nps_n, promoters, detractors = nps_counts(responses)
    csat = responses["csat"].dropna()
    ces = responses["ces"].dropna()
    fcr = tickets["is_fcr"].dropna()

    active = customers[
        (customers["signup_date"].isna() | (customers["signup_date"] <= start))
        & (customers["churned_on"].isna() | (customers["churned_on"] >= start))
    ]
    churned = int((active["churned_on"] <= end).sum())

    # each customer's latest NPS answer in the period decides whether their revenue is at risk
    answered = responses[responses["nps"].notna() & responses["customer_id"].notna()]
    latest = answered.sort_values(["responded_at", "response_id"]).drop_duplicates("customer_id", keep="last")
    at_risk = latest[["customer_id", "nps"]].merge(data.customers, on="customer_id", how="inner")
    at_risk = at_risk[at_risk["churned_on"].isna() | (at_risk["churned_on"] > end)]
    detracting = at_risk["nps"] <= 6

    rows = [
        (1, "nps", nps_n, None, promoters, detractors, None),
        (2, "csat", len(csat), int((csat >= 4).sum()), None, None, None),
        (3, "ces", len(ces), int((ces >= 5).sum()), None, None, None),
        (4, "fcr", len(fcr), int(fcr.astype(bool).sum()), None, None, None),
        (5, "churn_rate", len(active), churned, None, None, None),
        (6, "revenue_at_risk", len(at_risk), int(detracting.sum()), None, None,
         float(at_risk.loc[detracting, "annual_revenue"].sum())),
    ]
    return pd.DataFrame(rows, columns=["kpi_order", "kpi", "n", "hits", "promoters", "detractors", "amount"])


def kpi_summary(data: PeerData, filters: Filters, min_n: int) -> pd.DataFrame:
    counts = kpi_counts(data, filters)
    rows = []
    for row in counts.to_dict("records"):
        n = row["n"]
        if row["kpi"] == "nps":
            value, margin = nps_score(row["promoters"], row["detractors"], n), nps_margin(row["promoters"], row["detractors"], n)
        elif row["kpi"] == "revenue_at_risk":
            value, margin = row["amount"], None
        else:
            value, margin = share_pct(row["hits"], n), share_margin(row["hits"], n)
        suppressed = n < min_n
        rows.append(
            {
                "kpi_order": row["kpi_order"],
                "kpi": row["kpi"],
                "n": n,
                "value": None if suppressed else value,
                "margin_of_error": None if suppressed else margin,
                "suppressed": suppressed,
                "hits": row["hits"],
                "promoters": row["promoters"],
                "detractors": row["detractors"],
            }
        )
    return pd.DataFrame(rows)


def kpi_change(data: PeerData, filters: Filters, min_n: int) -> pd.DataFrame:
    """As sql/marts/kpi_change.sql: this period against the previous one of equal length."""
    now = kpi_summary(data, filters, min_n).set_index("kpi")
    before = kpi_summary(data, filters.previous_period(), min_n).set_index("kpi")
    rows = []
    for kpi in now.index:
        current, previous = now.loc[kpi], before.loc[kpi]
        change = None
        if current["value"] is not None and previous["value"] is not None and not pd.isna(current["value"]) and not pd.isna(previous["value"]):
            change = current["value"] - previous["value"]
        if kpi == "nps":
            z = nps_change_z(current["promoters"], current["detractors"], current["n"],
                             previous["promoters"], previous["detractors"], previous["n"])
        elif kpi == "revenue_at_risk":
            z = None
        else:
            z = share_change_z(current["hits"], current["n"], previous["hits"], previous["n"])
        z = z if change is not None else None
        rows.append(
            {
                "kpi_order": current["kpi_order"],
                "kpi": kpi,
                "n": current["n"],
                "value": current["value"],
                "margin_of_error": current["margin_of_error"],
                "suppressed": current["suppressed"],
                "previous_n": previous["n"],
                "previous_value": previous["value"],
                "previous_suppressed": previous["suppressed"],
                "change": change,
                "z": z,
                "significant": abs(z) > Z95 if z is not None else None,
            }
        )
    return pd.DataFrame(rows).sort_values("kpi_order").reset_index(drop=True)


def _narrowed(data: PeerData, filters: Filters) -> PeerData:
    """The data inside the filters' window, so that per-period questions scan less."""
    return dataclasses.replace(
        data,
        responses=filtered(data.responses, "responded_at", filters),
        tickets=filtered(data.tickets, "created_at", filters),
    )


def kpi_trend(data: PeerData, filters: Filters, min_n: int, grain: str) -> pd.DataFrame:
    """What sql/marts/kpi_trend.sql answers (there in one pass over the periods): the KPIs
    of each week or month of the window as kpi_summary states them for that stretch alone,
    the first and last period cut to the window. The peer simply asks once per period."""
    first = filters.date_from or data.responses["responded_at"].min().date()
    last = filters.date_to or data.responses["responded_at"].max().date()
    start = pd.Timestamp(first)
    start = start - pd.Timedelta(days=start.weekday()) if grain == "week" else start.replace(day=1)
    window = _narrowed(data, dataclasses.replace(filters, date_from=first, date_to=last))
    frames = []
    period_start = start
    while period_start.date() <= last:
        if grain == "week":
            period_end, following = period_start + pd.Timedelta(days=6), period_start + pd.Timedelta(days=7)
        else:
            following = period_start + pd.offsets.MonthBegin(1)
            period_end = following - pd.Timedelta(days=1)
        stretch_from, stretch_to = max(period_start.date(), first), min(period_end.date(), last)
        summary = kpi_summary(window, dataclasses.replace(filters, date_from=stretch_from, date_to=stretch_to), min_n)
        summary.insert(0, "stretch_to", stretch_to)
        summary.insert(0, "stretch_from", stretch_from)
        summary.insert(0, "period_start", period_start.date())
        frames.append(summary)
        period_start = following
    trend = pd.concat(frames, ignore_index=True)
    columns = ["period_start", "stretch_from", "stretch_to", "kpi_order", "kpi", "n", "value", "margin_of_error", "suppressed"]
    return trend[columns].sort_values(["kpi_order", "period_start"]).reset_index(drop=True)


def kpi_overview(data: PeerData, filters: Filters, min_n: int, grain: str) -> pd.DataFrame:
    """As sql/marts/kpi_overview.sql: kpi_change's rows for the whole window, then kpi_trend's
    rows for each week or month (the peer asks for each on its own)."""
    first = filters.date_from or data.responses["responded_at"].min().date()
    last = filters.date_to or data.responses["responded_at"].max().date()
    window = kpi_change(data, filters, min_n).assign(
        period_kind="window", period_start=first, stretch_from=first, stretch_to=last,
    )
    trend = kpi_trend(data, filters, min_n, grain).assign(period_kind=grain)
    columns = [
        "kpi_order", "kpi", "period_kind", "period_start", "stretch_from", "stretch_to", "n", "value",
        "margin_of_error", "suppressed", "previous_n", "previous_value", "previous_suppressed", "change", "z",
        "significant",
    ]
    both = pd.concat([window, trend], ignore_index=True).reindex(columns=columns)
    both["window_first"] = both["period_kind"] != "window"
    ordered = both.sort_values(["kpi_order", "window_first", "period_start"], kind="stable")
    return ordered.drop(columns="window_first").reset_index(drop=True)
