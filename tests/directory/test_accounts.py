import pytest

from mailadmin.directory import AlreadyExists, Conflict, Invalid
from mailadmin.directory import accounts as a
from mailadmin.directory import aliases as al
from mailadmin.directory.connection import password_matches

pytestmark = pytest.mark.both_profiles

ALICE_DN = "uid=alice,ou=Users,dc=example,dc=org"


def _new(address="new@example.test", uid="new", **kwargs) -> a.NewAccount:
    return a.NewAccount(address=address, uid=uid, **kwargs)


def test_it_reads_an_account_by_address(directory):
    alice = a.get_account(directory, "alice@example.test")
    assert alice.dn == ALICE_DN
    assert (alice.uid, alice.mail, alice.name, alice.first_name, alice.last_name) == (
        "alice", "alice@example.test", "Alice Martin", "Alice", "Martin")
    assert alice.aliases == ("alice.martin@example.test",)
    assert (alice.enabled, alice.quota_kb, alice.mailbox) == (True, 512000, "/home/vmail/alice/")
    assert alice.domain == "example.test"
    assert alice.csn


def test_it_reads_an_account_by_alias_and_ignores_case(directory):
    assert a.get_account(directory, "alice.martin@example.test").uid == "alice"
    assert a.get_account(directory, "ALICE@Example.Test").uid == "alice"


def test_it_answers_none_for_an_unknown_address(directory):
    assert a.get_account(directory, "nobody@example.test") is None


def test_it_reads_forwards_and_keep_copy(directory):
    bob, carol = a.get_account(directory, "bob@example.test"), a.get_account(directory, "carol@example.test")
    assert (bob.forwards, bob.forward_targets) == (("bob@external.test",), ("bob@external.test",))
    assert not bob.keeps_copy
    assert carol.keeps_copy and carol.forward_targets == ("carol@external.test",)
    assert carol.quota_kb == 0


def test_it_reads_a_disabled_account(directory):
    assert a.get_account(directory, "dave@example.test").enabled is False


def test_it_reads_an_account_by_dn_and_not_a_person_without_mail(directory):
    assert a.get_account_by_dn(directory, ALICE_DN).mail == "alice@example.test"
    assert a.get_account_by_dn(directory, "uid=pierre,ou=Users,dc=example,dc=org") is None
    assert a.get_account_by_dn(directory, "uid=ghost,ou=Users,dc=example,dc=org") is None


def test_it_lists_a_domain_page_by_page_sorted_by_address(directory):
    pages = [a.list_domain_accounts(directory, "example.test", page=n, per_page=2) for n in (1, 2, 3)]
    assert [[x.mail for x in p.accounts] for p in pages] == [
        ["alice@example.test", "bob@example.test"], ["carol@example.test", "dave@example.test"],
        ["postmaster@example.test"],
    ]
    assert {(p.total, p.pages) for p in pages} == {(5, 3)}


def test_it_lists_a_page_in_one_search(directory, profile):
    before = directory.operations
    a.list_domain_accounts(directory, "example.test", per_page=2)
    # Without VLV (stock): one paged search of the addresses, then one search of the page's entries.
    assert directory.operations - before == (1 if profile == "project" else 2)


def test_it_lists_only_accounts_whose_mail_is_in_the_domain(directory):
    page = a.list_domain_accounts(directory, "other.test")
    assert [x.mail for x in page.accounts] == ["oscar@other.test"]


def test_it_filters_a_domain_list_by_text(directory):
    page = a.list_domain_accounts(directory, "example.test", text="thomas")
    assert [x.mail for x in page.accounts] == ["dave@example.test"]
    assert page.total == 1


def test_it_searches_accounts_by_address_alias_name_and_uid(directory):
    assert [x.uid for x in a.search_accounts(directory, "alice.martin")[0]] == ["alice"]
    assert [x.uid for x in a.search_accounts(directory, "Bernard")[0]] == ["bob"]
    assert [x.uid for x in a.search_accounts(directory, "oscar")[0]] == ["oscar"]


