import pytest

from mailadmin.directory import AlreadyExists, Invalid, bulk, wire
from mailadmin.directory import accounts as a
from mailadmin.directory.accounts import NewAccount
from mailadmin.directory.bulk import AccountEntry, directory_claims, pipeline


def _entry(uid: str, **kwargs) -> AccountEntry:
    return AccountEntry(NewAccount(f"{uid}@example.test", uid, "First", "Last", quota_kb=1024), **kwargs)


def _add_all(adds, entries, attributes=None) -> dict:
    results = []
    for entry in entries:
        results += adds.add(entry.new.uid, entry.dn, (attributes or {}).get(entry.new.uid, entry.attributes(1024)))
    return dict(results + adds.finish())


# batch 0: one add at a time; 2: a transaction refused for alice is redone one by one; 10: everything in one.
@pytest.mark.parametrize("batch", [0, 2, 10])
def test_pipelined_adds_write_whole_entries_and_report_each_refusal(directory, batch):
    long_name = "N" * 300  # a length over 255 takes a two-byte BER length
    entries = [_entry("p1", name=long_name), _entry("alice"), _entry("p2")]
    bad = {**entries[2].attributes(1024), "mailuserquota": "lots"}
    with pipeline(window=2, batch=batch) as adds:
        outcome = _add_all(adds, entries, {"p2": bad})
        assert adds.transactions is (batch > 0)  # refusals of entries do not switch transactions off
    assert outcome["p1"] is None
    assert isinstance(outcome["alice"], AlreadyExists)
    assert isinstance(outcome["p2"], Invalid)
    p1 = a.get_account(directory, "p1@example.test")
    assert (p1.name, p1.quota_kb, p1.mailbox) == (long_name, 1024, "/home/vmail/p1/")
    assert a.get_account(directory, "p2@example.test") is None


def test_a_batch_is_written_in_one_transaction(directory, monkeypatch):
    seen_before_the_end = []
    real_request = bulk.Pipeline._request

    def request(self, oid, value=None):
        if oid == wire.END_TRANSACTION:  # every add was sent and accepted: none may show before the commit
            seen_before_the_end.extend(a.get_account(directory, f"t{i}@example.test") for i in range(3))
        return real_request(self, oid, value)

    monkeypatch.setattr(bulk.Pipeline, "_request", request)
    with pipeline(batch=3) as adds:
        assert _add_all(adds, [_entry(f"t{i}") for i in range(3)]) == {"t0": None, "t1": None, "t2": None}
        assert adds.transactions
    assert seen_before_the_end == [None, None, None]
    assert all(a.get_account(directory, f"t{i}@example.test") for i in range(3))


def test_a_directory_without_transactions_gets_one_add_at_a_time(directory, monkeypatch):
    monkeypatch.setattr(wire, "START_TRANSACTION", "1.3.6.1.4.1.4203.666.99")  # an operation slapd does not offer
    with pipeline(batch=2) as adds:
        assert _add_all(adds, [_entry(f"n{i}") for i in range(3)]) == {"n0": None, "n1": None, "n2": None}
        assert not adds.transactions
    assert all(a.get_account(directory, f"n{i}@example.test") for i in range(3))


def test_a_transaction_that_fails_while_every_entry_is_fine_switches_transactions_off(directory, monkeypatch):
    # The adds name a transaction that does not exist: slapd refuses them, the batch is aborted and sent again alone.
    real = wire.transaction_control
    monkeypatch.setattr(wire, "transaction_control", lambda transaction: real(transaction + b"-unknown"))
    with pipeline(batch=2) as adds:
        assert _add_all(adds, [_entry(f"f{i}") for i in range(3)]) == {"f0": None, "f1": None, "f2": None}
        assert not adds.transactions
    assert all(a.get_account(directory, f"f{i}@example.test") for i in range(3))


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
