"""Finding 1: a console user's identity cannot be claimed by a lower role. The address it signs in with cannot be
given to an account or list below superadmin, and sign-in binds only as the entry its role was granted for."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError
from django.test import Client

from mailadmin.directory import accounts, domains
from mailadmin.directory.accounts import NewAccount
from mailadmin.models import AuditEntry, DirectoryIdentity
from tests.cli.helpers import run

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


BOB, BOB_PASSWORD, BOB_DN = "bob@example.test", "bob-password-22", "uid=bob,ou=Users,dc=example,dc=org"
ROBERT = "robert@example.test"


def _rename_bob(renamed_by: str, test_directory) -> None:
    """bob's mailbox becomes robert@: by mailadmin (the console, the API and the command share one form), or by
    another tool that does not tell mailadmin (MMC, ldapmodify)."""
    if renamed_by == "mailadmin":
        run("renameaccount", BOB, ROBERT)
    else:
        test_directory.ldap_tool("ldapmodify", input_text=f"dn: {BOB_DN}\nchangetype: modify\nreplace: mail\n"
                                                          f"mail: {ROBERT}\n")


@pytest.mark.parametrize("renamed_by", ["mailadmin", "another tool"])
def test_a_mailbox_made_at_a_renamed_domain_admins_former_address_gets_none_of_its_roles(
        renamed_by, directory, test_directory):
    adminrole("grant", BOB, "--domain-admin", "example.test")
    admin = get_user_model().objects.get(username=BOB)
    _rename_bob(renamed_by, test_directory)
    make_mailbox(directory, BOB, "impostor")  # a superadmin made it; a domain admin may too, once the name is free
    since = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()

    newcomer = sign_in(BOB, PASSWORD)
    assert signed_in(newcomer)  # at once: the renamed admin did not have to sign in first
    user = get_user_model().objects.get(pk=newcomer.session["_auth_user_id"])
    assert user.pk != admin.pk and not user.is_superuser and not user.mail_roles.exists()
    assert newcomer.get("/").headers["Location"] == "/me/"  # a mail user's page, not the console
    assert newcomer.get("/domains/example.test/").status_code == 404
    assert newcomer.post("/me/forwards/add/", {"address": "loot@external.test"}).status_code == 302

    rows = AuditEntry.objects.filter(pk__gt=since or 0)
    assert [(r.actor, r.action, r.role) for r in rows.exclude(action="user.rename")] == [
        (f"self:{BOB}", "account.forwards.add", "self")]
    assert not rows.filter(actor__in=[BOB, ROBERT]).exists()  # nothing in the admin's name, under either address
    admin.refresh_from_db()
    assert admin.username == ROBERT and list(admin.mail_roles.values_list("kind", "domain")) == [
        ("domain_admin", "example.test")]
    signed_admin = sign_in(ROBERT, BOB_PASSWORD)
    assert signed_in(signed_admin) and signed_admin.session["_auth_user_id"] == str(admin.pk)
    assert signed_admin.get("/domains/example.test/").status_code == 200


def test_below_superadmin_nobody_sets_the_password_of_a_console_users_mailbox_renamed_by_another_tool(
        login_as, test_directory):
    """Until its next sign-in, the console user is still named by the former address; its entry is what protects
    it: a password set by the helpdesk would sign them in with the admin's roles."""
    adminrole("grant", BOB, "--domain-admin", "example.test")
    _rename_bob("another tool", test_directory)
    for persona in ("helpdesk", "domain_admin"):
        response = login_as(persona).post(f"/accounts/{ROBERT}/password/", {"password": PASSWORD,
                                                                            "password2": PASSWORD})
        assert response.status_code == 403, persona
    assert not signed_in(sign_in(ROBERT, PASSWORD))
    assert signed_in(sign_in(ROBERT, BOB_PASSWORD))


