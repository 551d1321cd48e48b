import pytest

from mailadmin.directory import AlreadyExists, Invalid
from mailadmin.directory import accounts as a
from mailadmin.directory.accounts import NewAccount
from mailadmin.directory.bulk import AccountEntry, directory_claims, pipeline


def _entry(uid: str, **kwargs) -> AccountEntry:
    return AccountEntry(NewAccount(f"{uid}@example.test", uid, "First", "Last", quota_kb=1024), **kwargs)


def test_pipelined_adds_write_whole_entries_and_report_each_refusal(directory):
    long_name = "N" * 300  # a length over 255 takes a two-byte BER length
    entries = [_entry("p1", name=long_name), _entry("alice"), _entry("p2")]
    bad = {**entries[2].attributes(1024), "mailuserquota": "lots"}
    with pipeline(window=2) as adds:
        results = adds.add("p1", entries[0].dn, entries[0].attributes(1024))
        results += adds.add("alice", entries[1].dn, entries[1].attributes(1024))
        results += adds.add("p2", entries[2].dn, bad)
        results += adds.finish()
    outcome = dict(results)
    assert outcome["p1"] is None
    assert isinstance(outcome["alice"], AlreadyExists)
    assert isinstance(outcome["p2"], Invalid)
    p1 = a.get_account(directory, "p1@example.test")
    assert (p1.name, p1.quota_kb, p1.mailbox) == (long_name, 1024, "/home/vmail/p1/")
    assert a.get_account(directory, "p2@example.test") is None


def test_a_password_must_be_a_hash():
    with pytest.raises(Invalid):
        _entry("p3", password_hash="cleartext").attributes(1024)


def test_claims_hold_every_address_and_dn_from_two_searches(directory):
    before = directory.operations
    claims = directory_claims(directory)
    assert directory.operations - before == 2
    assert claims.addresses["alice.martin@example.test"] == "uid=alice,ou=users,dc=example,dc=org"
    assert claims.addresses["team@example.test"].startswith("mailalias=team@example.test,")
    assert "uid=pierre,ou=users,dc=example,dc=org" in claims.dns
    assert len(claims.accounts) == 6
