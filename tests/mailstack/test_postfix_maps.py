"""What Postfix answers, through `postmap -q` on each map `mailconfig` writes, for the addresses of tests/base.ldif."""

from __future__ import annotations

import subprocess

import pytest

from .conftest import modify

pytestmark = pytest.mark.both_profiles

SUFFIX = "dc=example,dc=org"


def test_it_finds_the_mailbox_of_an_account(postfix):
    assert postfix.query("ldap-accounts", "alice@example.test") == "/home/vmail/alice/"


def test_it_finds_an_account_whatever_the_case(postfix):
    assert postfix.query("ldap-accounts", "ALICE@Example.Test") == "/home/vmail/alice/"


def test_it_rewrites_an_alias_to_the_accounts_address(postfix):
    assert postfix.query("ldap-aliases", "alice.martin@example.test") == "alice@example.test"


def test_it_knows_no_mailbox_at_an_alias(postfix):
    assert postfix.query("ldap-accounts", "alice.martin@example.test") is None


def test_it_forwards_without_a_copy_to_the_forward_targets_only(postfix):
    assert postfix.values("ldap-maildrop", "bob@example.test") == {"bob@external.test"}


def test_it_forwards_with_a_kept_copy_to_the_account_itself_too(postfix):
    assert postfix.values("ldap-maildrop", "carol@example.test") == {"carol@external.test", "carol@example.test"}


def test_it_does_not_rewrite_an_account_without_forwards(postfix):
    assert postfix.query("ldap-maildrop", "alice@example.test") is None


def test_it_hides_a_disabled_account_from_every_map(postfix, slapd):
    modify(slapd, f"uid=dave,ou=Users,{SUFFIX}",
           "add: maildrop\nmaildrop: dave@external.test\n-\nadd: mailhost\nmailhost: mx2.example.test")
    assert postfix.query("ldap-accounts", "dave@example.test") is None
    assert postfix.query("ldap-aliases", "d.thomas@example.test") is None
    assert postfix.query("ldap-maildrop", "dave@example.test") is None
    assert postfix.query("ldap-transport", "dave@example.test") is None


def test_it_finds_the_account_again_once_enabled(postfix, slapd):
    modify(slapd, f"uid=dave,ou=Users,{SUFFIX}", "replace: mailenable\nmailenable: OK")
    assert postfix.query("ldap-accounts", "dave@example.test") == "/home/vmail/dave/"
    assert postfix.query("ldap-aliases", "d.thomas@example.test") == "dave@example.test"


def test_it_hosts_a_mail_domain(postfix):
    assert postfix.query("ldap-domains", "example.test") == "example.test"


def test_it_does_not_host_an_unknown_domain(postfix):
    assert postfix.query("ldap-domains", "unhosted.test") is None
    assert postfix.query("ldap-accounts", "alice@unhosted.test") is None


def test_it_expands_a_virtual_alias_to_members_and_outside_addresses(postfix):
    # dave is disabled but still listed: Postfix reads member DNs without a filter, and dave@ then bounces alone
    # because ldap-accounts no longer knows it (directory-model.md §6.3).
    assert postfix.values("ldap-valiases", "team@example.test") == {
        "alice@example.test", "dave@example.test", "partner@external.test"}


def test_it_hides_a_disabled_virtual_alias(postfix, slapd):
    modify(slapd, f"mailalias=team@example.test,ou=mailAliases,{SUFFIX}", "replace: mailenable\nmailenable: NONE")
    assert postfix.query("ldap-valiases", "team@example.test") is None


def test_it_does_not_take_an_account_alias_for_a_virtual_alias(postfix):
    assert postfix.query("ldap-valiases", "alice.martin@example.test") is None


def test_it_relays_an_account_kept_on_another_server(postfix, slapd):
    modify(slapd, f"uid=alice,ou=Users,{SUFFIX}", "add: mailhost\nmailhost: mx2.example.test")
    assert postfix.query("ldap-transport", "alice@example.test") == "smtp:[mx2.example.test]"


def test_it_delivers_locally_an_account_without_mailhost(postfix):
    assert postfix.query("ldap-transport", "alice@example.test") is None


@pytest.mark.parametrize("key", ["*", "*@example.test", "alice@example.test)(mail=*", "\\2a"])
def test_it_lets_no_lookup_key_act_as_a_filter(postfix, key):
    assert postfix.query("ldap-accounts", key) is None
    assert postfix.query("ldap-valiases", key) is None


def test_the_main_cf_and_master_cf_snippets_hold_only_parameters_postfix_uses(postfix, mail_files):
    config_dir = postfix.config_dir.parent / "pf-snippet"
    config_dir.mkdir(exist_ok=True)
    (config_dir / "main.cf").write_text((postfix.config_dir / "main.cf").read_text()
                                        + (mail_files / "main.cf.snippet").read_text())
    (config_dir / "master.cf").write_text((mail_files / "master.cf.snippet").read_text())
    result = subprocess.run(["postconf", "-c", str(config_dir), "-n"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr == "", result.stderr  # e.g. "unused parameter: transport_map"
    maps = subprocess.run(["postconf", "-c", str(config_dir), "-h", "virtual_alias_maps", "transport_maps"],
                          capture_output=True, text=True, check=True).stdout.split()
    assert [m.rstrip(",").rsplit("/", 1)[1] for m in maps] == [
        "ldap-aliases.cf", "ldap-maildrop.cf", "ldap-valiases.cf", "ldap-transport.cf"]
    assert all(m.startswith(f"proxy:ldap:{mail_files}/") for m in maps)
