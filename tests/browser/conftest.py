"""Playwright driving Debian's Chromium against pytest-django's live server.

Nothing here downloads a browser: Chromium comes from the machine (`apt-get install chromium`),
and the flags keep it from calling any host on the network.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("REMIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# there are ordinary synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def tablet(browser, live_server) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 768, "height": 1024}, base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser, live_server) -> Iterator[object]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        base_url=live_server.url,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def third_party_requests(tablet) -> list[str]:
    """Every request the page makes to a host other than the live server."""
    seen: list[str] = []

    def record(request) -> None:
        if not request.url.startswith(("http://localhost", "http://127.0.0.1", "data:")):
            seen.append(request.url)

    tablet.on("request", record)
    return seen


def sign_in(page, username: str, password: str) -> None:
    """Password, then the authenticator code (a test device is enrolled for the user)."""
    from remit.accounts.models import StaffUser
    from remit.core.tests.factories import totp_code, totp_device

    device = totp_device(StaffUser.objects.get(username=username))
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code from your authenticator app").fill(totp_code(device))
    page.get_by_role("button", name="Continue").click()
