"""The Touchpoints page's questions, the pandas way."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cxdata.bench.peer import PeerData, as_float, filled, filtered
from cxdata.bench.peer.kpis import Z95, nps_margin, nps_score, share_margin, share_pct
from cxdata.filters import Filters

PLACE_COLUMNS = ["touchpoint", "stage", "position", "moment_of_truth"]


def _answers(data: PeerData, filters: Filters) -> pd.DataFrame:
    answers = filtered(data.responses, "responded_at", filters)
    return answers[answers["touchpoint"].notna()]


def _placed(frame: pd.DataFrame, data: PeerData, on: str = "touchpoint") -> pd.DataFrame:
    places = data.touchpoints[PLACE_COLUMNS]
    if on != "touchpoint":
        places = places.rename(columns={"touchpoint": on})
    return frame.merge(places, on=on, how="left")


def touchpoint_answers(data: PeerData, filters: Filters, min_n: int) -> pd.DataFrame:
    """As sql/marts/touchpoint_answers.sql."""
    answers = _answers(data, filters)
    written = answers["comment"].fillna("").str.strip() != ""
    counted = (
        answers.assign(written=written.to_numpy())
        .groupby("touchpoint", observed=True)
        .agg(n=("touchpoint", "size"), comments=("written", "sum"))
        .reset_index()
    )
    table = _placed(counted, data)
    table["suppressed"] = table["n"] < min_n
    table["comments"] = table["comments"].astype("Int64").where(~table["suppressed"])
    return table[["touchpoint", "stage", "position", "moment_of_truth", "n", "comments", "suppressed"]]


def touchpoint_performance(data: PeerData, filters: Filters, metric: str, min_n: int) -> pd.DataFrame:
    """As sql/marts/touchpoint_performance.sql for one metric: each touchpoint by channel
    and for all channels together, groups without an answer left out."""
    answers = _answers(data, filters)
    answers = answers.assign(channel_label=filled(answers["channel"], "unknown"))
    if metric == "nps":
        answers = answers[answers["nps"].notna()]
        hits = {"promoters": answers["nps_class"] == "promoter", "detractors": answers["nps_class"] == "detractor"}
    else:
        column, threshold = {"csat": ("csat", 4), "ces": ("ces", 5)}[metric]
        answers = answers[answers[column].notna()]
        hits = {"hits": as_float(answers[column]) >= threshold}
    marked = answers[["touchpoint", "channel_label"]].assign(**{name: np.asarray(flag) for name, flag in hits.items()})
    sums = {name: (name, "sum") for name in hits}
    by_channel = marked.groupby(["touchpoint", "channel_label"], observed=True).agg(n=("touchpoint", "size"), **sums).reset_index()
    by_channel = by_channel.rename(columns={"channel_label": "channel"}).assign(all_channels=False)
    overall = marked.groupby("touchpoint", observed=True).agg(n=("touchpoint", "size"), **sums).reset_index()
    overall = overall.assign(channel="All channels", all_channels=True)
    counted = pd.concat([by_channel, overall], ignore_index=True)
    rows = []
    for row in counted.to_dict("records"):
        n = int(row["n"])
        if metric == "nps":
            value, margin = nps_score(row["promoters"], row["detractors"], n), nps_margin(row["promoters"], row["detractors"], n)
        else:
            value, margin = share_pct(row["hits"], n), share_margin(row["hits"], n)
        suppressed = n < min_n
        rows.append(
            {
                "touchpoint": row["touchpoint"],
                "channel": row["channel"],
                "all_channels": row["all_channels"],
                "metric": metric,
                "n": n,
                "value": None if suppressed else value,
                "margin_of_error": None if suppressed else margin,
                "suppressed": suppressed,
            }
        )
    table = _placed(pd.DataFrame(rows), data)
    return table[
        ["touchpoint", "stage", "position", "moment_of_truth", "channel", "all_channels", "metric", "n", "value",
         "margin_of_error", "suppressed"]
    ]


def _correlation(group: pd.DataFrame) -> float | None:
    pairs = group[group["nps"].notna()]
    if len(pairs) < 2:
        return None
    x, y = pairs["rating"].to_numpy(dtype=float), pairs["nps"].to_numpy(dtype=float)
    x, y = x - x.mean(), y - y.mean()
    denominator = math.sqrt((x * x).sum() * (y * y).sum())
    # no relation can be measured when either side does not vary
    return None if denominator == 0 else float((x * y).sum() / denominator)


def importance_performance(data: PeerData, filters: Filters, min_n: int) -> pd.DataFrame:
    """As sql/marts/importance_performance.sql: per rated attribute, the Pearson correlation
    of its rating with the NPS answer of the same response, and its mean rating as a share of its scale."""
    answers = filtered(data.responses, "responded_at", filters)[["response_id", "nps"]]
    rated = data.ratings.merge(answers, on="response_id", how="inner")
    rated = rated.assign(
        nps=as_float(rated["nps"]),
        rating_pct=100.0 * (rated["rating"] - rated["scale_min"]) / (rated["scale_max"] - rated["scale_min"]),
    )
    rows = []
    for attribute, group in rated.groupby("attribute", observed=True):
        n = int(group["nps"].notna().sum())
        importance = _correlation(group)
        suppressed = n < min_n or importance is None
        lower = upper = None
        if not suppressed and n > 3 and abs(importance) < 1:
            spread = Z95 / math.sqrt(n - 3)
            lower, upper = math.tanh(math.atanh(importance) - spread), math.tanh(math.atanh(importance) + spread)
        rows.append(
            {
                "attribute": attribute,
                "n": n,
                "rating_n": len(group),
                "raw_importance": importance,
                "importance_lower": lower,
                "importance_upper": upper,
                "raw_performance": group["rating_pct"].mean(),
                "raw_mean_rating": group["rating"].mean(),
                "scale_min": group["scale_min"].min(),
                "scale_max": group["scale_max"].max(),
                "suppressed": suppressed,
            }
        )
    table = pd.DataFrame(rows)
    shown = table[~table["suppressed"]]
    median_importance = shown["raw_importance"].astype(float).median() if len(shown) else None
    median_performance = shown["raw_performance"].median() if len(shown) else None

    def quadrant(row) -> str | None:
        if row["suppressed"]:
            return None
        important = row["raw_importance"] >= median_importance
        weak = row["raw_performance"] < median_performance
        if important:
            return "Fix first" if weak else "Keep up"
        return "Low priority" if weak else "Possible overkill"

    places = data.touchpoints[PLACE_COLUMNS].rename(columns={"touchpoint": "attribute"})
    table = table.merge(places, on="attribute", how="left")
    table["is_touchpoint"] = table["attribute"].isin(data.touchpoints["touchpoint"])
    table["importance"] = table["raw_importance"].where(~table["suppressed"])
    table["performance"] = table["raw_performance"].where(~table["suppressed"])
    table["mean_rating"] = table["raw_mean_rating"].where(~table["suppressed"])
    table["median_importance"] = median_importance
    table["median_performance"] = median_performance
    table["quadrant"] = [quadrant(row) for row in table.to_dict("records")]
    return table[
        ["attribute", "is_touchpoint", "stage", "position", "moment_of_truth", "n", "rating_n", "importance",
         "importance_lower", "importance_upper", "performance", "mean_rating", "scale_min", "scale_max",
         "median_importance", "median_performance", "quadrant", "suppressed"]
    ]
