import pytest

from mailadmin.directory import health
from mailadmin.models import AuditEntry

from .helpers import account, run, run_capture

pytestmark = pytest.mark.django_db

USERS = "ou=Users,dc=example,dc=org"
TEAM = "mailalias=team@example.test,ou=mailAliases,dc=example,dc=org"


def _account(uid: str, mail: str, *extra: str, mailbox: bool = True) -> str:
    lines = [f"dn: uid={uid},{USERS}", "objectClass: inetOrgPerson", "objectClass: mailAccount", f"uid: {uid}",
             f"cn: {uid}", f"sn: {uid}", f"mail: {mail}", "mailenable: OK", *extra]
    if mailbox:
        lines.append(f"mailbox: /home/vmail/{uid}/")
    return "\n".join(lines) + "\n"


def _findings() -> list[dict]:
    ok, out, _err = run_capture("checkdirectory", "--json")
    import json

    return json.loads(out)["findings"]


def _kinds() -> set[tuple[str, str]]:
    return {(f["kind"], f["value"]) for f in _findings()}


def _only(kind: str, value: str) -> None:
    assert (kind, value) in _kinds()


@pytest.fixture(autouse=True)
def clean_base(slapd):
    """base.ldif has one finding (dave is disabled but still in team@); remove it so each test seeds its own."""
    slapd.ldap_tool("ldapmodify", input_text=f"dn: {TEAM}\nchangetype: modify\ndelete: mailaliasmember\n"
                                             f"mailaliasmember: uid=dave,{USERS}\n")


def test_a_clean_directory_exits_zero():
    ok, out, _err = run_capture("checkdirectory")
    assert ok and "The directory is clean." in out


def test_it_reports_a_disabled_member_and_exits_one(slapd):
    slapd.ldap_tool("ldapmodify", input_text=f"dn: {TEAM}\nchangetype: modify\nadd: mailaliasmember\n"
                                             f"mailaliasmember: uid=dave,{USERS}\n")
    ok, out, err = run_capture("checkdirectory")
    assert not ok and "1 problems found." in err
    assert f"virtual-alias member that is disabled (its copy of the virtual alias's mail bounces): {TEAM} uid=dave" in out


def test_it_finds_an_address_used_as_mail_and_as_an_alias(slapd):
    # The unique overlay checks one attribute at a time, so a mail equal to another's alias gets through.
    slapd.add_ldif(_account("clash", "alice.martin@example.test"))
    found = [f for f in _findings() if f["kind"] == health.DUPLICATE]
    assert [f["value"] for f in found] == ["alice.martin@example.test"]
    assert {found[0]["dn"], *found[0]["others"]} == {f"uid=alice,{USERS}", f"uid=clash,{USERS}"}


def test_it_finds_an_account_address_that_is_also_a_virtual_alias(slapd):
    slapd.add_ldif(_account("teamer", "team@example.test"))
    _only(health.DUPLICATE, "team@example.test")


def test_a_legacy_group_alias_is_reported_and_never_fixed(slapd):
    # The old console copied a group address into every member's mailalias; the unique overlay refuses that today,
    # so the rootdn seeds the second copy with the Relax control, as an old directory would hold it.
    for uid in ("bob", "carol"):
        slapd.ldap_tool("ldapmodify", "-e", "relax", input_text=(
            f"dn: uid={uid},{USERS}\nchangetype: modify\nadd: mailalias\nmailalias: staff@example.test\n"))
    found = [f for f in _findings() if f["value"] == "staff@example.test"]
    assert [f["kind"] for f in found] == [health.GROUP_ALIAS] and not found[0]["fixable"]
    ok, out, _err = run_capture("checkdirectory", "--fix")
    assert not ok and "legacy group alias on several accounts" in out
    assert account("bob@example.test").aliases == ("staff@example.test",)
    assert account("carol@example.test").aliases == ("staff@example.test",)


