"""The exact filters that reach the wire: a spy on the real ldap3 connection's search."""

import pytest

from mailadmin.directory import accounts as a
from mailadmin.directory import domains as d
from mailadmin.directory import schema as s

NOTHING = "(!(objectClass=*))"


@pytest.fixture
def sent(directory, monkeypatch):
    filters = []
    assert directory.features  # read once per process and server: not a search of the code under test
    real = directory._conn.search

    def spy(base, flt, *args, **kwargs):
        filters.append(flt)
        return real(base, flt, *args, **kwargs)

    monkeypatch.setattr(directory._conn, "search", spy)
    return filters


def test_a_search_box_star_is_escaped(directory, sent):
    a.search_accounts(directory, "alice*")
    assert sent == [
        r"(&(objectClass=mailAccount)(|(mail=*alice\2a*)(mailalias=*alice\2a*)(cn=*alice\2a*)(uid=alice\2a)"
        r"(uid=*alice\2a*)))"
    ]


def test_a_filter_breakout_is_escaped_in_an_address_lookup(directory, sent):
    a.get_account(directory, "x)(uid=*")
    assert sent == [r"(&(objectClass=mailAccount)(|(mail=x\29\28uid=\2a)(mailalias=x\29\28uid=\2a)))"]


def test_a_backslash_is_escaped(directory, sent):
    d.get_domain(directory, "a\\b")
    assert sent == [r"(&(objectClass=mailDomain)(virtualdomain=a\5cb))"]


def test_a_nul_or_non_utf8_value_sends_a_filter_that_matches_nothing(directory, sent):
    a.get_account(directory, "alice@example.test\x00x")
    d.get_domain(directory, "\udcff")
    assert sent == [f"(&(objectClass=mailAccount)(|{NOTHING}{NOTHING}))", f"(&(objectClass=mailDomain){NOTHING})"]
    assert not any("\x00" in f or "\\00" in f for f in sent)


def test_a_domain_list_search_escapes_the_domain_and_the_text(directory, sent):
    a.list_domain_accounts(directory, "example.test", text="*)(")
    assert sent == [
        r"(&(objectClass=mailAccount)(mail=*@example.test)"
        r"(|(mail=*\2a\29\28*)(cn=*\2a\29\28*)(uid=*\2a\29\28*)(mailalias=*\2a\29\28*)))"
    ]


def test_a_people_search_escapes_its_text(directory, sent):
    a.search_people(directory, "*")
    assert sent == [
        r"(&(objectClass=inetOrgPerson)(!(objectClass=mailAccount))(|(cn=*\2a*)(uid=\2a)(uid=*\2a*)(mail=*\2a*)))"
    ]


def test_the_version_assertion_escapes_the_dn(directory):
    assert s.version_is("20260101000000.000000Z#000000#000#000000", "uid=a\\2Cb,ou=Users,dc=example,dc=org") == (
        r"(|(entryCSN=20260101000000.000000Z#000000#000#000000)(!(entryDN=uid=a\5c2Cb,ou=Users,dc=example,dc=org)))"
    )


@pytest.mark.parametrize(("returned", "built"), [
    ("virtualdomain=a#b,ou=mailDomains,dc=example,dc=org", "virtualdomain=a\\#b,ou=mailDomains,dc=example,dc=org"),
    ("uid=trail\\20,ou=Users,dc=example,dc=org", "uid=trail\\ ,ou=Users,dc=example,dc=org"),
    ("UID=Alice, OU=Users, DC=Example, DC=org", "uid=alice,ou=Users,dc=example,dc=org"),
    ("uid=a\\2Cb,ou=Users,dc=example,dc=org", "uid=a\\,b,ou=Users,dc=example,dc=org"),
    ("uid=\\C3\\BC,ou=Users,dc=example,dc=org", "uid=ü,ou=Users,dc=example,dc=org"),
    # escaped (parsed) against plain (the fast split): the same answer
    ("uid=\\62ob ,ou=Users,dc=example,dc=org", " UID = Bob  , ou=users,DC=Example,dc=org"),
    ("uid=a+cn=b,ou=Users,dc=example,dc=org", "cn=B+uid=A,ou=Users,dc=example,dc=org"),
])
def test_dns_as_slapd_returns_them_compare_equal_to_the_built_ones(returned, built):
    assert s.normalise_dn(returned) == s.normalise_dn(built)


def test_different_dns_do_not_compare_equal():
    assert s.normalise_dn("uid=a\\,b,ou=Users,dc=x") != s.normalise_dn("uid=a,b=,ou=Users,dc=x")
