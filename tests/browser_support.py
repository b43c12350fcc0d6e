"""Helpers for the real-browser tests: start the dashboard as a subprocess, drive Debian's chromium.

Playwright cannot download its own browser here, so it always launches /usr/bin/chromium
(CI installs it with `make browser`)."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "tests" / "screenshots"
# CX_CHROMIUM only lets a test pretend chromium is missing; the tests always drive Debian's chromium
CHROMIUM = os.environ.get("CX_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1500, "height": 1000}
START_TIMEOUT = 90.0


def chromium_missing_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"Debian chromium is not installed at {CHROMIUM} (install it with `make browser`)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python playwright is not installed (pip install -r requirements-dev.txt)"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclasses.dataclass
class RunningApp:
    url: str
    process: subprocess.Popen
    log: Path

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def running_app(database: str, log_dir: Path, extra_env: dict[str, str] | None = None) -> Iterator[RunningApp]:
    """`streamlit run dashboard.py` on a free port with CX_DB=database; stopped on leaving, even on failure."""
    port = free_port()
    log = log_dir / f"streamlit-{port}.log"
    env = {**os.environ, "CX_DB": database, "PYTHONUNBUFFERED": "1", **(extra_env or {})}
    command = [
        sys.executable, "-m", "streamlit", "run", "dashboard.py",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]
    with open(log, "w", encoding="utf-8") as log_file:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    app = RunningApp(url=f"http://127.0.0.1:{port}", process=process, log=log)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _healthy(app.url):
            if process.poll() is not None:
                raise RuntimeError(f"the dashboard exited with code {process.returncode}:\n{app.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the dashboard did not answer /_stcore/health within {START_TIMEOUT:.0f} s:\n{app.log_tail()}")
            time.sleep(0.25)
        yield app
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


# -- driving the page -------------------------------------------------------------------------
IDLE_CHECK = """() => {
    const running = document.querySelector('[data-testid="stStatusWidgetRunningIcon"]');
    const skeleton = document.querySelector('[data-testid="stSkeleton"]');
    const spinner = document.querySelector('[data-testid="stSpinner"]');
    const stale = document.querySelector('[data-stale="true"]');
    const drawn = document.querySelector('[data-testid="stMain"] h1');
    return !running && !skeleton && !spinner && !stale && !!drawn;
}"""


def settle(page, timeout: float = 60.0, quiet: float = 0.8) -> None:
    """Wait until Streamlit has finished running the script and drawing: no running indicator,
    spinner, skeleton or stale element, and a title on the page, for `quiet` seconds in a row
    (a rerun starts a moment after the click that caused it)."""
    deadline = time.monotonic() + timeout
    idle_since = None
    while True:
        if page.evaluate(IDLE_CHECK):
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since >= quiet:
                return
        else:
            idle_since = None
        if time.monotonic() > deadline:
            raise TimeoutError(f"the page did not settle within {timeout:.0f} s")
        page.wait_for_timeout(150)


def open_page(page, label: str, heading: str) -> None:
    """Go to a page through the sidebar navigation, as a user would, and wait for its heading."""
    page.locator('[data-testid="stSidebarNav"] a', has_text=label).first.click()
    page.wait_for_function(
        "heading => [...document.querySelectorAll('[data-testid=stMain] h1')].some(h => h.innerText.includes(heading))",
        arg=heading,
        timeout=60_000,
    )
    settle(page)


def screenshot(page, name: str, folder: Path = SCREENSHOTS) -> Path:
    """The whole page: Streamlit scrolls inside its main container, not the document, so the
    viewport is stretched to the content's height for the picture."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], [data-testid=stAppViewContainer]')]"
        ".map(e => e.scrollHeight), document.body.scrollHeight)"
    )
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(max(size["height"], int(height) + 40), 12_000)})
    page.wait_for_timeout(500)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)

