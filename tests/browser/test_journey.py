"""The whole life of an account, driven through the console in a real browser, as a postmaster would."""

import re

import pytest
from playwright.sync_api import expect

from mailadmin.directory import accounts, domains

pytestmark = pytest.mark.browser

ADDRESS = "jane@journey.test"


def _section(page, heading_id: str):
    """One section of the account page, by the id of its heading (several forms there have a "Quota" field)."""
    return page.locator(f"section[aria-labelledby={heading_id}]")


def _add_domain(page, live_server, screenshot) -> None:
    page.goto(live_server.url + "/domains/add/")
    page.get_by_label("Domain name").fill("Journey.test")
    page.get_by_label("Description").fill("Where the journey happens")
    page.get_by_label("Default quota for new accounts").fill("300M")
    page.get_by_role("button", name="Add the domain").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("journey.test")
    expect(page.locator(".message.success")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("300M")
    screenshot("journey-01-domain")


def _add_account(page, screenshot) -> None:
    page.get_by_role("link", name="Add an account").click()
    expect(page.get_by_label("Quota")).to_have_value("300M")  # the domain default, prefilled
    page.get_by_label("Address", exact=True).fill("jane")
    page.get_by_label("First name").fill("Jane")
    page.get_by_label("Last name").fill("Doe")
    page.get_by_label("Password", exact=True).fill("journey-password-1")
    page.get_by_label("Password again").fill("journey-password-1")
    page.get_by_label("Aliases").fill("j.doe@journey.test")
    page.get_by_label("Forward to").fill("jane@external.test")
    page.get_by_label("Keep a copy in this mailbox").check()
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".message.success")).to_have_text(f"Created {ADDRESS}.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(ADDRESS)
    expect(_section(page, "aliases-h")).to_contain_text("j.doe@journey.test")
    expect(_section(page, "forwards-h")).to_contain_text("jane@external.test")
    expect(page.locator(".route")).to_contain_text("a copy is kept in the mailbox")
    screenshot("journey-02-account")


def _change_quota(page, screenshot) -> None:
    quota = _section(page, "quota-h")
    quota.get_by_label("Quota").fill("1.5G")
    quota.get_by_role("button", name="Set quota").click()
    expect(page.locator(".message.success")).to_have_text(f"The quota of {ADDRESS} is now 1.5G.")
    expect(_section(page, "quota-h").get_by_label("Quota")).to_have_value("1.5G")
    _section(page, "quota-h").get_by_role("button", name="Set to the domain default (300M)").click()
    expect(page.locator(".message.success")).to_have_text(f"The quota of {ADDRESS} is now 300M.")
    expect(_section(page, "glance")).to_contain_text("300M")
    screenshot("journey-03-quota")


def _disable(page, screenshot) -> None:
    page.get_by_role("link", name="Disable account…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Disable {ADDRESS}?")
    page.get_by_role("button", name="Disable account").click()
    expect(page.locator(".message.warning")).to_have_text(f"{ADDRESS} is disabled: its mail now bounces.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("disabled")
    expect(page.locator(".route")).to_contain_text("bounces")
    screenshot("journey-04-disabled")


def _search_and_route(page, live_server, screenshot) -> None:
    page.goto(live_server.url + "/")
    search_box = page.get_by_role("searchbox", name="Search address, alias, name or login")
    search_box.fill("j.doe@journey.test")  # an alias: the single hit is the account, shown at its primary address
    search_box.press("Enter")
    expect(page).to_have_url(re.compile(rf"/accounts/{re.escape(ADDRESS)}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(ADDRESS)

    page.get_by_role("link", name="Route").click()
    page.get_by_label("Address", exact=True).fill(ADDRESS)
    page.get_by_role("button", name="Follow").click()
    expect(page).to_have_url(re.compile(r"/route/\?address="))
    expect(page.locator(".verdict")).to_have_class(re.compile(r"\bbad\b"))
    expect(page.locator(".step.bounced")).to_contain_text("disabled")
    screenshot("journey-05-route")


def _remove(page, live_server, screenshot) -> None:
    page.goto(f"{live_server.url}/accounts/{ADDRESS}/")
    page.get_by_role("link", name="Remove account…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Remove {ADDRESS}?")
    expect(page.get_by_text("j.doe@journey.test")).to_be_visible()  # the aliases that go with it
    screenshot("journey-06-confirm-remove")
    page.get_by_role("button", name="Remove", exact=True).click()
    expect(page.locator(".message.success")).to_have_text(f"Removed {ADDRESS}.")
    expect(page.get_by_role("heading", level=1)).to_have_text("journey.test")
    expect(page.get_by_text("No accounts in this domain yet.")).to_be_visible()
    screenshot("journey-07-removed")


def test_an_account_lives_and_dies_through_the_console(signed_in, live_server, screenshot, directory):
    page = signed_in
    page.set_default_timeout(5000)  # every step is a local page load: fail fast instead of after 30 s
    _add_domain(page, live_server, screenshot)
    _add_account(page, screenshot)
    _change_quota(page, screenshot)
    _disable(page, screenshot)
    # Between the steps the directory holds what the pages said: checked once here, before the removal.
    jane = accounts.get_account(directory, ADDRESS)
    assert (jane.name, jane.enabled, jane.quota_kb) == ("Jane Doe", False, 300 * 1024)
    assert jane.aliases == ("j.doe@journey.test",)
    assert set(jane.forwards) == {"jane@external.test", ADDRESS}  # forward, and the copy kept
    _search_and_route(page, live_server, screenshot)
    _remove(page, live_server, screenshot)
    assert accounts.get_account(directory, ADDRESS) is None
    assert accounts.get_account(directory, "j.doe@journey.test") is None
    domain = domains.get_domain(directory, "journey.test")
    assert (domain.description, domain.default_quota_kb) == ("Where the journey happens", 300 * 1024)
