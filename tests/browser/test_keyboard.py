"""Keyboard and screen-reader smoke test: labels, the skip link, visible focus."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ADD_ACCOUNT = "/domains/example.test/accounts/add/"
FOCUS_OUTLINE = "el => { const s = getComputedStyle(el); return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0; }"


def test_every_field_of_the_new_account_form_has_a_label(signed_in, live_server):
    page = signed_in
    page.goto(live_server.url + ADD_ACCOUNT)
    fields = page.locator("main form").locator("input:not([type=hidden]), textarea, select")
    assert fields.count() == 11
    for field in fields.all():
        field_id = field.get_attribute("id")
        label = page.locator(f"label[for='{field_id}']").inner_text()
        found = page.locator("main").get_by_label(label, exact=True)
        assert found.count() == 1 and found.get_attribute("id") == field_id, label


def test_the_skip_link_comes_first_and_focus_is_visible(signed_in, live_server):
    page = signed_in
    page.goto(live_server.url + ADD_ACCOUNT)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    assert skip.evaluate(FOCUS_OUTLINE)
    box = skip.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0  # moved on screen once focused
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")

    address = page.get_by_label("Address", exact=True)
    address.focus()
    assert address.evaluate(FOCUS_OUTLINE)
    button = page.get_by_role("button", name="Create account")
    button.focus()
    assert button.evaluate(FOCUS_OUTLINE)


def test_each_label_of_the_account_page_points_at_its_own_field(signed_in, live_server):
    page = signed_in
    page.goto(live_server.url + "/accounts/bob@example.test/")
    ids = page.locator("[id]").evaluate_all("els => els.map(el => el.id)")
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    forward = page.locator("section[aria-labelledby=forwards-h]").get_by_label("Forward to")
    assert forward.get_attribute("name") == "address"
