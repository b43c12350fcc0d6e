"""The Journey page's questions, the pandas way."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxdata.bench.peer import PeerData, filled, filtered
from cxdata.bench.peer.kpis import Z95, share_margin, share_pct
from cxdata.filters import Filters

STAGES = ["awareness", "consideration", "purchase", "service", "loyalty"]


def _group(frame: pd.DataFrame, split: str, channel_column: str = "channel") -> pd.Series:
    if split == "segment":
        return filled(frame["segment"], "unknown")
    if split == "channel":
        return filled(frame[channel_column], "unknown")
    return pd.Series("All customers", index=frame.index)


def journey_outcomes(events: pd.DataFrame) -> pd.DataFrame:
    """As sql/marts/journey_outcomes.sql, the columns the map needs: where each journey
    inside the filters was abandoned (its latest 'abandoned' event) and with which segment."""
    abandoned = events[events["outcome"] == "abandoned"].sort_values("occurred_at")
    last = abandoned.drop_duplicates("journey_id", keep="last")
    return pd.DataFrame(
        {
            "journey_id": last["journey_id"].to_numpy(),
            "abandoned_at": last["touchpoint"].to_numpy(),
            "abandoned_channel": last["channel"].to_numpy(),
            # any_value(segment): a journey's events share its customer's segment
            "segment": last["segment"].to_numpy(),
        }
    )


def journey_map(data: PeerData, filters: Filters, split: str, min_n: int) -> pd.DataFrame:
    """As sql/marts/journey_map.sql."""
    events = filtered(data.journey, "occurred_at", filters)
    events = events.assign(compared_group=_group(events, split).to_numpy())
    grouped = events.groupby(["compared_group", "touchpoint"], observed=True)
    passed = grouped.agg(
        emotion_n=("emotion", "count"),
        raw_emotion=("emotion", "mean"),
        emotion_sd=("emotion", "std"),
        n=("journey_id", "nunique"),
    )
    passed["event_stage"] = grouped["stage"].agg(lambda stages: stages.mode().iloc[0])
    passed = passed.reset_index()

    journeys = journey_outcomes(events)
    journeys = journeys.assign(compared_group=_group(journeys, split, "abandoned_channel").to_numpy())
    abandoned = journeys.groupby(["compared_group", "abandoned_at"], observed=True).size().rename("abandoned").reset_index()
    abandoned = abandoned.rename(columns={"abandoned_at": "touchpoint"})

    table = passed.merge(abandoned, on=["compared_group", "touchpoint"], how="left")
    table["abandoned"] = table["abandoned"].fillna(0).astype(int)
    table = table.merge(data.touchpoints[["touchpoint", "stage", "position", "moment_of_truth"]], on="touchpoint", how="left")
    table["stage"] = table["stage"].fillna(table["event_stage"])

    # one place along the journey per touchpoint, the same in every group
    steps = table[["stage", "position", "touchpoint"]].drop_duplicates("touchpoint")
    steps = steps.assign(stage_order=steps["stage"].map({stage: i for i, stage in enumerate(STAGES, start=1)}))
    steps = steps.sort_values(["stage_order", "position", "touchpoint"], na_position="last")
    order = {touchpoint: step for step, touchpoint in enumerate(steps["touchpoint"], start=1)}
    table["journey_step"] = table["touchpoint"].map(order)

    table["suppressed"] = table["n"] < min_n
    table["emotion_suppressed"] = table["emotion_n"] < min_n
    shown = ~table["emotion_suppressed"]
    table["mean_emotion"] = table["raw_emotion"].where(shown)
    table["emotion_margin"] = (Z95 * table["emotion_sd"] / np.sqrt(table["emotion_n"])).where(shown)
    table["emotion_lower"] = table["mean_emotion"] - table["emotion_margin"]
    table["emotion_upper"] = table["mean_emotion"] + table["emotion_margin"]
    rates = [share_pct(a, n) for a, n in zip(table["abandoned"], table["n"])]
    margins = [share_margin(a, n) for a, n in zip(table["abandoned"], table["n"])]
    table["abandonment_rate"] = pd.Series(rates, index=table.index, dtype="float64").where(~table["suppressed"])
    table["abandonment_margin"] = pd.Series(margins, index=table.index, dtype="float64").where(~table["suppressed"])
    table["abandoned"] = table["abandoned"].astype("Int64").where(~table["suppressed"])

    curve = table.groupby("compared_group", observed=True)["mean_emotion"]
    curve_mean = curve.transform("mean")
    curve_sd = curve.transform(lambda values: values.std(ddof=0))
    emotion = table["mean_emotion"]
    table["moment"] = np.select(
        [(emotion < 0) & (emotion < curve_mean - 1.5 * curve_sd), (emotion > 0) & (emotion > curve_mean + 1.5 * curve_sd)],
        ["pain point", "wow moment"],
        default=None,
    )
    return table[
        ["compared_group", "journey_step", "stage", "touchpoint", "position", "moment_of_truth", "emotion_n",
         "mean_emotion", "emotion_margin", "emotion_lower", "emotion_upper", "n", "abandoned", "abandonment_rate",
         "abandonment_margin", "moment", "emotion_suppressed", "suppressed"]
    ]
