"""One benchmark run: every measured item, interleaved, as JSON-ready objects.

Order of a run, and why:
1. the store is built or reused, the two views are chosen, the peer loads its DataFrames;
2. cold: each page on a freshly opened store (a new DuckDB instance, empty buffer pool),
   ours and the floor alternating, the side that goes first rotating per repetition;
3. warm: one open store; every answer is first checked equal to the peer's, then each
   repetition runs ours, the peer and the floor for each page and view in turn;
4. peak memory of a separate process that does what the dashboard and an import do
   (this process holds the peer's DataFrames, which would drown ours);
5. whole page scripts through AppTest: uncached (a new filter choice) and cache hits
   (a filter change back to a view already seen);
6. import of a generated CSV: ours, the floor and the peer in turn.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

from cxdata.bench import compare, floor, importing, peer, script, stores
from cxdata.bench.pages import Page
from cxdata.bench.timing import Samples, ratio, rounded, summary, timed, within
from cxdata.bench.views import View, bench_views
from cxdata.filters import DEFAULT_MIN_N
from cxdata.store import Store

SIDES = ("ours", "peer", "floor")
# a page is also timed against the floor that reads every value (floor.py)
PAGE_SIDES = (*SIDES, "floor_values")

# the targets
WARM_MAX_MS = 300.0
WARM_MAX_OVER_FLOOR = 2.0
PEER_MIN_SPEEDUP = 3.0
CACHE_HIT_MAX_MS = 100.0
IMPORT_MIN_ROWS_PER_S = 300_000
IMPORT_MAX_UNDER_FLOOR = 3.0
PEAK_RSS_MAX_MB = 1536.0


@dataclasses.dataclass
class Options:
    responses: int = 10_000_000
    repeat: int = 5
    import_rows: int = 1_000_000
    pages: list[str] | None = None
    stores_dir: Path = stores.STORES_DIR
    min_n: int = DEFAULT_MIN_N
    scripts: bool = True
    memory: bool = True


@dataclasses.dataclass
class Sides:
    ours: Samples = dataclasses.field(default_factory=Samples)
    peer: Samples = dataclasses.field(default_factory=Samples)
    floor: Samples = dataclasses.field(default_factory=Samples)
    floor_values: Samples = dataclasses.field(default_factory=Samples)


def rotated(items: tuple[str, ...], by: int) -> tuple[str, ...]:
    """The sides in a different order each repetition, so none always goes first."""
    by %= len(items)
    return items[by:] + items[:by]


def peak_rss_mb() -> float:
    """The process's peak resident set size in MB.

    Linux's VmHWM when there is one: getrusage's ru_maxrss survives exec, so a child
    started by a big parent would report the parent's size at the fork as its own peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    # ru_maxrss is in kilobytes on Linux
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_calls(page: Page, store: Store, view: View, min_n: int) -> list[Any]:
    return [call.run(store, view.filters, min_n) for call in page.calls]


def run_peer(page: Page, data: peer.PeerData, view: View, min_n: int) -> list[Any]:
    return [call.peer(data, view.filters, min_n) for call in page.calls]


def run_floor(page: Page, store: Store, view: View, reads: str = "counts", types: dict | None = None) -> Any:
    """The floor's read of what the page reads; "values" needs the column types (floor.column_types)."""
    touches = [touch for call in page.calls for touch in call.touches]
    sql, params = floor.floor_query(touches, view.filters, reads, types)
    return store.query_rows(sql, params)


def run_side(
    side: str, page: Page, store: Store, view: View, min_n: int, data: peer.PeerData | None = None,
    types: dict | None = None,
) -> Any:
    """One side's answers to a page's questions (the peer's from its DataFrames)."""
    if side == "ours":
        return run_calls(page, store, view, min_n)
    if side == "peer":
        return run_peer(page, data, view, min_n)
    if side == "floor_values":
        return run_floor(page, store, view, "values", types)
    return run_floor(page, store, view)


def open_fresh(path: Path) -> Store:
    """A newly opened store whose DuckDB instance starts with an empty buffer pool.

    DuckDB shares one instance per file inside a process while any connection to it
    lives, so every earlier store must be closed and collected before this is called."""
    gc.collect()
    store = Store(str(path))
    return store


def close(store: Store) -> None:
    store.close()
    # the thread's cursor keeps the instance alive until it is collected
    store._local.__dict__.clear()
    gc.collect()


