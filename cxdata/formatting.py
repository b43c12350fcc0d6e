"""How numbers are written for a CX director: signs, units, suppression."""

from __future__ import annotations

import pandas as pd


def format_kpi(kpi: str, value: float | None) -> str:
    if value is None or pd.isna(value):
        return "n too small"
    if kpi == "nps":
        # a typographic minus, as on every chart: "−12.5", not "-12.5"
        return f"{value:+.1f}".replace("-", "−")
    if kpi == "revenue_at_risk":
        return format_money(value)
    return f"{value:.1f} %"


def format_money(value: float) -> str:
    if abs(value) >= 1_000_000:
        return f"€{value / 1_000_000:.2f} M"
    if abs(value) >= 1_000:
        return f"€{value / 1_000:.0f} k"
    return f"€{value:.0f}"


def format_count(n: int | float | None) -> str:
    return "0" if n is None or pd.isna(n) else f"{int(n):,}".replace(",", " ")
