"""Finding 6: a mailhost re-points a reserved address (the generated transport map relays its mail elsewhere), so
only a superadmin sets one on postmaster@ or abuse@; the route tool says that the transport map is wired."""

from __future__ import annotations

import pytest

from mailadmin.directory import accounts

from .conftest import snapshot
from .urltable import account_form

POSTMASTER = "postmaster@example.test"  # abuse@example.test is its alias


@pytest.mark.parametrize("persona", ["domain_admin", "helpdesk"])
def test_below_superadmin_nobody_sets_a_mailhost_on_a_reserved_address(persona, login_as, directory,
                                                                        test_directory):
    before = snapshot(test_directory)
    form = {**account_form(directory, POSTMASTER), "mailhost": "mx.attacker.test"}
    assert login_as(persona).post(f"/accounts/{POSTMASTER}/edit/", form).status_code == 403
    assert snapshot(test_directory) == before


def test_a_superadmin_may(login_as, directory):
    form = {**account_form(directory, POSTMASTER), "mailhost": "mx2.example.test"}
    assert login_as("superadmin").post(f"/accounts/{POSTMASTER}/edit/", form).status_code == 302
    assert accounts.get_account(directory, POSTMASTER).mailhost == "mx2.example.test"


def test_the_route_tool_says_the_mailhost_relays_through_the_wired_transport_map(login_as, test_directory):
    test_directory.ldap_tool("ldapmodify", input_text=(
        "dn: uid=alice,ou=Users,dc=example,dc=org\nchangetype: modify\nadd: mailhost\nmailhost: mx9.example.test\n"))
    body = login_as("superadmin").get("/route/", {"address": "alice@example.test"}).content.decode()
    assert "not wired" not in body
    assert "wired as transport_maps by mailconfig" in body and "smtp:[mx9.example.test]" in body