def test_it_says_when_a_search_has_more_results_than_the_limit(directory):
    found, more = a.search_accounts(directory, "example.test", limit=2)
    assert [x.mail for x in found] == ["alice@example.test", "bob@example.test"]
    assert more is True
    everything = a.search_accounts(directory, "example.test")[0]
    assert a.search_accounts(directory, "example.test", limit=5) == (everything, False)


def test_it_finds_people_without_mail(directory):
    people = a.search_people(directory)
    assert [(p.uid, p.name) for p in people] == [("pierre", "Pierre Sans-Mail")]
    assert a.search_people(directory, "sans-mail")[0].dn == "uid=pierre,ou=Users,dc=example,dc=org"
    assert a.search_people(directory, "alice") == []


def test_it_creates_an_account_with_the_domain_default_quota(directory):
    account, generated = a.create_account(
        directory, _new(first_name="Nina", last_name="New", aliases=("nina@example.test",)), "new-password-1")
    assert generated is None
    assert account.dn == "uid=new,ou=Users,dc=example,dc=org"
    assert (account.mail, account.name, account.aliases) == ("new@example.test", "Nina New", ("nina@example.test",))
    assert (account.quota_kb, account.mailbox, account.enabled) == (512000, "/home/vmail/new/", True)
    assert a.get_account(directory, "nina@example.test") == account


def test_it_creates_an_account_with_the_global_default_when_the_domain_has_none(directory, settings):
    settings.MAIL_DEFAULT_QUOTA = 1234
    account, _ = a.create_account(directory, _new("new@other.test"), "new-password-1")
    assert account.quota_kb == 1234


def test_it_creates_an_account_that_forwards_and_keeps_a_copy(directory):
    account, _ = a.create_account(
        directory, _new(forwards=("far@external.test",), keep_copy=True, enabled=False, quota_kb=0), "new-password-1")
    assert set(account.forwards) == {"far@external.test", "new@example.test"}
    assert account.keeps_copy and not account.enabled and account.quota_kb == 0


def test_it_sets_the_password_through_password_modify_so_the_server_hashes_it(directory):
    account, _ = a.create_account(directory, _new(), "new-password-1")
    stored = directory.read(account.dn, ("userPassword",)).first("userPassword")
    assert stored.startswith("{SSHA}")
    assert password_matches(account.dn, "new-password-1")


def test_it_generates_a_password_when_none_is_given(directory):
    account, generated = a.create_account(directory, _new(), None)
    assert generated and password_matches(account.dn, generated)


@pytest.mark.project_profile  # the password policy is the ppolicy overlay's
def test_it_leaves_no_entry_when_the_password_is_refused(directory):
    with pytest.raises(Invalid):
        a.create_account(directory, _new(), "short")  # ppolicy: pwdMinLength 8
    assert a.get_account(directory, "new@example.test") is None


def test_it_refuses_an_account_in_a_domain_not_hosted_here(directory):
    with pytest.raises(Invalid):
        a.create_account(directory, _new("new@elsewhere.test"), "new-password-1")


def test_it_refuses_an_address_in_use_as_mail_alias_or_virtual_alias(directory):
    for address in ("alice@example.test", "alice.martin@example.test", "team@example.test"):
        with pytest.raises(AlreadyExists) as e:
            a.create_account(directory, _new(address), "new-password-1")
        assert e.value.address == address
    with pytest.raises(AlreadyExists):
        a.create_account(directory, _new(aliases=("ALICE@example.test",)), "new-password-1")
    assert a.get_account_by_dn(directory, "uid=new,ou=Users,dc=example,dc=org") is None


def test_it_refuses_an_existing_uid(directory):
    with pytest.raises(AlreadyExists):
        a.create_account(directory, _new(uid="alice"), "new-password-1")
    assert a.get_account(directory, "new@example.test") is None


