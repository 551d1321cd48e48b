"""Browser tests: Playwright drives Debian's Chromium (no `playwright install`) against live_server."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PASSWORD = "browser-password-1"


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under var/screenshots/ (not committed); returns its path."""

    def take(name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def signed_in(live_server, page, transactional_db):
    """A page signed in as a superadmin through the real login form."""
    get_user_model().objects.create_superuser("boss", password=PASSWORD)
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    return page
