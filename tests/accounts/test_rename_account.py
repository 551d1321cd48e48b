"""Renaming an account's primary address from the console."""

import pytest

from mailadmin.directory import accounts as ldap_accounts
from mailadmin.directory import aliases as ldap_aliases
from mailadmin.models import AuditEntry

pytestmark = pytest.mark.both_profiles
URL = "/accounts/alice@example.test/rename/"


def test_the_page_says_what_the_mail_server_must_do(domain_admin):
    body = domain_admin.get(URL).content.decode()
    assert "the stored mail does not move by itself" in body and "/home/vmail/alice/" in body


def test_renaming_keeps_the_entry_the_lists_and_optionally_the_old_address(domain_admin, directory):
    r = domain_admin.post(URL, {"new_address": "alice.new@example.test", "keep_old_as_alias": "on"})
    assert r.status_code == 302 and r["Location"] == "/accounts/alice.new@example.test/"
    alice = ldap_accounts.get_account(directory, "alice.new@example.test")
    assert alice.mail == "alice.new@example.test" and alice.dn.startswith("uid=alice,")
    assert set(alice.aliases) == {"alice.martin@example.test", "alice@example.test"}
    assert alice.mailbox == "/home/vmail/alice/"
    assert alice.dn in ldap_aliases.get_valias(directory, "team@example.test").members
    row = AuditEntry.objects.get(action="account.rename")
    assert row.ok and row.old["mail"] == "alice@example.test" and row.new["mail"] == "alice.new@example.test"


def test_the_claim_and_reserved_and_rank_rules_apply(domain_admin, directory):
    r = domain_admin.post(URL, {"new_address": "bob@example.test"})
    assert r.status_code == 422 and "already the address of the account bob@example.test" in r.content.decode()
    r = domain_admin.post(URL, {"new_address": "alice@other.test"})
    assert "You do not administer the domain of alice@other.test." in r.content.decode()
    assert domain_admin.get("/accounts/postmaster@example.test/rename/").status_code == 403  # reserved
    assert ldap_accounts.get_account(directory, "alice@example.test").mail == "alice@example.test"


def test_the_helpdesk_may_not_rename(helpdesk):
    assert helpdesk.get(URL).status_code == 403
