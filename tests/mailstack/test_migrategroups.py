"""Migrating an MDS mail group to a virtual alias: at every step, the route tool and Postfix (real `postmap -q` on
the maps `mailconfig` writes) still deliver mail to the group address; never refused."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mailadmin.directory import aliases, connect, groups
from mailadmin.directory.routing import trace
from mailadmin.models import AuditEntry

pytestmark = pytest.mark.both_profiles

STAFF = "staff@example.test"
MEMBERS = {"jeanne@example.test", "marc@example.test"}  # lucie, the third member, has no mail account
ALIAS_MAPS = ("ldap-aliases", "ldap-maildrop", "ldap-valiases")  # virtual_alias_maps, in main.cf's order


def postfix_recipients(postfix, address: str) -> set[str] | None:
    """What virtual_alias_maps makes of `address`: the answer of the first map that has one (as Postfix does)."""
    for table in ALIAS_MAPS:
        answer = postfix.values(table, address)
        if answer:
            return answer
    return None


def delivered_to(postfix, directory) -> tuple[set[str], set[str]]:
    """(Postfix's recipients, the route tool's) for the group address; both must be non-empty and agree."""
    route = trace(directory, STAFF)
    assert route.delivered, route.verdict
    by_postfix = postfix_recipients(postfix, STAFF)
    assert by_postfix, "Postfix would refuse mail to the group"
    if route.next_addresses:
        assert by_postfix == set(route.next_addresses)
    else:  # one account left: the route follows the alias into that account's mailbox
        (only,) = by_postfix
        assert f"rewrites it to {only}" in route.steps[1].explanation and route.verdict == "Delivered into the mailbox."
    for member in by_postfix:  # each recipient has a mailbox Postfix finds
        assert postfix.query("ldap-accounts", member) is not None
    return by_postfix, set(route.next_addresses)


def test_mail_to_the_group_is_never_refused_on_the_way(without_alias_uniqueness, postfix, directory):
    seen = [delivered_to(postfix, directory)[0]]
    plan = groups.plan_migration(directory, groups.get_group(directory, "staff"))
    assert not plan.problem and len(plan.copies) == 2 and plan.valias is None
    steps = []

    def check(step: str, dn: str) -> None:
        steps.append(step)
        seen.append(delivered_to(postfix, directory)[0])

    groups.migrate_group(directory, plan, check)
    assert steps == [groups.CREATED, groups.UNCOPIED, groups.UNCOPIED]
    # Before and right after the virtual alias exists, the copies answer; while the copies go one account at a
    # time, the members still holding one receive the mail; then the virtual alias answers for every member.
    assert seen[0] == seen[1] == seen[-1] == MEMBERS and len(seen[2]) == 1 and seen[2] < MEMBERS
    assert postfix.query("ldap-aliases", STAFF) is None
    assert postfix.values("ldap-valiases", STAFF) == MEMBERS
    route = trace(directory, STAFF)
    assert "migrated to the virtual alias above" in route.steps[-1].explanation


def test_the_command_migrates_audits_and_a_second_run_changes_nothing(without_alias_uniqueness, postfix, db):
    out = StringIO()
    call_command("migrategroups", stdout=out, stderr=StringIO())
    assert "Migrated staff@example.test: a virtual alias of 2 members" in out.getvalue()
    assert "Migrated sales@other.test: a virtual alias of 1 members" in out.getvalue()
    with connect() as directory:
        staff = aliases.get_valias(directory, STAFF)
        assert set(staff.members) == {"uid=jeanne,ou=Users,dc=example,dc=org", "uid=marc,ou=Users,dc=example,dc=org"}
        assert postfix_recipients(postfix, STAFF) == MEMBERS
    assert AuditEntry.objects.filter(action="valias.create", ok=True).count() == 2
    removed = AuditEntry.objects.filter(action="account.aliases.remove", target="jeanne@example.test").get()
    assert removed.old == {"aliases": [STAFF]} and removed.new["from_group"] == "cn=staff,ou=Groups,dc=example,dc=org"
    rows = AuditEntry.objects.count()
    again = StringIO()
    call_command("migrategroups", stdout=again, stderr=StringIO())
    assert again.getvalue().strip() == "Nothing to do: all 2 mail groups are virtual aliases."
    assert AuditEntry.objects.count() == rows


def test_a_dry_run_says_what_would_change_and_changes_nothing(without_alias_uniqueness, postfix, db):
    out = StringIO()
    call_command("migrategroups", "staff", "--dry-run", stdout=out, stderr=StringIO())
    assert "Would make staff@example.test a virtual alias of 2 members" in out.getvalue()
    assert postfix.query("ldap-valiases", STAFF) is None and postfix.values("ldap-aliases", STAFF) == MEMBERS
    assert not AuditEntry.objects.exists()


def test_an_interrupted_migration_is_finished_by_a_new_run(without_alias_uniqueness, postfix, directory, db):
    plan = groups.plan_migration(directory, groups.get_group(directory, "staff"))

    def stop_after_the_first_copy(step: str, dn: str) -> None:
        if step == groups.UNCOPIED:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        groups.migrate_group(directory, plan, stop_after_the_first_copy)
    assert len(groups.plan_migration(directory, groups.get_group(directory, "staff")).copies) == 1
    out = StringIO()
    call_command("migrategroups", STAFF, stdout=out, stderr=StringIO())
    assert "the copied address is gone from 1 accounts" in out.getvalue()
    assert postfix_recipients(postfix, STAFF) == MEMBERS


@pytest.mark.project_profile  # the stock profile has no unique overlay
def test_with_the_unique_overlay_on_mailalias_it_says_why_and_changes_nothing(mds_people, postfix, directory, db):
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("migrategroups", "staff", stdout=StringIO(), stderr=err)
    assert "unique overlay on mailalias" in err.getvalue()
    assert aliases.get_valias(directory, STAFF) is None and postfix_recipients(postfix, STAFF) == MEMBERS
    assert not AuditEntry.objects.get(action="group.migrate").ok


def test_a_copy_held_by_someone_outside_the_group_stops_that_group(without_alias_uniqueness, postfix, directory, db):
    without_alias_uniqueness.ldap_tool("ldapmodify", input_text=(
        "dn: uid=bob,ou=Users,dc=example,dc=org\nchangetype: modify\nadd: mailalias\nmailalias: staff@example.test\n"))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("migrategroups", "staff", stdout=StringIO(), stderr=err)
    assert "bob@example.test hold staff@example.test as an alias but are not members" in err.getvalue()
    assert aliases.get_valias(directory, STAFF) is None


def test_without_ou_mail_aliases_it_says_why_and_does_nothing(without_alias_uniqueness, directory, db):
    without_alias_uniqueness.delete_tree("ou=mailAliases,dc=example,dc=org")
    with pytest.raises(CommandError, match="There is no ou=mailAliases,dc=example,dc=org to hold virtual aliases"):
        call_command("migrategroups", stdout=StringIO(), stderr=StringIO())
    assert len(groups.plan_migration(directory, groups.get_group(directory, "staff")).copies) == 2


def test_an_unknown_group_is_refused_before_anything_changes(without_alias_uniqueness, directory, db):
    with pytest.raises(CommandError, match="There is no mail group nope"):
        call_command("migrategroups", "staff", "nope", stdout=StringIO(), stderr=StringIO())
    assert aliases.get_valias(directory, STAFF) is None
