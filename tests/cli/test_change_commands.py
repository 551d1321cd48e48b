"""alias, forward, renameaccount, valias and editdomain: the console's forms from the command line, audited as
cli:<user>, with dry runs that change nothing."""

import pytest

from mailadmin.directory import aliases, connect, domains
from mailadmin.models import AuditEntry

from .helpers import account, refused, run, run_json

pytestmark = [pytest.mark.django_db, pytest.mark.both_profiles]


def valias(address):
    with connect() as directory:
        return aliases.get_valias(directory, address)


def test_alias_add_and_remove_audited_as_cli():
    assert run("alias", "add", "bob@example.test", "Robert@Example.test").strip() == (
        "Added the alias robert@example.test to bob@example.test.")
    assert "robert@example.test" in account("bob@example.test").aliases
    row = AuditEntry.objects.get(action="account.aliases.add")
    assert row.actor.startswith("cli:") and row.ok
    run("alias", "remove", "bob@example.test", "robert@example.test")
    assert "robert@example.test" not in account("bob@example.test").aliases


def test_alias_claim_rules_and_dry_run():
    assert refused("alias", "add", "bob@example.test", "alice@example.test") == (
        "alias: alice@example.test is already the address of the account alice@example.test.")
    assert "is not in a domain hosted here" in refused("alias", "add", "bob@example.test", "x@nowhere.test")
    assert "Would add" in run("alias", "add", "bob@example.test", "robert@example.test", "--dry-run")
    assert refused("alias", "add", "bob@example.test", "team@example.test", "--dry-run") == (
        "alias: team@example.test is already a virtual alias.")
    assert "robert@example.test" not in account("bob@example.test").aliases


def test_forward_add_with_copy_and_remove():
    run("forward", "add", "alice@example.test", "alice@elsewhere.test", "--keep-copy")
    alice = account("alice@example.test")
    assert alice.forward_targets == ("alice@elsewhere.test",) and alice.keeps_copy
    run("forward", "remove", "alice@example.test", "alice@elsewhere.test")
    assert account("alice@example.test").forward_targets == ()
    assert AuditEntry.objects.filter(action__startswith="account.forwards", actor__startswith="cli:").count() == 2


def test_renameaccount_keeps_the_old_address_as_alias_and_the_lists():
    out = run("renameaccount", "alice@example.test", "alice.new@example.test", "--keep-old-as-alias")
    assert "Renamed alice@example.test to alice.new@example.test" in out
    renamed = account("alice.new@example.test")
    assert renamed.mail == "alice.new@example.test" and "alice@example.test" in renamed.aliases
    assert renamed.dn in valias("team@example.test").members  # the list holds the DN, which did not change
    assert AuditEntry.objects.get(action="account.rename").actor.startswith("cli:")


def test_renameaccount_to_its_own_alias_moves_the_mailbox_only_when_asked(settings):
    settings.MAIL_MAILBOX_TEMPLATE = "/home/vmail/%domain%/%local%/"
    before = account("alice@example.test")
    out = run("renameaccount", "alice@example.test", "alice.martin@example.test")
    after = account("alice.martin@example.test")
    assert after.mail == "alice.martin@example.test" and after.aliases == () and after.mailbox == before.mailbox
    assert "Move the maildir" not in out
    out = run("renameaccount", "alice.martin@example.test", "alice@example.test", "--move-mailbox", "--dry-run")
    assert "Would rename" in out and "Move the maildir /home/vmail/alice/ to /home/vmail/example.test/alice/" in out
    assert account("alice.martin@example.test").mail == "alice.martin@example.test"


def test_renameaccount_refuses_a_taken_address():
    assert refused("renameaccount", "alice@example.test", "bob@example.test") == (
        "new: bob@example.test is already the address of the account bob@example.test.")
    assert refused("renameaccount", "alice@example.test", "team@example.test") == (
        "new: team@example.test is already a virtual alias.")
    assert account("alice@example.test").mail == "alice@example.test"


def test_valias_create_show_members_recipients_rename_status_remove():
    run("valias", "create", "crew@example.test", "--member", "bob@example.test", "--recipient", "x@external.test")
    assert run_json("valias", "show", "crew@example.test")["member_addresses"] == ["bob@example.test"]
    run("valias", "add-member", "crew@example.test", "carol@example.test")
    run("valias", "remove-member", "crew@example.test", "bob@example.test")
    run("valias", "add-recipient", "crew@example.test", "y@external.test")
    run("valias", "remove-recipient", "crew@example.test", "x@external.test")
    crew = valias("crew@example.test")
    assert crew.external == ("y@external.test",)
    assert crew.members == (account("carol@example.test").dn,)
    run("valias", "rename", "crew@example.test", "staff@example.test")
    assert valias("crew@example.test") is None
    assert valias("staff@example.test").members == crew.members
    run("valias", "disable", "staff@example.test")
    assert not valias("staff@example.test").enabled
    run("valias", "enable", "staff@example.test")
    run("valias", "remove", "staff@example.test")
    assert valias("staff@example.test") is None
    actions = set(AuditEntry.objects.filter(actor__startswith="cli:").values_list("action", flat=True))
    assert actions == {"valias.create", "valias.update", "valias.rename", "valias.disable", "valias.enable",
                       "valias.remove"}


def test_valias_list_and_refusals():
    assert [v["address"] for v in run_json("valias", "list", "--domain", "example.test")] == ["team@example.test"]
    assert "team@example.test\t2 members" in run("valias", "list")
    assert refused("valias", "show", "nope@example.test") == "There is no virtual alias nope@example.test."
    assert "already the address of the account" in refused("valias", "rename", "team@example.test", "bob@example.test")
    assert "There is no account nobody@example.test." in refused(
        "valias", "add-member", "team@example.test", "nobody@example.test")
    assert "Would" in run("valias", "remove", "team@example.test", "--dry-run")
    assert "Would" in run("valias", "rename", "team@example.test", "crew@example.test", "--dry-run")
    assert refused("valias", "rename", "team@example.test", "alice.martin@example.test", "--dry-run") == (
        "new: alice.martin@example.test is already an alias of the account alice@example.test.")
    assert refused("valias", "create", "alice@example.test", "--dry-run") == (
        "address: alice@example.test is already the address of the account alice@example.test.")
    assert refused("valias", "add-member", "team@example.test", "nobody@example.test", "--dry-run") == (
        "member: There is no account nobody@example.test.")
    assert valias("team@example.test") is not None
    assert not AuditEntry.objects.filter(ok=True).exists()  # the refusals above are audited, as refusals


def test_editdomain_sets_the_default_quota_and_description():
    assert "Saved example.test" in run("editdomain", "example.test", "--quota", "1G", "--description", "Ours")
    with connect() as directory:
        domain = domains.get_domain(directory, "example.test")
    assert domain.default_quota_kb == 1024 * 1024 and domain.description == "Ours"
    assert AuditEntry.objects.get(action="domain.change").actor.startswith("cli:")
    assert refused("editdomain", "example.test", "--quota", "lots").startswith("quota: ")
    assert "Would set" in run("editdomain", "example.test", "--quota", "2G", "--dry-run")

