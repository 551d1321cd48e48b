from mailadmin.directory import accounts

URL = "/accounts/bob@example.test/quota/"


def test_it_sets_a_quota_in_human_units(helpdesk, directory):
    r = helpdesk.post(URL, {"quota": "1.5G"})
    assert r.status_code == 302
    assert accounts.get_account(directory, "bob@example.test").quota_kb == 1572864


def test_it_resets_to_the_domain_default(domain_admin, directory):
    assert domain_admin.post(URL, {"quota": "", "reset": "1"}).status_code == 302
    assert accounts.get_account(directory, "bob@example.test").quota_kb == 512000


def test_it_refuses_bad_input(domain_admin):
    r = domain_admin.post(URL, {"quota": "-5"})
    assert r.status_code == 422 and "quota" in r.context["quota_form"].errors


def test_a_stale_page_is_refused(domain_admin, directory, csn):
    old = csn("bob@example.test")
    accounts.update_account(directory, accounts.get_account(directory, "bob@example.test"), {"quota_kb": 7})
    r = domain_admin.post(URL, {"quota": "1G", "csn": old})
    assert r.status_code == 422 and "Someone else changed" in r.content.decode()
    assert accounts.get_account(directory, "bob@example.test").quota_kb == 7


def test_it_hides_other_domains(outsider):
    assert outsider.post(URL, {"quota": "1G"}).status_code == 404


def test_a_get_goes_back_to_the_account_page(domain_admin):
    r = domain_admin.get(URL)
    assert r.status_code == 302 and r["Location"] == "/accounts/bob@example.test/"


def test_it_shows_error_when_directory_down(domain_admin, directory_down):
    assert domain_admin.post(URL, {"quota": "1G"}).status_code == 503


def test_an_empty_quota_leaves_the_account_without_a_rule_of_its_own(helpdesk, directory):
    r = helpdesk.post(URL, {"quota": ""}, follow=True)
    assert "bob@example.test now has no quota rule of its own." in r.content.decode()
    assert accounts.get_account(directory, "bob@example.test").quota_kb is None


def test_the_domain_default_is_stored_as_the_accounts_own_quota(domain_admin, directory):
    domain_admin.post(URL, {"reset": "1"})
    assert accounts.get_account(directory, "bob@example.test").quota_kb == 512000  # mailuserquota written, as MMC did
    html = domain_admin.get("/accounts/bob@example.test/").content.decode()
    assert "Set to the domain default (500M)" in html and "stored as this account’s own quota" in html
