"""The user journeys in a real browser: headless Debian chromium driving the running dashboard.

The dashboard runs as `streamlit run dashboard.py` on a small demo store; playwright clicks what a
CX lead clicks and checks what they must then see. Screenshots of every page go to
tests/screenshots/ (git-ignored) for people to look at.

Under CI=true a missing chromium fails these tests: they must not be skipped there.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cxdata import formatting, ui
from cxdata.filters import Filters
from cxdata.queries import service
from cxdata.store import Store
from tests import browser_support as bs

# about 30 000 answers: big enough for every page to have numbers, small enough to start quickly
DEMO_RESPONSES = 30_000
PAGES = [
    # (sidebar label, page heading, screenshot name)
    ("Overview", "Customer experience at a glance", "01_overview"),
    ("NPS trends", "NPS trends", "02_nps_trends"),
    ("Touchpoints", "Touchpoint performance", "03_touchpoints"),
    ("Journey", "Customer journey", "04_journey"),
    ("Service", "Service", "05_service"),
    ("Data", "Data", "06_data"),
]


@pytest.fixture(scope="session")
def chromium_ready() -> None:
    reason = bs.chromium_missing_reason()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"The browser tests must run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def demo_stores(tmp_path_factory, chromium_ready) -> dict[str, str]:
    """One demo store built once, and a copy of it for the journey that writes (the import), made
    while no dashboard holds either."""
    from cxdata import demo

    folder = tmp_path_factory.mktemp("browser")
    path = str(folder / "demo.duckdb")
    with Store(path) as store:
        demo.build_demo(store, responses=DEMO_RESPONSES)
    copy = str(folder / "demo-for-import.duckdb")
    shutil.copyfile(path, copy)
    return {"read": path, "write": copy}


@pytest.fixture(scope="session")
def demo_database(demo_stores) -> str:
    return demo_stores["read"]


@pytest.fixture
def demo_copy(demo_stores) -> str:
    return demo_stores["write"]


def default_period(database: str) -> tuple[dt.date, dt.date]:
    """The period the dashboard opens with: the last DEFAULT_WINDOW_DAYS days of the data."""
    with Store(database) as store:
        last_day = store.query_value("select last_day from data_span")
    return last_day - dt.timedelta(days=ui.DEFAULT_WINDOW_DAYS - 1), last_day


def cli_kpis(database: str, *args: str) -> dict:
    """What `python -m cxdata kpis --json` prints: the figures the dashboard must show."""
    done = subprocess.run(
        [sys.executable, "-m", "cxdata", "--db", database, "kpis", "--json", *args],
        cwd=bs.ROOT, capture_output=True, text=True, timeout=120, check=True,
    )
    return json.loads(done.stdout)["kpis"]


def segment_of(database: str) -> str:
    """The smallest segment: choosing it moves the KPIs visibly."""
    with Store(database) as store:
        return store.query_value(
            "select segment from response_facts where segment is not null group by segment order by count(*), segment limit 1"
        )


@pytest.fixture(scope="session")
def journey_facts(demo_database) -> dict:
    """Everything the journey checks, computed before the dashboard holds the store."""
    first, last = default_period(demo_database)
    segment = segment_of(demo_database)
    period = ["--from", first.isoformat(), "--to", last.isoformat()]
    with Store(demo_database) as store:
        by_category = service.service_metrics(store, Filters(first, last), 10, "category", "total")
    fcr = by_category[(by_category["metric"] == "fcr") & ~by_category["suppressed"]].sort_values("value")
    return {
        "from": first,
        "to": last,
        "segment": segment,
        "all": cli_kpis(demo_database, *period),
        "segment_kpis": cli_kpis(demo_database, *period, "--segment", segment),
        "worst_fcr_category": fcr.iloc[0]["group_value"],
    }


@pytest.fixture(scope="session")
def app(demo_database, journey_facts, tmp_path_factory):
    with bs.running_app(demo_database, tmp_path_factory.mktemp("logs")) as running:
        yield running


@pytest.fixture(scope="session")
def browser(chromium_ready):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = bs.launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, app):
    context = browser.new_context(viewport=bs.VIEWPORT, locale="de-DE", timezone_id="Europe/Berlin")
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


# -- helpers ---------------------------------------------------------------------------------
def nps_tile_text(kpi: dict) -> str:
    """The Overview's NPS tile as it writes a value: signed, one decimal, ± the margin."""
    text = formatting.format_kpi("nps", kpi["value"])
    return text if kpi["suppressed"] else f"{text} ± {kpi['margin_of_error']:.1f}"


def tile_value(page, label: str) -> str:
    tile = page.locator('[data-testid="stMetric"]', has=page.locator('[data-testid="stMetricLabel"]', has_text=label)).first
    return tile.locator('[data-testid="stMetricValue"]').inner_text().strip()


def click_mark(page, mark) -> None:
    """Click the middle of a chart mark where the user would; by coordinates, since Vega's
    invisible voronoi layer lies on top of points."""
    mark.scroll_into_view_if_needed()
    box = mark.bounding_box()
    assert box, "the mark is not drawn"
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    bs.settle(page)


