"""The README's screenshots, taken from the `make run` demo data. They go to var/screenshots/ like every other
screenshot; `UPDATE_SCREENSHOTS=1` writes them into docs/screenshots/ instead, to be committed."""

import os
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS
from tests.conftest import BASE_LDIF, OUS

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
OUS_ONLY = BASE_LDIF.split("\ndn: virtualdomain=")[0]  # the three OUs, empty


@pytest.fixture
def demo_directory(test_directory, settings, tmp_path):
    """The demo data of `make run` in an otherwise empty directory (its password file lands in tmp_path)."""
    for ou in OUS:
        test_directory.delete_tree(ou)
    test_directory.add_ldif(OUS_ONLY)
    settings.BASE_DIR = tmp_path
    (tmp_path / "var").mkdir()
    call_command("demodata", stdout=StringIO())


def _save(page, name: str, *, full_page: bool) -> Path:
    folder = DOCS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else SCREENSHOTS
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def _some_changes(page, base_url: str) -> None:
    """A few changes through the console, so the dashboard has recent changes to show."""
    page.goto(base_url + "/accounts/alice@example.org/")
    page.locator("section[aria-labelledby=aliases-h]").get_by_label("New alias").fill("support@example.org")
    page.get_by_role("button", name="Add alias").click()
    page.locator("section[aria-labelledby=forwards-h]").get_by_label("Forward to").fill("alice.home@mail.example")
    page.get_by_role("button", name="Add forward").click()
    page.goto(base_url + "/accounts/emma@example.org/")
    page.locator("section[aria-labelledby=quota-h]").get_by_label("Quota").fill("2G")
    page.get_by_role("button", name="Set quota").click()
    expect(page.locator(".message.success")).to_be_visible()


def test_it_takes_the_readme_screenshots(signed_in, live_server, demo_directory):
    page = signed_in
    page.set_default_timeout(5000)
    page.set_viewport_size({"width": 1280, "height": 800})
    _some_changes(page, live_server.url)

    page.goto(live_server.url + "/")
    expect(page.locator(".changes tbody tr")).to_have_count(3)
    assert _save(page, "dashboard", full_page=False).stat().st_size > 0

    page.goto(live_server.url + "/domains/example.org/")
    expect(page.locator("table").first.locator("tbody tr")).to_have_count(16)
    assert _save(page, "domain", full_page=True).stat().st_size > 0

    page.goto(live_server.url + "/accounts/alice@example.org/")
    expect(page.locator(".route")).to_contain_text("alice.home@mail.example")
    page.set_viewport_size({"width": 1280, "height": 960})
    assert _save(page, "account", full_page=False).stat().st_size > 0

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/route/?address=" + quote("a.martin@example.org"))
    expect(page.locator(".step")).not_to_have_count(0)
    assert _save(page, "route", full_page=True).stat().st_size > 0

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/domains/example.org/")
    table = page.get_by_role("region", name="Accounts")
    expect(table).to_be_visible()
    # On a phone the key columns (address, status) are in view; the rest scrolls inside the labelled region.
    status = table.locator("tbody tr").first.locator("td").nth(1)
    assert status.bounding_box()["x"] + status.bounding_box()["width"] <= 390
    assert _save(page, "phone-domain", full_page=True).stat().st_size > 0
