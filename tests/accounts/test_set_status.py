from mailadmin.directory import accounts
from mailadmin.models import AuditEntry


def test_it_disables_and_enables(domain_admin, directory):
    r = domain_admin.post("/accounts/alice@example.test/disable/")
    assert r.status_code == 302
    assert not accounts.get_account(directory, "alice@example.test").enabled
    assert domain_admin.post("/accounts/alice@example.test/enable/").status_code == 302
    assert accounts.get_account(directory, "alice@example.test").enabled
    assert [e.action for e in AuditEntry.objects.order_by("id")] == ["account.disable", "account.enable"]


def test_a_stale_page_is_refused(domain_admin, directory, csn):
    old = csn("alice@example.test")
    accounts.update_account(directory, accounts.get_account(directory, "alice@example.test"), {"quota_kb": 5})
    r = domain_admin.post("/accounts/alice@example.test/disable/", {"csn": old})
    assert r.status_code == 422 and "Someone else changed" in r.content.decode()
    assert accounts.get_account(directory, "alice@example.test").enabled


def test_helpdesk_may_disable(helpdesk):
    assert helpdesk.post("/accounts/alice@example.test/disable/").status_code == 302


def test_a_domain_admin_cannot_disable_postmaster_or_abuse(domain_admin, directory):
    assert domain_admin.post("/accounts/postmaster@example.test/disable/").status_code == 403
    assert domain_admin.post("/accounts/abuse@example.test/disable/").status_code == 403
    assert accounts.get_account(directory, "postmaster@example.test").enabled


def test_it_hides_other_domains(outsider):
    assert outsider.post("/accounts/alice@example.test/disable/").status_code == 404


def test_disabling_is_confirmed_first(domain_admin, directory):
    r = domain_admin.get("/accounts/alice@example.test/disable/")
    html = r.content.decode()
    assert r.status_code == 200 and "Disable alice@example.test?" in html and "bounces" in html
    assert accounts.get_account(directory, "alice@example.test").enabled


def test_the_confirmation_of_a_disabled_account_goes_back_to_it(domain_admin):
    r = domain_admin.get("/accounts/dave@example.test/disable/")
    assert r.status_code == 302 and r["Location"] == "/accounts/dave@example.test/"


def test_a_get_of_enable_goes_back_to_the_account_page(domain_admin, directory):
    r = domain_admin.get("/accounts/dave@example.test/enable/")
    assert r.status_code == 302 and r["Location"] == "/accounts/dave@example.test/"
    assert not accounts.get_account(directory, "dave@example.test").enabled


def test_it_shows_error_when_directory_down(domain_admin, directory_down):
    assert domain_admin.post("/accounts/alice@example.test/enable/").status_code == 503


def test_disabling_is_announced_as_a_warning_not_a_success(domain_admin):
    r = domain_admin.post("/accounts/alice@example.test/disable/", follow=True)
    assert '<li class="message warning">alice@example.test is disabled: its mail now bounces.</li>' in r.content.decode()
    r = domain_admin.post("/accounts/alice@example.test/enable/", follow=True)
    assert '<li class="message success">alice@example.test is enabled.</li>' in r.content.decode()
