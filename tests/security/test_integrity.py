"""Threats 24 and 27 through the web: two admins editing one entry never lose an update silently; a domain in use is
not removed; a removed account leaves no member DN behind in any virtual alias."""

from __future__ import annotations

import pytest

from mailadmin.directory import accounts, aliases, domains

from .urltable import account_form

pytestmark = pytest.mark.both_profiles

CONFLICT = "Someone else changed this entry"


def form_of(response, name: str) -> dict:
    """The data a browser would submit from the form `name` of a page, as rendered (hidden version included)."""
    form = response.context[name]
    data = {}
    for field in form:
        value = field.value()
        if isinstance(value, bool):
            if value:
                data[field.name] = "on"
        elif value is not None:
            data[field.name] = field.field.prepare_value(value) if hasattr(field.field, "prepare_value") else value
    return data


def test_the_second_of_two_account_edits_is_refused_and_the_first_survives(login_as, directory):
    first, second = login_as("domain_admin"), login_as("superadmin")
    form_one = form_of(first.get("/accounts/alice@example.test/"), "edit_form")
    form_two = form_of(second.get("/accounts/alice@example.test/"), "edit_form")
    assert first.post("/accounts/alice@example.test/edit/", {**form_one, "name": "Alice First"}).status_code == 302
    response = second.post("/accounts/alice@example.test/edit/", {**form_two, "quota": "2G", "name": "Alice Second"})
    assert response.status_code == 422 and CONFLICT in response.content.decode()
    assert response.context["edit_form"]["name"].value() == "Alice Second"  # what was typed is kept
    alice = accounts.get_account(directory, "alice@example.test")
    assert (alice.name, alice.quota_kb) == ("Alice First", 512000)


def test_a_stale_quota_form_is_refused_too(login_as, directory):
    first, second = login_as("helpdesk"), login_as("domain_admin")
    form_two = form_of(second.get("/accounts/alice@example.test/"), "quota_form")
    assert first.post("/accounts/alice@example.test/quota/", {"quota": "1G"}).status_code == 302
    response = second.post("/accounts/alice@example.test/quota/", {**form_two, "quota": "3G"})
    assert response.status_code == 422 and CONFLICT in response.content.decode()
    assert accounts.get_account(directory, "alice@example.test").quota_kb == 1048576


def test_the_second_of_two_domain_edits_is_refused_and_the_first_survives(login_as, directory):
    first, second = login_as("domain_admin"), login_as("superadmin")
    form_one = form_of(first.get("/domains/example.test/edit/"), "form")
    form_two = form_of(second.get("/domains/example.test/edit/"), "form")
    assert first.post("/domains/example.test/edit/", {**form_one, "description": "First"}).status_code == 302
    response = second.post("/domains/example.test/edit/", {**form_two, "description": "Second"})
    assert response.status_code == 200 and CONFLICT in response.content.decode()
    assert domains.get_domain(directory, "example.test").description == "First"


def test_the_second_of_two_list_edits_is_refused_and_the_first_survives(login_as, directory):
    first, second = login_as("domain_admin"), login_as("superadmin")
    form_one = form_of(first.get("/aliases/team@example.test/"), "form")
    form_two = form_of(second.get("/aliases/team@example.test/"), "form")
    assert first.post("/aliases/team@example.test/edit/", {**form_one, "external": "first@external.test"}
                      ).status_code == 302
    response = second.post("/aliases/team@example.test/edit/", {**form_two, "external": "second@external.test"})
    assert response.status_code == 422 and CONFLICT in response.content.decode()
    assert aliases.get_valias(directory, "team@example.test").external == ("first@external.test",)


def test_removing_an_account_edited_meanwhile_is_refused(login_as, directory):
    first, second = login_as("domain_admin"), login_as("superadmin")
    confirm = form_of(second.get("/accounts/bob@example.test/remove/"), "form")
    assert first.post("/accounts/bob@example.test/quota/", {"quota": "1G"}).status_code == 302
    response = second.post("/accounts/bob@example.test/remove/", confirm)
    assert response.status_code == 200 and CONFLICT in response.content.decode()
    assert accounts.get_account(directory, "bob@example.test") is not None


# --- Threat 27 -------------------------------------------------------------------------------------------------------

LISTS_TEST = """\
dn: virtualdomain=lists.test,ou=mailDomains,dc=example,dc=org
objectClass: mailDomain
virtualdomain: lists.test
"""


@pytest.mark.parametrize("user", ["an account", "an account's alias", "a virtual alias"])
def test_a_domain_in_use_is_not_removed(user, login_as, directory, test_directory):
    test_directory.add_ldif(LISTS_TEST)
    if user == "an account":
        login_as("superadmin").post("/domains/lists.test/accounts/add/", {
            "local_part": "someone", "password": "a-long-enough-Passw0rd", "password2": "a-long-enough-Passw0rd"})
        used_by = "someone@lists.test"
    elif user == "an account's alias":
        alice = accounts.get_account(directory, "alice@example.test")
        accounts.update_account(directory, alice, {"aliases": (*alice.aliases, "alice@lists.test")})
        used_by = "alice@example.test (by an alias)"  # the account that holds the alias
    else:
        aliases.create_valias(directory, "all@lists.test", external=["x@external.test"])
        used_by = "all@lists.test"
    response = login_as("superadmin").post("/domains/lists.test/delete/")
    assert response.status_code == 200 and "still used" in response.content.decode()
    assert used_by in response.content.decode()
    assert domains.get_domain(directory, "lists.test") is not None


def test_an_unused_domain_is_removed(login_as, directory, test_directory):
    test_directory.add_ldif(LISTS_TEST)
    assert login_as("superadmin").post("/domains/lists.test/delete/").status_code == 302
    assert domains.get_domain(directory, "lists.test") is None


def member_dns(slapd) -> list[str]:
    """Every mailaliasmember value in the tree, read as the rootdn."""
    out = slapd.ldap_tool("ldapsearch", "-LLL", "-o", "ldif-wrap=no", "-b", "dc=example,dc=org",
                          "(mailaliasmember=*)", "mailaliasmember").stdout
    return [line.split(": ", 1)[1].lower() for line in out.splitlines() if line.lower().startswith("mailaliasmember:")]


def test_removing_an_account_leaves_no_member_dn_behind(login_as, directory, test_directory):
    alice = accounts.get_account(directory, "alice@example.test")
    aliases.create_valias(directory, "all@example.test", members=[alice.dn])
    aliases.create_valias(directory, "more@example.test", members=[alice.dn, accounts.get_account(
        directory, "bob@example.test").dn])
    assert login_as("domain_admin").post("/accounts/alice@example.test/remove/",
                                         {"csn": alice.csn}).status_code == 302
    members = member_dns(test_directory)
    assert alice.dn.lower() not in members
    assert "uid=dave,ou=users,dc=example,dc=org" in members and "uid=bob,ou=users,dc=example,dc=org" in members
    assert aliases.get_valias(directory, "all@example.test").members == ()


def test_the_account_form_submits_what_the_page_shows(login_as, directory):
    """form_of() above reads the page as a browser would; saving it unchanged changes nothing."""
    client = login_as("domain_admin")
    data = form_of(client.get("/accounts/alice@example.test/"), "edit_form")
    assert {k: data[k] for k in ("name", "aliases", "csn")} == {
        k: account_form(directory, "alice@example.test")[k] for k in ("name", "aliases", "csn")}
