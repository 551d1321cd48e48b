import pytest

from mailadmin.directory import AlreadyExists, Conflict
from mailadmin.directory import aliases as al

pytestmark = pytest.mark.both_profiles

ALICE_DN = "uid=alice,ou=Users,dc=example,dc=org"
BOB_DN = "uid=bob,ou=Users,dc=example,dc=org"
DAVE_DN = "uid=dave,ou=Users,dc=example,dc=org"


def test_it_reads_a_virtual_alias(directory):
    team = al.get_valias(directory, "TEAM@example.test")
    assert team.dn == "mailalias=team@example.test,ou=mailAliases,dc=example,dc=org"
    assert (team.address, team.domain, team.enabled) == ("team@example.test", "example.test", True)
    assert set(team.members) == {ALICE_DN, DAVE_DN}
    assert team.external == ("partner@external.test",)
    assert team.csn


def test_it_answers_none_for_an_unknown_virtual_alias(directory):
    assert al.get_valias(directory, "nobody@example.test") is None


def test_it_lists_virtual_aliases_of_one_domain_or_all(directory):
    al.create_valias(directory, "list@other.test", external=("x@external.test",))
    assert [v.address for v in al.list_valiases(directory, "example.test")] == ["team@example.test"]
    assert [v.address for v in al.list_valiases(directory)] == ["list@other.test", "team@example.test"]


def test_it_creates_a_virtual_alias(directory):
    created = al.create_valias(directory, "sales@example.test", members=(BOB_DN,), external=("x@external.test",),
                               enabled=False)
    assert created == al.get_valias(directory, "sales@example.test")
    assert (created.members, created.external, created.enabled) == ((BOB_DN,), ("x@external.test",), False)


def test_it_refuses_a_virtual_alias_on_an_address_in_use(directory):
    for address in ("team@example.test", "bob@example.test", "abuse@example.test"):
        with pytest.raises(AlreadyExists):
            al.create_valias(directory, address)
    assert al.get_valias(directory, "bob@example.test") is None


def test_it_updates_members_external_recipients_and_status(directory):
    team = al.get_valias(directory, "team@example.test")
    updated = al.update_valias(directory, team, members=(ALICE_DN, BOB_DN), external=(), enabled=False)
    assert set(updated.members) == {ALICE_DN, BOB_DN}
    assert (updated.external, updated.enabled) == ((), False)


def test_an_alias_update_changes_members_value_by_value(directory, monkeypatch):
    team = al.get_valias(directory, "team@example.test")
    sent = []
    real = directory._conn.modify
    monkeypatch.setattr(
        directory._conn, "modify", lambda dn, changes, **kw: sent.append(changes) or real(dn, changes, **kw)
    )
    al.update_valias(directory, team, members=(ALICE_DN, BOB_DN), external=team.external, enabled=True)
    assert sent == [{"mailaliasmember": [("MODIFY_DELETE", [DAVE_DN]), ("MODIFY_ADD", [BOB_DN])]}]


def test_a_stale_virtual_alias_update_raises_conflict_and_changes_nothing(directory):
    stale = al.get_valias(directory, "team@example.test")
    first = al.update_valias(directory, stale, members=(ALICE_DN,), external=stale.external, enabled=True)
    with pytest.raises(Conflict):
        al.update_valias(directory, stale, members=(BOB_DN,), external=(), enabled=False)
    assert al.get_valias(directory, "team@example.test") == first


def test_it_removes_a_virtual_alias(directory):
    al.remove_valias(directory, al.get_valias(directory, "team@example.test"))
    assert al.get_valias(directory, "team@example.test") is None


def test_a_stale_virtual_alias_remove_raises_conflict(directory):
    stale = al.get_valias(directory, "team@example.test")
    al.update_valias(directory, stale, members=stale.members, external=(), enabled=True)
    with pytest.raises(Conflict):
        al.remove_valias(directory, stale)
    assert al.get_valias(directory, "team@example.test") is not None
