"""Threat 5: an address counts for the domain after its LAST "@", after lower case and IDNA. Typed into the web forms
by the domain admin of example.test, `a@x.test@example.test`, `A@EXAMPLE.TEST` and a look-alike of example.test
with a Cyrillic "а" land in the right domain or are rejected."""

from __future__ import annotations

import pytest

from mailadmin.addresses import normalise_domain
from mailadmin.directory import accounts, aliases, claims

from .conftest import snapshot
from .urltable import PASSWORD

LOOKALIKE = "ex\u0430mple.test"  # Cyrillic small a
LOOKALIKE_A_LABEL = normalise_domain(LOOKALIKE)
DOUBLE_AT = "a@x.test@example.test"  # the domain is example.test, and "a@x.test" is no valid local part
DOUBLE_AT_OTHER = "a@example.test@other.test"  # the domain is other.test, which this admin does not administer


def test_the_look_alike_is_another_domain():
    assert LOOKALIKE_A_LABEL.startswith("xn--") and LOOKALIKE_A_LABEL.endswith(".test")


@pytest.fixture
def admin(login_as):
    return login_as("domain_admin")


def _add_account(admin, **data):
    return admin.post("/domains/example.test/accounts/add/",
                      {"password": PASSWORD, "password2": PASSWORD, **data})


def test_a_local_part_in_capitals_lands_in_lower_case(admin, directory):
    assert _add_account(admin, local_part="NewBie").status_code == 302
    assert accounts.get_account(directory, "newbie@example.test").mail == "newbie@example.test"


@pytest.mark.parametrize("local_part", ["a@x.test", "a@other.test", f"a@{LOOKALIKE}", "postmaster@other.test"])
def test_a_local_part_holding_an_at_sign_is_rejected(local_part, admin, test_directory):
    before = snapshot(test_directory)
    response = _add_account(admin, local_part=local_part)
    assert response.status_code == 200 and "local_part" in response.context["form"].errors
    assert snapshot(test_directory) == before


@pytest.mark.parametrize("alias", [DOUBLE_AT, DOUBLE_AT_OTHER, f"new@{LOOKALIKE}", "new@other.test"])
def test_a_new_accounts_alias_outside_the_domain_is_rejected(alias, admin, test_directory):
    before = snapshot(test_directory)
    response = _add_account(admin, local_part="newbie", aliases=alias)
    assert response.status_code == 200 and "aliases" in response.context["form"].errors
    assert snapshot(test_directory) == before


def test_a_new_accounts_alias_in_capitals_lands_in_lower_case(admin, directory):
    assert _add_account(admin, local_part="newbie", aliases="NB@EXAMPLE.TEST").status_code == 302
    assert accounts.get_account(directory, "newbie@example.test").aliases == ("nb@example.test",)


@pytest.mark.parametrize("alias", [DOUBLE_AT, DOUBLE_AT_OTHER, f"new@{LOOKALIKE}", f"NEW@{LOOKALIKE.upper()}"])
def test_an_alias_outside_the_domain_is_rejected(alias, admin, directory, test_directory):
    before = snapshot(test_directory)
    response = admin.post("/accounts/alice@example.test/aliases/add/", {"address": alias})
    assert response.status_code in (403, 422)  # 403: a domain the admin does not administer; 422: not an address
    assert snapshot(test_directory) == before


def test_an_alias_in_capitals_lands_in_lower_case(admin, directory):
    assert admin.post("/accounts/alice@example.test/aliases/add/", {"address": "A.M@EXAMPLE.TEST"}).status_code == 302
    assert "a.m@example.test" in accounts.get_account(directory, "alice@example.test").aliases


@pytest.mark.parametrize("address", [DOUBLE_AT, DOUBLE_AT_OTHER, f"list@{LOOKALIKE}"])
def test_a_virtual_alias_outside_the_domain_is_rejected(address, admin, test_directory):
    before = snapshot(test_directory)
    response = admin.post("/aliases/add/", {"address": address, "external": "x@external.test", "enabled": "on"})
    assert response.status_code == 200 and "address" in response.context["form"].errors
    assert snapshot(test_directory) == before


def test_a_virtual_alias_in_capitals_lands_in_lower_case(admin, directory):
    response = admin.post("/aliases/add/", {"address": "LIST@EXAMPLE.TEST", "members": "ALICE@Example.Test"})
    assert response.status_code == 302
    valias = aliases.get_valias(directory, "list@example.test")
    assert valias.address == "list@example.test"
    assert valias.members == (accounts.get_account(directory, "alice@example.test").dn,)


