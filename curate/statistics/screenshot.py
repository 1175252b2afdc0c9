"""A picture of the report in headless Chromium (Debian's, driven by Playwright: the dev extra),
for the README and the report's layout tests. Nothing of the page comes from the network, and the
browser is told not to reach it either."""

from __future__ import annotations

from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def launch_chromium(playwright: Any) -> Any:
    """A headless Chromium browser from a started `sync_playwright()`."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def screenshot(page_file: Path, png: Path, width: int = 1400, height: int = 1000) -> Path:
    """The top `width` x `height` pixels of the HTML file `page_file`, as the PNG file `png`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(page_file.resolve().as_uri())
            page.screenshot(path=str(png))
        finally:
            browser.close()
    return png
