from mailadmin.directory.changes import add_values, replace
from mailadmin.directory.routing import BOUNCED, DELIVERED, FOUND, MISSED, SKIPPED, trace

ALICE = "uid=alice,ou=Users,dc=example,dc=org"


def _statuses(route) -> list[str]:
    return [step.status for step in route.steps]


def test_it_delivers_an_enabled_account_into_its_mailbox(directory):
    route = trace(directory, "alice@example.test")
    assert route.delivered
    assert _statuses(route) == [FOUND, MISSED, MISSED, MISSED, FOUND, DELIVERED]
    assert route.steps[4].outcome == "/home/vmail/alice/"
    assert "/home/vmail/alice/Maildir/" in route.steps[5].explanation
    assert route.verdict == "Delivered into the mailbox."


def test_it_rewrites_an_alias_to_the_account_and_skips_virtual_aliases(directory):
    route = trace(directory, "alice.martin@example.test")
    assert route.delivered
    assert _statuses(route) == [FOUND, FOUND, MISSED, SKIPPED, FOUND, DELIVERED]
    assert "alice@example.test" in route.steps[1].explanation


def test_forwards_replace_the_mailbox(directory):
    route = trace(directory, "bob@example.test")
    assert route.delivered
    assert _statuses(route) == [FOUND, MISSED, FOUND, SKIPPED, SKIPPED]
    assert route.next_addresses == ("bob@external.test",)
    assert route.verdict == "Forwarded; nothing stays in the mailbox."


def test_forwards_with_the_own_address_keep_a_copy(directory):
    route = trace(directory, "carol@example.test")
    assert _statuses(route) == [FOUND, MISSED, FOUND, SKIPPED, FOUND, DELIVERED]
    assert "a copy stays in the mailbox" in route.steps[2].explanation
    assert route.next_addresses == ("carol@external.test",)
    assert route.verdict == "Forwarded, with a copy in the mailbox."


def test_a_disabled_account_bounces_as_unknown_user_and_says_why(directory):
    route = trace(directory, "dave@example.test")
    assert not route.delivered
    assert route.steps[-1].status == BOUNCED
    assert "disabled" in route.steps[-1].explanation
    assert "User unknown in virtual mailbox table" in route.steps[-1].explanation
    assert route.verdict == "Bounces: unknown user."


def test_the_alias_of_a_disabled_account_bounces_and_names_the_account(directory):
    route = trace(directory, "d.thomas@example.test")
    assert not route.delivered
    assert "dave@example.test" in route.steps[1].explanation
    assert "disabled" in route.steps[1].explanation
    assert route.steps[-1].status == BOUNCED


def test_an_unknown_address_bounces(directory):
    route = trace(directory, "nobody@example.test")
    assert not route.delivered
    assert "No account has this address" in route.steps[-1].explanation


def test_a_domain_not_hosted_is_refused_at_the_first_step(directory):
    route = trace(directory, "someone@external.test")
    assert not route.delivered
    assert _statuses(route) == [BOUNCED]
    assert "Relay access denied" in route.steps[0].explanation


def test_a_virtual_alias_expands_to_external_recipients_and_members_including_disabled_ones(directory):
    route = trace(directory, "team@example.test")
    assert route.delivered
    assert _statuses(route) == [FOUND, MISSED, MISSED, FOUND]
    assert set(route.next_addresses) == {"partner@external.test", "alice@example.test", "dave@example.test"}
    assert "Disabled members still receive list mail" in route.steps[3].explanation
    assert "dave@example.test" in route.steps[3].explanation


def test_a_disabled_virtual_alias_bounces(directory):
    directory.modify("mailalias=team@example.test,ou=mailAliases,dc=example,dc=org", {"mailenable": replace("NONE")})
    route = trace(directory, "team@example.test")
    assert not route.delivered
    assert "exists but is disabled" in route.steps[3].explanation


def test_a_dangling_member_is_reported(directory):
    directory.modify(
        "mailalias=team@example.test,ou=mailAliases,dc=example,dc=org",
        {"mailaliasmember": add_values(["uid=ghost,ou=Users,dc=example,dc=org"])},
    )
    route = trace(directory, "team@example.test")
    assert "1 member entry no longer exists" in route.steps[3].explanation


def test_an_account_without_mailbox_bounces(directory):
    directory.modify(ALICE, {"mailbox": replace(None)})
    route = trace(directory, "alice@example.test")
    assert not route.delivered
    assert "no mailbox path" in route.steps[-1].explanation


def test_a_mailhost_names_the_transport(directory):
    directory.modify(ALICE, {"mailhost": replace("mx2.example.test")})
    route = trace(directory, "alice@example.test")
    assert route.steps[-1].outcome == "mx2.example.test"
    assert "smtp:[mx2.example.test]" in route.steps[-1].explanation


def test_it_asks_like_postfix_and_finds_a_second_enabled_value(directory):
    # Two mailenable values: Postfix's (mailenable=OK) still matches, so the account is not disabled for it.
    directory.modify("uid=dave,ou=Users,dc=example,dc=org", {"mailenable": add_values(["OK"])})
    assert trace(directory, "dave@example.test").delivered


def test_an_alias_of_an_entry_with_two_mail_values_reaches_both(directory):
    directory.modify(ALICE, {"mail": add_values(["alice2@example.test"])})
    route = trace(directory, "alice.martin@example.test")
    assert route.delivered
    assert set(route.next_addresses) == {"alice@example.test", "alice2@example.test"}
    assert "each one receives a copy" in route.steps[1].explanation


def test_it_escapes_the_address_in_every_filter(directory, monkeypatch):
    sent = []
    search = type(directory).search

    def spy(self, base, flt, attrs, **kwargs):
        sent.append(flt)
        return search(self, base, flt, attrs, **kwargs)

    monkeypatch.setattr(type(directory), "search", spy)
    trace(directory, "a*)(uid=*@example.test")
    assert all("a*)(" not in flt for flt in sent)
    assert any("a\\2a\\29\\28uid=\\2a@example.test" in flt for flt in sent)
