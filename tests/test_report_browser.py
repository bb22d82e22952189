"""The HTML report in a real browser: Debian's Chromium, headless, opens the page written by
`claims report --format html` with no console errors and nothing fetched, and shows the charts.

Skips when Chromium is not installed, except in CI (``CI`` set), where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path

import pytest

from test_report import add, resolve, speaker

from recording import reviewed_long_ago  # noqa: F401  (a fixture)


@pytest.fixture(autouse=True)
def _reviewed_long_ago(reviewed_long_ago):
    """These ledgers are reviewed as on 2000-01-01: every report below, as of a later date, sees
    every verdict (the tests of --as-of itself set the clock themselves)."""


pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@pytest.fixture
def backend() -> str:
    """The page does not depend on the database; the report's numbers are tested on both elsewhere."""
    return "sqlite"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        reason = f"headless Chromium is not installed ({CHROMIUM}, {CHROMEDRIVER}): apt-get install chromium chromium-driver"
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must run the browser test")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--window-size=1280,1600",
                     f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture
def page(cli, tmp_path) -> Path:
    """A speaker with stated and hedged forecasts over three years, some late, one still open."""
    speaker(cli, "Elon Musk")
    plan = [
        ("2017-01-01", "2017-12-31", 0.9, None, "false", None),
        ("2018-01-01", "2018-12-31", 0.8, None, "true", "2018-06-01"),
        ("2018-02-01", "2018-12-31", None, "very likely", "true", "2019-08-01"),
        ("2019-01-01", "2019-12-31", 0.7, None, "true", "2019-10-01"),
        ("2019-02-01", "2019-12-31", None, "is likely to achieve", "false", None),
        ("2020-01-01", "2020-12-31", 0.3, None, "false", None),
    ]
    for said, deadline, p, words, outcome, occurred in plan:
        resolve(cli, add(cli, "Elon Musk", said, deadline, probability=p, confidence=words, tags=("autonomy",)), outcome, occurred)
    add(cli, "Elon Musk", "2021-01-01", "2021-12-31")  # overdue: censored in the lateness curve
    out = tmp_path / "musk.html"
    result = cli("report", "--speaker", "Elon Musk", "--as-of", "2023-01-01", "--format", "html", "--out", out)
    assert result.status == 0, result.err
    return out


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_the_page_opens_offline_with_its_charts(browser, page, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get_log("browser")  # start with an empty console
    browser.get(page.as_uri())

    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    # Nothing was fetched: no script, style sheet, font or image outside the file itself.
    assert browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)") == []

    assert browser.title == "Prediction accuracy: Elon Musk"
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert [c.get_attribute("aria-label") for c in charts] == [
        "Calibration: Elon Musk", "Hit rate over time: Elon Musk", "Lateness: Elon Musk"]
    for chart in charts:
        # Drawn at a readable size, with the chart's own title element and real content inside.
        assert chart.size["width"] > 300 and chart.size["height"] > 200
        assert chart.find_element(By.TAG_NAME, "title").get_attribute("textContent") == chart.get_attribute("aria-label")
        assert len(chart.find_elements(By.CSS_SELECTOR, "line, polyline, polygon, circle, text")) > 20

    summary = browser.find_elements(By.CSS_SELECTOR, "table.summary tbody tr")
    assert len(summary) == 1
    cells = [td.text for td in summary[0].find_elements(By.TAG_NAME, "td")]
    # 6 scored (the open one is overdue), 2 true by the deadline (2018 and 2019; one true was late).
    assert cells[:8] == ["Elon Musk", "7", "0", "1", "6", "6", "2", "33.3%"]
    buckets = browser.find_elements(By.CSS_SELECTOR, "table.calibration tbody tr")
    assert len(buckets) == 11
    years = [tr.find_element(By.TAG_NAME, "td").text for tr in browser.find_elements(By.CSS_SELECTOR, "table.by-year tbody tr")]
    assert years == ["2017", "2018", "2019", "2020", "2021"]

    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot))
    data = shot.read_bytes()
    width, height = _png_size(data)
    assert (width, height) >= (800, 600)
    assert len(data) > 50_000  # a page of tables and three charts, not a blank window
    keep = os.environ.get("CLAIMS_SCREENSHOT_DIR")
    if keep:  # to look at it: CLAIMS_SCREENSHOT_DIR=/tmp pytest tests/test_report_browser.py
        shutil.copy(shot, Path(keep) / "claims-report.png")
