"""The Service page's questions, the pandas way."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from cxdata.bench.peer import PeerData, as_float, filled, filtered, seconds_between
from cxdata.bench.peer.kpis import nps_change_z, nps_margin, nps_score, share_margin, share_pct
from cxdata.filters import Filters

# as sql/marts/ticket_age_bands.sql
AGE_BANDS = (
    (1, "Under 1 day", 0.0, 1.0),
    (2, "1–3 days", 1.0, 3.0),
    (3, "3–7 days", 3.0, 7.0),
    (4, "1–4 weeks", 7.0, 28.0),
    (5, "Over 4 weeks", 28.0, None),
)
EXPERIENCES = ("no_ticket", "first_contact", "not_first_contact", "reopened", "still_open", "unknown")
AFTER_TICKET_COLUMNS = [
    "breakdown", "experience_order", "value", "n", "promoters", "detractors", "suppressed", "nps", "margin_of_error",
    "z_vs_no_ticket",
]
SEVERITY_EXPERIENCE = {0: "no_ticket", 1: "first_contact", 2: "unknown", 3: "not_first_contact", 4: "still_open", 5: "reopened"}
METRICS = (
    "tickets", "fcr", "first_response_median", "first_response_p90", "resolution_median", "resolution_p90",
    "reopen_rate", "csat",
)


def period_start(moments: pd.Series, grain: str) -> pd.Series:
    if grain == "week":
        return moments.dt.normalize() - pd.to_timedelta(moments.dt.weekday, unit="D")
    return moments.dt.to_period("M").dt.start_time


def period_end(starts: pd.Series, grain: str) -> pd.Series:
    if grain == "week":
        return starts + pd.Timedelta(days=6)
    return starts + pd.offsets.MonthEnd(0)


def _group_values(tickets: pd.DataFrame, dimension: str) -> pd.Series:
    if dimension == "all":
        return pd.Series("All tickets", index=tickets.index)
    return filled(tickets[dimension], "Not recorded")


def _truth(values) -> np.ndarray:
    """A nullable boolean as plain booleans, null as false (as SQL's filter clause counts)."""
    return pd.array(values, dtype="boolean").fillna(False).to_numpy(dtype=bool)


def service_metrics(data: PeerData, filters: Filters, min_n: int, dimension: str, grain: str) -> pd.DataFrame:
    """As sql/marts/service_metrics.sql."""
    tickets = filtered(data.tickets, "created_at", filters)
    reopens = as_float(tickets["reopens"])
    csat = as_float(tickets["csat"])
    resolved = tickets["is_resolved"]
    frame = pd.DataFrame(
        {
            "period_start": period_start(tickets["created_at"], grain) if grain != "total" else pd.NaT,
            "group_value": _group_values(tickets, dimension),
            "fcr_known": tickets["is_fcr"].notna().to_numpy(),
            "fcr_hit": _truth(tickets["is_fcr"]),
            "first_response_hours": tickets["first_response_minutes"] / 60.0,
            "resolution_hours": (tickets["resolution_minutes"] / 60.0).where(_truth(resolved)),
            "reopen_base": ~np.isnan(reopens) & _truth(resolved | pd.array(reopens > 0, dtype="boolean")),
            "reopen_hit": reopens > 0,
            "csat_known": ~np.isnan(csat),
            "csat_hit": csat >= 4,
        },
        index=tickets.index,
    )
    grouped = frame.groupby(["period_start", "group_value"], dropna=False, sort=False, observed=True)
    counted = grouped.agg(
        tickets=("group_value", "size"),
        fcr_n=("fcr_known", "sum"),
        fcr_hits=("fcr_hit", "sum"),
        first_response_n=("first_response_hours", "count"),
        resolution_n=("resolution_hours", "count"),
        reopen_n=("reopen_base", "sum"),
        reopen_hits=("reopen_hit", "sum"),
        csat_n=("csat_known", "sum"),
        csat_hits=("csat_hit", "sum"),
    )
    for column, quantile in (("first_response", 0.5), ("first_response", 0.9), ("resolution", 0.5), ("resolution", 0.9)):
        name = f"{column}_{'median' if quantile == 0.5 else 'p90'}"
        counted[name] = grouped[f"{column}_hours"].quantile(quantile)
    counted = counted.reset_index()
    rows = []
    for row in counted.to_dict("records"):
        start = row["period_start"]
        end = period_end(pd.Series([start]), grain).iloc[0] if grain != "total" else pd.NaT
        partial = False
        if grain != "total":
            partial = bool(
                (filters.date_from is not None and start < pd.Timestamp(filters.date_from))
                or (filters.date_to is not None and end > pd.Timestamp(filters.date_to))
            )
        measures = {
            "tickets": (row["tickets"], None, float(row["tickets"]), None, False),
            "fcr": (row["fcr_n"], row["fcr_hits"], share_pct(row["fcr_hits"], row["fcr_n"]),
                    share_margin(row["fcr_hits"], row["fcr_n"]), True),
            "first_response_median": (row["first_response_n"], None, row["first_response_median"], None, True),
            "first_response_p90": (row["first_response_n"], None, row["first_response_p90"], None, True),
            "resolution_median": (row["resolution_n"], None, row["resolution_median"], None, True),
            "resolution_p90": (row["resolution_n"], None, row["resolution_p90"], None, True),
            "reopen_rate": (row["reopen_n"], row["reopen_hits"], share_pct(row["reopen_hits"], row["reopen_n"]),
                            share_margin(row["reopen_hits"], row["reopen_n"]), True),
            "csat": (row["csat_n"], row["csat_hits"], share_pct(row["csat_hits"], row["csat_n"]),
                     share_margin(row["csat_hits"], row["csat_n"]), True),
        }
        for order, metric in enumerate(METRICS, start=1):
            n, hits, value, margin, can_suppress = measures[metric]
            suppressed = can_suppress and n < min_n
            rows.append(
                {
                    "period_start": None if pd.isna(start) else start.date(),
                    "period_end": None if pd.isna(end) else end.date(),
                    "is_partial": partial,
                    "group_value": row["group_value"],
                    "metric_order": order,
                    "metric": metric,
                    "n": int(n),
                    "hits": None if hits is None else int(hits),
                    "suppressed": suppressed,
                    "value": None if suppressed else value,
                    "margin_of_error": None if suppressed else margin,
                }
            )
    return pd.DataFrame(rows)


def service_metric_views(data: PeerData, filters: Filters, min_n: int, dimension: str, grain: str) -> pd.DataFrame:
    """As sql/marts/service_metric_views.sql: the page's three views, each as service_metrics."""
    views = {"overall": ("all", "total"), "by_group": (dimension, "total"), "by_period": (dimension, grain)}
    frames = [service_metrics(data, filters, min_n, *arguments) for arguments in views.values()]
    return pd.concat([frame.assign(view=view) for view, frame in zip(views, frames)], ignore_index=True)[
        ["view", *frames[0].columns]
    ]


def _is_open(tickets: pd.DataFrame) -> pd.Series:
    return tickets["status"].isna() | ~tickets["status"].isin(["solved", "closed"])


def _banded(age_days: pd.Series) -> pd.Series:
    bands = pd.Series(pd.NA, index=age_days.index, dtype="Int64")
    for order, _label, low, high in AGE_BANDS:
        inside = age_days >= low
        if high is not None:
            inside &= age_days < high
        bands[inside.to_numpy()] = order
    return bands


def backlog_now(data: PeerData, filters: Filters) -> pd.DataFrame:
    """As sql/marts/service_backlog_now.sql: open tickets now by age band (no date filter)."""
    tickets = filtered(data.tickets, "created_at", dataclasses.replace(filters, date_from=None, date_to=None))
    everything = data.tickets
    as_of = max(everything["created_at"].max(), everything["first_response_at"].max(), everything["resolved_at"].max())
    open_now = tickets[_is_open(tickets)]
    age_days = (seconds_between(open_now["created_at"], as_of) / 86400.0).clip(lower=0)
    counts = _banded(age_days).value_counts()
    return pd.DataFrame(
        [
            {"band_order": order, "age_band": label, "open_tickets": int(counts.get(order, 0)), "as_of_at": as_of}
            for order, label, _low, _high in AGE_BANDS
        ]
    )


def backlog(data: PeerData, filters: Filters, grain: str) -> pd.DataFrame:
    """As sql/marts/service_backlog.sql: tickets open at the close of each period, by age band."""
    tickets = filtered(data.tickets, "created_at", dataclasses.replace(filters, date_from=None))
    tickets = tickets[["created_at", "resolved_at", "status"]]
    first = pd.Timestamp(filters.date_from) if filters.date_from else tickets["created_at"].min().normalize()
    last = pd.Timestamp(filters.date_to) if filters.date_to else tickets["created_at"].max().normalize()
    start = period_start(pd.Series([first]), grain).iloc[0]
    step = pd.DateOffset(months=1) if grain == "month" else pd.Timedelta(days=7)
    unplaced = tickets["resolved_at"].isna() & ~_is_open(tickets)
    rows = []
    while start < last + pd.Timedelta(days=1):
        snapshot = min(start + step, last + pd.Timedelta(days=1))
        open_then = tickets[
            (tickets["created_at"] < snapshot)
            & ((tickets["resolved_at"] >= snapshot) | (tickets["resolved_at"].isna() & ~unplaced))
        ]
        counts = _banded(seconds_between(open_then["created_at"], snapshot) / 86400.0).value_counts()
        for order, label, _low, _high in AGE_BANDS:
            rows.append(
                {
                    "period_start": start.date(),
                    "period_end": (snapshot - pd.Timedelta(days=1)).date(),
                    "band_order": order,
                    "age_band": label,
                    "open_tickets": int(counts.get(order, 0)),
                }
            )
        start = start + step
    return pd.DataFrame(rows)


def _answers_with_tickets(data: PeerData, filters: Filters, lookback_days: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The NPS answers of known customers in the filters, and each paired with every ticket
    its customer opened in the lookback window before answering."""
    answers = filtered(data.responses, "responded_at", filters)
    answers = answers.loc[
        answers["nps"].notna() & answers["customer_id"].notna(), ["response_id", "customer_id", "responded_at", "nps", "nps_class"]
    ]
    tickets = data.tickets[data.tickets["customer_id"].notna()]
    paired = answers.merge(tickets, on="customer_id", how="inner", suffixes=("", "_ticket"))
    paired = paired[
        (paired["created_at"] <= paired["responded_at"])
        & (paired["created_at"] > paired["responded_at"] - pd.Timedelta(days=lookback_days))
    ]
    return answers, paired


def nps_after_tickets(data: PeerData, filters: Filters, min_n: int, dimension: str, lookback_days: int) -> pd.DataFrame:
    """As sql/marts/service_nps_after_tickets.sql: the answers paired with their tickets once, then
    counted by ticket experience and by group of the dimension."""
    answers, paired = _answers_with_tickets(data, filters, lookback_days)
    rows = _experience_rows(answers, paired, min_n) + _group_rows(paired, min_n, dimension)
    return pd.DataFrame(rows, columns=AFTER_TICKET_COLUMNS)


def _nps_figures(n: int, promoters: int, detractors: int, min_n: int) -> dict:
    suppressed = n < min_n
    return {
        "n": n,
        "promoters": promoters,
        "detractors": detractors,
        "suppressed": suppressed,
        "nps": None if suppressed else nps_score(promoters, detractors, n),
        "margin_of_error": None if suppressed else nps_margin(promoters, detractors, n),
    }


def _experience_rows(answers: pd.DataFrame, paired: pd.DataFrame, min_n: int) -> list[dict]:
    """Each answer classified by the worst outcome of its tickets (no ticket when it had none)."""
    reopened = _truth(pd.array(as_float(paired["reopens"]) > 0, dtype="boolean"))
    unresolved = _truth(~paired["is_resolved"])
    not_first = _truth(paired["is_fcr"] == False)  # noqa: E712
    unknown = paired["is_fcr"].isna().to_numpy()
    severity = np.select([reopened, unresolved, not_first, unknown], [5, 4, 3, 2], default=1)
    worst = pd.Series(severity, index=paired.index).groupby(paired["response_id"]).max()
    experience = answers["response_id"].map(worst).fillna(0).astype(int).map(SEVERITY_EXPERIENCE)
    counted = (
        answers.assign(experience=experience.to_numpy())
        .groupby("experience", observed=True)
        .agg(n=("nps", "count"), promoters=("nps_class", lambda c: int((c == "promoter").sum())),
             detractors=("nps_class", lambda c: int((c == "detractor").sum())))
    )
    counts = {name: counted.loc[name] if name in counted.index else {"n": 0, "promoters": 0, "detractors": 0}
              for name in EXPERIENCES}
    base = counts["no_ticket"]
    rows = []
    for order, name in enumerate(EXPERIENCES, start=1):
        n, p, d = int(counts[name]["n"]), int(counts[name]["promoters"]), int(counts[name]["detractors"])
        if name == "unknown" and n == 0:
            continue
        comparable = name != "no_ticket" and n >= min_n and int(base["n"]) >= min_n
        rows.append(
            {
                "breakdown": "experience",
                "experience_order": order,
                "value": name,
                **_nps_figures(n, p, d, min_n),
                "z_vs_no_ticket": nps_change_z(p, d, n, int(base["promoters"]), int(base["detractors"]), int(base["n"]))
                if comparable else None,
            }
        )
    return rows


def _group_rows(paired: pd.DataFrame, min_n: int, dimension: str) -> list[dict]:
    """Each answer counted once per group of ticket it followed."""
    paired = paired.assign(group_value=filled(paired[dimension], "Not recorded"))
    distinct = paired.drop_duplicates(["response_id", "group_value"])
    counted = distinct.groupby("group_value", observed=True).agg(
        n=("response_id", "size"),
        promoters=("nps_class", lambda c: int((c == "promoter").sum())),
        detractors=("nps_class", lambda c: int((c == "detractor").sum())),
    )
    return [
        {
            "breakdown": "group",
            "experience_order": None,
            "value": group,
            **_nps_figures(int(row["n"]), int(row["promoters"]), int(row["detractors"]), min_n),
            "z_vs_no_ticket": None,
        }
        for group, row in counted.iterrows()
    ]
