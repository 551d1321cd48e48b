"""A mail user helps themselves in a real browser: signs in with the mailbox password, changes it, adds a forward
and turns on a vacation reply, which the real Dovecot then sends."""

import pytest
from playwright.sync_api import expect

from mailadmin.directory.connection import password_matches
from tests.mailstack.vacation_host import running_vacation_host, use_vacation_host

pytestmark = pytest.mark.browser

vacation_host = pytest.fixture(scope="module")(running_vacation_host)
BOB, BOB_DN = "bob@example.test", "uid=bob,ou=Users,dc=example,dc=org"
NEW_PASSWORD = "browser-chosen-Passw0rd"


def _section(page, heading_id: str):
    return page.locator(f"section[aria-labelledby={heading_id}]")


def test_a_mail_user_changes_password_forward_and_vacation(live_server, page, transactional_db, vacation_host,
                                                            slapd, settings, screenshot):
    use_vacation_host(vacation_host, slapd, settings)
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill(BOB)
    page.get_by_label("Password").fill("bob-password-22")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/me/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("My account")
    expect(page.get_by_role("navigation", name="Main")).to_have_text("My account")  # nothing of the console

    password = _section(page, "password-h")
    password.get_by_label("Current password").fill("bob-password-22")
    password.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    password.get_by_label("Password again").fill(NEW_PASSWORD)
    password.get_by_role("button", name="Change password").click()
    expect(page.locator(".message.success")).to_have_text("Your password is changed.")
    assert password_matches(BOB_DN, NEW_PASSWORD)

    forwards = _section(page, "forwards-h")
    forwards.get_by_label("Forward to").fill("bob@holiday.test")
    forwards.get_by_label("Keep a copy in this mailbox").check()
    forwards.get_by_role("button", name="Add forward").click()
    expect(_section(page, "forwards-h")).to_contain_text("bob@holiday.test")
    expect(page.locator(".route")).to_contain_text("a copy is kept in the mailbox")

    vacation = _section(page, "vacation-h")
    vacation.get_by_label("Send a vacation reply").check()
    vacation.get_by_label("Subject").fill("On holiday")
    vacation.get_by_label("Message").fill("Back on the 3rd.")
    vacation.get_by_role("button", name="Save vacation reply").click()
    expect(page.locator(".message.success")).to_have_text("Your vacation reply is saved.")
    expect(_section(page, "vacation-h").get_by_label("Subject")).to_have_value("On holiday")
    screenshot("self-service")

    vacation_host.deliver(BOB, "friend@far.test")
    replies = vacation_host.replies()
    assert len(replies) == 1 and "Subject: On holiday" in replies[0] and "Back on the 3rd." in replies[0]
