"""Benchmark stores: a demo store of a given size in bench/stores/, built once and reused."""

from __future__ import annotations

import os
import time
from pathlib import Path

from cxdata.store import Store

STORES_DIR = Path(__file__).resolve().parent.parent.parent / "bench" / "stores"
DEMO_SEED = 42


def store_path(responses: int, stores_dir: Path = STORES_DIR) -> Path:
    return stores_dir / f"demo_{responses}.duckdb"


def _is_complete(path: Path, responses: int) -> bool:
    if not path.exists():
        return False
    with Store(str(path), read_only=True) as store:
        try:
            return store.query_value("select count(*) from responses") == responses
        except Exception:
            return False


def ensure_store(responses: int, stores_dir: Path = STORES_DIR, log=print) -> Path:
    """The demo store with `responses` responses, built if it is not there yet.

    It is built under a temporary name and renamed when complete, so a build that was
    interrupted is never mistaken for a finished store."""
    path = store_path(responses, stores_dir)
    if _is_complete(path, responses):
        log(f"Reusing {path}.")
        return path
    from cxdata import demo

    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.name + ".building")
    for leftover in (building, Path(f"{building}.wal")):
        leftover.unlink(missing_ok=True)
    log(f"Building a demo store with {responses:,} responses in {path} (this takes a while at full size)…")
    started = time.perf_counter()
    with Store(str(building)) as store:
        demo.build_demo(store, responses=responses, seed=DEMO_SEED)
        store.checkpoint()
    for stale in (path, Path(f"{path}.wal")):
        stale.unlink(missing_ok=True)
    os.replace(building, path)
    log(f"Built in {time.perf_counter() - started:.0f} s.")
    return path


def store_size_mb(path: Path) -> float:
    """The store's size on disk, its write-ahead log included."""
    total = sum(p.stat().st_size for p in (path, Path(f"{path}.wal")) if p.exists())
    return round(total / 1024 / 1024, 1)
