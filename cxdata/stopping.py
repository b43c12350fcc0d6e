"""Stopping a command politely: SIGTERM and SIGHUP (`kill`, `docker stop`, a closed terminal)
interrupt the query that is running and end the command as Ctrl-C does, so that a write that
had not committed rolls back and the store is closed normally.

Why not leave them at their default: a signal left to kill the process is fatal, and Linux
then cuts a large write short (it checks for a fatal signal between the pages it copies).
At every checkpoint DuckDB rewrites in place a block of its catalogue that the store's
current header still points to; a rewrite cut short leaves a block that fails its checksum,
and the store no longer opens (docs/RELIABILITY.md, "What a kill can still do"). A handled
signal is not fatal: the write in progress completes, and the command stops at the next
point where it can. SIGKILL (and the kernel's out-of-memory killer) cannot be handled.
"""

from __future__ import annotations

import os
import signal
import threading
from typing import Callable

POLITE_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
# Ctrl-C raised KeyboardInterrupt already, but only once the query had run to its end
INTERRUPTING_SIGNALS = (*POLITE_SIGNALS, signal.SIGINT)


class Stopped(KeyboardInterrupt):
    """The command was asked to stop by a signal; `signal_number` says which."""

    def __init__(self, signal_number: int):
        super().__init__(signal.Signals(signal_number).name)
        self.signal_number = signal_number

    @property
    def exit_code(self) -> int:
        # what a shell reports for a process ended by the signal
        return 128 + self.signal_number


class PoliteStops:
    """While inside: SIGTERM, SIGHUP and Ctrl-C raise Stopped in the main thread, and
    `interrupt` (e.g. Store.interrupt) is called at once from a helper thread. Python runs a
    signal handler only between bytecodes of the main thread, which sits inside DuckDB for as
    long as a query runs; the helper is woken by the signal itself (set_wakeup_fd) and
    interrupts the query, so the command stops within moments, and whatever the interrupt
    made fail leaves the block as Stopped. Outside the main thread (a command run inside the
    dashboard) nothing is changed."""

    def __init__(self, interrupt: Callable[[], None]):
        self.interrupt = interrupt
        self.received: list[int] = []
        self.active = threading.current_thread() is threading.main_thread()
        # set when the block is left: a handler that runs late must not break the way out
        self.leaving = False

    def __enter__(self) -> "PoliteStops":
        if not self.active:
            return self
        self.read_end, self.write_end = os.pipe()
        os.set_blocking(self.write_end, False)
        self.previous_handlers = {number: signal.signal(number, self._stop) for number in INTERRUPTING_SIGNALS}
        self.previous_wakeup = signal.set_wakeup_fd(self.write_end, warn_on_full_buffer=False)
        self.watcher = threading.Thread(target=self._watch, name="polite-stops", daemon=True)
        self.watcher.start()
        return self

    def _stop(self, signal_number: int, frame: object) -> None:
        if not self.leaving:
            raise Stopped(signal_number)

    def _watch(self) -> None:
        while True:
            woken_by = os.read(self.read_end, 64)
            if not woken_by:  # the write end closed: the block is over
                return
            asked = [number for number in woken_by if number in INTERRUPTING_SIGNALS]
            if asked:
                self.received.extend(asked)
                self.interrupt()

    def __exit__(self, kind: type | None, error: BaseException | None, traceback: object) -> None:
        self.leaving = True
        if not self.active:
            return
        signal.set_wakeup_fd(self.previous_wakeup)
        for number, handler in self.previous_handlers.items():
            signal.signal(number, handler)
        os.close(self.write_end)
        self.watcher.join()
        os.close(self.read_end)
        if error is not None and not isinstance(error, Stopped) and self.received:
            # what the interrupt made fail (DuckDB's interrupt error, raised before the handler
            # could run) is the stop itself
            raise Stopped(self.received[0]) from error
