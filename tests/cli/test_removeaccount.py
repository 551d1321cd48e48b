"""manage.py removeaccount: the console's removal rules, audited with the values removed."""

import pytest

from mailadmin.directory import accounts, aliases, connect
from mailadmin.models import AuditEntry

from .helpers import account, refused, run

pytestmark = pytest.mark.both_profiles

JEANNE = "uid=jeanne,ou=Users,dc=example,dc=org"


def _entry(dn: str):
    with connect() as directory:
        return directory.read(dn, ("objectClass", "uidNumber", "mail", "mailalias"))


def test_it_removes_only_the_mail_of_a_person_and_audits_the_values(mds_people, db):
    out = run("removeaccount", "jeanne@example.test")
    assert "Removed the mail of jeanne@example.test" in out and "posixAccount, shadowAccount" in out
    entry = _entry(JEANNE)
    assert entry.first("uidNumber") == "10001" and not entry.values("mail") and not entry.values("mailalias")
    assert account("jeanne@example.test") is None
    row = AuditEntry.objects.get(action="account.remove")
    assert row.ok and row.actor.startswith("cli:") and row.new["entry"] == "kept"
    assert row.old["attributes"]["mailalias"] == ["j.durand@example.test", "staff@example.test"]
    assert row.old["attributes"]["mailbox"] == ["/home/vmail/jeanne/"] and row.old["quota_kb"] == 204800


def test_the_audited_values_restore_the_mail_settings(mds_people, db):
    run("removeaccount", "jeanne@example.test")
    before = AuditEntry.objects.get(action="account.remove").old["attributes"]
    changes = "\n-\n".join(f"add: {name}\n" + "\n".join(f"{name}: {v}" for v in values)
                           for name, values in before.items())
    # Relax: marc holds the copied group address staff@ too, which the unique overlay would refuse.
    mds_people.ldap_tool("ldapmodify", "-e", "relax", input_text=f"dn: {JEANNE}\nchangetype: modify\nadd: objectClass\n"
                                                  f"objectClass: mailAccount\n-\n{changes}\n")
    restored = account("jeanne@example.test")
    assert restored.aliases == ("j.durand@example.test", "staff@example.test") and restored.quota_kb == 204800


def test_a_dry_run_says_what_would_go_and_changes_nothing(mds_people, db):
    out = run("removeaccount", "jeanne@example.test", "--dry-run")
    assert "Would remove the mail of jeanne@example.test" in out and "mailalias" in out
    assert account("jeanne@example.test") is not None and not AuditEntry.objects.exists()


def test_delete_entry_deletes_a_person_whole(mds_people, db):
    assert "is deleted" in run("removeaccount", "jeanne@example.test", "--delete-entry")
    assert _entry(JEANNE) is None
    assert AuditEntry.objects.get(action="account.remove").new["entry"] == "deleted"


def test_a_mail_only_entry_is_deleted_and_leaves_its_virtual_aliases(db):
    assert "is deleted" in run("removeaccount", "alice@example.test")
    assert _entry("uid=alice,ou=Users,dc=example,dc=org") is None
    with connect() as directory:
        assert "uid=alice,ou=Users,dc=example,dc=org" not in aliases.get_valias(directory, "team@example.test").members
    assert AuditEntry.objects.get(action="account.remove").old["virtual_aliases"] == [
        "mailalias=team@example.test,ou=mailAliases,dc=example,dc=org"]


@pytest.mark.parametrize(("address", "message"), [
    ("alice.martin@example.test", "is an alias of alice@example.test"),
    ("nobody@example.test", "There is no account nobody@example.test"),
])
def test_it_wants_an_accounts_own_address(address, message, db):
    assert message in refused("removeaccount", address)
    with connect() as directory:
        assert accounts.get_account(directory, "alice@example.test") is not None
