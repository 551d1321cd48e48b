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


def test_revoking_a_role_asks_first_naming_who_and_what(login_as):
    root = login_as("superadmin")
    login_as("domain_admin")  # creates dadmin, domain admin of example.test
    page = root.get("/console-users/dadmin/").content.decode()
    link = "/console-users/revoke/?username=dadmin&amp;kind=domain_admin&amp;domain=example.test"
    assert f'href="{link}"' in page and 'action="/console-users/revoke/"' not in page  # a link, no button that acts
    asked = root.get(link.replace("&amp;", "&"))
    assert asked.status_code == 200 and asked.context["question"] == (
        "Revoke the role domain admin of example.test from dadmin?")
    assert asked.context["values"] == {"username": "dadmin", "kind": "domain_admin", "domain": "example.test"}
    assert asked.context["cancel"] == "/console-users/dadmin/" and 'name="csrfmiddlewaretoken"' in asked.content.decode()
    assert Role.objects.filter(user__username="dadmin").exists() and not AuditEntry.objects.exists()  # only asked

    done = root.post("/console-users/revoke/", asked.context["values"])
    assert done["Location"] == "/console-users/"  # dadmin held no other role: no page of theirs any more
    assert not Role.objects.filter(user__username="dadmin").exists()
    row = AuditEntry.objects.get()
    assert (row.action, row.target, row.actor, row.ok) == ("role.revoke", "dadmin domain_admin example.test", "root",
                                                           True)
    assert root.get(link.replace("&amp;", "&"))["Location"] == "/console-users/"  # a reload asks nothing


def test_the_revoke_question_names_every_kind_of_role_in_words(login_as, django_user_model):
    root = login_as("superadmin")
    user = django_user_model.objects.create_user("chief")
    for kind, domain in (("helpdesk", ""), ("auditor", ""), ("helpdesk", "xn--bcher-kva.example")):
        Role.objects.create(user=user, kind=kind, domain=domain)
    questions = [root.get("/console-users/revoke/", {"username": "chief", "kind": kind, "domain": domain})
                 .context["question"] for kind, domain in (("helpdesk", ""), ("auditor", ""),
                                                           ("helpdesk", "bücher.example"))]
    assert questions == ["Revoke the role helpdesk of every domain from chief?", "Revoke the role auditor from chief?",
                         "Revoke the role helpdesk of bücher.example from chief?"]
    fr = root.get("/console-users/revoke/", {"username": "chief", "kind": "auditor", "domain": ""},
                  HTTP_ACCEPT_LANGUAGE="fr")
    assert fr.context["question"] == "Retirer à chief le rôle auditeur\u00a0?" and "Annuler" in fr.content.decode()


def test_only_a_superadmin_is_asked_and_a_role_not_held_asks_nothing(login_as):
    login_as("domain_admin")
    query = {"username": "dadmin", "kind": "domain_admin", "domain": "example.test"}
    for persona in ("auditor", "domain_admin", "helpdesk"):
        assert login_as(persona).get("/console-users/revoke/", query).status_code == 403, persona
    root = login_as("superadmin")
    for held_by_nobody, back_to in (({**query, "kind": "auditor", "domain": ""}, "/console-users/dadmin/"),
                                    ({**query, "domain": "not a domain"}, "/console-users/dadmin/"),
                                    ({**query, "username": "nobody"}, "/console-users/"), ({}, "/console-users/")):
        assert root.get("/console-users/revoke/", held_by_nobody)["Location"] == back_to, held_by_nobody
    assert Role.objects.filter(user__username="dadmin").count() == 1 and not AuditEntry.objects.exists()


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


def test_an_auditor_may_ask_for_the_pages_it_reads_with_head_but_not_for_the_questions(login_as):
    login_as("domain_admin")  # creates dadmin
    auditor = login_as("auditor")
    for page in ("/console-users/", "/console-users/dadmin/"):
        assert auditor.head(page).status_code == 200, page  # HEAD is GET without the body: a read
    assert auditor.head("/console-users/dadmin/reset-two-factor/").status_code == 403  # a superadmin's question
    assert auditor.post("/console-users/grant/", {"username": "x", "kind": "auditor"}).status_code == 403


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
