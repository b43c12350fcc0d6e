"""The measured items as Markdown tables (printed by the command, pasted into BENCHMARKS.md).

`python -m cxdata.bench.report FILE.json` prints the results section of BENCHMARKS.md for a run;
`python -m cxdata.bench.report BEFORE.json AFTER.json` prints each item of two runs side by side.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
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
        "| item | ours ms, median (min–max) | peer ms | floor ms | ours ÷ floor | values floor ms | ours ÷ values floor "
        "| peer ÷ ours | targets |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for item in items:
        name = item["item"]
        if name.startswith(("page:", "script:", "cache_hit:")):
            lines.append(
                f"| {name} | {_ms(item, 'ours')} | {_ms(item, 'peer')} | {_ms(item, 'floor')} "
                f"| {_x(item.get('ours_over_floor'))} | {_ms(item, 'floor_values')} "
                f"| {_x(item.get('ours_over_floor_values'))} | {_x(item.get('peer_over_ours'))} | {_targets(item)} |"
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
            if item.get("ours_phases_ms"):
                steps = " · ".join(f"{name} {ms:,}" for name, ms in item["ours_phases_ms"].items())
                lines += ["", f"Ours by step (median ms): {steps}."]
        elif item["item"] == "memory":
            steps = " · ".join(
                f"{key.removeprefix('peak_rss_after_').removesuffix('_mb')} {value:,}"
                for key, value in item.items()
                if key.startswith("peak_rss_after_")
            )
            lines += [
                "",
                "| memory | peak RSS MB | after each step (MB) | store MB | harness peak RSS MB (with the peer) | targets |",
                "|---|---|---|---|---|---|",
                f"| memory | {item['peak_rss_mb']:,} | {steps} | {item['store_mb']:,} | {item['harness_peak_rss_mb']:,} "
                f"| {_targets(item)} |",
            ]
    return "\n".join(lines)


TARGET_NAMES = {
    "warm_within_300_ms": "warm query set ≤ 300 ms",
    "within_2x_floor": "≤ 2× the floor (the values floor: reads every value)",
    "within_2x_counts_floor": "for comparison, ≤ 2× the counts floor (answered from statistics; judged until the sixth round)",
    "3x_faster_than_peer": "≥ 3× faster than the peer",
    "cache_hit_within_100_ms": "cache hit ≤ 100 ms",
    "at_least_300k_rows_per_s": "import ≥ 300,000 rows/s",
    "within_3x_floor": "import within 3× of the floor",
    "peak_rss_within_1_5_gb": "peak memory ≤ 1.5 GB",
}


def target_summary(items: list[dict[str, Any]]) -> str:
    """Each target: how many measured items met it, and which missed."""
    results: dict[str, list[tuple[str, bool]]] = {}
    for item in items:
        for name, met in (item.get("targets") or {}).items():
            results.setdefault(name, []).append((item["item"], met))
    lines = ["| target | met | missed by |", "|---|---|---|"]
    for name, label in TARGET_NAMES.items():
        if name not in results:
            continue
        outcomes = results[name]
        missed = [item for item, met in outcomes if not met]
        verdict = "**met**" if not missed else f"**missed** ({len(outcomes) - len(missed)} of {len(outcomes)} met)"
        lines.append(f"| {label} | {verdict} | {', '.join(f'`{item}`' for item in missed) or '–'} |")
    return "\n".join(lines)


def run_header(items: list[dict[str, Any]]) -> str:
    run = next(item for item in items if item["item"] == "run")
    rows = ", ".join(f"{table} {count:,}" for table, count in run["rows"].items())
    loads = "; ".join(f"{step} {values[0]}" for step, values in run["machine"].get("load_average_by_step", {}).items())
    views = "; ".join(f"{name}: {params}" for name, params in run["views"].items())
    peer = ", ".join(f"{table} {ms / 1000:,.1f} s" for table, ms in run["peer_load_ms"].items())
    return "\n".join(
        [
            f"- **When:** {run['started_at']} – {run['written_at']} (UTC), {run['repeat']} repetitions.",
            f"- **Machine:** {run['machine']['cpus']} cores, {run['machine']['platform']}, Python {run['machine']['python']}.",
            f"- **Load average (1 min) at each step** (other engineers' work shares the 2 cores): {loads}.",
            f"- **Store:** {rows}.",
            f"- **Views:** {views}.",
            f"- **The peer's load into pandas:** {peer}.",
        ]
    )


def results_section(items: list[dict[str, Any]]) -> str:
    return "\n\n".join(["### Targets", target_summary(items), "### Run", run_header(items), "### Every item", table(items)])


def _headline(item: dict[str, Any]) -> tuple[float | None, str]:
    """The one number a before/after compares, and its unit (higher is better for rows/s only)."""
    if "ours_rows_per_s" in item:
        return item["ours_rows_per_s"], "rows/s"
    if "ours_ms" in item:
        return item["ours_ms"], "ms"
    if "peak_rss_mb" in item:
        return item["peak_rss_mb"], "MB"
    return None, ""


def before_after(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> str:
    """Each item measured in both runs: ours before and after, and how many times better."""
    earlier = {item["item"]: item for item in before}
    lines = ["| item | before | after | better by |", "|---|---:|---:|---:|"]
    for item in after:
        old = earlier.get(item["item"])
        new_value, unit = _headline(item)
        old_value = _headline(old)[0] if old else None
        if new_value is None or old_value is None:
            continue
        better = new_value / old_value if unit == "rows/s" else old_value / new_value
        lines.append(f"| {item['item']} | {old_value:,.1f} {unit} | {new_value:,.1f} {unit} | {better:,.1f}× |")
    return "\n".join(lines)


def _read(path: str) -> list[dict[str, Any]]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


if __name__ == "__main__":
    if len(sys.argv) == 3:
        print(before_after(_read(sys.argv[1]), _read(sys.argv[2])))
    else:
        print(results_section(_read(sys.argv[1])))
