"""Finding 5: the session of a user signed in by an LDAP bind ends once its entry is disabled, removed or its password
changed: checked on every request that may change data and every few minutes otherwise. A password change by the
user ends their other sessions, not the one they made it in."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from mailadmin.directory import accounts
from mailadmin.sessions import CHECKED_AT

from .helpers import adminrole, sign_in, signed_in
from .urltable import PASSWORD

ALICE, ALICE_PASSWORD = "alice@example.test", "alice-password-1"
QUOTA_OF_BOB = "/accounts/bob@example.test/quota/"


@pytest.fixture
def alice(directory):
    """Alice, a domain admin of example.test, signed in with her mailbox password."""
    adminrole("grant", ALICE, "--domain-admin", "example.test")
    client = sign_in(ALICE, ALICE_PASSWORD)
    assert signed_in(client)
    return client


def _quota_of_bob(directory) -> int:
    return accounts.get_account(directory, "bob@example.test").quota_kb


def _alice(directory):
    return accounts.get_account(directory, ALICE)


@pytest.mark.parametrize("change", [
    lambda d: accounts.update_account(d, _alice(d), {"enabled": False}),
    lambda d: accounts.set_password(d, _alice(d), "another-Passw0rd-9"),
    lambda d: accounts.remove_account(d, accounts.plan_removal(d, _alice(d))),
], ids=["disabled", "password reset", "removed"])
def test_a_change_is_refused_once_the_entry_is_gone_or_changed(change, alice, directory):
    change(directory)
    response = alice.post(QUOTA_OF_BOB, {"quota": "1G"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert _quota_of_bob(directory) == 204800 and not signed_in(alice)


def test_a_change_goes_through_while_the_entry_is_unchanged(alice, directory):
    assert alice.post(QUOTA_OF_BOB, {"quota": "1G"}).status_code == 302
    assert _quota_of_bob(directory) == 1048576 and signed_in(alice)


def test_reading_pages_is_rechecked_every_few_minutes(alice, directory, settings):
    accounts.update_account(directory, _alice(directory), {"enabled": False})
    assert alice.get("/").status_code == 200  # checked at sign-in, a moment ago
    session = alice.session
    session[CHECKED_AT] -= settings.SESSION_RECHECK_INTERVAL + 1
    session.save()
    assert alice.get("/")["Location"].startswith("/login/")
    assert not signed_in(alice)


def test_a_password_change_by_the_user_ends_their_other_sessions(directory, settings):
    settings.MFA_REQUIRED_FOR = []  # the password's road alone (test_two_factor.py covers the second step)
    get_user_model().objects.create_superuser("bob@example.test", email="", password=None)
    adminrole("confirm", "bob@example.test")
    here, elsewhere = sign_in("bob@example.test", "bob-password-22"), sign_in("bob@example.test", "bob-password-22")
    assert signed_in(here) and signed_in(elsewhere)
    response = here.post("/accounts/bob@example.test/password/", {"password": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert here.get("/").status_code == 200 and signed_in(here)
    assert elsewhere.post(QUOTA_OF_BOB, {"quota": "1G"})["Location"].startswith("/login/")
    assert not signed_in(elsewhere)
