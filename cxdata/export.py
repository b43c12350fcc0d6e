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


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with text cells (and column names) defused.

    Also for tables shown with st.dataframe: its toolbar's own "Download as CSV" writes
    cells as they are, so a table of uploaded text must be shown defused.
    """
    safe = df.copy()
    safe.columns = [neutralise(str(name)) for name in safe.columns]
    for position in range(safe.shape[1]):
        column = safe.iloc[:, position]
        if isinstance(column.dtype, pd.CategoricalDtype):
            # a DuckDB ENUM arrives as a categorical: defuse it as the text it shows
            safe.isetitem(position, column.astype(object).map(neutralise, na_action="ignore"))
        elif column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            # element by element, keeping the dtype (map would turn an object column's None into NaN)
            values = [neutralise(value) for value in column.tolist()]
            safe.isetitem(position, pd.Series(values, index=column.index, dtype=column.dtype))
    return safe


def safe_csv(df: pd.DataFrame) -> bytes:
    """The table as UTF-8 CSV (with a BOM, so Excel shows umlauts), text cells defused."""
    safe = safe_frame(df)
    # CRLF as RFC 4180 has it; it also makes the writer quote a cell holding a bare CR
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
