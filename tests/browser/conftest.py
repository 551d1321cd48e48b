"""Browser tests: Playwright drives Debian's Chromium (no `playwright install`) against live_server."""

import base64
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PASSWORD = "browser-password-1"


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under var/screenshots/ (not committed); returns its path.
    `of=` another page (a second browser context) instead of the test's `page`."""

    def take(name: str, of=None) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        (of or page).screenshot(path=str(path), full_page=True)
        return path

    return take


def code_from_key(secret_text: str, step_offset: int = 0) -> str:
    """What an authenticator app computes from the key the enrolment page shows as text."""
    key = secret_text.replace(" ", "")
    return f"{hotp(base64.b32decode(key + '=' * (-len(key) % 8)), int(time.time()) // 30 + step_offset):06d}"


def totp_code(username: str) -> str:
    """The code the user's authenticator shows, for the next step its device has not used (a second sign-in within
    one 30-second step takes the next step's code, which the one step of drift tolerated accepts)."""
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    step = max(int(time.time()) // device.step, device.last_t + 1)
    return f"{hotp(device.bin_key, step):06d}"


def sign_in(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real login form (and the code, for a user with an authenticator); land on the dashboard."""
    page.goto(base_url + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: url.rstrip("/").endswith(("/two-factor/verify", base_url)))
    if "/two-factor/verify/" in page.url:
        page.get_by_label("Code").fill(totp_code(username))
        page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base_url + "/")


@pytest.fixture
def signed_in(live_server, page, transactional_db):
    """A page signed in as a superadmin (enrolled: MFA_REQUIRED_FOR's default) through the real login form."""
    boss = get_user_model().objects.create_superuser("boss", password=PASSWORD)
    TOTPDevice.objects.create(user=boss, name="authenticator", confirmed=True)
    sign_in(page, live_server.url, "boss")
    return page


@pytest.fixture
def second_page(signed_in, live_server, browser):
    """A page in a second browser context (its own cookies: another session) signed in as the same superadmin."""
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live_server.url, "boss")
    yield page
    context.close()
