"""Resetting every account of a domain to its default quota from the domain page."""

import pytest

from mailadmin.directory import accounts as ldap_accounts
from mailadmin.models import AuditEntry

URL = "/domains/example.test/reset-quotas/"


def quotas(directory):
    return {a: ldap_accounts.get_account(directory, f"{a}@example.test").quota_kb
            for a in ("alice", "bob", "carol", "dave", "postmaster")}


def test_the_confirmation_says_how_many_accounts_change(superadmin, directory):
    body = superadmin.get(URL).content.decode()
    # bob (200M), carol (unlimited) and postmaster (none) differ; alice and dave have 500M already
    assert "3 accounts will be set to the domain default, 500M; 2 have it already." in body
    assert set(quotas(directory).values()) != {512000}


def test_it_resets_in_one_pass_and_audits_one_row(superadmin, directory):
    r = superadmin.post(URL)
    assert r.status_code == 302 and r["Location"] == "/domains/example.test/"
    assert set(quotas(directory).values()) == {512000}
    row = AuditEntry.objects.get(action="domain.quota_reset")
    assert row.ok and row.actor == "root" and row.target == "example.test"
    assert sorted(row.new["changed"]) == ["bob@example.test", "carol@example.test", "postmaster@example.test"]
    messages = [str(m) for m in r.wsgi_request._messages]
    assert messages == ["Reset 3 accounts of example.test to 500M."]


@pytest.mark.parametrize("persona", ["domain_admin", "helpdesk"])
def test_domain_admins_and_the_helpdesk_may_reset(persona, request, directory):
    client = request.getfixturevalue(persona)
    assert client.post(URL).status_code == 302
    assert set(quotas(directory).values()) == {512000}


def test_an_outsider_gets_404(outsider, directory):
    assert outsider.get(URL).status_code == 404
    assert outsider.post(URL).status_code == 404
    assert quotas(directory)["bob"] == 204800


def test_a_console_users_mailbox_is_left_to_a_superadmin(helpdesk, directory):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user(username="bob@example.test", is_superuser=True)
    assert "1 account of a console user keeps its quota" in helpdesk.get(URL).content.decode()
    helpdesk.post(URL)
    assert quotas(directory)["bob"] == 204800 and quotas(directory)["carol"] == 512000
