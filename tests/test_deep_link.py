"""A copied link opened as the very first request after the server starts shows the full app."""

from __future__ import annotations

import os

import pytest

from cxdata.store import Store
from tests import browser_support
from tests.conftest import build_store, synthetic_tables

pytestmark = pytest.mark.skipif(
    browser_support.chromium_missing_reason() is not None and os.environ.get("CI") != "true",
    reason=str(browser_support.chromium_missing_reason()),
)


def test_a_deep_link_as_first_request_runs_the_shell_with_its_filters(tmp_path):
    from playwright.sync_api import sync_playwright

    database = str(tmp_path / "cx.duckdb")
    build_store(synthetic_tables(), database=database).close()
    link = "/nps_trends?from=2025-03-01&to=2025-05-31&channel=app"
    with browser_support.running_app(database, tmp_path) as app, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_support.CHROMIUM, args=browser_support.CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=browser_support.VIEWPORT)
            page.goto(app.url + link)
            page.wait_for_function(
                "() => [...document.querySelectorAll('[data-testid=stMain] h1')].some(h => h.innerText.includes('NPS trends'))",
                timeout=90_000,
            )
            browser_support.settle(page)
            sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
            # the shell's filter bar, holding the link's filters, and its sectioned menu
            assert "Filters" in sidebar and "Analysis" in sidebar
            assert page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelectTagsContainer"] [aria-label="app"]').count() == 1
            assert "channel=app" in page.url and "from=2025-03-01" in page.url
        finally:
            browser.close()
