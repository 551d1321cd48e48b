"""Threat 2: the helpdesk changes only quota, password and status of plain mailboxes; nobody but a superadmin
changes an account whose address belongs to a console admin (equal or higher rank)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from mailadmin.directory import accounts
from mailadmin.models import Role

from .conftest import snapshot
from .urltable import PASSWORD, account_form

PLAIN = "alice@example.test"
HELPDESK_ACTIONS = {  # action -> POST data: what the helpdesk may do
    "quota": {"quota": "300M"},
    "password": {"password": PASSWORD, "password2": PASSWORD},
    "disable": {},
    "enable": {},
}
OTHER_ACTIONS = {  # action -> POST data: what only admins of the domain may do
    "aliases/add": {"address": "new-alias@example.test"},
    "aliases/remove": {"address": "alice.martin@example.test"},
    "forwards/add": {"address": "thief@external.test"},
    "forwards/remove": {"address": "alice@external.test"},
    "remove": {},
}
EDIT_FIELDS = {  # every field of the edit form but quota and enabled, with a changed value
    "name": "Someone Else", "first_name": "Some", "last_name": "Else", "aliases": "",
    "forwards": "thief@external.test", "keep_copy": "on", "mailhost": "mx9.example.test",
    "mailproxy": "proxy.example.test", "hidden": "on",
}


def url(address: str, action: str = "") -> str:
    return f"/accounts/{address}/{action}/" if action else f"/accounts/{address}/"


@pytest.fixture
def alice_with_forward(test_directory):
    test_directory.ldap_tool("ldapmodify", input_text=(
        "dn: uid=alice,ou=Users,dc=example,dc=org\nchangetype: modify\nadd: maildrop\nmaildrop: alice@external.test\n"))
    return test_directory


def make_admin(username: str, *, superuser: bool = False, roles=(("domain_admin", "other.test"),)) -> None:
    """A console user who signs in with `username` (a mail address): the account with that address outranks
    domain admins and the helpdesk."""
    user = get_user_model().objects.create_user(username=username, is_superuser=superuser)
    for kind, domain in roles:
        Role.objects.create(user=user, kind=kind, domain=domain)


@pytest.mark.parametrize("action", sorted(HELPDESK_ACTIONS))
def test_the_helpdesk_may_change_quota_password_and_status_of_a_plain_mailbox(action, login_as):
    response = login_as("helpdesk").post(url(PLAIN, action), HELPDESK_ACTIONS[action])
    assert response.status_code == 302


@pytest.mark.parametrize("action", sorted(OTHER_ACTIONS))
def test_every_other_account_action_is_refused_to_the_helpdesk(action, login_as, alice_with_forward):
    before = snapshot(alice_with_forward)
    assert login_as("helpdesk").post(url(PLAIN, action), OTHER_ACTIONS[action]).status_code == 403
    assert snapshot(alice_with_forward) == before


def test_the_helpdesk_cannot_open_the_remove_page_nor_add_accounts(login_as):
    helpdesk = login_as("helpdesk")
    assert helpdesk.get(url(PLAIN, "remove")).status_code == 403
    assert helpdesk.get("/domains/example.test/accounts/add/").status_code == 403


def test_the_helpdesk_may_save_the_edit_form_with_only_quota_and_status_changed(login_as, directory):
    form = {**account_form(directory, PLAIN), "quota": "1G"}
    del form["enabled"]
    assert login_as("helpdesk").post(url(PLAIN, "edit"), form).status_code == 302
    alice = accounts.get_account(directory, PLAIN)
    assert (alice.quota_kb, alice.enabled) == (1048576, False)


@pytest.mark.parametrize("field", sorted(EDIT_FIELDS))
def test_the_helpdesk_cannot_change_any_other_field_through_the_edit_form(field, login_as, directory,
                                                                        alice_with_forward):
    before = snapshot(alice_with_forward)
    form = {**account_form(directory, PLAIN), field: EDIT_FIELDS[field]}
    assert login_as("helpdesk").post(url(PLAIN, "edit"), form).status_code == 403
    assert snapshot(alice_with_forward) == before


def test_nobody_but_a_superadmin_changes_the_mailbox_path(login_as, directory):
    form = {**account_form(directory, PLAIN), "mailbox": "/etc/"}
    assert login_as("domain_admin").post(url(PLAIN, "edit"), form).status_code == 302  # the field is not there
    assert accounts.get_account(directory, PLAIN).mailbox == "/home/vmail/alice/"


ADMINS = {
    "a domain admin of another domain": dict(username="bob@example.test"),
    "a helpdesk user, spelt in capitals": dict(username="Bob@EXAMPLE.test", roles=(("helpdesk", ""),)),
    "a superadmin": dict(username="bob@example.test", superuser=True, roles=()),
}
ALL_ACTIONS = {**HELPDESK_ACTIONS, **OTHER_ACTIONS, "edit": None}


@pytest.mark.parametrize("persona", ["helpdesk", "domain_admin"])
@pytest.mark.parametrize("admin", sorted(ADMINS))
def test_no_action_on_an_admins_account_is_allowed_below_superadmin(admin, persona, login_as, directory,
                                                                      test_directory):
    make_admin(**ADMINS[admin])
    client = login_as(persona)
    before = snapshot(test_directory)
    for action, data in ALL_ACTIONS.items():
        if action == "edit":
            data = {**account_form(directory, "bob@example.test"), "quota": "1G"}
        elif "address" in data and "alice" in data["address"]:
            data = {"address": "bob@external.test"}
        assert client.post(url("bob@example.test", action), data).status_code == 403, action
    assert client.get(url("bob@example.test", "remove")).status_code == 403
    assert snapshot(test_directory) == before
    assert not any(client.get(url("bob@example.test")).context["may"].values())


def test_an_admin_known_by_an_alias_of_the_account_is_protected_too(login_as, alice_with_forward):
    """The admin signs in as alice.martin@: forwarding alice's mailbox would hand their mail to someone else."""
    make_admin("alice.martin@example.test")
    before = snapshot(alice_with_forward)
    client = login_as("domain_admin")
    assert client.post(url(PLAIN, "forwards/add"), {"address": "thief@external.test"}).status_code == 403
    assert client.post(url(PLAIN, "password"), HELPDESK_ACTIONS["password"]).status_code == 403
    assert login_as("helpdesk").post(url(PLAIN, "password"), HELPDESK_ACTIONS["password"]).status_code == 403
    assert snapshot(alice_with_forward) == before


def test_a_superadmin_may_change_an_admins_account(login_as, directory):
    make_admin("bob@example.test")
    assert login_as("superadmin").post(url("bob@example.test", "quota"), {"quota": "1G"}).status_code == 302
    assert accounts.get_account(directory, "bob@example.test").quota_kb == 1048576


def test_nobody_below_superadmin_takes_an_admins_address_as_an_alias(login_as, directory):
    """An admin whose sign-in address has no mailbox yet: a domain admin must not start receiving their mail."""
    make_admin("ceo@example.test")
    response = login_as("domain_admin").post(url(PLAIN, "aliases/add"), {"address": "ceo@example.test"})
    assert response.status_code == 403
    assert "ceo@example.test" not in accounts.get_account(directory, PLAIN).aliases
