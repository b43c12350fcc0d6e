"""What the dashboard shell (filter bar) and the freshness line ask, the pandas way."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cxdata.bench.peer import PeerData


def filter_options(data: PeerData) -> pd.DataFrame:
    """As sql/marts/filter_options.sql, ordered as cxdata.ui.filter_options orders it."""
    found = {
        "segment": set(data.responses["segment"].dropna()) | set(data.customers["segment"].dropna()),
        "channel": set(data.responses["channel"].dropna())
        | set(data.tickets["channel"].dropna())
        | set(data.journey["channel"].dropna()),
        "region": set(data.responses["region"].dropna()) | set(data.customers["region"].dropna()),
    }
    rows = [(dimension, value) for dimension, values in found.items() for value in values]
    return pd.DataFrame(rows, columns=["dimension", "value"]).sort_values(["dimension", "value"]).reset_index(drop=True)


def _day(value) -> dt.date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


def data_span(data: PeerData) -> tuple[dt.date | None, dt.date | None]:
    firsts = [data.responses["responded_at"].min(), data.tickets["created_at"].min(), data.journey["occurred_at"].min()]
    lasts = [data.responses["responded_at"].max(), data.tickets["created_at"].max(), data.journey["occurred_at"].max()]
    firsts = [value for value in firsts if not pd.isna(value)]
    lasts = [value for value in lasts if not pd.isna(value)]
    return (_day(min(firsts)) if firsts else None, _day(max(lasts)) if lasts else None)


def freshness(data: PeerData) -> str:
    """As cxdata.overview.freshness."""
    last_response = data.responses["responded_at"].max()
    loaded = data.imports[data.imports["status"] == "loaded"]["finished_at"].dropna()
    parts = []
    if not pd.isna(last_response):
        parts.append(f"Latest response: {last_response:%d.%m.%Y %H:%M}")
    if len(loaded):
        parts.append(f"latest import: {loaded.max():%d.%m.%Y %H:%M}")
    return " · ".join(parts) if parts else "No data loaded yet."
