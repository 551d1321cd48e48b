"""After a refused submit: focus is on the first invalid field, a screen reader reads its message (aria-describedby
names an element that exists and holds it), and neither a reload nor opening the URL again lands on a 405."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ADD_ACCOUNT = "/domains/example.test/accounts/add/"
ACCOUNT = "/accounts/alice@example.test/"


def _description(page, field) -> str:
    """The text a screen reader reads as the field's description: every element aria-describedby names."""
    ids = (field.get_attribute("aria-describedby") or "").split()
    assert ids, "the field has no aria-describedby"
    for id_ in ids:
        expect(page.locator(f"#{id_}")).to_have_count(1)
    return " ".join(page.locator(f"#{id_}").inner_text() for id_ in ids)


def test_focus_goes_to_the_first_invalid_field_whose_message_is_read(signed_in, live_server):
    page = signed_in
    page.goto(live_server.url + ADD_ACCOUNT)
    page.get_by_label("Address", exact=True).fill("new.person")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password again").fill("different")
    page.get_by_role("button", name="Create account").click()

    invalid = page.locator("[aria-invalid=true]")
    expect(invalid.first).to_be_visible()
    assert invalid.count() >= 1
    expect(invalid.first).to_be_focused()
    first = invalid.first
    assert first.evaluate("el => el.getBoundingClientRect().top >= 0 && el.getBoundingClientRect().bottom <= innerHeight")
    message = first.locator("xpath=ancestor::div[contains(@class, 'field')]").locator(".error").inner_text()
    assert message and message in _description(page, first)


def test_a_refused_submit_deep_in_the_account_page_focuses_its_field(signed_in, live_server):
    page = signed_in
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + ACCOUNT)
    quota = page.locator("section[aria-labelledby=quota-h]")
    quota.get_by_label("Quota").fill("lots")
    quota.get_by_role("button", name="Set quota").click()

    field = page.locator("section[aria-labelledby=quota-h]").get_by_label("Quota")
    expect(field).to_be_focused()
    expect(field).to_be_in_viewport()
    assert "quota" in _description(page, field).lower()


def test_neither_a_reload_nor_the_url_again_after_a_refused_submit_gives_a_405(signed_in, live_server):
    page = signed_in
    page.goto(live_server.url + ACCOUNT)
    page.locator("section[aria-labelledby=quota-h]").get_by_label("Quota").fill("lots")
    page.get_by_role("button", name="Set quota").click()
    expect(page.locator("[aria-invalid=true]")).to_have_count(1)
    refused_at = page.url

    reloaded = page.reload()
    assert reloaded.status != 405
    expect(page.get_by_role("heading", level=1)).to_contain_text("alice@example.test")

    opened = page.goto(refused_at)
    assert opened.status == 200 and page.url == live_server.url + ACCOUNT
    expect(page.get_by_role("heading", level=1)).to_contain_text("alice@example.test")


def test_a_refused_new_account_stays_at_its_own_url(signed_in, live_server):
    page = signed_in
    page.goto(live_server.url + ADD_ACCOUNT)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("[aria-invalid=true]").first).to_be_focused()
    expect(page).to_have_url(re.compile(re.escape(ADD_ACCOUNT) + "$"))
    assert page.reload().status == 200
