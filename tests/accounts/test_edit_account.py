import pytest

from mailadmin.directory import Directory, accounts
from mailadmin.models import AuditEntry

URL = "/accounts/alice@example.test/edit/"


@pytest.fixture
def form(csn):
    return {"name": "Alice Martin", "first_name": "Alice", "last_name": "Martin",
            "aliases": "alice.martin@example.test",
            "forwards": "", "quota": "500M", "enabled": "on", "mailhost": "", "mailproxy": "", "hidden": "",
            "csn": csn("alice@example.test")}


def test_it_saves_in_exactly_one_modify(domain_admin, form, directory, monkeypatch):
    calls = []
    real = Directory.modify
    monkeypatch.setattr(Directory, "modify", lambda self, dn, *a, **k: calls.append(dn) or real(self, dn, *a, **k))
    r = domain_admin.post(URL, {**form, "name": "Alice M.", "quota": "1G", "forwards": "a@external.test",
                                "keep_copy": "on", "aliases": "alice.martin@example.test\nam@example.test"})
    assert r.status_code == 302
    assert calls == ["uid=alice,ou=Users,dc=example,dc=org"]
    alice = accounts.get_account(directory, "alice@example.test")
    assert (alice.name, alice.quota_kb, alice.keeps_copy) == ("Alice M.", 1024 * 1024, True)
    assert set(alice.aliases) == {"alice.martin@example.test", "am@example.test"}
    entry = AuditEntry.objects.get(action="account.update")
    assert entry.old["quota_kb"] == 512000 and entry.new["quota_kb"] == 1024 * 1024


def test_a_stale_form_is_refused_and_keeps_what_was_typed(domain_admin, form, directory):
    alice = accounts.get_account(directory, "alice@example.test")
    accounts.update_account(directory, alice, {"quota_kb": 1})
    r = domain_admin.post(URL, {**form, "name": "Typed Name"})
    html = r.content.decode()
    assert r.status_code == 422 and "Someone else changed this entry" in html
    assert 'value="Typed Name"' in html and "1K" in html  # what was typed, and the current quota
    assert accounts.get_account(directory, "alice@example.test").quota_kb == 1
    assert r.context["edit_form"].data["csn"] == accounts.get_account(directory, "alice@example.test").csn


def test_it_refuses_an_alias_used_elsewhere(domain_admin, form):
    r = domain_admin.post(URL, {**form, "aliases": "d.thomas@example.test"})
    assert "already an alias of the account dave@example.test" in r.content.decode()


def test_it_escapes_markup_in_typed_values(domain_admin, form):
    r = domain_admin.post(URL, {**form, "aliases": "<script>x</script>"})
    html = r.content.decode()
    assert r.status_code == 422 and "<script>x</script>" not in html


def test_a_domain_admin_sees_the_mailbox_path_read_only(domain_admin):
    r = domain_admin.get("/accounts/alice@example.test/")
    assert "mailbox" not in r.context["edit_form"].fields and "/home/vmail/alice/" in r.content.decode()


def test_a_superadmin_edits_the_mailbox_path(superadmin, form, directory):
    r = superadmin.post(URL, {**form, "mailbox": "/home/vmail/alice2/"})
    assert r.status_code == 302
    assert accounts.get_account(directory, "alice@example.test").mailbox == "/home/vmail/alice2/"


def test_helpdesk_may_change_the_quota_but_not_aliases(helpdesk, form):
    assert helpdesk.post(URL, {**form, "aliases": ""}).status_code == 403
    assert helpdesk.post(URL, {**form, "quota": "1G"}).status_code == 302


def test_a_domain_admin_cannot_re_point_postmaster(domain_admin, csn):
    form = {"name": "Postmaster", "last_name": "Postmaster", "aliases": "abuse@example.test", "quota": "1G",
            "enabled": "on", "forwards": "evil@external.test", "csn": csn("postmaster@example.test")}
    assert domain_admin.post("/accounts/postmaster@example.test/edit/", form).status_code == 403


def test_it_hides_other_domains(outsider, form):
    assert outsider.post(URL, form).status_code == 404


def test_a_get_goes_back_to_the_account_page(domain_admin):
    r = domain_admin.get(URL)
    assert r.status_code == 302 and r["Location"] == "/accounts/alice@example.test/"


def test_it_shows_error_when_directory_down(domain_admin, form, directory_down):
    assert domain_admin.post(URL, form).status_code == 503


def test_an_account_without_a_quota_rule_is_edited_without_inventing_one(superadmin, directory):
    oscar = accounts.get_account(directory, "oscar@other.test")
    assert oscar.quota_kb is None
    r = superadmin.post("/accounts/oscar@other.test/edit/", {
        "name": "Oscar O.", "first_name": "", "last_name": "Other", "aliases": "", "forwards": "", "quota": "",
        "enabled": "on", "mailbox": oscar.mailbox, "mailhost": "", "mailproxy": "", "hidden": "", "csn": oscar.csn,
    })
    assert r.status_code == 302
    edited = accounts.get_account(directory, "oscar@other.test")
    assert (edited.name, edited.quota_kb) == ("Oscar O.", None)


def test_emptying_the_quota_removes_the_accounts_own_rule(domain_admin, form, directory):
    assert domain_admin.post(URL, {**form, "quota": ""}).status_code == 302
    assert accounts.get_account(directory, "alice@example.test").quota_kb is None


def test_the_page_form_leaves_what_the_cards_edit_unchanged(domain_admin, directory, csn):
    before = accounts.get_account(directory, "alice@example.test")
    r = domain_admin.post(URL, {"name": "Alice Renamed", "first_name": "Alice", "last_name": "Martin",
                                "csn": csn("alice@example.test"), "keep_elsewhere": "1"})
    assert r.status_code == 302
    after = accounts.get_account(directory, "alice@example.test")
    assert after.name == "Alice Renamed"
    assert (after.aliases, after.forwards, after.quota_kb, after.enabled) == (
        before.aliases, before.forwards, before.quota_kb, before.enabled)
    page = domain_admin.get("/accounts/alice@example.test/").content.decode()
    edit = page[page.index('id="edit-h"'):]
    assert 'name="aliases"' not in edit and 'name="quota"' not in edit and 'name="keep_elsewhere"' in edit
