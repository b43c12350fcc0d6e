"""The global filters (date range, segment, channel, region) as one value that travels."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Mapping

# The filter arguments every filtered view (table macro) in sql/ takes, in this order.
FILTER_ARGS = "date_from := ?::date, date_to := ?::date, segments := ?::varchar[], channels := ?::varchar[], regions := ?::varchar[]"
DEFAULT_MIN_N = 10


@dataclasses.dataclass(frozen=True)
class Filters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    segments: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("segments", "channels", "regions"):
            object.__setattr__(self, name, tuple(sorted(set(getattr(self, name)))))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"The start date {self.date_from} is after the end date {self.date_to}.")

    def params(self) -> list[Any]:
        """Bound values for FILTER_ARGS; an empty choice means no restriction."""
        return [
            self.date_from,
            self.date_to,
            list(self.segments) or None,
            list(self.channels) or None,
            list(self.regions) or None,
        ]

    def previous_period(self) -> "Filters":
        """The period of equal length that ends the day before this one starts."""
        if self.date_from is None or self.date_to is None:
            raise ValueError("A previous period needs both a start and an end date.")
        days = (self.date_to - self.date_from).days + 1
        return dataclasses.replace(
            self,
            date_from=self.date_from - dt.timedelta(days=days),
            date_to=self.date_from - dt.timedelta(days=1),
        )

    def to_query_params(self) -> dict[str, Any]:
        """The URL form: dates as ISO strings, lists as repeated keys."""
        out: dict[str, Any] = {}
        if self.date_from:
            out["from"] = self.date_from.isoformat()
        if self.date_to:
            out["to"] = self.date_to.isoformat()
        for key, values in (("segment", self.segments), ("channel", self.channels), ("region", self.regions)):
            if values:
                out[key] = list(values)
        return out

    @classmethod
    def from_query_params(cls, params: Mapping[str, Any]) -> "Filters":
        """Read the URL form back; a value that is not a date is ignored, not fatal."""

        def listed(key: str) -> tuple[str, ...]:
            value = params.get(key)
            if value is None:
                return ()
            return tuple(value) if isinstance(value, (list, tuple)) else (value,)

        def day(key: str) -> dt.date | None:
            value = params.get(key)
            if isinstance(value, (list, tuple)):
                value = value[-1] if value else None
            try:
                return dt.date.fromisoformat(value) if value else None
            except ValueError:
                return None

        start, end = day("from"), day("to")
        if start and end and start > end:
            start, end = end, start
        return cls(start, end, listed("segment"), listed("channel"), listed("region"))
