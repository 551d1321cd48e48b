import pytest

from mailadmin.directory import Directory
from mailadmin.directory import accounts as ldap_accounts
from mailadmin.directory import aliases as ldap_aliases
from mailadmin.directory import domains as ldap_domains

pytestmark = pytest.mark.both_profiles


def test_it_shows_the_form_for_an_empty_query(superadmin):
    r = superadmin.get("/search/")
    assert r.status_code == 200
    assert 'name="q"' in r.content.decode()


def test_a_single_hit_goes_straight_to_the_account(superadmin):
    r = superadmin.get("/search/", {"q": "Dubois"})
    assert r.status_code == 302
    assert r["Location"] == "/accounts/carol@example.test/"


def test_an_alias_finds_its_account(superadmin):
    assert superadmin.get("/search/", {"q": "alice.martin@example.test"})["Location"] == "/accounts/alice@example.test/"


def test_a_login_finds_its_account(superadmin):
    assert superadmin.get("/search/", {"q": "oscar"})["Location"] == "/accounts/oscar@other.test/"


def test_a_virtual_alias_address_goes_to_the_alias(superadmin):
    assert superadmin.get("/search/", {"q": "TEAM@example.test"})["Location"] == "/aliases/team@example.test/"


def test_a_unicode_address_finds_the_stored_a_label(superadmin, directory):
    ldap_domains.create_domain(directory, "xn--bcher-kva.test")
    ldap_aliases.create_valias(directory, "list@xn--bcher-kva.test", external=["x@external.test"])
    assert superadmin.get("/search/", {"q": "list@Bücher.test"})["Location"] == "/aliases/list@xn--bcher-kva.test/"


def test_several_hits_are_listed(superadmin):
    body = superadmin.get("/search/", {"q": "example.test"}).content.decode()
    for address in ("alice@example.test", "bob@example.test", "dave@example.test"):
        assert f'href="/accounts/{address}/"' in body
    assert "oscar@other.test" not in body
    assert "More results than shown" not in body


def test_it_says_when_there_are_more_results_than_shown(superadmin, slapd):
    entries = [
        f"dn: uid=m{n},ou=Users,dc=example,dc=org\nobjectClass: inetOrgPerson\nobjectClass: mailAccount\n"
        f"uid: m{n}\ncn: Many {n}\nsn: Many\nmail: m{n}@example.test\nmailenable: OK\n"
        for n in range(55)
    ]
    slapd.add_ldif("\n".join(entries))
    body = superadmin.get("/search/", {"q": "Many"}).content.decode()
    assert "More results than shown" in body
    assert body.count('href="/accounts/m') == 50


def test_it_says_when_nothing_matches(superadmin):
    body = superadmin.get("/search/", {"q": "nobody-here"}).content.decode()
    assert "No account matches" in body


def test_it_keeps_other_domains_out_of_the_results(outsider):
    r = outsider.get("/search/", {"q": "test"})
    assert r.status_code == 302
    assert r["Location"] == "/accounts/oscar@other.test/"  # the only account the outsider sees
    body = outsider.get("/search/", {"q": "team@example.test"}).content.decode()
    assert "/aliases/team@example.test/" not in body


def test_other_domains_never_fill_the_limit(outsider, slapd, directory):
    slapd.add_ldif("\n".join(
        f"dn: uid=x{n},ou=Users,dc=example,dc=org\nobjectClass: inetOrgPerson\nobjectClass: mailAccount\n"
        f"uid: x{n}\ncn: Common {n}\nsn: x\nmail: x{n}@example.test\nmailenable: OK\n"
        for n in range(60)
    ))
    oscar = ldap_accounts.get_account(directory, "oscar@other.test")
    ldap_accounts.update_account(directory, oscar, {"name": "Common"})
    assert outsider.get("/search/", {"q": "Common"})["Location"] == "/accounts/oscar@other.test/"


def test_it_escapes_the_query(superadmin):
    body = superadmin.get("/search/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_it_escapes_the_query_in_the_filter(superadmin, monkeypatch):
    sent = []
    search = Directory.search

    def spy(self, base, flt, attrs, **kwargs):
        sent.append(flt)
        return search(self, base, flt, attrs, **kwargs)

    monkeypatch.setattr(Directory, "search", spy)
    superadmin.get("/search/", {"q": "*)(uid=*"})
    assert "(mail=*\\2a\\29\\28uid=\\2a*)" in sent[0]


def test_it_requires_login(client):
    assert client.get("/search/", {"q": "alice"})["Location"].startswith("/login/")


def test_it_shows_error_when_directory_down(superadmin, directory_down):
    assert superadmin.get("/search/", {"q": "alice"}).status_code == 503
