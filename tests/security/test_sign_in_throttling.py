"""Findings 2 and 3: strangers cannot lock a mailbox through the sign-in page (the console stops them before the
directory's password policy would), and a success clears only its own login's failures, counted per account however
the address is spelt."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from mailadmin.directory.connection import password_matches
from tests.conftest import SUFFIX

from .helpers import adminrole, sign_in, signed_in

ALICE, ALICE_PASSWORD, ALICE_DN = "alice@example.test", "alice-password-1", f"uid=alice,ou=Users,{SUFFIX}"
BOB, BOB_PASSWORD = "bob@example.test", "bob-password-22"


@pytest.fixture
def console_users(db):
    adminrole("grant", ALICE, "--domain-admin", "example.test")
    adminrole("grant", BOB, "--domain-admin", "other.test")


def _policy(slapd) -> dict[str, str]:
    text = slapd.ldap_tool("ldapsearch", "-LLL", "-b", f"cn=default,ou=policies,{SUFFIX}", "-s", "base").stdout
    return dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)


def _locked_out(address: str, password: str, **extra) -> bool:
    response = Client().post("/login/", {"username": address, "password": password}, **extra)
    return "registration/locked_out.html" in [t.name for t in response.templates]


def test_a_stranger_guessing_at_the_sign_in_page_does_not_lock_the_mailbox(console_users):
    for attempt in range(12):
        sign_in(ALICE, f"wrong-password-{attempt}", REMOTE_ADDR=f"10.0.0.{attempt}")
    # The mailbox still works for IMAP and SMTP: a bind as the entry with its password succeeds.
    assert password_matches(ALICE_DN, ALICE_PASSWORD)


def test_the_console_stops_before_the_directorys_lockout(test_directory):
    assert settings.AXES_FAILURE_LIMIT < int(_policy(test_directory)["pwdMaxFailure"])


def test_the_shipped_policy_never_locks_for_good(test_directory):
    policy = _policy(test_directory)
    assert int(policy["pwdLockoutDuration"]) > 0  # a lock ends by itself
    # Failures older than this are forgotten: a trickle below the console's limit never adds up to a lock.
    assert 0 < int(policy["pwdFailureCountInterval"]) <= settings.AXES_COOLOFF_TIME * 3600


def test_a_success_on_ones_own_account_does_not_clear_guesses_at_another(console_users):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(ALICE, f"wrong-password-{attempt}")
    assert signed_in(sign_in(BOB, BOB_PASSWORD))  # the attacker's own account, from the same address
    sign_in(ALICE, "one-more-wrong-password")
    # Locked by the console (not by the directory: its lockout is never reached), even from another address.
    assert _locked_out(ALICE, ALICE_PASSWORD, REMOTE_ADDR="10.9.9.9")


def test_a_success_clears_that_logins_failures(console_users):
    sign_in(ALICE, "wrong-password")
    assert signed_in(sign_in(ALICE, ALICE_PASSWORD))
    assert not AccessAttempt.objects.filter(username=ALICE).exists()


def test_every_spelling_of_an_address_counts_against_the_one_account(console_users):
    spellings = ["ALICE@example.test", "alice@example.test.", " alice@Example.Test ", "alice@EXAMPLE.TEST."]
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(spellings[attempt % len(spellings)], "wrong-password", REMOTE_ADDR=f"10.0.1.{attempt}")
    assert _locked_out(ALICE, ALICE_PASSWORD, REMOTE_ADDR="10.0.2.1")
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {ALICE}


def test_guesses_spread_over_a_mailboxs_aliases_count_against_the_one_account(console_users):
    """Mail users sign in with an alias too: counted apart, three guesses per alias would pass the directory's lockout
    (pwdMaxFailure 5) and lock the mailbox for IMAP and SMTP."""
    names = ["alice.martin@example.test", ALICE, "Alice.Martin@Example.Test"]
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(names[attempt % len(names)], "wrong-password", REMOTE_ADDR=f"10.0.3.{attempt}")
    assert _locked_out("alice.martin@example.test", ALICE_PASSWORD, REMOTE_ADDR="10.0.4.1")
    assert _locked_out(ALICE, ALICE_PASSWORD, REMOTE_ADDR="10.0.4.2")
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {ALICE}
    assert password_matches(ALICE_DN, ALICE_PASSWORD)  # the console stopped first: the mailbox works
