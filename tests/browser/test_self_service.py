"""A mail user helps themselves in a real browser: signs in with the mailbox password, changes it, adds a forward
and turns on a vacation reply, which the real Dovecot then sends; enrols a second factor, which sign-in then asks
for."""

import pytest
from playwright.sync_api import expect

from mailadmin.directory.connection import password_matches
from tests.mailstack.vacation_host import running_vacation_host, use_vacation_host

from .conftest import code_from_key

pytestmark = pytest.mark.browser

vacation_host = pytest.fixture(scope="module")(running_vacation_host)
BOB, BOB_DN = "bob@example.test", "uid=bob,ou=Users,dc=example,dc=org"
NEW_PASSWORD = "browser-chosen-Passw0rd"


def _section(page, heading_id: str):
    return page.locator(f"section[aria-labelledby={heading_id}]")


def _sign_in(page, base: str) -> None:
    page.goto(base + "/login/")
    page.get_by_label("Username").fill(BOB)
    page.get_by_label("Password").fill("bob-password-22")
    page.get_by_role("button", name="Sign in").click()


def test_a_mail_user_changes_password_forward_and_vacation(live_server, page, transactional_db, vacation_host,
                                                            slapd, settings, screenshot):
    use_vacation_host(vacation_host, slapd, settings)
    _sign_in(page, live_server.url)
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


def test_a_mail_user_enrols_a_second_factor_then_needs_a_code(live_server, page, transactional_db, settings,
                                                               screenshot):
    settings.MFA_REQUIRED_FOR = ["superadmin", "domain_admin", "helpdesk", "auditor"]  # never a mail user's
    base = live_server.url
    _sign_in(page, base)
    page.wait_for_url(base + "/me/")  # not forced
    two_factor = _section(page, "two-factor-h")
    expect(two_factor).to_contain_text("Off: sign-in asks only for your password.")
    two_factor.get_by_role("link", name="Set up two-factor sign-in").click()
    expect(page.locator(".qr svg")).to_have_count(1)
    secret = page.locator("code.secret").inner_text()
    page.get_by_label("Code", exact=True).fill(code_from_key(secret))
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("ul.codes li")).to_have_count(10)
    screenshot("self-service-recovery-codes")
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url(base + "/me/")
    expect(_section(page, "two-factor-h")).to_contain_text("On: sign-in asks for a code")

    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, base)
    page.wait_for_url(base + "/two-factor/verify/")
    page.goto(base + "/me/")
    assert page.url == base + "/two-factor/verify/"  # nothing before the code
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#id_code_error")).to_have_text("This code is wrong, expired or already used.")
    assert page.url == base + "/two-factor/verify/"
    page.get_by_label("Code").fill(code_from_key(secret, step_offset=1))  # the next step: the last one is used
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/me/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("My account")