@pytest.mark.parametrize("member", [DOUBLE_AT, "oscar@other.test", f"alice@{LOOKALIKE}"])
def test_a_virtual_alias_member_must_be_an_account_the_admin_sees(member, admin, test_directory):
    before = snapshot(test_directory)
    response = admin.post("/aliases/team@example.test/edit/", {"members": member, "enabled": "on"})
    assert response.status_code == 422 and "members" in response.context["form"].errors
    assert snapshot(test_directory) == before


def test_a_forward_may_leave_but_keeps_its_real_domain(admin, directory):
    """Forwards may go anywhere; the look-alike is stored as its own A-label, never as example.test."""
    assert admin.post("/accounts/alice@example.test/forwards/add/", {"address": f"Boss@{LOOKALIKE}"}).status_code == 302
    assert accounts.get_account(directory, "alice@example.test").forwards == (f"boss@{LOOKALIKE_A_LABEL}",)


def test_a_forward_with_two_at_signs_is_rejected(admin, test_directory):
    before = snapshot(test_directory)
    assert admin.post("/accounts/alice@example.test/forwards/add/", {"address": DOUBLE_AT}).status_code == 422
    assert snapshot(test_directory) == before


def test_people_get_an_address_only_in_the_admins_domain(admin, directory, pierre_of_example):
    for address in (DOUBLE_AT, DOUBLE_AT_OTHER, f"pierre@{LOOKALIKE}"):
        response = admin.post("/people/pierre/enable/", {"address": address})
        assert response.status_code == 200 and "address" in response.context["form"].errors, address
    assert admin.post("/people/pierre/enable/", {"address": "Pierre@EXAMPLE.test"}).status_code == 302
    assert claims.uses(directory, "pierre@example.test")


@pytest.mark.parametrize("path,status,location", [
    ("/accounts/ALICE@EXAMPLE.TEST/", 302, "/accounts/alice@example.test/"),
    ("/accounts/Alice.Martin@Example.Test/", 302, "/accounts/alice@example.test/"),
    ("/accounts/alice@example.test@other.test/", 404, None),
    ("/accounts/oscar@other.test@example.test/", 404, None),
    (f"/accounts/alice@{LOOKALIKE}/", 404, None),
    ("/domains/EXAMPLE.TEST/", 200, None),
    (f"/domains/{LOOKALIKE}/", 404, None),
    (f"/domains/{LOOKALIKE}/accounts/add/", 404, None),
    ("/aliases/TEAM@EXAMPLE.TEST/", 302, "/aliases/team@example.test/"),
    (f"/aliases/team@{LOOKALIKE}/", 404, None),
])
def test_addresses_in_the_url_land_in_the_right_domain(path, status, location, admin):
    response = admin.get(path)
    assert response.status_code == status
    if location:
        assert response["Location"] == location


@pytest.mark.parametrize("query,location", [
    ("ALICE@EXAMPLE.TEST", "/accounts/alice@example.test/"),
    ("Alice.Martin@Example.Test", "/accounts/alice@example.test/"),
    ("TEAM@EXAMPLE.TEST", "/aliases/team@example.test/"),
])
def test_the_search_box_normalises_an_address(query, location, admin):
    response = admin.get("/search/", {"q": query})
    assert response.status_code == 302 and response["Location"] == location


@pytest.mark.parametrize("query", [DOUBLE_AT, f"alice@{LOOKALIKE}", "alice@example.test@other.test", "oscar@other.test"])
def test_the_search_box_finds_nothing_for_a_look_alike_or_a_hidden_domain(query, admin):
    response = admin.get("/search/", {"q": query})
    assert response.status_code == 200 and not response.context["accounts"] and response.context["valias"] is None


def test_the_route_tool_follows_the_normalised_address(admin):
    response = admin.get("/route/", {"address": "ALICE@EXAMPLE.TEST"})
    assert response.status_code == 200 and response.context["route"].address == "alice@example.test"


@pytest.mark.parametrize("address,outcome", [
    (DOUBLE_AT, "invalid"), (f"alice@{LOOKALIKE}", "hidden"), ("alice@example.test@other.test", "invalid"),
    ("oscar@other.test", "hidden"),
])
def test_the_route_tool_rejects_or_hides_what_is_not_the_admins(address, outcome, admin):
    response = admin.get("/route/", {"address": address})
    assert response.status_code == 200 and "route" not in response.context
    if outcome == "invalid":
        assert "address" in response.context["form"].errors
    else:
        assert response.context["hidden"] in (f"alice@{LOOKALIKE_A_LABEL}", "oscar@other.test")
