"""Wall-clock samples and their summary (median, min, max) in milliseconds."""

from __future__ import annotations

import dataclasses
import gc
import statistics
import time
from typing import Any, Callable, TypeVar

T = TypeVar("T")


def timed(function: Callable[[], T]) -> tuple[float, T]:
    """(milliseconds, result) of one call. A garbage collection is run first so that
    one side does not pay for the garbage another side left behind."""
    gc.collect()
    started = time.perf_counter()
    result = function()
    return (time.perf_counter() - started) * 1000.0, result


@dataclasses.dataclass
class Samples:
    """Every measured duration of one thing, in milliseconds."""

    values: list[float] = dataclasses.field(default_factory=list)

    def add(self, ms: float) -> None:
        self.values.append(ms)

    @property
    def median(self) -> float | None:
        return statistics.median(self.values) if self.values else None

    @property
    def min(self) -> float | None:
        return min(self.values) if self.values else None

    @property
    def max(self) -> float | None:
        return max(self.values) if self.values else None


def rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def summary(prefix: str, samples: Samples | None) -> dict[str, Any]:
    """{prefix_ms, prefix_min_ms, prefix_max_ms, prefix_n} of one side's samples."""
    if samples is None or not samples.values:
        return {f"{prefix}_ms": None}
    return {
        f"{prefix}_ms": rounded(samples.median),
        f"{prefix}_min_ms": rounded(samples.min),
        f"{prefix}_max_ms": rounded(samples.max),
        f"{prefix}_n": len(samples.values),
    }


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return round(numerator / denominator, 2)


def within(measured_ratio: float | None, limit: float) -> bool:
    """Whether a ratio is at most the limit; one that could not be measured meets nothing."""
    return measured_ratio is not None and measured_ratio <= limit
