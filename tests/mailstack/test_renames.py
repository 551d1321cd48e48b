"""Renaming an account's address or a virtual alias, as Postfix then answers (postmap -q on mailconfig's maps)."""

from __future__ import annotations

import pytest

from tests.cli.helpers import run

pytestmark = [pytest.mark.django_db, pytest.mark.both_profiles]


def test_a_renamed_address_is_delivered_and_the_old_one_refused(postfix):
    run("renameaccount", "alice@example.test", "alice.new@example.test")
    assert postfix.query("ldap-accounts", "alice.new@example.test") == "/home/vmail/alice/"
    assert postfix.query("ldap-accounts", "alice@example.test") is None
    assert postfix.query("ldap-aliases", "alice@example.test") is None  # nothing accepts it: Postfix refuses it
    # the list holds the entry's DN: its expansion now yields the new address
    assert "alice.new@example.test" in postfix.values("ldap-valiases", "team@example.test")


def test_an_old_address_kept_as_alias_is_routed_to_the_new_one(postfix):
    run("renameaccount", "alice@example.test", "alice.new@example.test", "--keep-old-as-alias")
    assert postfix.query("ldap-aliases", "alice@example.test") == "alice.new@example.test"
    assert postfix.query("ldap-accounts", "alice.new@example.test") == "/home/vmail/alice/"


def test_a_renamed_virtual_alias_expands_under_its_new_address_only(postfix):
    before = postfix.values("ldap-valiases", "team@example.test")
    run("valias", "rename", "team@example.test", "crew@example.test")
    assert postfix.values("ldap-valiases", "crew@example.test") == before
    assert postfix.query("ldap-valiases", "team@example.test") is None
