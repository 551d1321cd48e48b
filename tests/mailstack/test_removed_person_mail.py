"""After the mail of a POSIX person is removed, neither Postfix nor Dovecot finds its addresses; the address can be
claimed again."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from mailadmin.directory import accounts, connect

pytestmark = pytest.mark.both_profiles

ADDRESSES = ("jeanne@example.test", "j.durand@example.test")


def _found_by_postfix(postfix) -> dict[str, str | None]:
    return {f"{table} {address}": postfix.query(table, address) for address in ADDRESSES
            for table in ("ldap-accounts", "ldap-aliases", "ldap-maildrop", "ldap-valiases")}


def test_no_lookup_finds_the_removed_mail_of_a_person(mds_people, postfix, dovecot, db):
    assert postfix.query("ldap-accounts", "jeanne@example.test") == "/home/vmail/jeanne/"
    assert postfix.query("ldap-aliases", "j.durand@example.test") == "jeanne@example.test"
    assert dovecot.auth("jeanne@example.test", "jeanne-password-1")
    call_command("removeaccount", "jeanne@example.test", stdout=StringIO())
    assert set(_found_by_postfix(postfix).values()) == {None}
    assert not dovecot.auth("jeanne@example.test", "jeanne-password-1")
    assert dovecot.user("jeanne@example.test") is None


def test_a_new_account_may_claim_the_address_and_receives_its_mail(mds_people, postfix, dovecot, db):
    call_command("removeaccount", "jeanne@example.test", stdout=StringIO())
    call_command("createaccount", "jeanne@example.test", "--uid", "jeanne.new", "--alias", "j.durand@example.test",
                 "--password-stdin", stdin=StringIO("another-password-1\n"), stdout=StringIO())
    assert postfix.query("ldap-accounts", "jeanne@example.test") == "/home/vmail/jeanne.new/"
    assert postfix.query("ldap-aliases", "j.durand@example.test") == "jeanne@example.test"
    assert dovecot.auth("jeanne@example.test", "another-password-1")
    with connect() as directory:
        assert accounts.get_person(directory, "jeanne") is not None  # the old person is still there, mail-less
