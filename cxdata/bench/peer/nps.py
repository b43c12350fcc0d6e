"""NPS questions (Overview's "what moved", the NPS trends page), the pandas way."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxdata.bench.peer import PeerData, filled, filtered
from cxdata.bench.peer.kpis import Z95, nps_change_z, nps_margin, nps_score
from cxdata.filters import Filters

DIMENSIONS = ("segment", "channel", "touchpoint")


def _class_counts(answers: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    counted = (
        answers.assign(
            promoter=answers["nps_class"] == "promoter",
            passive=answers["nps_class"] == "passive",
            detractor=answers["nps_class"] == "detractor",
        )
        .groupby(by, dropna=False, observed=True)
        .agg(n=("nps", "size"), promoters=("promoter", "sum"), passives=("passive", "sum"), detractors=("detractor", "sum"))
        .reset_index()
    )
    return counted


def what_moved(data: PeerData, filters: Filters, min_n: int) -> pd.DataFrame:
    """As sql/marts/what_moved.sql: NPS per segment, channel and touchpoint, now and in the
    previous period, with the change and its significance."""
    previous = filters.previous_period()
    sides = []
    for side, window in (("current", filters), ("previous", previous)):
        answers = filtered(data.responses, "responded_at", window)
        sides.append(answers.loc[answers["nps"].notna(), ["segment", "channel", "touchpoint", "nps", "nps_class"]].assign(side=side))
    answers = pd.concat(sides, ignore_index=True)
    groups = []
    for order, dimension in enumerate(DIMENSIONS, start=1):
        present = answers[answers[dimension].notna()]
        counted = _class_counts(present.rename(columns={dimension: "value"}), ["value", "side"])
        wide = counted.pivot(index="value", columns="side", values=["n", "promoters", "detractors"]).fillna(0)
        wide.columns = [f"{name}_{side}" for name, side in wide.columns]
        for column in ("n", "promoters", "detractors"):
            for side in ("current", "previous"):
                if f"{column}_{side}" not in wide:
                    wide[f"{column}_{side}"] = 0
        wide = wide.reset_index()
        wide.insert(0, "dimension", dimension)
        wide.insert(0, "dimension_order", order)
        groups.append(wide)
    table = pd.concat(groups, ignore_index=True)
    rows = []
    for row in table.to_dict("records"):
        n, p, d = int(row["n_current"]), int(row["promoters_current"]), int(row["detractors_current"])
        pn, pp, pd_ = int(row["n_previous"]), int(row["promoters_previous"]), int(row["detractors_previous"])
        suppressed, previous_suppressed = n < min_n, pn < min_n
        shown = not suppressed and not previous_suppressed
        nps, previous_nps = nps_score(p, d, n), nps_score(pp, pd_, pn)
        z = nps_change_z(p, d, n, pp, pd_, pn) if shown else None
        rows.append(
            {
                "dimension_order": row["dimension_order"],
                "dimension": row["dimension"],
                "value": row["value"],
                "n": n,
                "suppressed": suppressed,
                "nps": None if suppressed else nps,
                "previous_n": pn,
                "previous_suppressed": previous_suppressed,
                "previous_nps": None if previous_suppressed else previous_nps,
                "change": nps - previous_nps if shown else None,
                "z": z,
                "significant": abs(z) > Z95 if z is not None else None,
            }
        )
    return pd.DataFrame(rows)


def _period_columns(answers: pd.DataFrame, grain: str) -> pd.DataFrame:
    moments = answers["responded_at"]
    if grain == "week":
        start = moments.dt.normalize() - pd.to_timedelta(moments.dt.weekday, unit="D")
        iso = moments.dt.isocalendar()
        key = iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)
        end = start + pd.Timedelta(days=6)
    else:
        start = moments.dt.to_period("M").dt.start_time
        key = moments.dt.strftime("%Y-%m")
        end = start + pd.offsets.MonthEnd(0)
    return answers.assign(period=key, period_start=start, period_end=end)


def nps_by_period(data: PeerData, filters: Filters, min_n: int, grain: str, split: str) -> pd.DataFrame:
    """As sql/marts/nps_by_period.sql (through nps_answers.sql)."""
    answers = filtered(data.responses, "responded_at", filters)
    answers = answers.loc[answers["nps"].notna(), ["responded_at", "segment", "channel", "nps", "nps_class"]]
    if split in ("segment", "channel"):
        answers = answers.assign(split_value=filled(answers[split], "Not recorded"))
    else:
        answers = answers.assign(split_value="All answers")
    counted = _class_counts(_period_columns(answers, grain), ["period", "period_start", "period_end", "split_value"])
    partial = pd.Series(False, index=counted.index)
    if filters.date_from is not None:
        partial |= counted["period_start"] < pd.Timestamp(filters.date_from)
    if filters.date_to is not None:
        partial |= counted["period_end"] > pd.Timestamp(filters.date_to)
    rows = []
    for row, is_partial in zip(counted.to_dict("records"), partial):
        n, p, q, d = int(row["n"]), int(row["promoters"]), int(row["passives"]), int(row["detractors"])
        suppressed = n < min_n
        nps, margin = nps_score(p, d, n), nps_margin(p, d, n)
        rows.append(
            {
                "period": row["period"],
                "period_start": row["period_start"].date(),
                "period_end": row["period_end"].date(),
                "is_partial": bool(is_partial),
                "split_value": row["split_value"],
                "n": n,
                "suppressed": suppressed,
                "promoters": None if suppressed else p,
                "passives": None if suppressed else q,
                "detractors": None if suppressed else d,
                "promoter_share": None if suppressed else 100.0 * p / n,
                "detractor_share": None if suppressed else 100.0 * d / n,
                "nps": None if suppressed else nps,
                "margin_of_error": None if suppressed else margin,
                "nps_low": None if suppressed else max(nps - margin, -100),
                "nps_high": None if suppressed else min(nps + margin, 100),
            }
        )
    return pd.DataFrame(rows)
