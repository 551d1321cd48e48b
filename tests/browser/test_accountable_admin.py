"""Issue 12's story in the browser: a superadmin grants a domain admin, who enrols TOTP and then needs a code to sign
in; the domain admin changes a forward; an auditor finds that change by the forward's address, sees the before/after
diff, exports it, and is refused on every change URL. Then the superadmin resets the domain admin's second factor and
revokes its role, each after a confirmation page."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from mailadmin.models import AuditEntry, Role

from .conftest import PASSWORD, code_from_key, sign_in

pytestmark = pytest.mark.browser

FORWARD = "bob.partner@external.test"


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_grant_enrol_change_then_the_auditor_finds_exports_and_changes_nothing(signed_in, live_server, browser,
                                                                               screenshot):
    base, page = live_server.url, signed_in
    # The superadmin grants bob a domain admin role in the console.
    page.goto(base + "/console-users/")
    page.get_by_label("User name").fill("bob@example.test")
    page.get_by_label("Role").select_option("domain_admin")
    page.get_by_label("Domain").fill("example.test")
    page.get_by_role("button", name="Grant").click()
    page.wait_for_url(base + "/console-users/bob@example.test/")
    assert "domain admin" in page.content()

    # Bob signs in with his mailbox password, enrols an authenticator, and needs a code from then on.
    bob = browser.new_context().new_page()
    sign_in(bob, base, "bob@example.test", "bob-password-22")
    bob.get_by_role("link", name="Two-factor sign-in").click()
    bob.get_by_role("link", name="Set up two-factor sign-in").click()
    assert bob.locator(".qr svg").count() == 1
    secret = bob.locator("code.secret").inner_text()
    bob.get_by_label("Code", exact=True).fill(code_from_key(secret))
    bob.get_by_role("button", name="Confirm").click()
    assert bob.locator("ul.codes li").count() == 10
    screenshot("two-factor-recovery-codes", of=bob)
    _sign_out(bob)
    bob.goto(base + "/login/")
    bob.get_by_label("Username").fill("bob@example.test")
    bob.get_by_label("Password").fill("bob-password-22")
    bob.get_by_role("button", name="Sign in").click()
    bob.wait_for_url(base + "/two-factor/verify/")
    bob.goto(base + "/domains/")
    assert bob.url == base + "/two-factor/verify/"  # nothing before the code
    bob.get_by_label("Code").fill(code_from_key(secret, step_offset=1))  # the next step: the last one is used
    bob.get_by_role("button", name="Sign in").click()
    bob.wait_for_url(base + "/")

    # Bob adds a forward to alice.
    bob.goto(base + "/accounts/alice@example.test/")
    form = bob.locator("form[action$='/forwards/add/']")
    form.locator("input[name=address]").fill(FORWARD)
    form.get_by_role("button", name="Add forward").click()
    assert FORWARD in bob.content()

    # The auditor finds the change by the forward's address and reads its diff.
    auditor = get_user_model().objects.create_user("auditor", password=PASSWORD)
    Role.objects.create(user=auditor, kind="auditor", domain="")
    reader = browser.new_context(accept_downloads=True).new_page()
    sign_in(reader, base, "auditor")
    reader.get_by_role("navigation", name="Main").get_by_role("link", name="Console users").click()
    assert reader.get_by_role("button", name="Grant").count() == 0  # it reads, changes nothing
    reader.goto(base + "/audit/")
    reader.get_by_label("Address", exact=True).fill(FORWARD.upper())
    reader.get_by_role("button", name="Filter").click()
    reader.wait_for_url("**address=BOB.PARTNER**")
    rows = reader.locator("table.changes tbody tr")
    expect(rows).to_have_count(1)  # waits for the filtered page (a bare count() may read the page before it)
    assert "bob@example.test" in rows.inner_text() and "alice@example.test" in rows.inner_text()
    rows.locator("a:has(time)").click()  # the row's own page; its target links to the account
    assert "+ " + FORWARD in reader.locator("table.diff").inner_text()
    screenshot("audit-diff", of=reader)
    reader.go_back()
    with reader.expect_download() as download:
        reader.get_by_role("link", name="Export as CSV").click()
    exported = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    assert [(r["actor"], r["target"], r["changes"]) for r in exported] == [
        ("bob@example.test", "alice@example.test", f"forwards: +{FORWARD}")]

    # Every change URL refuses the auditor, with a valid CSRF token: only the role stops it.
    token = next(c["value"] for c in reader.context.cookies() if c["name"] == "csrftoken")
    for url in ("/accounts/alice@example.test/forwards/add/", "/accounts/alice@example.test/quota/",
                "/accounts/alice@example.test/disable/", "/domains/example.test/edit/", "/domains/add/",
                "/aliases/add/", "/console-users/grant/", "/console-users/bob@example.test/reset-two-factor/"):
        response = reader.request.post(base + url, form={"address": "x@external.test", "quota": "1G"},
                                       headers={"X-CSRFToken": token, "Referer": base + "/"})
        assert response.status == 403, url

    # Bob's phone is lost: the superadmin resets his second factor, then revokes his role. Each button asks first,
    # naming him and what he loses; Cancel leaves everything as it was, only the confirmation acts.
    page.goto(base + "/console-users/bob@example.test/")
    page.get_by_role("link", name="Reset the second factor…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset the second factor of bob@example.test?")
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url(base + "/console-users/bob@example.test/")
    assert "An authenticator is enrolled." in page.content()
    page.get_by_role("link", name="Reset the second factor…").click()
    page.get_by_role("button", name="Reset the second factor").click()
    page.wait_for_url(base + "/console-users/bob@example.test/")
    expect(page.locator(".messages")).to_contain_text("The second factor of bob@example.test is reset.")
    assert "No second factor." in page.content()
    page.get_by_role("link", name="Revoke… domain admin example.test").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Revoke the role domain admin of example.test from bob@example.test?")
    assert Role.objects.filter(user__username="bob@example.test").exists()  # asked, not done
    page.get_by_role("button", name="Revoke").click()
    page.wait_for_url(base + "/console-users/")  # his only role: he is no console user any more
    assert not Role.objects.filter(user__username="bob@example.test").exists()
    assert list(AuditEntry.objects.filter(action__in=("mfa.reset", "role.revoke")).order_by("pk").values_list(
        "action", "actor", "ok")) == [("mfa.reset", "boss", True), ("role.revoke", "boss", True)]
