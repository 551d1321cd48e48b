"""What Dovecot, run from the files `mailconfig` writes, does with the accounts of tests/base.ldif (doveadm)."""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
from pathlib import Path

import pytest

from .conftest import mailbox_owner, modify

SUFFIX = "dc=example,dc=org"


def test_it_logs_an_account_in_with_its_password(dovecot):
    assert dovecot.auth("alice@example.test", "alice-password-1")


def test_it_logs_an_account_in_whatever_the_case(dovecot):
    assert dovecot.auth("Alice@EXAMPLE.test", "alice-password-1")


def test_it_refuses_a_wrong_password(dovecot):
    assert not dovecot.auth("alice@example.test", "alice-password-2")


def test_it_refuses_the_stored_hash_as_password(dovecot):
    assert not dovecot.auth("bob@example.test", "{SSHA}1kMyYZCsp3rKKvGyxI54fKx7qQ98IuSh")


def test_it_refuses_an_empty_password(dovecot):
    assert not dovecot.auth("alice@example.test", "")


def test_it_refuses_a_disabled_account_with_its_right_password(dovecot):
    # dave's password is bob's: the refusal comes from mailenable, not from the password.
    assert dovecot.auth("bob@example.test", "bob-password-22")
    assert not dovecot.auth("dave@example.test", "bob-password-22")


def test_it_refuses_a_login_by_alias(dovecot):
    assert not dovecot.auth("alice.martin@example.test", "alice-password-1")


def test_it_gives_an_account_its_home_and_quota(dovecot):
    user = dovecot.user("alice@example.test")
    assert user["home"] == "/home/vmail/alice"  # the mailbox path without its final /: ~/Maildir has no //
    assert user["quota_rule"] == "*:storage=512000"
    assert user["uid"] == mailbox_owner()


def test_it_takes_a_mailbox_path_without_a_final_slash_as_the_home(dovecot, slapd):
    modify(slapd, f"uid=bob,ou=Users,{SUFFIX}", "replace: mailbox\nmailbox: /srv/mail/b;o}b%u*")  # the if's ; and }
    assert dovecot.user("bob@example.test")["home"] == "/srv/mail/b;o}b%u*"


def test_it_gives_an_unlimited_quota_as_zero(dovecot):
    assert dovecot.user("carol@example.test")["quota_rule"] == "*:storage=0"


def test_it_does_not_know_a_disabled_account(dovecot):
    assert dovecot.user("dave@example.test") is None


def test_it_does_not_know_an_unknown_address(dovecot):
    assert dovecot.user("nobody@example.test") is None


def test_it_lists_only_enabled_accounts(dovecot):
    result = dovecot.doveadm("user", "*")
    assert result.returncode == 0, result.stderr
    users = set(result.stdout.split())
    assert {"alice@example.test", "bob@example.test", "oscar@other.test"} <= users
    assert "dave@example.test" not in users


@pytest.fixture
def mailbox_root():
    """A directory the mailbox owner can reach (pytest's own temp dirs are private to root)."""
    root = Path(tempfile.mkdtemp(prefix="mailadmin-vmail-"))
    root.chmod(0o755)
    owner = pwd.getpwnam(mailbox_owner())
    os.chown(root, owner.pw_uid, owner.pw_gid)
    yield root
    shutil.rmtree(root)


def test_it_enforces_mailuserquota_in_kilobytes(dovecot, slapd, mailbox_root):
    slapd.add_ldif(f"""dn: uid=quinn,ou=Users,{SUFFIX}
objectClass: inetOrgPerson
objectClass: mailAccount
uid: quinn
cn: Quinn
sn: Quinn
mail: quinn@example.test
mailenable: OK
mailbox: {mailbox_root}/quinn/
mailuserquota: 512000
""")
    result = dovecot.doveadm("quota", "get", "-u", "quinn@example.test")
    assert result.returncode == 0, result.stderr + dovecot.log()
    storage = next(line.split() for line in result.stdout.splitlines() if "STORAGE" in line)
    assert storage[-2] == "512000"  # doveadm reports kB: 512000 kB, not 512000 bytes (which would read 500)
