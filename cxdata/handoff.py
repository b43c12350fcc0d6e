"""Commands handed to the process that holds the store.

DuckDB lets one process at a time open a database file for writing, and the running
dashboard holds it. A command-line call that finds the store held drops its command into
the store's inbox folder (`<store>.inbox/`); the dashboard watches that folder, runs the
command in-process on its own connection (writes are serialised there anyway), and leaves
the output beside it for the waiting caller to print. So `python -m cxdata import …`
works the same whether the dashboard runs or not.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import threading
import time
import uuid
from pathlib import Path
from typing import Callable, Sequence

POLL_SECONDS = 0.25
# how long a caller waits for the holder to pick a command up before giving up
PICKUP_TIMEOUT_SECONDS = 10.0
_output_lock = threading.Lock()


def inbox_for(database: str) -> Path:
    return Path(f"{database}.inbox")


def _absolute_paths(argv: Sequence[str]) -> list[str]:
    """The holder runs in another working directory: make file arguments absolute."""
    out = []
    for arg in argv:
        head, sep, tail = arg.partition("=")
        if sep and not arg.startswith("-") and os.path.exists(tail):
            out.append(f"{head}={os.path.abspath(tail)}")
        elif not arg.startswith("-") and os.path.exists(arg):
            out.append(os.path.abspath(arg))
        else:
            out.append(arg)
    return out


def submit(database: str, argv: Sequence[str], result_timeout: float | None = None) -> tuple[int, str, str] | None:
    """Hand a command to the holder and wait for its result: (exit code, stdout, stderr),
    or None when no holder picks it up (then the caller reports the lock)."""
    inbox = inbox_for(database)
    if not inbox.is_dir():
        return None
    job = uuid.uuid4().hex
    pending = inbox / f"{job}.job.json"
    temporary = inbox / f"{job}.tmp"
    temporary.write_text(json.dumps({"argv": _absolute_paths(argv), "submitted_at": time.time()}), encoding="utf-8")
    temporary.rename(pending)  # atomic: the holder never sees half a job
    result = inbox / f"{job}.result.json"
    taken = inbox / f"{job}.taken"
    started = time.monotonic()
    while not result.exists():
        waited = time.monotonic() - started
        if not taken.exists() and waited > PICKUP_TIMEOUT_SECONDS:
            with contextlib.suppress(FileNotFoundError):
                pending.unlink()
                return None
        if result_timeout is not None and waited > result_timeout:
            return 1, "", f"The dashboard took the command but has not finished it after {result_timeout:.0f} s.\n"
        time.sleep(POLL_SECONDS)
    payload = json.loads(result.read_text(encoding="utf-8"))
    for leftover in (result, taken):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    return payload["code"], payload["stdout"], payload["stderr"]


def run_captured(run: Callable[[list[str]], int], argv: list[str]) -> tuple[int, str, str]:
    """Run one command with its printed output captured (one at a time: stdout is process-wide)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with _output_lock, contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            code = run(argv)
        except SystemExit as exit_:  # argparse errors
            code = exit_.code if isinstance(exit_.code, int) else 2
        except Exception as error:  # the holder must outlive a failing command
            print(f"error: {error}", file=stderr)
            code = 1
    return code, stdout.getvalue(), stderr.getvalue()


def serve_once(inbox: Path, run: Callable[[list[str]], int]) -> int:
    """Run every waiting job; returns how many ran."""
    ran = 0
    for pending in sorted(inbox.glob("*.job.json")):
        job = pending.name.removesuffix(".job.json")
        taken = inbox / f"{job}.taken"
        try:
            argv = json.loads(pending.read_text(encoding="utf-8"))["argv"]
            pending.rename(taken)
        except (FileNotFoundError, ValueError, KeyError):
            continue  # withdrawn by its caller, or not ours
        code, out, err = run_captured(run, argv)
        temporary = inbox / f"{job}.result.tmp"
        temporary.write_text(json.dumps({"code": code, "stdout": out, "stderr": err}), encoding="utf-8")
        temporary.rename(inbox / f"{job}.result.json")
        ran += 1
    return ran


def start_watcher(database: str, run: Callable[[list[str]], int]) -> threading.Thread:
    """Watch the store's inbox for the life of the process (a daemon thread)."""
    inbox = inbox_for(database)
    inbox.mkdir(mode=0o700, exist_ok=True)
    # whoever can write here can run commands (forget included): the owner only, also for an old folder
    inbox.chmod(0o700)

    def watch() -> None:
        while True:
            try:
                serve_once(inbox, run)
            except OSError:
                pass  # a vanished file or a full disk must not kill the watcher
            time.sleep(POLL_SECONDS)

    thread = threading.Thread(target=watch, name="cx-inbox", daemon=True)
    thread.start()
    return thread