def chart_with(page, text: str):
    """The Vega chart whose accessible description mentions `text` (axis titles, field names)."""
    return page.locator('[data-testid="stVegaLiteChart"]', has=page.locator(f"svg [aria-label*={json.dumps(text)}]")).first


def assert_no_error(page, where: str) -> None:
    problems = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]')
    assert problems.count() == 0, f"{where}: {problems.first.inner_text()}"


def choose_in_multiselect(page, label: str, option: str) -> None:
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]', has_text=label).first
    box.locator("input").click()
    page.locator('[role="option"]', has_text=option).first.click()
    page.keyboard.press("Escape")
    bs.settle(page)


# -- the journeys ------------------------------------------------------------------------------
def test_cx_lead_journey_through_every_page_with_drill_down_and_filter(page, app, journey_facts):
    # start on the Overview, in the default period the filters open with
    page.goto(app.url)
    bs.settle(page)
    assert page.locator("[data-testid=stMain] h1").first.inner_text() == "Customer experience at a glance"
    assert f"from={journey_facts['from'].isoformat()}" in page.url and f"to={journey_facts['to'].isoformat()}" in page.url
    assert tile_value(page, "NPS") == nps_tile_text(journey_facts["all"]["nps"])
    assert_no_error(page, "Overview")
    bs.screenshot(page, PAGES[0][2])

    # every page opens without an error
    for label, heading, name in PAGES[1:]:
        bs.open_page(page, label, heading)
        assert_no_error(page, label)
        bs.screenshot(page, name)

    # NPS trends: click a period in the trend, see its promoter/passive/detractor mix, then its answers
    bs.open_page(page, "NPS trends", "NPS trends")
    trend = chart_with(page, "95 % range")
    points = trend.locator("svg [aria-roledescription='point']")
    assert points.count() > 1
    click_mark(page, points.nth(points.count() - 2))
    assert "period=" in page.url
    page.get_by_text("Who made up the score").first.wait_for()
    mix = chart_with(page, "Share of answers")
    bars = mix.locator("svg [aria-roledescription='bar'][aria-label*='Detractors (0–6)']")
    assert bars.count() >= 1
    click_mark(page, bars.first)
    assert "split_value=" in page.url
    page.get_by_text("The answers behind it").first.wait_for()
    answers = page.locator('[data-testid="stDataFrame"]').first
    answers.wait_for()
    assert_no_error(page, "NPS trends drill-down")
    bs.screenshot(page, "07_nps_trends_drill")

    # Service: the demo's planted story (Billing fails at first contact) is named; click the Billing bar,
    # see its tickets over time and their list
    assert journey_facts["worst_fcr_category"] == "Billing"
    bs.open_page(page, "Service", "Service")
    page.get_by_text("Category Billing has the lowest first contact resolution").first.wait_for()
    group_bars = chart_with(page, "group_value: Billing;")
    click_mark(page, group_bars.locator("svg [aria-roledescription='bar'][aria-label*='group_value: Billing;']").first)
    assert "service_group=Billing" in page.url
    page.get_by_text("Category Billing: tickets per week").first.wait_for()
    page.get_by_text("Tickets of category Billing").first.wait_for()
    assert_no_error(page, "Service drill-down")
    bs.screenshot(page, "08_service_drill")

    # a filter changes the KPI to what the command line gives for it
    bs.open_page(page, "Overview", "Customer experience at a glance")
    before = tile_value(page, "NPS")
    choose_in_multiselect(page, "Segment", journey_facts["segment"])
    assert f"segment={journey_facts['segment']}" in page.url.replace("%20", " ").replace("+", " ")
    expected = nps_tile_text(journey_facts["segment_kpis"]["nps"])
    page.wait_for_function(
        """([label, wanted]) => [...document.querySelectorAll('[data-testid=stMetric]')].some(
            m => m.innerText.includes(label) && m.querySelector('[data-testid=stMetricValue]').innerText.trim() === wanted)""",
        arg=["NPS", expected],
        timeout=30_000,
    )
    assert tile_value(page, "NPS") == expected != before
    assert_no_error(page, "Overview with a segment")
    bs.screenshot(page, "09_overview_segment")


def german_survey_csv(first: dt.date, last: dt.date, rows: int = 40) -> tuple[bytes, list[int]]:
    """A survey export as German Excel writes it: `;`-separated, cp1252, dd.mm.yyyy dates, German
    headers, € and umlauts in the comments; all on the channel "Messe" (trade fair), which the demo
    data does not have, so a channel filter isolates exactly these rows."""
    rng = random.Random(7)
    comments = [
        "Sehr freundliche Beratung am Stand, gerne wieder!",
        "Preis von 12,50 € für die Lieferung ist zu hoch.",
        "Größere Auswahl wäre schön; sonst alles prima.",
        "Wartezeit über 20 Minuten, das ärgert mich.",
        "",
    ]
    scores, lines = [], ["Datum;Kanal;Weiterempfehlung;Kommentar"]
    span = (last - first).days
    for _ in range(rows):
        day = first + dt.timedelta(days=rng.randrange(1, span))
        score = rng.randrange(0, 11)
        comment = rng.choice(comments)
        scores.append(score)
        quoted = f'"{comment}"' if ";" in comment else comment
        lines.append(f"{day:%d.%m.%Y};Messe;{score};{quoted}")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252"), scores