def test_it_gives_a_person_a_mail_account_and_keeps_its_entry(directory):
    pierre = a.search_people(directory, "pierre")[0]
    account = a.enable_mail(directory, pierre, _new("pierre@example.test", "ignored", aliases=("p@example.test",)))
    assert account.dn == pierre.dn
    assert (account.uid, account.mail, account.aliases) == ("pierre", "pierre@example.test", ("p@example.test",))
    assert (account.quota_kb, account.mailbox, account.name) == (512000, "/home/vmail/pierre/", "Pierre Sans-Mail")
    assert a.search_people(directory) == []


def test_it_refuses_mail_for_a_person_with_an_address_in_use(directory):
    pierre = a.search_people(directory, "pierre")[0]
    with pytest.raises(AlreadyExists):
        a.enable_mail(directory, pierre, _new("bob@example.test", "pierre"))
    assert a.search_people(directory) == [pierre]


def test_it_refuses_mail_for_a_person_who_has_it_already(directory):
    pierre = a.search_people(directory, "pierre")[0]
    a.enable_mail(directory, pierre, _new("pierre@example.test", "pierre"))
    with pytest.raises(AlreadyExists):
        a.enable_mail(directory, pierre, _new("pierre2@example.test", "pierre"))


def test_it_updates_every_field_in_one_modify(directory):
    alice = a.get_account(directory, "alice@example.test")
    before = directory.operations
    updated = a.update_account(directory, alice, {
        "name": "Alice M.", "first_name": "Al", "last_name": "M", "quota_kb": 1024, "enabled": False, "hidden": True,
        "aliases": ("am@example.test",), "forwards": ("far@external.test",), "mailhost": "mx.example.test",
        "mailproxy": "proxy.example.test",
    })
    # the claim check (two searches), the claim's note of the server's contextCSN (claims.py), and the read-back
    writes = directory.operations - before - 4
    assert writes == 1
    assert (updated.name, updated.first_name, updated.last_name) == ("Alice M.", "Al", "M")
    assert (updated.quota_kb, updated.enabled, updated.hidden) == (1024, False, True)
    assert (updated.aliases, updated.forwards) == (("am@example.test",), ("far@external.test",))
    assert (updated.mailhost, updated.mailproxy) == ("mx.example.test", "proxy.example.test")
    assert updated.csn != alice.csn


def test_it_clears_optional_fields(directory):
    alice = a.get_account(directory, "alice@example.test")
    alice = a.update_account(directory, alice, {"mailhost": "mx.example.test"})
    cleared = a.update_account(directory, alice, {"quota_kb": None, "mailhost": "", "aliases": ()})
    assert (cleared.quota_kb, cleared.mailhost, cleared.aliases) == (None, "", ())


def test_it_sends_nothing_when_nothing_changed(directory):
    alice = a.get_account(directory, "alice@example.test")
    before = directory.operations
    unchanged = {"name": "Alice Martin", "aliases": ("alice.martin@example.test",)}
    assert a.update_account(directory, alice, unchanged) == alice
    assert directory.operations - before == 1  # the read-back only


def test_it_refuses_an_unknown_field(directory):
    with pytest.raises(ValueError):
        a.update_account(directory, a.get_account(directory, "alice@example.test"), {"userPassword": "x"})


def test_it_enables_and_disables_an_account(directory):
    dave = a.get_account(directory, "dave@example.test")
    enabled = a.update_account(directory, dave, {"enabled": True})
    assert enabled.enabled is True
    assert a.update_account(directory, enabled, {"enabled": False}).enabled is False
    assert directory.read(dave.dn, ("mailenable",)).values("mailenable") == ("NONE",)


def test_it_refuses_an_alias_held_by_another_account(directory):
    alice = a.get_account(directory, "alice@example.test")
    for taken in ("bob@example.test", "d.thomas@example.test", "team@example.test"):
        with pytest.raises(AlreadyExists):
            a.update_account(directory, alice, {"aliases": (*alice.aliases, taken)})
    assert a.get_account(directory, "alice@example.test") == alice


