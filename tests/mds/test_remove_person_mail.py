"""Removing the mail of an MMC-style person (posixAccount + shadowAccount + mailAccount) keeps the person."""

import pytest

from mailadmin.directory import Conflict, accounts, aliases, claims
from mailadmin.directory.connection import password_matches

pytestmark = pytest.mark.both_profiles

JEANNE = "uid=jeanne,ou=Users,dc=example,dc=org"


@pytest.fixture
def jeanne(mds_people, directory):
    team = aliases.get_valias(directory, "team@example.test")
    aliases.update_valias(directory, team, members=[*team.members, JEANNE], external=team.external, enabled=True)
    return accounts.get_account(directory, "jeanne@example.test")


def test_the_plan_takes_only_the_mail_attributes_of_a_person(jeanne, directory):
    removal = accounts.plan_removal(directory, jeanne)
    assert not removal.delete_entry and removal.is_person
    assert set(removal.person_classes) == {"posixAccount", "shadowAccount"}
    assert dict(removal.removed) == {
        "mail": ("jeanne@example.test",), "mailalias": ("j.durand@example.test", "staff@example.test"),
        "maildrop": ("jeanne@example.test", "jeanne@external.test"), "mailenable": ("OK",),
        "mailbox": ("/home/vmail/jeanne/",), "mailuserquota": ("204800",), "mailhidden": ("NO",),
    }


def test_it_keeps_the_person_with_its_password_and_posix_attributes(jeanne, directory, mds_people):
    left = accounts.remove_account(directory, accounts.plan_removal(directory, jeanne))
    assert [aliases.get_valias(directory, "team@example.test").dn] == list(left)
    assert JEANNE not in aliases.get_valias(directory, "team@example.test").members
    entry = directory.read(JEANNE, ("*",))
    assert {c.lower() for c in entry.values("objectClass")} == {
        "inetorgperson", "posixaccount", "shadowaccount"}
    assert entry.first("uidNumber") == "10001" and entry.first("homeDirectory") == "/home/jeanne"
    assert entry.first("loginShell") == "/bin/bash" and entry.first("shadowLastChange") == "19000"
    assert not entry.values("mail") and not entry.values("mailalias") and not entry.values("mailbox")
    assert password_matches(JEANNE, "jeanne-password-1")
    assert accounts.get_account(directory, "jeanne@example.test") is None
    assert accounts.get_person(directory, "jeanne") is not None  # a person without mail, as before MMC gave it


def test_an_entry_that_is_only_a_mail_account_is_deleted_whole(directory):
    alice = accounts.get_account(directory, "alice@example.test")
    removal = accounts.plan_removal(directory, alice)
    assert removal.delete_entry and not removal.is_person
    accounts.remove_account(directory, removal)
    assert directory.read(alice.dn, ("objectClass",)) is None


def test_deleting_a_person_whole_is_an_explicit_choice(jeanne, directory):
    removal = accounts.plan_removal(directory, jeanne, delete_entry=True)
    assert removal.delete_entry and removal.is_person
    accounts.remove_account(directory, removal)
    assert directory.read(JEANNE, ("objectClass",)) is None


def test_a_stale_removal_changes_nothing_and_puts_the_membership_back(jeanne, directory):
    current = accounts.update_account(directory, jeanne, {"quota_kb": 1})
    with pytest.raises(Conflict):
        accounts.remove_account(directory, accounts.plan_removal(directory, jeanne))
    assert accounts.get_account(directory, "jeanne@example.test") == current
    assert JEANNE in aliases.get_valias(directory, "team@example.test").members


def test_the_address_is_free_for_a_new_owner(jeanne, directory):
    accounts.remove_account(directory, accounts.plan_removal(directory, jeanne))
    assert claims.holders(directory, "jeanne@example.test") == []
    claims.ensure_free(directory, ["jeanne@example.test", "j.durand@example.test"])
    created, _pw = accounts.create_account(directory, accounts.NewAccount("jeanne@example.test", "jeanne2"), None)
    assert created.mail == "jeanne@example.test"


def test_without_a_readable_subschema_every_mail_attribute_goes(jeanne, directory, monkeypatch):
    from mailadmin.directory import subschema

    monkeypatch.setattr(subschema, "object_classes", lambda directory: {})
    removal = accounts.plan_removal(directory, jeanne)
    assert not removal.delete_entry and set(removal.person_classes) == {"posixAccount", "shadowAccount"}
    assert {name for name, _values in removal.removed} == {
        "mail", "mailalias", "maildrop", "mailenable", "mailbox", "mailuserquota", "mailhidden"}