def nps_text_of(scores: list[int]) -> str:
    """NPS ± its 95 % margin, computed here from the scores (docs/METRICS.md), as the tile writes it."""
    n = len(scores)
    p = sum(score >= 9 for score in scores) / n
    d = sum(score <= 6 for score in scores) / n
    margin = 1.96 * 100 * math.sqrt(((p + d) - (p - d) ** 2) / n)
    return f"{formatting.format_kpi('nps', 100 * (p - d))} ± {margin:.1f}"


def test_upload_german_csv_shows_on_overview(browser, demo_copy, journey_facts, tmp_path):
    content, scores = german_survey_csv(journey_facts["from"], journey_facts["to"])
    before_n = journey_facts["all"]["nps"]["n"]
    with bs.running_app(demo_copy, tmp_path) as app:
        context = browser.new_context(viewport=bs.VIEWPORT, locale="de-DE", timezone_id="Europe/Berlin")
        page = context.new_page()
        page.set_default_timeout(60_000)
        try:
            page.goto(app.url)
            bs.settle(page)
            bs.open_page(page, "Data", "Data")
            page.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files(
                files=[{"name": "Umfrage_Messe.csv", "mimeType": "text/csv", "buffer": content}]
            )
            bs.settle(page)
            page.get_by_text("semicolon-separated").first.wait_for()
            page.get_by_text("CP1252").first.wait_for()
            page.locator("button", has_text="Check all rows").first.click()
            bs.settle(page)
            assert tile_value(page, "Would load") == str(len(scores))
            assert tile_value(page, "Rejected") == "0"
            bs.screenshot(page, "10_data_upload_checked")
            page.locator("button", has_text=f"Import {len(scores)} rows").first.click()
            bs.settle(page)
            page.get_by_text("Imported Umfrage_Messe.csv").first.wait_for()
            assert_no_error(page, "Data after the import")
            bs.screenshot(page, "11_data_imported")

            # the Overview counts the new answers at once, and a channel filter isolates exactly them
            bs.open_page(page, "Overview", "Customer experience at a glance")
            page.get_by_text(f"n = {formatting.format_count(before_n + len(scores))} answers", exact=True).first.wait_for()
            choose_in_multiselect(page, "Channel", "Messe")
            page.get_by_text(f"n = {len(scores)} answers", exact=True).first.wait_for()
            assert tile_value(page, "NPS") == nps_text_of(scores)
            assert_no_error(page, "Overview after the import")
            bs.screenshot(page, "12_overview_imported_channel")
        finally:
            context.close()


def test_deep_links_as_first_request_run_the_shell_and_keep_an_upload(browser, demo_copy, tmp_path):
    """Streamlit runs a page alone until dashboard.py has once called st.navigation: a copied link
    opened as the very first request after start must still show the filters it carries, and an
    upload on a page reached that way must not be lost."""
    content, scores = german_survey_csv(dt.date(2026, 10, 1), dt.date(2026, 10, 31), rows=12)
    for link, heading in (("/nps_trends?from=2026-08-01&to=2026-10-31&channel=app", "NPS trends"), ("/data", "Data")):
        with bs.running_app(demo_copy, tmp_path) as app:
            context = browser.new_context(viewport=bs.VIEWPORT, locale="de-DE", timezone_id="Europe/Berlin")
            page = context.new_page()
            page.set_default_timeout(90_000)
            try:
                page.goto(app.url + link)
                page.wait_for_function(
                    "h => [...document.querySelectorAll('[data-testid=stMain] h1')].some(e => e.innerText.includes(h))",
                    arg=heading,
                )
                bs.settle(page)
                sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
                assert "Filters" in sidebar and "Analysis" in sidebar, sidebar
                if heading == "NPS trends":
                    chips = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelectTagsContainer"] [aria-label="app"]')
                    assert chips.count() == 1
                    assert "channel=app" in page.url and "from=2026-08-01" in page.url
                else:
                    page.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files(
                        files=[{"name": "Umfrage.csv", "mimeType": "text/csv", "buffer": content}]
                    )
                    bs.settle(page)
                    page.get_by_text("semicolon-separated").first.wait_for()
                assert_no_error(page, link)
            finally:
                context.close()


@pytest.mark.parametrize("ci, outcome", [("true", "2 errors"), ("", "2 skipped")])
def test_browser_tests_fail_in_ci_when_chromium_is_missing_and_skip_elsewhere(ci, outcome, tmp_path):
    env = {**os.environ, "CI": ci, "CX_CHROMIUM": str(tmp_path / "no-chromium")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_browser.py", "-k", "cx_lead_journey or german_csv"],
        cwd=bs.ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    summary = done.stdout.strip().splitlines()[-1]
    assert outcome in summary, done.stdout[-2000:]
    if ci:
        assert done.returncode != 0 and "The browser tests must run in CI" in done.stdout
    else:
        assert done.returncode == 0 and "Debian chromium is not installed" in done.stdout
