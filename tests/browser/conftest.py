"""What every browser test shares: Debian's Chromium, driven by Playwright, one launch per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Chromium for the module's tests. A missing Chromium fails them: `make test` installs it, and a skipped
    walk would hide a broken page. Module-scoped, since tests that start Playwright themselves cannot run
    while another module's instance is open."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run make install system-packages (apt-get install chromium)")
    with playwright_sync.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
