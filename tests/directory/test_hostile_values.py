"""Hostile input through the directory layer and the normalisers: a clean refusal or a faithful round trip."""

import pytest
from ldap3.utils.dn import parse_dn

from mailadmin import addresses
from mailadmin.directory import Invalid
from mailadmin.directory import accounts as a
from mailadmin.directory import aliases as al
from mailadmin.directory import domains as d
from mailadmin.directory import schema as s

HOSTILE = [
    "*", "*)(uid=*", "x)(uid=*", "*)(|(objectClass=*", "a,ou=x", "a,ou=admins", "a+b=c", "#x", "a#b", "\\",
    "back\\slash", 'q"<>;', "a\x00b", "alice@example.test\x00evil", " lead", "trail ", " both ", "ünïcødé", "日本語",
    "x" * 600, "\udcff", "", " ",
]
UNMATCHABLE = {"a\x00b", "alice@example.test\x00evil", "\udcff"}  # NUL or not UTF-8: no stored value can match


@pytest.mark.parametrize("value", HOSTILE)
def test_lookups_with_a_hostile_value_find_nothing_and_do_not_crash(directory, value):
    assert a.get_account(directory, value) is None
    assert d.get_domain(directory, value) is None
    assert al.get_valias(directory, value) is None
    assert a.search_people(directory, value) == ([] if value.strip() else a.search_people(directory))
    page = a.list_domain_accounts(directory, value, text=value)
    assert (page.accounts, page.total) == ((), 0)


@pytest.mark.parametrize("value", [v for v in HOSTILE if v.strip()])
def test_a_search_box_with_a_hostile_value_matches_literally(directory, value):
    # "x" * 600 and the like simply match nothing; "*" must not turn into a wildcard.
    assert a.search_accounts(directory, value) == ([], False)


def test_a_nul_never_truncates_an_address_into_another(directory):
    # slapd compares IA5 `mail` only up to a NUL: sent as \00, this filter would find alice.
    assert a.get_account(directory, "alice@example.test\x00evil") is None
    assert a.search_accounts(directory, "alice\x00zzz") == ([], False)


@pytest.mark.parametrize("value", [v for v in HOSTILE if v.strip() and v not in UNMATCHABLE and len(v) < 200])
def test_hostile_names_round_trip_through_entry_names(directory, value):
    domain = d.create_domain(directory, value, value, 1)
    assert d.get_domain(directory, value) == domain
    assert (domain.name, domain.description) == (value.lower(), value)
    assert s.normalise_dn(domain.dn) == s.normalise_dn(s.domain_dn(value))
    valias = al.create_valias(directory, value)
    assert al.get_valias(directory, value) == valias
    d.remove_domain(directory, domain)
    assert d.get_domain(directory, value) is None


@pytest.mark.parametrize("value", ["a\x00b", "\udcff", "x" * 600, "y" * 250])
def test_unstorable_names_are_refused_as_invalid(directory, value):
    with pytest.raises(Invalid):
        d.create_domain(directory, value)
    with pytest.raises(Invalid):
        al.create_valias(directory, value)
    with pytest.raises(Invalid):
        a.create_account(directory, a.NewAccount(address="new@example.test", uid=value), "new-password-1")
    assert a.get_account(directory, "new@example.test") is None


@pytest.mark.parametrize("value", ["a\x00b", "\udcff"])
def test_unstorable_values_are_refused_as_invalid(directory, value):
    alice = a.get_account(directory, "alice@example.test")
    with pytest.raises(Invalid):
        a.update_account(directory, alice, {"name": value})
    with pytest.raises(Invalid):
        d.create_domain(directory, "fine.test", value)
    assert a.get_account(directory, "alice@example.test") == alice


def test_a_non_ascii_mail_is_refused_as_invalid(directory):
    with pytest.raises(Invalid):
        a.create_account(directory, a.NewAccount(address="ünï@example.test", uid="uni"), "new-password-1")


@pytest.mark.parametrize("value", HOSTILE[:-3] + ["a,ou=Users", "x,virtualdomain=example.test", "=", ",", "+", "\\,"])
def test_account_dn_parses_back_to_the_value_under_ou_users(value):
    if "\x00" in value or not s.is_utf8(value) or len(value) > 200:
        with pytest.raises(Invalid):
            s.account_dn(value)
        return
    parts = parse_dn(s.account_dn(value), escape=False, strip=False)
    assert len(parts) == 4  # never more components: the value cannot move the entry
    assert s.normalise_dn(s.account_dn(value)) == f"uid={value.lower()},ou=users,dc=example,dc=org"
    assert [(attr, v) for attr, v, _sep in parts[1:]] == [("ou", "Users"), ("dc", "example"), ("dc", "org")]


@pytest.mark.parametrize("build", [s.account_dn, s.domain_dn, s.valias_dn])
def test_every_dn_builder_refuses_an_empty_value(build):
    with pytest.raises(Invalid):
        build("")


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize(
    "normalise",
    [addresses.normalise_domain, addresses.normalise_address, addresses.normalise_uid, addresses.normalise_local_part,
     addresses.normalise_host, addresses.parse_quota],
)
def test_normalisers_refuse_hostile_names_cleanly_or_return_plain_ascii(normalise, value):
    try:
        result = normalise(value)
    except ValueError:
        return
    text = str(result)
    assert text.isascii() and not set(text) & set("*()\\,+\"<>;=#\x00/ "), text
    assert len(text) <= addresses.ADDRESS_MAX


@pytest.mark.parametrize("value", HOSTILE)
def test_free_text_refuses_control_characters_and_overlong_values_and_keeps_the_rest(value):
    try:
        result = addresses.check_text(value)
    except ValueError:
        assert "\x00" in value or len(value.strip()) > addresses.TEXT_MAX
        return
    assert result == value.strip()


def test_a_domain_with_a_comma_or_a_uid_with_a_comma_is_refused_by_the_normalisers():
    with pytest.raises(ValueError):
        addresses.normalise_domain("x,ou=Users")
    with pytest.raises(ValueError):
        addresses.normalise_uid("a,ou=admins")
