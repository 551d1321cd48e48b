"""The domain-wide quota reset and the renames, in a browser: from the button on the page to the result message."""

import pytest
from playwright.sync_api import expect

from mailadmin.directory import accounts, aliases

pytestmark = pytest.mark.browser


def test_resetting_a_domains_quotas(signed_in, live_server, directory):
    page = signed_in
    page.set_default_timeout(5000)
    page.goto(f"{live_server.url}/domains/example.test/")
    page.get_by_role("link", name="Reset quotas…").click()
    expect(page.locator("#reset-plan")).to_have_text(
        "3 accounts will be set to the domain default, 500M; 2 have it already.")
    page.get_by_role("button", name="Reset the quotas").click()
    expect(page.locator(".message.success")).to_have_text("Reset 3 accounts of example.test to 500M.")
    assert accounts.get_account(directory, "bob@example.test").quota_kb == 512000


def test_renaming_an_account_keeping_the_old_address(signed_in, live_server, directory):
    page = signed_in
    page.set_default_timeout(5000)
    page.goto(f"{live_server.url}/accounts/alice@example.test/")
    page.get_by_role("link", name="Rename…").click()
    expect(page.locator("#mailbox-note")).to_contain_text("/home/vmail/alice/")
    page.get_by_label("New address", exact=True).fill("alice.new@example.test")
    page.get_by_label("Keep the old address as an alias").check()
    page.get_by_role("button", name="Rename", exact=True).click()
    expect(page.locator(".message.success")).to_have_text("alice@example.test is now alice.new@example.test.")
    expect(page.locator("h1")).to_contain_text("alice.new@example.test")
    assert "alice@example.test" in accounts.get_account(directory, "alice.new@example.test").aliases


def test_renaming_a_virtual_alias(signed_in, live_server, directory):
    page = signed_in
    page.set_default_timeout(5000)
    page.goto(f"{live_server.url}/aliases/team@example.test/")
    page.get_by_role("link", name="Rename virtual alias…").click()
    page.get_by_label("New address of the virtual alias", exact=True).fill("crew@example.test")
    page.get_by_role("button", name="Rename", exact=True).click()
    expect(page.locator(".message.success")).to_have_text("team@example.test is now crew@example.test.")
    assert len(aliases.get_valias(directory, "crew@example.test").members) == 2