def test_it_finds_accounts_and_aliases_in_unhosted_domains(slapd):
    slapd.add_ldif(_account("lost", "lost@gone.test", "mailalias: l@gone.test"))
    slapd.add_ldif("dn: mailalias=list@gone.test,ou=mailAliases,dc=example,dc=org\nobjectClass: mailAlias\n"
                   "mailalias: list@gone.test\nmailenable: OK\n")
    kinds = _kinds()
    assert (health.UNHOSTED_ACCOUNT, "lost@gone.test") in kinds
    assert (health.UNHOSTED_ALIAS, "l@gone.test") in kinds
    assert (health.UNHOSTED_ALIAS, "list@gone.test") in kinds


def test_it_finds_a_local_forward_target_that_does_not_exist(slapd):
    slapd.add_ldif(_account("fw", "fw@example.test", "maildrop: nobody@example.test", "maildrop: x@external.test"))
    found = {(k, v) for k, v in _kinds() if k == health.MISSING_FORWARD}
    assert found == {(health.MISSING_FORWARD, "nobody@example.test")}


def test_it_finds_bad_quotas(slapd):
    slapd.add_ldif(_account("neg", "neg@example.test", "mailuserquota: -1"))
    _only(health.BAD_QUOTA, "-1")


def test_fix_removes_a_dangling_member_and_fills_a_missing_mailbox(slapd):
    slapd.ldap_tool("ldapmodify", input_text=f"dn: {TEAM}\nchangetype: modify\nadd: mailaliasmember\n"
                                             f"mailaliasmember: uid=ghost,{USERS}\n")
    slapd.add_ldif(_account("nobox", "nobox@example.test", mailbox=False))
    kinds = _kinds()
    assert (health.GONE_MEMBER, f"uid=ghost,{USERS}") in kinds and (health.NO_MAILBOX, "nobox@example.test") in kinds
    ok, out, _err = run_capture("checkdirectory", "--fix")
    assert ok, out
    assert f"Fixed {TEAM}: removed member uid=ghost,{USERS}." in out
    assert f"Fixed uid=nobox,{USERS}: mailbox set to /home/vmail/nobox/." in out
    assert account("nobox@example.test").mailbox == "/home/vmail/nobox/"
    assert AuditEntry.objects.filter(action="directory.fix", ok=True).count() == 2
    assert run("checkdirectory").strip().endswith("The directory is clean.")


def test_it_reads_with_a_fixed_number_of_searches(slapd, monkeypatch):
    from mailadmin.directory.connection import Directory

    calls = []
    original = Directory.paged
    monkeypatch.setattr(Directory, "paged", lambda self, *a, **k: (calls.append(a[0]), original(self, *a, **k))[1])
    slapd.add_ldif("".join(_account(f"u{i}", f"u{i}@example.test") + "\n" for i in range(30)))
    run("checkdirectory")
    assert len(calls) == 4  # domains, accounts, virtual aliases, mail groups


def test_fix_leaves_a_mailbox_it_cannot_make_safely(slapd):
    slapd.add_ldif(_account("..", "dots@example.test", mailbox=False).replace("uid=..,", "uid=dots,"))
    ok, _out, err = run_capture("checkdirectory", "--fix")
    assert not ok and "Could not fix uid=dots" in err
    assert AuditEntry.objects.get(action="directory.fix").ok is False


def test_a_mail_groups_copied_address_is_reported_as_a_mail_group_alias(mds_people):
    found = [f for f in _findings() if f["value"] == "staff@example.test"]
    assert [f["kind"] for f in found] == [health.MAIL_GROUP_ALIAS] and not found[0]["fixable"]
    assert found[0]["dn"] == "cn=staff,ou=Groups,dc=example,dc=org"
    assert set(found[0]["others"]) == {f"uid=jeanne,{USERS}", f"uid=marc,{USERS}"}
    ok, out, _err = run_capture("checkdirectory")
    assert not ok and "address of an MDS mail group, copied into its members' aliases" in out
