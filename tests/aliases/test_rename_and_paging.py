"""Renaming a virtual alias, and the paged, filterable list of virtual aliases."""

import pytest

from mailadmin.directory import aliases as ldap_aliases
from mailadmin.models import AuditEntry

pytestmark = pytest.mark.both_profiles


def test_renaming_keeps_the_members(superadmin, directory):
    team = ldap_aliases.get_valias(directory, "team@example.test")
    r = superadmin.post("/aliases/team@example.test/rename/", {"new_address": "crew@example.test"})
    assert r.status_code == 302 and r["Location"] == "/aliases/crew@example.test/"
    crew = ldap_aliases.get_valias(directory, "crew@example.test")
    assert (crew.members, crew.external, crew.enabled) == (team.members, team.external, team.enabled)
    assert ldap_aliases.get_valias(directory, "team@example.test") is None
    assert AuditEntry.objects.get(action="valias.rename").new == {"address": "crew@example.test"}


def test_renaming_refuses_a_taken_address_or_another_customers_domain(domain_admin, directory):
    r = domain_admin.post("/aliases/team@example.test/rename/", {"new_address": "alice@example.test"})
    assert r.status_code == 422
    assert "alice@example.test is already the address of the account alice@example.test." in r.content.decode()
    r = domain_admin.post("/aliases/team@example.test/rename/", {"new_address": "team@other.test"})
    assert "You do not administer the domain of team@other.test." in r.content.decode()
    assert ldap_aliases.get_valias(directory, "team@example.test") is not None


def test_the_list_is_paged_and_filtered(superadmin, directory, settings):
    for n in range(55):
        ldap_aliases.create_valias(directory, f"list{n:02d}@example.test", external=["x@external.test"])
    body = superadmin.get("/aliases/").content.decode()
    assert "56 virtual aliases" in body and "list48@example.test" in body and "team@example.test" not in body
    assert 'rel="next"' in body
    second = superadmin.get("/aliases/?page=2").content.decode()
    assert "team@example.test" in second and "list00@example.test" not in second
    filtered = superadmin.get("/aliases/?q=list0").content.decode()
    assert "10 virtual aliases" in filtered and "list09@example.test" in filtered and "list10" not in filtered
    assert superadmin.get("/aliases/?page=3").status_code == 404


def test_the_list_shows_only_the_domains_a_user_sees(outsider, directory):
    ldap_aliases.create_valias(directory, "list@other.test", external=["x@external.test"])
    body = outsider.get("/aliases/").content.decode()
    assert 'href="/aliases/list@other.test/"' in body and "1 virtual alias" in body
    assert 'href="/aliases/team@example.test/"' not in body
