import re

import pytest

from mailadmin.directory import domains as ldap_domains
from mailadmin.directory.changes import replace
from tests.conftest import big_domain_ldif
from tests.domains.conftest import set_description

pytestmark = pytest.mark.both_profiles


def _big_domain(slapd, count: int) -> None:
    slapd.add_ldif(big_domain_ldif(count))


def _addresses(body: str) -> list[str]:
    return re.findall(r'href="/accounts/([^"/]+)/"', body)


def test_it_shows_the_domain_its_accounts_and_virtual_aliases(superadmin):
    r = superadmin.get("/domains/example.test/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "The test company" in body
    assert _addresses(body) == [
        "alice@example.test", "bob@example.test", "carol@example.test", "dave@example.test", "postmaster@example.test",
    ]
    assert "oscar@other.test" not in body
    assert 'href="/aliases/team@example.test/"' in body
    assert 'href="/domains/example.test/accounts/add/"' in body
    assert "keeps a copy" in body  # carol
    assert 'class="badge off">disabled' in body  # dave


def test_it_accepts_the_unicode_form_of_the_domain(superadmin, directory):
    ldap_domains.create_domain(directory, "xn--bcher-kva.test", "Books")
    r = superadmin.get("/domains/bücher.test/")
    assert r.status_code == 200
    assert "Books" in r.content.decode()
    assert superadmin.get("/domains/xn--bcher-kva.test/").status_code == 200
    assert superadmin.get("/domains/EXAMPLE.test/").status_code == 200


@pytest.mark.parametrize("name", ["missing.test", "not a domain", "x,ou=Users", "-bad-.test"])
def test_it_answers_404_for_unknown_or_invalid_names(superadmin, name):
    assert superadmin.get(f"/domains/{name}/").status_code == 404


def test_it_hides_other_domains(outsider):
    assert outsider.get("/domains/example.test/").status_code == 404
    assert outsider.get("/domains/other.test/").status_code == 200


def test_it_shows_helpdesk_everything_but_changes(helpdesk):
    body = helpdesk.get("/domains/example.test/").content.decode()
    assert "alice@example.test" in body
    assert 'href="/domains/example.test/edit/"' not in body
    assert 'href="/domains/example.test/delete/"' not in body


def test_it_offers_edit_but_not_remove_to_the_domain_admin(domain_admin):
    body = domain_admin.get("/domains/example.test/").content.decode()
    assert 'href="/domains/example.test/edit/"' in body
    assert 'href="/domains/example.test/delete/"' not in body


def test_it_filters_accounts_by_text(superadmin):
    body = superadmin.get("/domains/example.test/", {"q": "Martin"}).content.decode()
    assert _addresses(body) == ["alice@example.test"]
    body = superadmin.get("/domains/example.test/", {"q": "*)(uid=*"}).content.decode()
    assert _addresses(body) == []
    assert "No account matches this filter." in body


def test_it_renders_page_3_of_a_large_domain_with_the_right_accounts_and_total(superadmin, slapd):
    _big_domain(slapd, 2000)
    r = superadmin.get("/domains/big.test/", {"page": "3"})
    assert r.status_code == 200
    body = r.content.decode()
    assert _addresses(body) == [f"u{n:04d}@big.test" for n in range(100, 150)]
    assert "<dd>2000</dd>" in body
    assert '<span class="current" aria-current="page">3</span>' in body
    assert 'href="?page=40"' in body  # the last page of 40
    assert 'href="?page=4" rel="next"' in body


def test_it_keeps_the_filter_in_pager_links(superadmin, slapd):
    _big_domain(slapd, 120)
    body = superadmin.get("/domains/big.test/", {"q": "u00", "page": "2"}).content.decode()
    assert _addresses(body) == [f"u{n:04d}@big.test" for n in range(50, 100)]
    assert 'href="?q=u00&amp;page=1"' in body


def test_it_needs_three_searches_whatever_the_size_of_the_domain(superadmin, slapd, operations, settings):
    settings.DIRECTORY_CACHE_SECONDS = 0  # nothing remembered: every view sorts (or pages) the domain
    superadmin.get("/domains/example.test/")
    _big_domain(slapd, 2000)
    superadmin.get("/domains/big.test/", {"page": "7"})
    if slapd.profile == "project":
        assert operations == [3, 3]
    else:  # no VLV: the addresses come in pages of 500, then one search reads the page's entries
        assert operations == [3 + 1, 3 + 2000 // 500]


def test_a_remembered_order_costs_four_searches_whatever_the_size_and_the_page(superadmin, slapd, operations):
    _big_domain(slapd, 2000)
    for page in ("1", "40", "7"):
        superadmin.get("/domains/big.test/", {"page": page})
    # The domain, contextCSN, the page's entries, its virtual aliases; the first view streams the addresses too.
    assert operations == [4 + 2000 // 500, 4, 4]


def test_it_lists_every_account_in_address_order_across_the_pages(superadmin, big_domain):
    pages = -(-520 // 50)
    listed = [a for page in range(1, pages + 1)
              for a in _addresses(superadmin.get(f"/domains/{big_domain}/", {"page": page}).content.decode())]
    assert listed == [f"u{n:04d}@big.test" for n in range(520)]


@pytest.mark.parametrize("page", ["0", "-1", "x", "2"])
def test_it_answers_404_for_a_page_that_does_not_exist(superadmin, page):
    assert superadmin.get("/domains/example.test/", {"page": page}).status_code == 404


def test_it_shows_an_empty_domain(superadmin, directory):
    ldap_domains.create_domain(directory, "empty.test")
    body = superadmin.get("/domains/empty.test/").content.decode()
    assert "No accounts in this domain yet." in body
    assert "No virtual aliases in this domain." in body


def test_it_escapes_directory_values(superadmin, directory):
    set_description(directory, "example.test", "<script>alert(1)</script>")
    directory.modify("uid=alice,ou=Users,dc=example,dc=org", {"cn": replace('"><img src=x onerror=alert(1)>')})
    body = superadmin.get("/domains/example.test/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "<img src=x" not in body
    assert "&lt;script&gt;" in body


def test_it_requires_login(client):
    r = client.get("/domains/example.test/")
    assert r.status_code == 302
    assert r["Location"].startswith("/login/")


def test_it_shows_error_when_directory_down(superadmin, directory_down):
    r = superadmin.get("/domains/example.test/")
    assert r.status_code == 503
    assert "Try again" in r.content.decode()
