"""NPS trends: NPS by week or month, the class mix of one period, the answers behind one bar.

Periods are keyed as the URL carries them: a month as "2026-07", an ISO week (Monday to
Sunday) as "2026-W28". The key is computed in sql/marts/nps_answers.sql; `parse_period`
here only checks a key read from the URL and names it for people.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pandas as pd

from cxdata.filters import DEFAULT_MIN_N, FILTER_ARGS, Filters
from cxdata.store import Store

GRAINS = ("month", "week")
SPLITS = ("none", "segment", "channel")
# what the mix of one period is broken down by when the trend is not split
DEFAULT_MIX_BY = "channel"

_MONTH_KEY = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK_KEY = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclasses.dataclass(frozen=True)
class Period:
    grain: str
    key: str
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        if self.grain == "month":
            return f"{self.start:%B %Y}"
        return f"Week {self.week} of {self.key[:4]} ({self.start:%d.%m.} – {self.end:%d.%m.%Y})"

    @property
    def short_label(self) -> str:
        """For a breadcrumb button: 'Sep 2026', 'Week 36/2026'."""
        return f"{self.start:%b %Y}" if self.grain == "month" else f"Week {self.week}/{self.key[:4]}"

    @property
    def week(self) -> str:
        return self.key.split("-W")[1].lstrip("0")


def checked_grain(grain: str | None) -> str:
    return grain if grain in GRAINS else GRAINS[0]


def checked_split(split: str | None) -> str:
    return split if split in SPLITS else SPLITS[0]


def mix_dimension(split: str) -> str:
    """The mix of a period is broken down by the trend's split, by channel when there is none."""
    return split if split in ("segment", "channel") else DEFAULT_MIX_BY


def parse_period(grain: str, key: str | None) -> Period | None:
    """The period a URL key names, or None when the key does not fit the grain."""
    if not key:
        return None
    try:
        if grain == "month" and (match := _MONTH_KEY.match(key)):
            start = dt.date(int(match[1]), int(match[2]), 1)
            following = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
            return Period(grain, key, start, following - dt.timedelta(days=1))
        if grain == "week" and (match := _WEEK_KEY.match(key)):
            start = dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
            return Period(grain, key, start, start + dt.timedelta(days=6))
    except ValueError:
        return None
    return None


def period_key(grain: str, day: dt.date) -> str:
    """The key of the period a day falls in (the same rule as nps_answers.sql)."""
    if grain == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day:%Y-%m}"


def _split_param(split: str) -> str | None:
    # allow-listed, then bound: the mart maps the name to its column
    split = checked_split(split)
    return None if split == "none" else split


def nps_by_period(store: Store, filters: Filters, min_n: int = DEFAULT_MIN_N, grain: str = "month", split: str = "none") -> pd.DataFrame:
    """One row per period and split group: n, NPS, its 95 % band, suppressed."""
    return store.query(
        f"select * from nps_by_period({FILTER_ARGS}, min_n := ?, grain := ?, split_by := ?)",
        [*filters.params(), min_n, checked_grain(grain), _split_param(split)],
    )


def nps_mix(store: Store, filters: Filters, min_n: int, grain: str, period: str, mix_by: str) -> pd.DataFrame:
    """One row per group of `mix_by` (segment or channel) and NPS class in one period."""
    return store.query(
        f"select * from nps_mix({FILTER_ARGS}, min_n := ?, grain := ?, split_by := ?, chosen_period := ?)",
        [*filters.params(), min_n, checked_grain(grain), mix_dimension(mix_by), period],
    )


def nps_responses(
    store: Store, filters: Filters, min_n: int, grain: str, period: str, mix_by: str, value: str
) -> pd.DataFrame:
    """The answers behind one bar of the mix; empty when that group is below min_n."""
    return store.query(
        f"select * from nps_responses({FILTER_ARGS}, min_n := ?, grain := ?, split_by := ?,"
        " chosen_period := ?, chosen_value := ?)",
        [*filters.params(), min_n, checked_grain(grain), mix_dimension(mix_by), period, value],
    )