def test_a_stale_account_update_raises_conflict_and_changes_nothing(directory):
    stale = a.get_account(directory, "alice@example.test")
    first = a.update_account(directory, stale, {"name": "First"})
    with pytest.raises(Conflict):
        a.update_account(directory, stale, {"name": "Second", "aliases": (), "quota_kb": 1})
    assert a.get_account(directory, "alice@example.test") == first


def test_an_update_adds_and_deletes_alias_values_and_never_replaces_the_list(directory, monkeypatch):
    alice = a.get_account(directory, "alice@example.test")
    sent = []
    real = directory._conn.modify
    monkeypatch.setattr(
        directory._conn, "modify", lambda dn, changes, **kw: sent.append(changes) or real(dn, changes, **kw)
    )
    a.update_account(directory, alice, {"aliases": ("am@example.test",), "forwards": ("far@external.test",)})
    assert sent == [{
        "mailalias": [("MODIFY_DELETE", ["alice.martin@example.test"]), ("MODIFY_ADD", ["am@example.test"])],
        "maildrop": [("MODIFY_ADD", ["far@external.test"])],
    }]


def test_an_update_of_one_alias_keeps_an_alias_another_writer_added(directory, slapd):
    alice = a.get_account(directory, "alice@example.test")
    # Another tool adds a value; the assertion is what stops our stale copy, and the delta never drops that value.
    slapd.ldap_tool("ldapmodify", input_text=f"dn: {alice.dn}\nchangetype: modify\nadd: mailalias\n"
                                              "mailalias: other@example.test\n")
    with pytest.raises(Conflict):
        a.update_account(directory, alice, {"aliases": ("am@example.test",)})
    fresh = a.get_account(directory, "alice@example.test")
    updated = a.update_account(directory, fresh, {"aliases": (*fresh.aliases, "am@example.test")})
    assert set(updated.aliases) == {"alice.martin@example.test", "other@example.test", "am@example.test"}


def test_it_sets_a_password_an_old_one_no_longer_works(directory):
    alice = a.get_account(directory, "alice@example.test")
    assert a.set_password(directory, alice, "brand-new-password-1") is None
    assert password_matches(alice.dn, "brand-new-password-1")
    assert not password_matches(alice.dn, "alice-password-1")
    assert directory.read(alice.dn, ("userPassword",)).first("userPassword").startswith("{SSHA}")


def test_it_generates_a_password_on_reset(directory):
    alice = a.get_account(directory, "alice@example.test")
    generated = a.set_password(directory, alice, None)
    assert generated and password_matches(alice.dn, generated)


@pytest.mark.project_profile  # the password policy is the ppolicy overlay's
def test_it_refuses_a_password_the_policy_rejects(directory):
    with pytest.raises(Invalid):
        a.set_password(directory, a.get_account(directory, "alice@example.test"), "short")
    assert password_matches(ALICE_DN, "alice-password-1")


def test_it_removes_an_account_and_its_virtual_alias_memberships(directory):
    alice = a.get_account(directory, "alice@example.test")
    a.remove_account(directory, a.plan_removal(directory, alice))
    assert a.get_account(directory, "alice@example.test") is None
    assert al.get_valias(directory, "team@example.test").members == ("uid=dave,ou=Users,dc=example,dc=org",)


def test_a_stale_remove_raises_conflict_and_leaves_the_tree_as_it_was(directory):
    stale = a.get_account(directory, "alice@example.test")
    current = a.update_account(directory, stale, {"name": "Changed"})
    team = al.get_valias(directory, "team@example.test")
    with pytest.raises(Conflict):
        a.remove_account(directory, a.plan_removal(directory, stale))
    assert a.get_account(directory, "alice@example.test") == current
    assert set(al.get_valias(directory, "team@example.test").members) == set(team.members)
