"""The remove confirmation of a POSIX person, in a browser: it says only the mail goes, and the default button
does exactly that; deleting the whole entry is a separate button."""

import pytest
from playwright.sync_api import expect

from mailadmin.directory import accounts

pytestmark = pytest.mark.browser

JEANNE = "uid=jeanne,ou=Users,dc=example,dc=org"


def test_the_default_removes_only_the_mail_of_a_person(mds_people, signed_in, live_server, screenshot, directory):
    page = signed_in
    page.set_default_timeout(5000)
    page.goto(f"{live_server.url}/accounts/jeanne@example.test/remove/")
    expect(page.locator("#removal-plan")).to_contain_text("is also a person (posixAccount, shadowAccount)")
    expect(page.locator("#removed-attributes")).to_contain_text("mailalias: j.durand@example.test")
    expect(page.get_by_role("button", name="Delete the whole entry")).to_be_visible()
    screenshot("remove-person")
    page.get_by_role("button", name="Remove the mail only").click()
    expect(page.locator(".message.success")).to_contain_text("the person jeanne stays in the directory")
    entry = directory.read(JEANNE, ("uidNumber", "mail"))
    assert entry.first("uidNumber") == "10001" and not entry.values("mail")
    assert accounts.get_account(directory, "jeanne@example.test") is None


def test_the_other_button_deletes_the_whole_entry(mds_people, signed_in, live_server, directory):
    page = signed_in
    page.set_default_timeout(5000)
    page.goto(f"{live_server.url}/accounts/jeanne@example.test/remove/")
    page.get_by_role("button", name="Delete the whole entry").click()
    expect(page.locator(".message.success")).to_have_text("Removed jeanne@example.test.")
    assert directory.read(JEANNE, ("objectClass",)) is None
