"""The remove page for a person who is more than a mail account (an MMC-style POSIX user)."""

import pytest

from mailadmin.directory import accounts
from mailadmin.models import AuditEntry

pytestmark = pytest.mark.both_profiles

URL = "/accounts/jeanne@example.test/remove/"
JEANNE = "uid=jeanne,ou=Users,dc=example,dc=org"


@pytest.fixture(autouse=True)
def _people(mds_people):
    return mds_people


def test_the_confirmation_says_only_the_mail_goes(domain_admin):
    html = domain_admin.get(URL).content.decode()
    assert "is also a person (posixAccount, shadowAccount): only its mail goes" in html
    assert "<code>mailalias</code>: j.durand@example.test, staff@example.test" in html
    assert "Remove the mail only" in html and 'id="delete-entry"' not in html


def test_a_superadmin_is_offered_to_delete_the_whole_entry(superadmin):
    html = superadmin.get(URL).content.decode()
    assert 'id="delete-entry"' in html and "Delete the whole entry" in html


def test_the_confirmation_of_a_mail_only_entry_says_it_is_deleted(domain_admin):
    html = domain_admin.get("/accounts/alice@example.test/remove/").content.decode()
    assert "The whole directory entry uid=alice,ou=Users,dc=example,dc=org is deleted." in html


def test_it_removes_the_mail_and_keeps_the_person(domain_admin, directory):
    r = domain_admin.post(URL, {})
    assert r.status_code == 302 and r["Location"] == "/domains/example.test/"
    entry = directory.read(JEANNE, ("objectClass", "uidNumber", "mail"))
    assert entry.first("uidNumber") == "10001" and not entry.values("mail")
    assert accounts.get_account(directory, "jeanne@example.test") is None
    row = AuditEntry.objects.get(action="account.remove")
    assert row.ok and row.new["entry"] == "kept" and row.old["attributes"]["mail"] == ["jeanne@example.test"]
    page = domain_admin.get("/domains/example.test/").content.decode()
    assert "the person jeanne stays in the directory" in page


def test_a_domain_admin_may_not_delete_the_whole_entry(domain_admin, directory):
    r = domain_admin.post(URL, {"delete_entry": "on"})
    assert r.status_code == 200 and "Only a superadmin may delete a person" in r.content.decode()
    assert accounts.get_account(directory, "jeanne@example.test") is not None
    assert not AuditEntry.objects.filter(ok=True).exists()


def test_a_superadmin_deletes_the_whole_entry_when_asked(superadmin, directory):
    assert superadmin.post(URL, {"delete_entry": "on"}).status_code == 302
    assert directory.read(JEANNE, ("objectClass",)) is None
    assert AuditEntry.objects.get(action="account.remove").new["entry"] == "deleted"