class Run:
    def __init__(self, options: Options, log: Callable[[str], None] = print):
        from cxdata.bench.pages import by_name

        self.options = options
        self.log = log
        self.pages = by_name(options.pages)
        # the pages whose query sets are timed three ways (the Data page has none)
        self.query_pages = tuple(page for page in self.pages if page.calls)
        self.items: list[dict[str, Any]] = []
        self.verified: dict[tuple[str, str], bool] = {}

    # -- prepare -------------------------------------------------------------
    def prepare(self) -> None:
        self.started = dt.datetime.now()
        self.path = stores.ensure_store(self.options.responses, self.options.stores_dir, self.log)
        store = open_fresh(self.path)
        try:
            self.views = bench_views(store)
            # looked up once, outside every timing
            self.types = floor.column_types(store.cursor())
            self.counts = {
                table: store.query_value(f"select count(*) from {table}")
                for table in ("responses", "tickets", "journey_events", "customers", "response_ratings")
            }
            self.log(f"Store: {', '.join(f'{table} {n:,}' for table, n in self.counts.items())}.")
            for view in self.views:
                self.log(f"View {view.name}: {view.filters}")
            self.log("Loading the peer's DataFrames…")
            # DuckDB's share while the peer loads: its default (80 % of the RAM) beside the
            # peer's frames would leave the machine short (this instance is closed afterwards)
            store._con.execute("set memory_limit = '2GB'")
            self.peer_data = peer.load(store, self.log)
            self.peer_load_ms = dict(self.peer_data.load_ms)
        finally:
            close(store)

    # -- cold ----------------------------------------------------------------
    def cold(self) -> dict[tuple[str, str], Sides]:
        self.log("Cold runs (a freshly opened store for every run)…")
        measured = {(page.name, view.name): Sides() for page in self.query_pages for view in self.views}
        for repetition in range(self.options.repeat):
            for page in self.query_pages:
                for view in self.views:
                    for side in rotated(("ours", "floor", "floor_values"), repetition):
                        store = open_fresh(self.path)
                        try:
                            ms, _ = timed(lambda: run_side(side, page, store, view, self.options.min_n, types=self.types))
                        finally:
                            close(store)
                        getattr(measured[page.name, view.name], side).add(ms)
        return measured

    # -- warm ----------------------------------------------------------------
    def warm(self, cold: dict[tuple[str, str], Sides]) -> None:
        self.log("Checking every answer against the peer's…")
        store = open_fresh(self.path)
        min_n = self.options.min_n
        try:
            mismatches = []
            first_peer_ms: dict[tuple[str, str], float] = {}
            for page in self.query_pages:
                for view in self.views:
                    agreed = True
                    first_peer_ms[page.name, view.name] = 0.0
                    for call in page.calls:
                        ours = call.run(store, view.filters, min_n)
                        # the peer's first answer on freshly loaded frames is part of its cold run
                        ms, theirs = timed(lambda: call.peer(self.peer_data, view.filters, min_n))
                        first_peer_ms[page.name, view.name] += ms
                        found = compare.difference(ours, theirs, call.keys)
                        if found:
                            agreed = False
                            mismatches.append(f"{page.name}/{view.name}/{call.name}: {found}")
                    self.verified[page.name, view.name] = agreed
                    run_floor(page, store, view)
                    run_floor(page, store, view, "values", self.types)
            if mismatches:
                raise AssertionError("Ours and the peer disagree:\n" + "\n".join(mismatches))
            for key, ms in first_peer_ms.items():
                cold[key].peer.add(ms)
            self._emit_cold(cold)

            self.log(f"Warm runs ({self.options.repeat} repetitions, interleaved)…")
            measured = {(page.name, view.name): Sides() for page in self.query_pages for view in self.views}
            for repetition in range(self.options.repeat):
                for page in self.query_pages:
                    for view in self.views:
                        for side in rotated(PAGE_SIDES, repetition):
                            ms, _ = timed(lambda: run_side(side, page, store, view, min_n, self.peer_data, self.types))
                            getattr(measured[page.name, view.name], side).add(ms)
            for (page_name, view_name), sides in measured.items():
                self.items.append(self._page_item(page_name, view_name, "warm", sides))
        finally:
            close(store)

    def _emit_cold(self, cold: dict[tuple[str, str], Sides]) -> None:
        for page in self.query_pages:
            load_ms = self.peer_data.load_ms_of(page.peer_tables())
            for view in self.views:
                sides = cold[page.name, view.name]
                # the peer's cold figure: loading its tables, then its first answer (one sample)
                sides.peer.values = [load_ms + value for value in sides.peer.values]
                item = self._page_item(page.name, view.name, "cold", sides)
                item["peer_load_ms"] = rounded(load_ms)
                self.items.append(item)

    def _page_item(self, page: str, view: str, temperature: str, sides: Sides) -> dict[str, Any]:
        item: dict[str, Any] = {"item": f"page:{page}:{view}:{temperature}"}
        for side in PAGE_SIDES:
            item.update(summary(side, getattr(sides, side)))
        item["ours_over_floor"] = ratio(item["ours_ms"], item["floor_ms"])
        item["ours_over_floor_values"] = ratio(item["ours_ms"], item["floor_values_ms"])
        item["peer_over_ours"] = ratio(item["peer_ms"], item["ours_ms"])
        item["answers_checked_equal"] = self.verified.get((page, view), False)
        if temperature == "warm" and item["ours_ms"] is not None:
            item["targets"] = {
                "warm_within_300_ms": item["ours_ms"] <= WARM_MAX_MS,
                # judged against the floor that reads the columns (floor.py): the counts floor is answered
                # from statistics and shown beside it for comparison
                "within_2x_floor": within(item["ours_over_floor_values"], WARM_MAX_OVER_FLOOR),
                "within_2x_counts_floor": within(item["ours_over_floor"], WARM_MAX_OVER_FLOOR),
                "3x_faster_than_peer": item["peer_over_ours"] is not None and item["peer_over_ours"] >= PEER_MIN_SPEEDUP,
            }
        return item

    # -- page scripts --------------------------------------------------------
    def scripts(self) -> None:
        self.log("Whole page scripts through AppTest…")
        for page in self.pages:
            if page.file is None:
                continue
            session = script.PageSession(str(self.path), page.file, self.views[0].filters)
            uncached = {view.name: Samples() for view in self.views}
            hits = Samples()
            for view in self.views:  # a first run of each view (the store, imports, caches warm)
                session.set_filters(view.filters)
                session.run()
            for repetition in range(self.options.repeat):
                for view, other in zip(self.views, self.views[1:] + self.views[:1]):
                    # a filter choice not seen before: the page's queries run, while the
                    # shell's (filter options, data span: the same for every filter) come
                    # from the cache, as they do for a user who changes a filter
                    script.clear_query_cache()
                    session.set_filters(other.filters)
                    session.run()
                    session.set_filters(view.filters)
                    ms, _ = timed(session.run)
                    uncached[view.name].add(ms)
                # only the last view is cached now: fill the others, then change back and forth
                for view in self.views[:-1]:
                    session.set_filters(view.filters)
                    session.run()
                for view in rotated(tuple(self.views), repetition + 1):
                    session.set_filters(view.filters)
                    ms, _ = timed(session.run)
                    hits.add(ms)
            for view in self.views:
                item = {"item": f"script:{page.name}:{view.name}"}
                item.update(summary("ours", uncached[view.name]))
                item.update({"peer_ms": None, "floor_ms": None})
                self.items.append(item)
            item = {"item": f"cache_hit:{page.name}"}
            item.update(summary("ours", hits))
            item.update({"peer_ms": None, "floor_ms": None})
            item["targets"] = {"cache_hit_within_100_ms": item["ours_ms"] <= CACHE_HIT_MAX_MS}
            self.items.append(item)

    # -- import --------------------------------------------------------------
    def csv_path(self) -> Path:
        path = self.options.stores_dir / f"survey_{self.options.import_rows}.csv"
        if not path.exists():
            self.log(f"Writing a {self.options.import_rows:,}-row survey CSV to {path}…")
            partial = path.with_name(path.name + ".partial")
            importing.write_survey_csv(partial, self.options.import_rows)
            os.replace(partial, path)
        return path

    def imports(self) -> None:
        csv = self.csv_path()
        self.log(f"Importing {csv.name} ({self.options.import_rows:,} rows) three ways…")
        scratch = self.options.stores_dir / "import_scratch.duckdb"
        measured = Sides()
        check = importing.ImportCheck(self.options.import_rows)
        phases: dict[str, Samples] = {}

        def note_phase(name: str, ms: float) -> None:
            phases.setdefault(name, Samples()).add(ms)

        for repetition in range(self.options.repeat):
            for side in rotated(SIDES, repetition):
                store = importing.fresh_store(scratch)
                run = (
                    (lambda: importing.ours(store, csv, note_phase)) if side == "ours"
                    else (lambda: importing.SIDES[side](store, csv))
                )
                try:
                    ms, loaded = timed(run)
                finally:
                    close(store)
                check.loaded[side] = loaded
                getattr(measured, side).add(ms)
        for leftover in (scratch, Path(f"{scratch}.wal")):
            leftover.unlink(missing_ok=True)
        check.verify()
        rows = self.options.import_rows
        item: dict[str, Any] = {"item": f"import:{_rows_label(rows)}_csv", "rows": rows}
        for side in SIDES:
            samples = getattr(measured, side)
            item[f"{side}_rows_per_s"] = round(rows / (samples.median / 1000)) if samples.values else None
            item.update(summary(side, samples))
        # where our time goes: each step's median over the repetitions
        item["ours_phases_ms"] = {name: rounded(samples.median) for name, samples in phases.items()}
        item["floor_over_ours"] = ratio(item["floor_rows_per_s"], item["ours_rows_per_s"])
        item["ours_over_peer"] = ratio(item["ours_rows_per_s"], item["peer_rows_per_s"])
        item["targets"] = {
            "at_least_300k_rows_per_s": item["ours_rows_per_s"] >= IMPORT_MIN_ROWS_PER_S,
            "within_3x_floor": item["floor_over_ours"] is not None and item["floor_over_ours"] <= IMPORT_MAX_UNDER_FLOOR,
        }
        self.items.append(item)

    # -- memory --------------------------------------------------------------
    def memory(self) -> None:
        self.log("Peak memory of a process doing what the dashboard and an import do…")
        command = [
            sys.executable, "-m", "cxdata.bench.memory",
            "--db", str(self.path),
            "--csv", str(self.csv_path()),
            "--scratch", str(self.options.stores_dir / "memory_scratch.duckdb"),
            "--min-n", str(self.options.min_n),
            "--scripts" if self.options.scripts else "--no-scripts",
        ]
        if self.options.pages:
            command += ["--pages", ",".join(self.options.pages)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"The memory measurement failed:\n{done.stderr[-4000:]}")
        child = json.loads(done.stdout.strip().splitlines()[-1])
        item = {
            "item": "memory",
            "peak_rss_mb": child["peak_rss_mb"],
            "store_mb": stores.store_size_mb(self.path),
            # the child's peak after each of its steps: open, page queries, page scripts, import
            **{f"peak_rss_{key}": value for key, value in child.items() if key.startswith("after_")},
            "harness_peak_rss_mb": peak_rss_mb(),
        }
        item["targets"] = {"peak_rss_within_1_5_gb": item["peak_rss_mb"] <= PEAK_RSS_MAX_MB}
        self.items.append(item)

    # -- all -----------------------------------------------------------------------
    def run(self, json_path: Path | None = None) -> list[dict[str, Any]]:
        """Every step in turn; with json_path, the items so far are written after each step,
        so that a step that fails (after an hour at full size) loses only itself."""

        def save() -> None:
            if json_path is not None:
                json_path.parent.mkdir(parents=True, exist_ok=True)
                text = json.dumps([self.run_info(), *self.items], indent=2, ensure_ascii=False)
                json_path.write_text(text + "\n", encoding="utf-8")

        self.load_by_step: dict[str, list[float]] = {}

        def note(step: str) -> None:
            # other processes share the 2 cores: the load says how much of them a step had
            self.load_by_step[step] = [round(value, 2) for value in os.getloadavg()]

        note("start")
        self.prepare()
        note("cold")
        cold = self.cold()
        note("warm")
        self.warm(cold)
        save()
        # before the scripts: AppTest's store stays open in this process for good (the
        # dashboard's command inbox watcher holds it), and the child must open the store
        if self.options.memory:
            note("memory")
            self.memory()
            save()
        if self.options.scripts:
            note("scripts")
            self.scripts()
            save()
        self.peer_data = None
        gc.collect()
        note("import")
        self.imports()
        note("end")
        save()
        return [self.run_info(), *self.items]

    def run_info(self) -> dict[str, Any]:
        load = os.getloadavg()
        return {
            "item": "run",
            "started_at": self.started.isoformat(timespec="seconds"),
            "written_at": dt.datetime.now().isoformat(timespec="seconds"),
            "responses": self.options.responses,
            "rows": self.counts,
            "repeat": self.options.repeat,
            "views": {view.name: view.filters.to_query_params() for view in self.views},
            "peer_load_ms": {table: rounded(ms) for table, ms in self.peer_load_ms.items()},
            "machine": {
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
                "python": platform.python_version(),
                "load_average_when_written": [round(value, 2) for value in load],
                "load_average_by_step": getattr(self, "load_by_step", {}),
            },
        }


def _rows_label(rows: int) -> str:
    if rows % 1_000_000 == 0:
        return f"{rows // 1_000_000}m"
    if rows % 1_000 == 0:
        return f"{rows // 1_000}k"
    return str(rows)


def main(options: Options, json_path: Path | None, log: Callable[[str], None] = print) -> list[dict[str, Any]]:
    started = time.perf_counter()
    run = Run(options, log)
    items = run.run(json_path)
    log(f"Done in {time.perf_counter() - started:.0f} s." + (f" Wrote {json_path}." if json_path else ""))
    return items
