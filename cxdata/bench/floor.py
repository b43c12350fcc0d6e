"""The floor: the cheapest DuckDB query that reads the same columns and rows as a page.

For each table a page's questions read, one plain aggregate per column over the rows those
questions select: the same days, and the same segment, channel and region filter, which for
responses, tickets and journey events reads the segment and region stored on the row
(fact_segment, fact_region: cxdata/layout.py). All of a page's tables are read in one
statement (one round trip). Nothing is grouped, ranked or joined beyond what finding the rows
needs.

Two floors, the same rows (`reads`):
- "values" (the floor the targets are judged against, JSON `floor_values_ms`): an aggregate
  that must read every value (max of a number or date, max byte length of a text): the cost of
  reading each column whole, the floor the issue names ("touches the same columns and rows").
  A page that reads a column only for the rows a filter leaves (late materialisation), or reads
  a stored summary in place of the rows, can come in under it;
- "counts" (JSON `floor_ms`, kept for comparison with earlier runs): a count of every column.
  DuckDB answers the count of a column without nulls from its statistics, as count(*), so this
  floor reads the rows' dates and filter columns but few of the columns a page asks for
  (journey: one of nine): it is the cost of finding the rows, lower than any query that reads
  them. Through the sixth round (BENCHMARKS.md) the targets were judged against it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Iterable

from cxdata.filters import Filters

# the date column that places a row of each table in time (tables without one are read whole)
DATE_COLUMNS = {"responses": "responded_at", "tickets": "created_at", "journey_events": "occurred_at"}
PERIODS = ("view", "with_previous", "all")
READS = ("counts", "values")


@dataclasses.dataclass(frozen=True)
class Touch:
    """What one question reads of one table."""

    table: str
    columns: tuple[str, ...]
    # which days: the view's, the view's and the previous period of equal length, or all
    period: str = "view"
    # whether the segment/channel/region filters select its rows
    filtered: bool = True

    def __post_init__(self) -> None:
        if self.period not in PERIODS:
            raise ValueError(f"period must be one of {PERIODS}")


def merged(touches: Iterable[Touch]) -> list[Touch]:
    """One touch per table, period and filtering: the columns of every question that
    reads those rows, each column once."""
    by_rows: dict[tuple[str, str, bool], Touch] = {}
    for touch in touches:
        key = (touch.table, touch.period, touch.filtered)
        seen = by_rows.get(key)
        columns = touch.columns if seen is None else tuple(dict.fromkeys(seen.columns + touch.columns))
        by_rows[key] = Touch(touch.table, columns, touch.period, touch.filtered)
    return list(by_rows.values())


def _window(touch: Touch, filters: Filters) -> tuple[dt.date | None, dt.date | None]:
    if touch.period == "all":
        return None, None
    if touch.period == "with_previous" and filters.date_from and filters.date_to:
        return filters.previous_period().date_from, filters.date_to
    return filters.date_from, filters.date_to


def column_types(cursor: Any) -> dict[tuple[str, str], str]:
    """(table, column) -> DuckDB type name, of the store's main tables: what "values" reads by."""
    rows = cursor.execute(
        "select table_name, column_name, data_type from information_schema.columns where table_schema = 'main'"
    ).fetchall()
    return {(table, column): data_type for table, column, data_type in rows}


def _read(touch: Touch, column: str, reads: str, types: dict[tuple[str, str], str] | None) -> str:
    if reads == "counts":
        return f"count(t.{column})"
    # a byte length, not max(text): no string comparisons, only the values read (decompressed)
    if (types or {}).get((touch.table, column)) == "VARCHAR":
        return f"max(strlen(t.{column}))::varchar"
    return f"max(t.{column})::varchar"


def _table_sql(
    touch: Touch, filters: Filters, reads: str = "counts", types: dict[tuple[str, str], str] | None = None
) -> tuple[str, list[Any]]:
    # one list value per table, so that a page's tables fit in one row of scalar subqueries
    first = "count(*)" if reads == "counts" else "count(*)::varchar"
    reads_sql = "[" + ", ".join([first] + [_read(touch, column, reads, types) for column in touch.columns]) + "]"
    joins, where, params = [], [], []
    date_column = DATE_COLUMNS.get(touch.table)
    date_from, date_to = _window(touch, filters)
    if touch.table == "response_ratings":
        # ratings have no date and no segment: their response places them
        joins.append("inner join main.responses as r on r.response_id = t.response_id")
        owner = "r"
        date_column = "responded_at"
    else:
        owner = "t"
    if date_column and date_from:
        where.append(f"{owner}.{date_column} >= ?::date")
        params.append(date_from)
    if date_column and date_to:
        where.append(f"{owner}.{date_column} < ?::date + interval 1 day")
        params.append(date_to)
    if touch.filtered:
        for dimension, chosen in (("segment", filters.segments), ("region", filters.regions)):
            if not chosen:
                continue
            # customers carry their own; every fact row (and a rating through its response) the stored one
            column = f"t.{dimension}" if touch.table == "customers" else f"{owner}.fact_{dimension}"
            where.append(f"list_contains(?::varchar[], {column})")
            params.append(list(chosen))
        if filters.channels and touch.table != "customers":
            where.append(f"list_contains(?::varchar[], {owner}.channel)")
            params.append(list(filters.channels))
    sql = f"select {reads_sql} from main.{touch.table} as t {' '.join(joins)}"
    if where:
        sql += " where " + " and ".join(where)
    return sql, params


def floor_query(
    touches: Iterable[Touch], filters: Filters, reads: str = "counts", types: dict[tuple[str, str], str] | None = None
) -> tuple[str, list[Any]]:
    """One statement reading every table the touches name, as scalar subqueries; `reads` says
    which floor (module doc), `types` (column_types) which aggregate reads a column's values."""
    if reads not in READS:
        raise ValueError(f"reads must be one of {READS}")
    parts, params = [], []
    for touch in merged(touches):
        sql, table_params = _table_sql(touch, filters, reads, types)
        parts.append(f"({sql}) as {touch.table}_{touch.period}{'_filtered' if touch.filtered else ''}")
        params.extend(table_params)
    return "select " + ", ".join(parts), params
