"""People without mail, and enabling mail on one of them."""

from mailadmin.directory import accounts


def test_it_lists_people_without_mail(domain_admin, pierre_of_example):
    r = domain_admin.get("/people/", {"q": "pier"})
    assert r.status_code == 200 and "Pierre Sans-Mail" in r.content.decode()
    assert "Alice" not in domain_admin.get("/people/").content.decode().split("<main")[1]


def test_it_escapes_the_search_text(domain_admin):
    html = domain_admin.get("/people/", {"q": '"><script>x</script>'}).content.decode()
    assert "<script>x</script>" not in html


def test_it_enables_mail_with_the_domain_default_quota(domain_admin, directory, pierre_of_example):
    r = domain_admin.post("/people/pierre/enable/", {"address": "pierre@example.test", "quota": ""})
    assert r.status_code == 302 and r["Location"] == "/accounts/pierre@example.test/"
    pierre = accounts.get_account(directory, "pierre@example.test")
    assert pierre.uid == "pierre" and pierre.quota_kb == 512000 and pierre.enabled


def test_it_refuses_an_address_in_use_or_outside_the_users_domains(domain_admin, pierre_of_example):
    r = domain_admin.post("/people/pierre/enable/", {"address": "bob@example.test"})
    assert "already the address of the account bob@example.test" in r.content.decode()
    r = domain_admin.post("/people/pierre/enable/", {"address": "pierre@other.test"})
    assert "You do not administer" in r.content.decode()


def test_an_account_is_not_a_person_without_mail(domain_admin):
    assert domain_admin.get("/people/alice/enable/").status_code == 404


def test_helpdesk_may_not_enable_mail(helpdesk):
    assert helpdesk.get("/people/").status_code == 403


def test_it_requires_login(client):
    assert client.get("/people/").status_code == 302


def test_it_shows_error_when_directory_down(domain_admin, directory_down):
    assert domain_admin.get("/people/").status_code == 503


def test_the_search_text_is_cut_where_every_list_filter_cuts_it(domain_admin, monkeypatch):
    """254 characters (QUERY_MAX, longer than any address) reach the search and the box; the 255th does not."""
    searched = []
    search_people = accounts.search_people

    def spy(directory, text, **kwargs):
        searched.append(text)
        return search_people(directory, text, **kwargs)

    monkeypatch.setattr(accounts, "search_people", spy)
    kept = "p" * 253 + "é"
    html = domain_admin.get("/people/", {"q": f"  {kept}x  "}).content.decode()
    assert searched == [kept] and f'value="{kept}"' in html
