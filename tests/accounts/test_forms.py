"""The account forms on their own, as the management commands use them: plain data dicts, no request."""

import pytest

from accounts.forms import (
    AccountAddressForm,
    AccountCreateForm,
    AccountEditForm,
    PasswordForm,
    QuotaForm,
    RemoveAccountForm,
    StatusForm,
)
from mailadmin import events
from mailadmin.directory import accounts as a
from mailadmin.directory import domains as d
from mailadmin.models import AuditEntry


@pytest.fixture
def example(directory):
    return d.get_domain(directory, "example.test")


def _user_password(slapd, uid: str) -> str:
    out = slapd.ldap_tool("ldapsearch", "-LLL", "-b", f"uid={uid},ou=Users,dc=example,dc=org", "userPassword").stdout
    return next(line for line in out.splitlines() if line.startswith("userPassword"))


def test_it_creates_an_account_with_the_domain_default_quota(directory, example, slapd):
    form = AccountCreateForm({"local_part": " Zoe ", "first_name": "Zoé", "last_name": "Zola", "uid": "zoe",
                              "password": "zoe-password-1", "password2": "zoe-password-1",
                              "aliases": "z.zola@example.test", "forwards": "zoe@external.test", "keep_copy": True},
                             domain=example)
    assert form.is_valid(), form.errors
    account, generated = form.save(directory, actor="tester")
    assert (account.mail, account.uid, account.quota_kb, generated) == ("zoe@example.test", "zoe", 512000, None)
    assert account.aliases == ("z.zola@example.test",)
    assert account.keeps_copy and account.forward_targets == ("zoe@external.test",)
    assert account.mailbox == "/home/vmail/zoe/"
    # userPassword is base64 in LDIF output (it starts with "{SSHA}")
    import base64
    assert base64.b64decode(_user_password(slapd, "zoe").split(":: ")[1]).startswith(b"{SSHA}")


def test_it_defaults_the_uid_to_the_address_and_returns_a_generated_password(directory, example):
    form = AccountCreateForm({"local_part": "yann", "generate": True}, domain=example)
    assert form.is_valid(), form.errors
    account, generated = form.save(directory, actor="tester")
    assert account.uid == "yann@example.test" and generated


def test_it_refuses_two_different_passwords(example):
    form = AccountCreateForm({"local_part": "x", "password": "abcdefgh1", "password2": "abcdefgh2"}, domain=example)
    assert not form.is_valid() and "password2" in form.errors


def test_it_names_where_an_address_is_used(directory, example):
    for local, expected in (("alice.martin", "alias of the account alice@example.test"),
                            ("team", "virtual alias"), ("bob", "address of the account bob@example.test")):
        form = AccountCreateForm({"local_part": local, "uid": "new-" + local, "generate": True}, domain=example)
        assert form.is_valid()
        assert form.save(directory, actor="tester") is None
        assert expected in form.errors["local_part"][0]


def test_it_refuses_an_alias_in_a_domain_not_hosted_here(directory, example):
    form = AccountCreateForm({"local_part": "x", "generate": True, "aliases": "x@elsewhere.test"}, domain=example)
    assert form.is_valid()
    assert form.save(directory, actor="tester") is None
    assert "not in a domain hosted here" in form.errors["aliases"][0]


def test_a_stale_edit_is_refused_and_the_next_submit_applies(directory):
    old = a.get_account(directory, "alice@example.test")
    a.update_account(directory, old, {"quota_kb": 1024})
    current = a.get_account(directory, "alice@example.test")
    data = {"name": "Alice M", "first_name": "Alice", "last_name": "Martin", "aliases": "alice.martin@example.test",
            "quota": "500M", "enabled": True, "csn": old.csn}
    form = AccountEditForm(data, account=current)
    assert form.is_valid(), form.errors
    assert form.save(directory, actor="tester") is None
    assert "Someone else changed" in form.non_field_errors()[0]
    assert a.get_account(directory, "alice@example.test").quota_kb == 1024
    again = AccountEditForm(form.data, account=current)
    assert again.is_valid() and again.save(directory, actor="tester").quota_kb == 500 * 1024


def test_quota_reset_copies_the_domain_default(directory):
    bob = a.get_account(directory, "bob@example.test")
    form = QuotaForm({"reset": True}, account=bob)
    assert form.is_valid()
    assert form.save(directory, actor="tester").quota_kb == 512000


def test_status_and_password_forms_work_without_a_request(directory, slapd):
    dave = a.get_account(directory, "dave@example.test")
    form = StatusForm({}, account=dave, enable=True)
    assert form.is_valid() and form.save(directory, actor="tester").enabled
    form = PasswordForm({"password": "short", "password2": "short"}, account=dave)
    assert form.is_valid() and form.save(directory, actor="tester") is None and "password" in form.errors


def test_adding_and_removing_one_alias(directory):
    alice = a.get_account(directory, "alice@example.test")
    form = AccountAddressForm({"address": "Ali@Example.Test"}, account=alice, kind="aliases")
    assert form.is_valid()
    alice = form.add(directory, actor="tester")
    assert alice is not None, form.errors
    assert set(alice.aliases) == {"alice.martin@example.test", "ali@example.test"}
    form = AccountAddressForm({"address": "alice.martin@example.test"}, account=alice, kind="aliases")
    assert form.is_valid() and form.remove(directory, actor="tester").aliases == ("ali@example.test",)


def test_remove_form_removes(directory):
    bob = a.get_account(directory, "bob@example.test")
    form = RemoveAccountForm({}, account=bob)
    assert form.is_valid()
    removal, left = form.remove(directory, actor="tester")
    assert removal.account == bob and removal.delete_entry and left == ()
    assert a.get_account(directory, "bob@example.test") is None


@pytest.mark.django_db
def test_a_form_action_writes_its_own_audit_row_refusals_included(directory):
    bob = a.get_account(directory, "bob@example.test")
    assert QuotaForm({"quota": "1G"}, account=bob).is_valid()
    saved = QuotaForm({"quota": "1G", "csn": bob.csn}, account=bob)
    assert saved.is_valid() and saved.save(directory, actor="tester")
    stale = QuotaForm({"quota": "2G", "csn": bob.csn}, account=bob)  # bob changed since: a refusal
    assert stale.is_valid() and stale.save(directory, actor="tester") is None
    rows = list(AuditEntry.objects.order_by("id").values_list("actor", "action", "target", "ok", "new"))
    assert rows == [("tester", events.ACCOUNT_QUOTA, "bob@example.test", True, {"quota_kb": 1024 * 1024}),
                    ("tester", events.ACCOUNT_QUOTA, "bob@example.test", False, {"quota_kb": None})]
    assert "Someone else changed" in AuditEntry.objects.get(ok=False).detail
