"""Are two answers the same? Ours (from DuckDB) and the peer's (from pandas) are compared
value by value: row order ignored where the caller says so, numbers within a tolerance,
missing values (None, NaN, NA, NaT) all alike."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Sequence

import numpy as np
import pandas as pd

RELATIVE_TOLERANCE = 1e-6
ABSOLUTE_TOLERANCE = 1e-6


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, np.floating) and np.isnan(value)


def _plain(value: Any) -> Any:
    if _missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _same_value(a: Any, b: Any) -> bool:
    a, b = _plain(a), _plain(b)
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) == bool(b) if isinstance(a, (bool, int)) and isinstance(b, (bool, int)) else False
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=RELATIVE_TOLERANCE, abs_tol=ABSOLUTE_TOLERANCE)
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
        return a.replace(tzinfo=None) == b.replace(tzinfo=None)
    if isinstance(a, dt.date) and isinstance(b, dt.date):
        return (a.date() if isinstance(a, dt.datetime) else a) == (b.date() if isinstance(b, dt.datetime) else b)
    return a == b


def _sort_key(value: Any) -> tuple:
    value = _plain(value)
    return (value is None, str(type(value).__name__), value if value is not None else 0)


def _sorted_records(frame: pd.DataFrame, keys: Sequence[str]) -> list[dict[str, Any]]:
    records = frame.to_dict("records")
    if keys:
        records.sort(key=lambda row: tuple(_sort_key(row[key]) for key in keys))
    return records


def difference(ours: Any, peer: Any, keys: Sequence[str] = ()) -> str | None:
    """None when the answers agree, else a short description of the first difference.

    DataFrames must have the same columns and, after sorting by `keys` (when given;
    otherwise row order counts), the same rows. Tuples and lists compare item by item."""
    if isinstance(ours, pd.DataFrame) or isinstance(peer, pd.DataFrame):
        if not (isinstance(ours, pd.DataFrame) and isinstance(peer, pd.DataFrame)):
            return f"one answer is a table, the other a {type(peer if isinstance(ours, pd.DataFrame) else ours).__name__}"
        if list(ours.columns) != list(peer.columns):
            return f"columns differ: ours {list(ours.columns)}, peer {list(peer.columns)}"
        if len(ours) != len(peer):
            return f"row counts differ: ours {len(ours)}, peer {len(peer)}"
        for index, (mine, theirs) in enumerate(zip(_sorted_records(ours, keys), _sorted_records(peer, keys))):
            for column in ours.columns:
                if not _same_value(mine[column], theirs[column]):
                    where = {key: _plain(mine[key]) for key in keys} if keys else f"row {index}"
                    return f"{column} differs at {where}: ours {mine[column]!r}, peer {theirs[column]!r}"
        return None
    if isinstance(ours, (tuple, list)) and isinstance(peer, (tuple, list)):
        if len(ours) != len(peer):
            return f"lengths differ: ours {len(ours)}, peer {len(peer)}"
        for index, (mine, theirs) in enumerate(zip(ours, peer)):
            found = difference(mine, theirs)
            if found:
                return f"item {index}: {found}"
        return None
    return None if _same_value(ours, peer) else f"ours {ours!r}, peer {peer!r}"
