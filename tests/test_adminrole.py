from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from mailadmin.models import AuditEntry, Role
from mailadmin.permissions import access_for


def run(*args) -> str:
    out = StringIO()
    call_command("adminrole", *args, stdout=out)
    return out.getvalue()


def test_it_grants_a_domain_admin_role_to_a_new_user_without_a_local_password(directory):
    assert "Granted: alice@example.test domain_admin example.test." in run(
        "grant", "alice@example.test", "--domain-admin", "EXAMPLE.test")
    user = get_user_model().objects.get(username="alice@example.test")
    assert not user.has_usable_password()
    assert access_for(user).administers("example.test") and not access_for(user).sees("other.test")
    assert AuditEntry.objects.get(action="role.grant").target == "alice@example.test domain_admin example.test"


def test_it_grants_helpdesk_of_every_domain_and_lists_roles(directory):
    run("grant", "bob@example.test", "--helpdesk")
    run("grant", "bob@example.test", "--helpdesk", "other.test")
    bob = "uid=bob,ou=Users,dc=example,dc=org"
    assert run("list").splitlines() == [f"bob@example.test  helpdesk  *  {bob}",
                                        f"bob@example.test  helpdesk  other.test  {bob}"]
    assert '"domain": "*"' in run("list", "--json")


def test_it_says_when_the_address_has_no_mailbox_yet_and_lists_it_as_pending(directory):
    assert "sign-in is refused until" in run("grant", "desk@example.test", "--helpdesk")
    assert run("list").splitlines() == ["desk@example.test  helpdesk  *  (pending: run `adminrole confirm`)"]


def test_it_refuses_a_domain_the_directory_does_not_host(directory):
    with pytest.raises(CommandError, match="no domain nowhere.test"):
        run("grant", "alice@example.test", "--domain-admin", "nowhere.test")
    assert not Role.objects.exists()


def test_it_refuses_an_invalid_domain_with_the_forms_message(directory):
    with pytest.raises(CommandError, match="not a valid domain name"):
        run("grant", "alice@example.test", "--domain-admin", "x,ou=Users")


def test_it_needs_a_user_and_a_role(db):
    with pytest.raises(CommandError, match=r"--domain-admin DOMAIN, --helpdesk \[DOMAIN\] or --auditor"):
        run("grant", "alice@example.test")


def test_it_revokes_a_role_and_says_when_there_was_none(directory):
    run("grant", "alice@example.test", "--domain-admin", "example.test")
    assert "Revoked" in run("revoke", "alice@example.test", "--domain-admin", "example.test")
    assert not Role.objects.exists()
    with pytest.raises(CommandError, match="does not hold that role"):
        run("revoke", "alice@example.test", "--domain-admin", "example.test")


def test_it_grants_an_auditor_of_every_domain_and_audits_grants_and_refusals(directory):
    from mailadmin.models import AuditEntry

    assert "Granted: alice@example.test auditor *." in run("grant", "alice@example.test", "--auditor")
    assert Role.objects.get().kind == "auditor" and Role.objects.get().domain == ""
    with pytest.raises(CommandError, match="does not hold that role"):
        run("revoke", "bob@example.test", "--auditor")
    rows = AuditEntry.objects.order_by("pk").values_list("action", "target", "ok", "role")
    assert list(rows) == [("role.grant", "alice@example.test auditor *", True, "cli"),
                          ("role.revoke", "bob@example.test auditor *", False, "cli")]
