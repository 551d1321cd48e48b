"""Threat 4: postmaster@ and abuse@ of a domain cannot be removed, disabled or re-pointed by its domain admin (nor
by the helpdesk), and nobody claims them in a domain they do not administer, whatever the POST body holds."""

from __future__ import annotations

import pytest

from mailadmin.directory import accounts, aliases, claims

from .conftest import snapshot
from .urltable import PASSWORD, account_form

# Fields a forged request might add, hoping a view reads them instead of the URL.
SMUGGLED = {"domain": "other.test", "address": "alice@example.test", "mail": "alice@example.test",
            "uid": "alice", "local_part": "alice"}
REFUSED_ACTIONS = {
    "remove": {},
    "disable": {},
    "forwards/add": {"address": "thief@external.test"},
    "aliases/remove": {"address": "abuse@example.test"},
}


@pytest.mark.parametrize("reserved", ["postmaster@example.test", "abuse@example.test"])
@pytest.mark.parametrize("action", sorted(REFUSED_ACTIONS))
@pytest.mark.parametrize("persona", ["domain_admin", "helpdesk"])
def test_a_reserved_address_is_not_removed_disabled_or_re_pointed(persona, action, reserved, login_as,
                                                                    test_directory):
    before = snapshot(test_directory)
    response = login_as(persona).post(f"/accounts/{reserved}/{action}/", {**SMUGGLED, **REFUSED_ACTIONS[action]})
    assert response.status_code == 403
    assert snapshot(test_directory) == before


@pytest.mark.parametrize("change", [
    {"forwards": "thief@external.test"}, {"enabled": None}, {"aliases": ""}, {"aliases": "x@example.test"},
])
def test_the_edit_form_cannot_re_point_or_disable_postmaster(change, login_as, directory, test_directory):
    form = {**SMUGGLED, **account_form(directory, "postmaster@example.test"), "quota": "1G", **change}
    form = {k: v for k, v in form.items() if v is not None}
    before = snapshot(test_directory)
    assert login_as("domain_admin").post("/accounts/postmaster@example.test/edit/", form).status_code == 403
    assert snapshot(test_directory) == before


def test_moving_abuse_to_another_account_is_refused(login_as, test_directory):
    before = snapshot(test_directory)
    response = login_as("domain_admin").post("/accounts/alice@example.test/aliases/add/",
                                             {**SMUGGLED, "address": "abuse@example.test"})
    assert response.status_code == 403
    assert snapshot(test_directory) == before


def test_the_domain_admin_still_manages_the_quota_and_password_of_postmaster(login_as, directory):
    client = login_as("domain_admin")
    assert client.post("/accounts/postmaster@example.test/quota/", {"quota": "1G"}).status_code == 302
    assert client.post("/accounts/postmaster@example.test/password/",
                       {"password": PASSWORD, "password2": PASSWORD}).status_code == 302


@pytest.fixture
def abuse_list(directory):
    """abuse@example.test as a virtual alias (a distribution list) instead of an alias of the postmaster account."""
    postmaster = accounts.get_account(directory, "postmaster@example.test")
    accounts.update_account(directory, postmaster, {"aliases": ()})
    aliases.create_valias(directory, "abuse@example.test", members=[postmaster.dn])
    return "abuse@example.test"


@pytest.mark.parametrize("action,data", [
    ("remove", {}), ("disable", {}),
    ("edit", {"members": "alice@example.test", "external": "thief@external.test", "enabled": "on"}),
    ("edit", {"members": "postmaster@example.test"}),  # unticked: disabled
])
def test_a_reserved_virtual_alias_is_not_removed_disabled_or_re_pointed(action, data, abuse_list, login_as,
                                                                        test_directory):
    before = snapshot(test_directory)
    assert login_as("domain_admin").post(f"/aliases/{abuse_list}/{action}/", {**SMUGGLED, **data}).status_code == 403
    assert snapshot(test_directory) == before


CLAIMS = {  # URL, data, status: every form through which a domain admin of example.test could claim an address
    "as a new account in the other domain": ("/domains/other.test/accounts/add/",
                                             {"local_part": "postmaster", "password": PASSWORD, "password2": PASSWORD},
                                             404),
    "as a new account with a smuggled domain": ("/domains/example.test/accounts/add/",
                                                {"local_part": "postmaster@other.test", "password": PASSWORD,
                                                 "password2": PASSWORD}, 200),
    "as an alias of a new account": ("/domains/example.test/accounts/add/",
                                     {"local_part": "newbie", "aliases": "postmaster@other.test",
                                      "password": PASSWORD, "password2": PASSWORD}, 200),
    "as an alias": ("/accounts/alice@example.test/aliases/add/", {"address": "postmaster@other.test"}, 403),
    "as a virtual alias": ("/aliases/add/", {"address": "postmaster@other.test", "external": "x@external.test",
                                             "enabled": "on"}, 200),
    "as the address of a person": ("/people/pierre/enable/", {"address": "postmaster@other.test"}, 200),
}


@pytest.mark.parametrize("way", sorted(CLAIMS))
def test_postmaster_of_another_domain_cannot_be_claimed(way, login_as, directory, test_directory, pierre_of_example):
    url, data, status = CLAIMS[way]
    before = snapshot(test_directory)
    response = login_as("domain_admin").post(url, {**SMUGGLED, **data, "domain": "other.test"})
    assert response.status_code == status
    assert not claims.uses(directory, "postmaster@other.test")
    assert snapshot(test_directory) == before


def test_the_edit_form_cannot_claim_postmaster_of_another_domain(login_as, directory, test_directory):
    form = {**account_form(directory, "alice@example.test"), "aliases": "alice.martin@example.test\n"
                                                                         "postmaster@other.test"}
    before = snapshot(test_directory)
    assert login_as("domain_admin").post("/accounts/alice@example.test/edit/", form).status_code == 403
    assert snapshot(test_directory) == before
