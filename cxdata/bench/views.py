"""The two views every page is measured in: the dashboard's default and a filtered one."""

from __future__ import annotations

import dataclasses
import datetime as dt

from cxdata.filters import Filters
from cxdata.store import Store

# as the dashboard's filter bar (cxdata.ui.DEFAULT_WINDOW_DAYS): the last 90 days of data
WINDOW_DAYS = 90


@dataclasses.dataclass(frozen=True)
class View:
    name: str
    filters: Filters


def bench_views(store: Store) -> list[View]:
    """default: the last 90 days, nothing else, as a first visit shows it.
    filtered: the same days, one segment and two channels. The largest segment and the
    two busiest channels of those days are taken, so the filtered view is the heaviest
    such choice rather than a conveniently small one."""
    last_day = store.query_value("select last_day from data_span")
    if last_day is None:
        raise ValueError("The benchmark store holds no data.")
    first_day = last_day - dt.timedelta(days=WINDOW_DAYS - 1)
    default = Filters(first_day, last_day)
    busiest = store.query(
        "select segment, channel, count(*) as n from filtered_responses(date_from := ?::date, date_to := ?::date)"
        " where segment is not null and channel is not null group by all",
        [first_day, last_day],
    )
    segment = busiest.groupby("segment")["n"].sum().sort_values(ascending=False, kind="stable").index[0]
    channels = busiest.groupby("channel")["n"].sum().sort_values(ascending=False, kind="stable").index[:2]
    filtered = Filters(first_day, last_day, segments=(segment,), channels=tuple(channels))
    return [View("default", default), View("filtered", filtered)]
