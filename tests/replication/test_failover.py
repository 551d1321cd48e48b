"""LDAP_URL lists two providers of a replicated directory: a stopped or hung first provider does not stop the console
or the commands, writes land on the second and reach the first when it is back, and no address is claimed twice."""

from __future__ import annotations

import subprocess
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from mailadmin.directory import AlreadyExists, DirectoryUnavailable, connect, resting
from mailadmin.directory import accounts as a
from tests.cli.helpers import run
from tests.mailstack.conftest import Postfix, mailbox_owner, postfix_config_dir, require

from .conftest import has, hung, wait_until_same

ALICE = "uid=alice,ou=Users,dc=example,dc=org"


def _is_resting(instance) -> bool:
    return resting.is_resting("127.0.0.1", instance.port)


def test_with_the_first_provider_stopped_pages_and_commands_go_on_and_it_catches_up(both, superadmin):
    first, second = both
    first.stop()
    assert superadmin.get("/domains/example.test/").status_code == 200
    assert "example.test" in run("listdomains")
    run("createaccount", "failover1@example.test", "--name", "Fail Over", "--password-stdin", stdin="a-Passw0rd-long\n")
    assert superadmin.post("/accounts/alice@example.test/aliases/add/",
                           {"address": "al.failover@example.test"}).status_code == 302
    run("setquota", "alice@example.test", "3G")
    assert has(second, "uid=failover1@example.test,ou=Users,dc=example,dc=org", "mail", "failover1@example.test")
    assert has(second, ALICE, "mailalias", "al.failover@example.test")
    assert has(second, ALICE, "mailuserquota", str(3 * 1024 * 1024))

    first.start()
    entries = wait_until_same(first, second)  # ldapsearch of both: every entry, with its entryCSN
    assert any("mail: failover1@example.test" in entry for entry in entries)
    assert has(first, ALICE, "mailalias", "al.failover@example.test")
    assert has(first, ALICE, "mailuserquota", str(3 * 1024 * 1024))


def test_a_hung_first_provider_costs_one_request_then_rests(both, superadmin):
    first, second = both
    with hung(first):
        assert superadmin.get("/domains/example.test/").status_code == 200  # this one paid the timeout
        assert _is_resting(first)
        for _ in range(3):
            assert superadmin.get("/domains/example.test/").status_code == 200
        assert "example.test" in run("listdomains")
        run("setquota", "bob@example.test", "2G")
        assert has(second, "uid=bob,ou=Users,dc=example,dc=org", "mailuserquota", str(2 * 1024 * 1024))
    wait_until_same(first, second)


def test_a_provider_that_hangs_mid_request_rests_and_the_next_request_uses_the_other(both, db):
    first, second = both
    with connect() as directory:
        assert a.get_account(directory, "alice@example.test") is not None
        with hung(first):
            with pytest.raises(DirectoryUnavailable):
                a.get_account(directory, "alice@example.test")
            assert _is_resting(first)
            with connect() as other:
                assert a.get_account(other, "alice@example.test") is not None


def test_a_claim_checked_on_a_provider_that_lacks_the_last_claim_waits_then_refuses(both, db):
    """The first provider takes a claim while the second is down; then the first goes down before the second could
    copy it. Checking the same address on the second would find it free: the claim lock knows better."""
    first, second = both
    second.stop()
    settings.LDAP_URL = [first.uri]
    with connect() as directory:
        a.create_account(directory, a.NewAccount(address="claimed@example.test", uid="claimed@example.test",
                                                 first_name="Claimed"), "a-Passw0rd-long")
    first.stop()
    second.start()
    settings.LDAP_URL = [second.uri]
    new = a.NewAccount(address="claimed@example.test", uid="claimed2", first_name="Second")
    with connect() as directory, pytest.raises(DirectoryUnavailable, match="replication is behind"):
        a.create_account(directory, new, "a-Passw0rd-long")
    first.start()
    with connect() as directory, pytest.raises(AlreadyExists):
        a.create_account(directory, new, "a-Passw0rd-long")  # the second caught up and sees the claim
    wait_until_same(first, second)
    assert not has(first, "uid=claimed2,ou=Users,dc=example,dc=org", "objectClass", "*")


MAILSERVER = "cn=mailserver,ou=system,dc=example,dc=org"


def _mailserver_account(first, password_file) -> None:
    """The mail servers' own account of docs/deploy.md, added on the first provider (replication copies it)."""
    hashed = subprocess.run(["/usr/sbin/slappasswd", "-T", str(password_file)], capture_output=True, text=True,
                            check=True).stdout.strip()
    first.add_ldif(f"dn: {MAILSERVER}\nobjectClass: applicationProcess\nobjectClass: simpleSecurityObject\n"
                   f"cn: mailserver\nuserPassword: {hashed}\n")


def test_postmap_still_answers_with_the_first_provider_down(both, tmp_path):
    """Through the mail servers' read-only account, which the project's ACLs let read and never write."""
    first, second = both
    require("postmap", "postconf")
    password_file = tmp_path / "pw"
    password_file.write_text("mail-server-password")
    _mailserver_account(first, password_file)
    second.wait_for(MAILSERVER)
    maps = tmp_path / "maps"
    call_command("mailconfig", output=str(maps), bind_dn=MAILSERVER, bind_password_file=str(password_file),
                 postfix_dir=str(maps), dovecot_dir=str(maps), vmail_user=mailbox_owner(), stdout=StringIO(),
                 stderr=StringIO())
    assert f"{first.uri} {second.uri}" in (maps / "ldap-accounts.cf").read_text()
    postfix = Postfix(postfix_config_dir(tmp_path), maps)
    first.stop()
    assert postfix.query("ldap-accounts", "alice@example.test") == "/home/vmail/alice/"
    assert postfix.query("ldap-aliases", "alice.martin@example.test") == "alice@example.test"
    assert subprocess.run(["ldapwhoami", "-x", "-H", first.uri], capture_output=True).returncode != 0  # really down
    write = subprocess.run(["ldapmodify", "-x", "-H", second.uri, "-D", MAILSERVER, "-y", str(password_file)],
                           input=f"dn: {ALICE}\nchangetype: modify\nreplace: mailenable\nmailenable: NONE\n",
                           capture_output=True, text=True)
    assert write.returncode == 50, write.stderr  # insufficientAccess: the mail servers' account only reads
