"""Debian's Chromium driven by Playwright for the pages' browser tests (marker `browser`,
`make test-browser`). Playwright never downloads a browser here: it is given Debian's. Without
Chromium the tests are skipped, and the run's summary ends with a loud banner saying so
(tests/conftest.py; .ci/run installs Chromium where the machine lets it)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# No connection of Chromium's own (updates, sync, safe browsing): this machine has no network but loopback.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# Collects the page's Content-Security-Policy violations (an init script runs beside the page's policy).
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
    (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


def missing_browser() -> str | None:
    if not CHROMIUM.is_file():
        return (f"Chromium is not installed at {CHROMIUM}: the docs and app pages were NOT tested in a browser. "
                "Install it with `apt-get install -y chromium` (.ci/run does).")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing (make install): the pages were NOT tested in a browser."
    return None


@pytest.fixture(scope="session")
def chromium():
    reason = missing_browser()
    if reason is not None:
        pytest.skip(reason)  # said again, loudly, at the end of the run (tests/conftest.py)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
