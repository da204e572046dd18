"""Headless Chromium (Debian's build) driven by Playwright, for the tests that click through consent pages."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium() -> Iterator[Any]:
    """A launched Chromium browser; skips without Playwright or Chromium, but fails when CI=true."""
    executable = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        sync_playwright = None  # type: ignore[assignment]
    missing = "chromium is not installed (apt-get install chromium)" if executable is None else None
    if sync_playwright is None:
        missing = "playwright is not installed"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the browser test must run under CI: {missing}")
        pytest.skip(missing)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def grant_hubspot(browser: Any, url: str, portal_id: int, redirect: str, scope: str) -> str:
    """Open the HubSpot consent page at ``url``, check it asks for ``scope``, pick the portal and click
    Grant; returns the URL the browser lands on (``redirect?code=…&state=…``)."""
    page = browser.new_page()
    try:
        page.goto(url)
        assert scope in page.content()
        page.select_option("select[name=portal_id]", str(portal_id))
        page.get_by_role("button", name="Grant access").click()
        page.wait_for_url(f"{redirect}?*")
        return str(page.url)
    finally:
        page.close()
