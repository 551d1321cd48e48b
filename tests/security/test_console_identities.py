"""Finding 1: a console user's identity cannot be claimed by a lower role. The address it signs in with cannot be
given to an account or list below superadmin, and sign-in binds only as the entry its role was granted for."""

from __future__ import annotations

import pytest
from django.core.management import CommandError

from mailadmin.directory import accounts
from mailadmin.directory.accounts import NewAccount
from mailadmin.models import DirectoryIdentity

from .helpers import adminrole, sign_in, signed_in
from .urltable import PASSWORD

DESK = "desk@example.test"
CREATE = {"local_part": "desk", "first_name": "", "last_name": "", "uid": "", "password": PASSWORD,
          "password2": PASSWORD, "quota": "", "aliases": "", "forwards": ""}


def make_mailbox(directory, address: str, uid: str) -> None:
    accounts.create_account(directory, NewAccount(address=address, uid=uid), PASSWORD)


def test_a_domain_admin_cannot_create_the_mailbox_a_pending_console_user_would_sign_in_with(login_as, directory):
    assert "sign-in is refused until" in adminrole("grant", DESK, "--helpdesk")
    response = login_as("domain_admin").post("/domains/example.test/accounts/add/", CREATE)
    assert response.status_code == 200
    assert "sign-in address of a console user" in response.content.decode()
    assert accounts.get_account(directory, DESK) is None


@pytest.mark.parametrize(("url", "data"), [
    ("/domains/example.test/accounts/add/", {**CREATE, "local_part": "desk2", "aliases": DESK}),
    ("/aliases/add/", {"address": DESK, "external": "x@external.test", "enabled": "on"}),
])
def test_nor_give_that_address_to_another_account_or_list(url, data, login_as, directory):
    adminrole("grant", DESK, "--helpdesk")
    response = login_as("domain_admin").post(url, data)
    assert "sign-in address of a console user" in response.content.decode()
    assert accounts.get_account(directory, DESK) is None


def test_a_superadmin_may_create_it(login_as, directory):
    adminrole("grant", DESK, "--helpdesk")
    assert login_as("superadmin").post("/domains/example.test/accounts/add/", CREATE).status_code == 302
    assert accounts.get_account(directory, DESK) is not None


def test_a_pending_identity_signs_in_only_once_a_superadmin_confirmed_the_mailbox(directory):
    adminrole("grant", DESK, "--helpdesk")
    make_mailbox(directory, DESK, "desk")  # whoever made it: the grant did not name this entry
    assert not signed_in(sign_in(DESK, PASSWORD))
    assert "uid=desk,ou=Users,dc=example,dc=org" in adminrole("confirm", DESK)
    assert signed_in(sign_in(DESK, PASSWORD))


def test_confirm_refuses_an_address_without_a_mailbox_and_a_user_without_a_role(db):
    adminrole("grant", DESK, "--helpdesk")
    with pytest.raises(CommandError, match="No mailbox has the address"):
        adminrole("confirm", DESK)
    with pytest.raises(CommandError, match="not a console user"):
        adminrole("confirm", "bob@example.test")


def test_sign_in_is_tied_to_the_entry_the_role_was_granted_for(directory, test_directory):
    adminrole("grant", "bob@example.test", "--domain-admin", "example.test")
    identity = DirectoryIdentity.objects.get(user__username="bob@example.test")
    assert identity.dn == "uid=bob,ou=Users,dc=example,dc=org" and identity.entry_uuid
    assert signed_in(sign_in("bob@example.test", "bob-password-22"))
    # The entry is removed and another one takes the address (another uid, the same password): not bob's any more.
    accounts.remove_account(directory, accounts.plan_removal(directory, accounts.get_account(directory, "bob@example.test")))
    accounts.create_account(directory, NewAccount(address="bob@example.test", uid="bob2"), "bob-password-22")
    assert not signed_in(sign_in("bob@example.test", "bob-password-22"))


def test_the_same_dn_re_created_is_another_entry_too(directory, test_directory):
    adminrole("grant", "bob@example.test", "--domain-admin", "example.test")
    accounts.remove_account(directory, accounts.plan_removal(directory, accounts.get_account(directory, "bob@example.test")))
    accounts.create_account(directory, NewAccount(address="bob@example.test", uid="bob"), "bob-password-22")
    assert not signed_in(sign_in("bob@example.test", "bob-password-22"))
    adminrole("confirm", "bob@example.test")
    assert signed_in(sign_in("bob@example.test", "bob-password-22"))
