"""Roles in the console: superadmins grant and revoke with adminrole's form (audited), a user's page lists its roles
and recent actions, and nobody else changes a role (the auditor included)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from mailadmin.models import AuditEntry, DirectoryIdentity, Role


def test_a_superadmin_grants_and_revokes_a_domain_admin_in_the_console(login_as):
    root = login_as("superadmin")
    granted = root.post("/console-users/grant/", {"username": "alice@example.test", "kind": "domain_admin",
                                                  "domain": "example.test"})
    assert granted.status_code == 302 and granted["Location"] == "/console-users/alice@example.test/"
    assert Role.objects.filter(user__username="alice@example.test", kind="domain_admin").exists()
    assert not DirectoryIdentity.objects.get(user__username="alice@example.test").pending  # tied as adminrole ties
    row = AuditEntry.objects.get(action="role.grant")
    assert (row.actor, row.target, row.role, row.client) == (
        "root", "alice@example.test domain_admin example.test", "superadmin", "127.0.0.1")
    page = root.get("/console-users/alice@example.test/")
    assert page.status_code == 200 and list(page.context["roles"].values_list("kind", flat=True)) == ["domain_admin"]
    revoked = root.post("/console-users/revoke/", {"username": "alice@example.test", "kind": "domain_admin",
                                                   "domain": "example.test"})
    assert revoked.status_code == 302 and not Role.objects.filter(user__username="alice@example.test").exists()
    assert AuditEntry.objects.filter(action="role.revoke", ok=True).count() == 1


def test_the_form_refuses_what_adminrole_refuses(login_as):
    root = login_as("superadmin")
    for data, field in (({"username": "x@example.test", "kind": "domain_admin", "domain": ""}, "domain"),
                        ({"username": "x@example.test", "kind": "auditor", "domain": "example.test"}, "domain"),
                        ({"username": "x@example.test", "kind": "helpdesk", "domain": "nowhere.test"}, "domain")):
        response = root.post("/console-users/grant/", data)
        assert response.status_code == 422 and field in response.context["form"].errors
    assert not Role.objects.filter(user__username="x@example.test").exists()


def test_a_users_page_lists_its_recent_actions(login_as):
    login_as("domain_admin").post("/accounts/bob@example.test/quota/", {"quota": "2G"})
    page = login_as("auditor").get("/console-users/dadmin/")
    assert [e.target for e in page.context["actions"]] == ["bob@example.test"]
    assert "Revoke" not in page.content.decode()  # the auditor sees no form it may not send


def test_nobody_but_a_superadmin_changes_a_role(login_as):
    data = {"username": "helper", "kind": "domain_admin", "domain": "example.test"}
    for persona in ("auditor", "domain_admin", "helpdesk"):
        assert login_as(persona).post("/console-users/grant/", data).status_code == 403
    assert not Role.objects.filter(user__username="helper", kind="domain_admin").exists()
    assert login_as("domain_admin").get("/console-users/").status_code == 403


def test_the_menu_offers_console_users_to_whoever_may_open_it(login_as):
    for persona, offered in (("superadmin", True), ("auditor", True), ("domain_admin", False), ("helpdesk", False)):
        assert ('href="/console-users/"' in login_as(persona).get("/").content.decode()) is offered, persona


def test_an_auditor_reads_a_users_second_factor_without_the_buttons(login_as):
    login_as("domain_admin")  # creates dadmin
    TOTPDevice.objects.create(user=get_user_model().objects.get(username="dadmin"), name="phone", confirmed=True)
    page = login_as("auditor").get("/console-users/dadmin/").content.decode()
    assert "An authenticator is enrolled." in page
    assert not any(word in page for word in ("Reset the second factor", "Revoke", "Grant"))
    assert "Reset the second factor" in login_as("superadmin").get("/console-users/dadmin/").content.decode()


def test_the_users_list_names_role_domains_in_unicode(login_as, django_user_model):
    user = django_user_model.objects.create_user("bob")
    Role.objects.create(user=user, kind="domain_admin", domain="xn--bcher-kva.example")
    body = login_as("superadmin").get("/console-users/").content.decode()
    assert "domain admin bücher.example" in body and "xn--" not in body


def test_a_superadmins_other_roles_are_listed_apart(login_as, django_user_model):
    user = django_user_model.objects.create_user("chief", is_superuser=True)
    Role.objects.create(user=user, kind="helpdesk", domain="example.test")
    body = login_as("superadmin").get("/console-users/").content.decode()
    assert "superadmin, helpdesk example.test" in " ".join(body.split())


def test_a_users_recent_actions_say_why_one_was_refused(login_as):
    login_as("domain_admin").post("/accounts/bob@example.test/aliases/add/", {"address": "bob@nowhere.test"})
    row = AuditEntry.objects.get(action="account.aliases.add", ok=False)
    page = login_as("superadmin").get("/console-users/dadmin/").content.decode()
    assert row.failure and row.failure in page.replace("&#x27;", "'").replace("&quot;", '"')
