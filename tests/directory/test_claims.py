"""An address is claimed once: eight threads race for it, each on its own connection and database connection."""

import threading

import pytest
from django.db import connection as db_connection

from mailadmin.directory import AlreadyExists, connect
from mailadmin.directory import accounts as a
from mailadmin.directory import aliases as al
from mailadmin.directory import schema as s

ADDRESS = "race@example.test"
THREADS = 8


def _claim(kind: str, i: int) -> None:
    with connect() as directory:
        if kind == "mail":
            a.create_account(directory, a.NewAccount(address=ADDRESS, uid=f"claimer{i}"), "race-password-1")
        elif kind == "alias":
            account = a.get_account(directory, f"racer{i}@example.test")
            a.update_account(directory, account, {"aliases": (ADDRESS,)})
        else:
            al.create_valias(directory, ADDRESS, external=(f"racer{i}@external.test",))


def _race(kinds: list[str]) -> list[object]:
    results: list[object] = [None] * len(kinds)
    start = threading.Barrier(len(kinds))

    def run(i: int) -> None:
        try:
            start.wait()
            _claim(kinds[i], i)
            results[i] = "won"
        except Exception as e:  # noqa: BLE001 - every outcome is recorded and asserted below
            results[i] = e
        finally:
            db_connection.close()  # each thread has its own database connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(kinds))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _holders(directory) -> list[str]:
    found = directory.find(s.users_dn(), s.address_claims(ADDRESS), ("1.1",))
    found += directory.find(s.aliases_dn(), s.valias_by_address(ADDRESS), ("1.1",))
    return [r.dn for r in found]


@pytest.fixture
def racers(slapd):
    """Eight plain accounts racer0..racer7@example.test, added as the rootdn (no claim involved)."""
    slapd.add_ldif("\n".join(
        f"dn: uid=racer{i},ou=Users,dc=example,dc=org\nobjectClass: inetOrgPerson\nobjectClass: mailAccount\n"
        f"uid: racer{i}\ncn: Racer {i}\nsn: Racer\nmail: racer{i}@example.test\nmailenable: OK\n"
        for i in range(THREADS)
    ))


@pytest.mark.both_profiles  # no unique overlay on a stock directory: the app's own lock must hold alone
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kinds", [
    ["mail"] * THREADS,
    ["alias"] * THREADS,
    ["valias"] * THREADS,
    ["mail", "alias", "valias", "alias", "mail", "valias", "alias", "mail"],
], ids=["as-account-mail", "as-alias-of-different-accounts", "as-virtual-alias", "mixed"])
def test_eight_threads_claiming_one_address_give_exactly_one_winner(racers, kinds):
    results = _race(kinds)
    assert results.count("won") == 1, results
    losers = [r for r in results if r != "won"]
    assert all(isinstance(r, AlreadyExists) and r.address == ADDRESS for r in losers), losers
    with connect() as directory:
        assert len(_holders(directory)) == 1


@pytest.mark.django_db
def test_the_lock_row_exists_before_the_first_claim():
    from mailadmin.directory.claims import LOCK_NAME
    from mailadmin.models import ClaimLock

    assert ClaimLock.objects.get(name=LOCK_NAME).taken == 0  # made by migration 0002, not by a first claim


def test_a_deleted_lock_row_is_put_back_and_taken(directory):
    from mailadmin.directory.claims import LOCK_NAME, claim_lock
    from mailadmin.models import ClaimLock

    ClaimLock.objects.all().delete()
    with claim_lock(directory):
        assert ClaimLock.objects.get(name=LOCK_NAME).taken == 1
    with claim_lock(directory):
        pass
    assert ClaimLock.objects.get(name=LOCK_NAME).taken == 2


def test_a_claim_waits_only_for_providers_its_server_knows(directory, settings):
    from mailadmin.directory import DirectoryUnavailable
    from mailadmin.directory.claims import LOCK_NAME, claim_lock
    from mailadmin.models import ClaimLock

    (now,) = directory.read(s.base_dn(), ("contextCSN",)).values("contextCSN")
    provider = now.split("#")[2]
    older = f"20000101000000.000000Z#000000#{provider}#000000"
    later = f"29991231000000.000000Z#000000#{provider}#000000"  # a claim this server has not received yet
    unknown = "29991231000000.000000Z#000000#fff#000000"  # from a provider this server has never heard of
    lock = ClaimLock.objects.filter(name=LOCK_NAME)
    settings.LDAP_TIMEOUT = 0.2
    for seen in ([older], [now], [now, unknown]):  # caught up (a removed provider is not waited for)
        lock.update(seen=" ".join(seen))
        with claim_lock(directory):
            assert lock.get().seen == " ".join(seen)
    lock.update(seen=later)
    with pytest.raises(DirectoryUnavailable, match="replication is behind"), claim_lock(directory):
        pytest.fail("a server behind the last claim must not take a claim")
    settings.LDAP_BASE_DN = s.users_dn()  # an entry without contextCSN, as on a server without syncprov
    with claim_lock(directory):  # no replication to wait for
        assert lock.get().seen == later


def test_a_claim_notes_the_servers_context_csn_for_the_next_claimer(directory):
    from mailadmin.directory.claims import LOCK_NAME, claim_lock
    from mailadmin.models import ClaimLock

    with claim_lock(directory):
        pass
    seen = ClaimLock.objects.get(name=LOCK_NAME).seen.split()
    record = directory.read("dc=example,dc=org", ("contextCSN",))
    assert seen and set(seen) == set(record.values("contextCSN"))
