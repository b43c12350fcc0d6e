"""The store: one DuckDB database, its migrations, its views, and the one place SQL runs."""

from __future__ import annotations

import contextlib
import hashlib
import datetime as dt
import logging
import os
import re
import shutil
import threading
import weakref
from pathlib import Path
from typing import Any, Iterator, Sequence

import duckdb
import pandas as pd

from cxdata import summaries

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
DEFAULT_DB = "data/cx.duckdb"
# Views and macros are installed in this order; within a folder, files that depend
# on others are retried until everything resolves.
OBJECT_FOLDERS = ("macros", "staging", "marts")
# DuckDB's buffer pool may otherwise grow to 80 % of the machine's memory; queries that need
# more spill to the store's temp directory. Migrations and the demo build lift the cap.
DEFAULT_MEMORY_LIMIT = "1GB"
MEMORY_LIMIT_PATTERN = re.compile(r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)


class StoreError(Exception):
    """The store cannot be used; the message says why and what to do."""


class StoreBusy(StoreError):
    """Another process holds the store for writing."""


def resolve_database(cli_value: str | None = None) -> str:
    """--db, else CX_DB, else data/cx.duckdb."""
    return cli_value or os.environ.get("CX_DB") or DEFAULT_DB


def is_local_file(database: str) -> bool:
    return database != ":memory:" and not re.match(r"^[a-z]+:", database)


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every file in sql/schema, in version order."""
    found = []
    for path in sorted((SQL_DIR / "schema").glob("*.sql")):
        version = int(path.name.split("_", 1)[0])
        found.append((version, path.stem, path.read_text(encoding="utf-8")))
    return found


def latest_schema_version() -> int:
    return migrations()[-1][0]


def memory_limit() -> str:
    """CX_MEMORY_LIMIT (e.g. "2GB"), else 1GB: how much memory DuckDB may hold for this store."""
    value = os.environ.get("CX_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT).strip()
    if not MEMORY_LIMIT_PATTERN.match(value):
        raise StoreError(f"CX_MEMORY_LIMIT={value!r} is not a size such as 1GB or 512MB.")
    return value


def _connect(database: str, read_only: bool) -> duckdb.DuckDBPyConnection:
    if is_local_file(database):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        if read_only and not Path(database).exists():
            raise StoreError(f"There is no store at {database}. Create it with: python -m cxdata init --db {database}")
    try:
        return duckdb.connect(database, read_only=read_only)
    except duckdb.IOException as error:
        text = str(error)
        if "lock" in text.lower():
            pid = re.search(r"PID (\d+)", text)
            holder = f" (process {pid.group(1)})" if pid else ""
            raise StoreBusy(
                f"The store {database} is open for writing in another process{holder}, "
                "usually the running dashboard. Commands sent while it runs are handed to it; "
                "if none is running, wait for the other process to finish."
            ) from error
        raise StoreError(_damaged_message(database, text)) from error
    except duckdb.Error as error:
        raise StoreError(_damaged_message(database, str(error))) from error


def _damaged_message(database: str, detail: str) -> str:
    log = f"{database}.wal"
    if "WAL" in detail or ".wal" in detail:
        cure = (
            f"  3. The write-ahead log {log} is damaged. Move it aside (e.g. rename it to {log}.damaged) "
            "and open the store again: it opens as it was at its last checkpoint, which loses the writes "
            "made since then (usually the latest imports). `python -m cxdata imports` then lists what the "
            "store holds: import the missing files again.\n"
        )
    else:
        cure = (
            f"  3. The store file itself is damaged. Put back a backup copy of {database}, or start a new "
            "store (another --db path, or move this file aside) and import your files again.\n"
        )
    return (
        f"The store {database} cannot be opened: {detail}\n"
        "Nothing has been changed or deleted. To recover:\n"
        "  1. Stop the dashboard and every other command that uses this store.\n"
        f"  2. Copy {database} (and {log} if it exists) somewhere safe.\n"
        + cure
    )


def _keep_leftover_log(database: str) -> Path | None:
    """Copy a write-ahead log left by a process that stopped without closing the store.

    DuckDB replays such a log when the store opens and then deletes it; where the log is
    damaged in a way its checksums do not catch (e.g. a torn length field), it replays up
    to the damage and drops the rest without a word. The copy keeps that rest, so that
    opening a store never deletes data on its own."""
    log = Path(f"{database}.wal")
    if not log.is_file() or log.stat().st_size == 0:
        return None
    try:
        # a read-only open succeeds only when no process holds the store: the log is left over
        duckdb.connect(database, read_only=True).close()
    except duckdb.Error:
        return None  # a running process's live log, or a damage the open that follows reports
    kept = log.with_name(f"{log.name}.{dt.datetime.now():%Y%m%dT%H%M%S%f}.kept")
    shutil.copy2(log, kept)
    logging.getLogger(__name__).warning(
        "The store %s was not closed cleanly (a process was stopped or crashed). DuckDB replays its "
        "write-ahead log up to the first unfinished or damaged entry; a copy of the log is kept at %s. "
        "If an import made just before is missing from `python -m cxdata imports`, import it again; "
        "then the copy can be deleted.",
        database, kept,
    )
    return kept


class Store:
    """One open DuckDB database shared by every thread of the process.

    Reads go through a cursor per thread (one DuckDB connection serialises every
    query it runs); writes are serialised by a lock and run in one transaction each,
    so a reader sees all of a write or none of it.
    """

    def __init__(self, database: str, read_only: bool = False, migrate_to: int | None = None):
        self.database = database
        self.read_only = read_only
        # a copy of the write-ahead log an earlier process left behind, if any (see _keep_leftover_log)
        self.kept_log = _keep_leftover_log(database) if is_local_file(database) and not read_only else None
        self._con = _connect(database, read_only)
        self._local = threading.local()
        self._write_lock = threading.RLock()
        # every cursor that can be running a query, for interrupt(); weak, so that a thread's
        # cursor still goes with its thread (the dashboard runs each page run in a new one)
        self._cursors: weakref.WeakSet[duckdb.DuckDBPyConnection] = weakref.WeakSet()
        # transactions committed through this object: a reader that keeps the data version
        # (cxdata/ui.py) reads it again when this changes
        self.commits = 0
        if not read_only:
            self.migrate(migrate_to)
            if migrate_to is None:
                self._install_objects_if_changed()
                self._fill_pending_summaries()
        self._con.execute(f"set memory_limit = '{memory_limit()}'")

    # -- lifecycle -----------------------------------------------------------------
    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def interrupt(self) -> None:
        """Stop every query running on this store, from any thread: each fails with DuckDB's
        interrupt error, and a transaction that has not committed rolls back."""
        for connection in (self._con, *list(self._cursors)):
            with contextlib.suppress(duckdb.Error):
                connection.interrupt()

    def migrate(self, target: int | None = None) -> list[str]:
        """Apply the migrations this store lacks, each in its own transaction."""
        con = self._con
        con.execute(
            "create table if not exists schema_migrations ("
            " version integer primary key, name varchar not null, applied_at timestamp not null)"
        )
        applied = {row[0] for row in con.execute("select version from schema_migrations").fetchall()}
        done = []
        for version, name, sql in migrations():
            if version in applied or (target is not None and version > target):
                continue
            with self._unversioned_transaction():
                con.execute(sql)
                con.execute(
                    "insert into schema_migrations values (?, ?, current_timestamp::timestamp)",
                    [version, name],
                )
            done.append(name)
        return done

    def _install_objects_if_changed(self) -> None:
        """Views and macros are created only when their definitions changed. Each
        `create or replace` is atomic and the digest is written last, so an install
        cut short is simply done again at the next open."""
        wanted = objects_digest()
        installed = self._con.execute("select digest from installed_objects").fetchall()
        if installed == [(wanted,)]:
            return
        install_objects(self._con)
        self._con.execute("insert or replace into installed_objects values (1, ?)", [wanted])

    def _fill_pending_summaries(self) -> None:
        """Fill what a migration created but could not fill before the macros were installed
        (cxdata/summaries.py), in one transaction with clearing its mark. Like a migration, it
        leaves the data version alone: what the pages show does not change."""
        if not self._con.execute(f"select exists (select 1 from {summaries.PENDING})").fetchall()[0][0]:
            return
        with self._unversioned_transaction():
            summaries.fill_pending(self._con)

    @contextlib.contextmanager
    def _unversioned_transaction(self) -> Iterator[None]:
        """A transaction on the store's own connection that leaves the data version alone: for
        opening the store (migrations, fills), before anything reads it."""
        self._con.execute("begin transaction")
        try:
            yield
            self._con.execute("commit")
        except Exception:
            self._con.execute("rollback")
            raise

    def schema_version(self) -> int:
        return self.query_value("select coalesce(max(version), 0) from schema_migrations")

    # -- reading -------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._con.cursor()
            self._local.cursor = cursor
            self._cursors.add(cursor)
        return cursor

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
        return self.cursor().execute(sql, params or []).df()

    def query_rows(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[tuple]:
        return self.cursor().execute(sql, params or []).fetchall()

    def query_value(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        # fetchall, not fetchone: an unfinished result keeps this cursor's transaction open,
        # which pins old row versions and makes every checkpoint fail until its next query
        rows = self.cursor().execute(sql, params or []).fetchall()
        return rows[0][0] if rows else None

    def data_version(self) -> int:
        """Changes whenever data is written; key caches by it."""
        return self.query_value("select data_version from store_state")

    # -- writing -------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All or nothing: the block's writes commit together with a new data version.

        A transaction opened inside another (same thread) joins it: everything commits with
        the outer one or not at all. (Two DuckDB transactions would not nest: the inner one
        would commit on its own and the outer one then fail on the data version.)"""
        if self.read_only:
            raise StoreError(f"The store {self.database} is open read-only.")
        with self._write_lock:
            outer = getattr(self._local, "transaction", None)
            if outer is not None:
                yield outer
                return
            cursor = self._con.cursor()
            self._local.transaction = cursor
            self._cursors.add(cursor)
            cursor.execute("begin transaction")
            try:
                yield cursor
                cursor.execute("update store_state set data_version = data_version + 1")
                cursor.execute("commit")
                self.commits += 1
            except BaseException:
                # a failed commit has already rolled back, and "rollback" would then raise
                # "no transaction is active" in place of the error that matters
                with contextlib.suppress(duckdb.TransactionException):
                    cursor.execute("rollback")
                raise
            finally:
                self._local.transaction = None
                self._cursors.discard(cursor)
                cursor.close()

    @contextlib.contextmanager
    def uncapped_memory(self) -> Iterator[None]:
        """Lift the memory cap for a bulk build (the demo): DuckDB's default, 80 % of the RAM."""
        with self._write_lock:
            self._con.execute("reset memory_limit")
            try:
                yield
            finally:
                self._con.execute(f"set memory_limit = '{memory_limit()}'")

    def checkpoint(self) -> None:
        with self._write_lock:
            self._con.execute("checkpoint")


def objects_digest() -> str:
    """A digest of every macro and view definition under sql/."""
    digest = hashlib.sha256()
    for folder in OBJECT_FOLDERS:
        for path in sorted((SQL_DIR / folder).glob("*.sql")):
            digest.update(f"{folder}/{path.name}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def install_objects(con: duckdb.DuckDBPyConnection) -> None:
    """Create or replace every macro and view under sql/, in dependency order."""
    for folder in OBJECT_FOLDERS:
        pending = sorted((SQL_DIR / folder).glob("*.sql"))
        while pending:
            failed = []
            for path in pending:
                try:
                    con.execute(path.read_text(encoding="utf-8"))
                except (duckdb.CatalogException, duckdb.BinderException):
                    # a view or macro that calls one not installed yet, or an older version of it
                    # with other arguments (a store opened by an earlier release): retried after it
                    failed.append(path)
            if len(failed) == len(pending):
                # no progress: report the first real error instead of looping
                con.execute(failed[0].read_text(encoding="utf-8"))
            pending = failed


def open_store(database: str | None = None, read_only: bool = False) -> Store:
    return Store(resolve_database(database), read_only=read_only)
