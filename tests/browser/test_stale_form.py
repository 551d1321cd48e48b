"""Two people edit the same account at once: the second save never overwrites the first."""

import pytest
from playwright.sync_api import expect

from mailadmin.directory import accounts

pytestmark = pytest.mark.browser

ADDRESS = "alice@example.test"


def _edit_form(page):
    return page.locator("section[aria-labelledby=edit-h]")


def test_a_stale_edit_form_is_refused_and_keeps_what_was_typed(signed_in, second_page, live_server, screenshot,
                                                                 directory):
    page_a, page_b = signed_in, second_page
    for page in (page_a, page_b):
        page.set_default_timeout(5000)
        page.goto(f"{live_server.url}/accounts/{ADDRESS}/")

    _edit_form(page_a).get_by_label("Display name").fill("Alice from A")
    _edit_form(page_a).get_by_role("button", name="Save").click()
    expect(page_a.locator(".message.success")).to_have_text(f"Saved {ADDRESS}.")

    _edit_form(page_b).get_by_label("Display name").fill("Alice from B")
    _edit_form(page_b).get_by_label("Last name").fill("Typed-by-B")
    _edit_form(page_b).get_by_role("button", name="Save").click()
    expect(page_b.locator(".message.error")).to_have_text("Nothing was changed: see the form below.")
    expect(_edit_form(page_b).get_by_role("alert")).to_contain_text("Someone else changed this entry")
    expect(page_b.locator("section[aria-labelledby=glance]")).to_contain_text("Alice from A")  # the current values
    expect(_edit_form(page_b).get_by_role("note")).to_contain_text("Alice from A")  # next to the form, too
    expect(_edit_form(page_b).get_by_label("Display name")).to_have_value("Alice from B")  # what B typed
    expect(_edit_form(page_b).get_by_label("Last name")).to_have_value("Typed-by-B")
    screenshot("stale-form-refused", of=page_b)
    alice = accounts.get_account(directory, ADDRESS)
    assert (alice.name, alice.last_name) == ("Alice from A", "Martin")

    # Having seen A's change, B saves again on purpose: now it applies.
    _edit_form(page_b).get_by_role("button", name="Save").click()
    expect(page_b.locator(".message.success")).to_have_text(f"Saved {ADDRESS}.")
    assert accounts.get_account(directory, ADDRESS).name == "Alice from B"


def test_aliases_forwards_quota_and_status_are_edited_once_and_a_stale_name_form_keeps_a_card_change(
        signed_in, second_page, live_server, directory):
    page_a, page_b = signed_in, second_page
    for page in (page_a, page_b):
        page.set_default_timeout(5000)
        page.goto(f"{live_server.url}/accounts/{ADDRESS}/")
    for label in ("Aliases", "Forward to", "Quota", "Enabled (receives mail, may sign in)"):
        expect(_edit_form(page_b).get_by_label(label, exact=True)).to_have_count(0)  # only in their own cards

    page_a.locator("section[aria-labelledby=aliases-h]").get_by_label("New alias").fill("added.by.a@example.test")
    page_a.get_by_role("button", name="Add alias").click()
    expect(page_a.locator(".message.success")).to_have_text("Added added.by.a@example.test.")

    _edit_form(page_b).get_by_label("Display name").fill("Alice from B")
    _edit_form(page_b).get_by_role("button", name="Save").click()
    expect(_edit_form(page_b).get_by_role("alert")).to_contain_text("Someone else changed this entry")
    _edit_form(page_b).get_by_role("button", name="Save").click()
    expect(page_b.locator(".message.success")).to_have_text(f"Saved {ADDRESS}.")
    alice = accounts.get_account(directory, ADDRESS)
    assert alice.name == "Alice from B" and "added.by.a@example.test" in alice.aliases  # A's alias was not undone
    assert (alice.quota_kb, alice.enabled, alice.forwards) == (512000, True, ())
