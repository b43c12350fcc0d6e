"""The measured items as Markdown tables (printed by the command, pasted into BENCHMARKS.md)."""

from __future__ import annotations

from typing import Any


def _ms(item: dict[str, Any], side: str) -> str:
    median = item.get(f"{side}_ms")
    if median is None:
        return "–"
    low, high = item.get(f"{side}_min_ms"), item.get(f"{side}_max_ms")
    if low is None or high is None or item.get(f"{side}_n", 1) == 1:
        return f"{median:,.1f}"
    return f"{median:,.1f} ({low:,.1f}–{high:,.1f})"


def _x(value: float | None) -> str:
    return "–" if value is None else f"{value:,.2f}×"


def _targets(item: dict[str, Any]) -> str:
    targets = item.get("targets") or {}
    return ", ".join(f"{name}: {'met' if met else 'MISSED'}" for name, met in targets.items()) or "–"


def table(items: list[dict[str, Any]]) -> str:
    lines = [
        "| item | ours ms, median (min–max) | peer ms | floor ms | ours ÷ floor | peer ÷ ours | targets |",
        "|---|---|---|---|---|---|---|",
    ]
    for item in items:
        name = item["item"]
        if name.startswith(("page:", "script:", "cache_hit:")):
            lines.append(
                f"| {name} | {_ms(item, 'ours')} | {_ms(item, 'peer')} | {_ms(item, 'floor')} "
                f"| {_x(item.get('ours_over_floor'))} | {_x(item.get('peer_over_ours'))} | {_targets(item)} |"
            )
    for item in items:
        if item["item"].startswith("import:"):
            lines += [
                "",
                "| import | rows/s ours | rows/s floor | rows/s peer | floor ÷ ours | targets |",
                "|---|---|---|---|---|---|",
                f"| {item['item']} | {item['ours_rows_per_s']:,} | {item['floor_rows_per_s']:,} "
                f"| {item['peer_rows_per_s']:,} | {_x(item['floor_over_ours'])} | {_targets(item)} |",
            ]
        elif item["item"] == "memory":
            lines += [
                "",
                "| memory | peak RSS MB | store MB | harness peak RSS MB (with the peer) | targets |",
                "|---|---|---|---|---|",
                f"| memory | {item['peak_rss_mb']:,} | {item['store_mb']:,} | {item['harness_peak_rss_mb']:,} "
                f"| {_targets(item)} |",
            ]
    return "\n".join(lines)
