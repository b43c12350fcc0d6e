"""Downloads: one CSV writer every page uses, safe to open in a spreadsheet."""

from __future__ import annotations

import re

import pandas as pd

# a cell a spreadsheet would run as a formula (CSV injection): = + - @, a tab or a carriage return first
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def neutralise(value: object) -> object:
    """'=HYPERLINK(…)' -> "'=HYPERLINK(…)"; plain numbers like -12.5 stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_csv(df: pd.DataFrame) -> bytes:
    """The table as UTF-8 CSV (with a BOM, so Excel shows umlauts), text cells defused."""
    safe = df.copy()
    safe.columns = [neutralise(str(name)) for name in safe.columns]
    for name in safe.columns:
        column = safe[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            safe[name] = column.map(neutralise, na_action="ignore")
    # CRLF as RFC 4180 has it; it also makes the writer quote a cell holding a bare CR
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