@pytest.mark.parametrize("new_mailbox", [True, False])
def test_a_role_granted_at_a_renamed_console_users_former_address_goes_to_whoever_that_address_names_now(
        new_mailbox, directory, test_directory):
    adminrole("grant", BOB, "--domain-admin", "example.test")
    admin = get_user_model().objects.get(username=BOB)
    _rename_bob("another tool", test_directory)  # the admin has not signed in since: still named bob@
    if new_mailbox:
        make_mailbox(directory, BOB, "newbob")
    adminrole("grant", BOB, "--helpdesk")

    admin.refresh_from_db()
    assert admin.username == ROBERT and list(admin.mail_roles.values_list("kind", "domain")) == [
        ("domain_admin", "example.test")]
    holder = get_user_model().objects.get(username=BOB)
    assert holder.pk != admin.pk and list(holder.mail_roles.values_list("kind", "domain")) == [("helpdesk", "")]
    identity = DirectoryIdentity.objects.get(user=holder)
    assert identity.dn == ("uid=newbob,ou=Users,dc=example,dc=org" if new_mailbox else "")


@pytest.mark.parametrize("persona", ["helpdesk", "domain_admin"])
def test_the_domains_quota_reset_leaves_a_console_users_mailbox_renamed_by_another_tool_alone(
        persona, login_as, directory, test_directory):
    """The reset checks each account's rank by its address; the renamed mailbox's address names nobody yet, but its
    entry is a console user's all the same (Access.outranks_signer), as for its password above."""
    adminrole("grant", BOB, "--domain-admin", "example.test")
    _rename_bob("another tool", test_directory)
    before = accounts.get_account(directory, ROBERT).quota_kb
    assert before != domains.get_domain(directory, "example.test").default_quota_kb  # there is a change to refuse
    response = login_as(persona).post("/domains/example.test/reset-quotas/")
    assert response.status_code == 302
    assert accounts.get_account(directory, ROBERT).quota_kb == before


def _refusal(address: str) -> tuple:
    """What a wrong password at the sign-in page answers for `address`: status, templates and the form's errors."""
    response = Client().post("/login/", {"username": address, "password": "a-wrong-guess-1"})
    return response.status_code, [t.name for t in response.templates], response.context["form"].errors


def test_guesses_at_a_renamed_console_users_former_address_learn_nothing_and_write_one_row(
        directory, test_directory, settings):
    """Freeing the former address comes before the password check (selfservice/auth.py): a stranger's guess may make
    the rename that the newcomer's or the admin's own next sign-in would make, and nothing more: the answer is an
    unknown address's, and however many guesses, the audit log gets that one rename."""
    settings.AXES_FAILURE_LIMIT = 10  # the guesses below all come from one client address
    adminrole("grant", BOB, "--domain-admin", "example.test")
    _rename_bob("another tool", test_directory)
    make_mailbox(directory, BOB, "newbob")
    since = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    unknown = _refusal("nobody@example.test")
    assert [_refusal(BOB) for _ in range(3)] == [unknown] * 3
    assert list(AuditEntry.objects.filter(pk__gt=since).values_list("action", "target")) == [("user.rename", ROBERT)]
    assert signed_in(sign_in(ROBERT, BOB_PASSWORD))  # the admin, with its role, under its mailbox's new address


def test_below_superadmin_nobody_sets_the_password_of_a_console_users_mailbox_another_tool_moved(
        login_as, test_directory):
    """MMC renames a login with a modrdn: the entry moves to uid=robert as its address becomes robert@. Its entryUUID,
    which ties the console user to it, stays: it is still a console user's mailbox, whose password a domain admin or
    the helpdesk would otherwise set, then sign in with as its mail user (its forwards) or over IMAP."""
    adminrole("grant", BOB, "--domain-admin", "example.test")
    test_directory.ldap_tool("ldapmodify", input_text=f"dn: {BOB_DN}\nchangetype: modrdn\nnewrdn: uid=robert\n"
                                                      f"deleteoldrdn: 1\n\ndn: uid=robert,ou=Users,dc=example,dc=org\n"
                                                      f"changetype: modify\nreplace: mail\nmail: {ROBERT}\n")
    for persona in ("helpdesk", "domain_admin"):
        response = login_as(persona).post(f"/accounts/{ROBERT}/password/", {"password": PASSWORD,
                                                                            "password2": PASSWORD})
        assert response.status_code == 403, persona
    assert not signed_in(sign_in(ROBERT, BOB_PASSWORD))  # nor does its own password sign in as a plain mail user
