"""The virtual alias list and the add page."""

from mailadmin.directory import aliases


def test_it_lists_the_aliases_of_visible_domains(domain_admin):
    r = domain_admin.get("/aliases/")
    assert r.status_code == 200 and "team@example.test" in r.content.decode()


def test_an_outsider_sees_no_aliases_of_other_domains(outsider):
    assert "team@example.test" not in outsider.get("/aliases/").content.decode()


def test_it_adds_a_virtual_alias_with_members_and_external_recipients(domain_admin, directory):
    r = domain_admin.post("/aliases/add/", {"address": "Sales@Example.Test", "members": "alice.martin@example.test",
                                            "external": "x@external.test", "enabled": "on"})
    assert r.status_code == 302 and r["Location"] == "/aliases/sales@example.test/"
    sales = aliases.get_valias(directory, "sales@example.test")
    assert sales.members == ("uid=alice,ou=Users,dc=example,dc=org",) and sales.external == ("x@external.test",)


def test_it_refuses_unknown_members_and_addresses_in_use(domain_admin):
    r = domain_admin.post("/aliases/add/", {"address": "bob@example.test", "members": "nobody@example.test"})
    form = r.context["form"]
    assert "There is no account nobody@example.test." in form.errors["members"]


def test_it_refuses_an_address_in_use_naming_where(domain_admin):
    r = domain_admin.post("/aliases/add/", {"address": "alice.martin@example.test"})
    assert "already an alias of the account alice@example.test" in r.content.decode()


def test_a_domain_admin_cannot_add_in_another_domain(domain_admin):
    r = domain_admin.post("/aliases/add/", {"address": "postmaster@other.test"})
    assert "You do not administer" in r.content.decode()


def test_helpdesk_may_not_add(helpdesk):
    assert helpdesk.get("/aliases/add/").status_code == 403


def test_it_requires_login(client):
    assert client.get("/aliases/").status_code == 302


def test_it_shows_error_when_directory_down(domain_admin, directory_down):
    assert domain_admin.get("/aliases/").status_code == 503
