"""The published site in a real browser: Debian's Chromium, headless, opens index.html from disk,
follows links to a speaker's page and to a claim's, finds no console error and no request leaving
the folder, reads the claim's ClaimReview JSON-LD, and the screenshots are not blank.

Skips when Chromium is not installed, except in CI (``CI`` set), where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from pathlib import Path

import pytest

from test_publish import REVIEW_KEYS, ledger_to_publish  # noqa: F401  (a fixture)
from test_report_browser import CHROMEDRIVER, CHROMIUM, browser  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def backend() -> str:
    """The pages do not depend on the database; their content is tested on both in test_publish."""
    return "sqlite"


@pytest.fixture
def site(cli, ledger_to_publish, tmp_path) -> Path:
    out = tmp_path / "site"
    result = cli("publish", "--out", out, "--publisher", "Example News", "--base-url", "https://example.org/tracker")
    assert result.status == 0, result.err
    return out


def _pixels(png: bytes) -> set[bytes]:
    """The distinct RGB(A) pixel values of a screenshot (8-bit, no interlace, as Chromium writes them)."""
    width, height, depth, kind = struct.unpack(">IIBB", png[16:26])
    assert depth == 8 and kind in (2, 6)
    size = 3 if kind == 2 else 4
    chunks, at = [], 8
    while at < len(png):
        length, name = struct.unpack(">I4s", png[at:at + 8])
        if name == b"IDAT":
            chunks.append(png[at + 8:at + 8 + length])
        at += 12 + length
    raw = zlib.decompress(b"".join(chunks))
    stride = width * size + 1
    # Filter bytes make rows differ from their pixels, but a blank page still decodes to few values.
    return {raw[y * stride + 1 + x * size: y * stride + 1 + (x + 1) * size] for y in range(0, height, 7) for x in range(0, width, 7)}


def _check_page(browser, folder: Path, shot: Path) -> None:
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    fetched = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert all(name.startswith(folder.as_uri()) for name in fetched), fetched  # nothing leaves the folder
    assert browser.save_screenshot(str(shot))
    data = shot.read_bytes()
    assert len(_pixels(data)) > 2, "a blank page"
    keep = os.environ.get("CLAIMS_SCREENSHOT_DIR")
    if keep:  # to look: CLAIMS_SCREENSHOT_DIR=/tmp pytest tests/test_publish_browser.py
        shutil.copy(shot, Path(keep) / f"claims-site-{shot.name}")


def test_the_site_opens_from_disk_and_its_links_lead_to_a_speaker_and_a_claim(browser, site, ledger_to_publish, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get_log("browser")
    browser.get((site / "index.html").as_uri())
    assert browser.title == "Track records · Prediction track records"
    _check_page(browser, site, tmp_path / "index.png")

    browser.find_element(By.LINK_TEXT, "Elon Musk").click()
    assert browser.current_url == (site / "speakers" / "elon-musk.html").as_uri()
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert len(charts) == 3 and all(c.size["width"] > 300 for c in charts)
    _check_page(browser, site, tmp_path / "speaker.png")

    first = ledger_to_publish["first"]
    browser.find_element(By.CSS_SELECTOR, f'table.track-record a[href="../claims/{first}.html"]').click()
    assert browser.current_url == (site / "claims" / f"{first}.html").as_uri()
    _check_page(browser, site, tmp_path / "claim.png")
    review = browser.execute_script(
        "return JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)")
    assert set(review) == REVIEW_KEYS
    assert review["itemReviewed"]["author"] == {"@type": "Person", "name": "Elon Musk"}
    assert set(review["reviewRating"]) == {"@type", "ratingValue", "bestRating", "worstRating", "alternateName"}
    assert review["url"] == f"https://example.org/tracker/claims/{first}.html"
    # Back to the index through the page's own navigation.
    browser.find_element(By.LINK_TEXT, "Prediction track records").click()
    assert browser.current_url == (site / "index.html").as_uri()
