import pytest

from mailadmin.directory import domains as ldap_domains
from tests.domains.conftest import set_description

pytestmark = pytest.mark.both_profiles


def test_it_lists_domains_with_quota_and_account_count(superadmin):
    r = superadmin.get("/domains/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "example.test" in body and "other.test" in body
    assert "The test company" in body
    assert "500M" in body  # 512000 kB
    assert '<td class="num">5</td>' in body  # accounts of example.test


def test_it_shows_unicode_domain_names(superadmin, directory):
    ldap_domains.create_domain(directory, "xn--bcher-kva.test")
    body = superadmin.get("/domains/").content.decode()
    assert "bücher.test" in body
    assert 'href="/domains/xn--bcher-kva.test/"' in body


def test_it_filters_by_text(superadmin):
    body = superadmin.get("/domains/", {"q": "company"}).content.decode()
    assert "example.test" in body
    assert "other.test" not in body


def test_it_says_when_nothing_matches(superadmin):
    body = superadmin.get("/domains/", {"q": "nothing-like-this"}).content.decode()
    assert "No domain matches this filter." in body


def test_it_offers_add_to_superadmins(superadmin):
    assert 'href="/domains/add/"' in superadmin.get("/domains/").content.decode()


def test_it_hides_add_from_domain_admins(domain_admin):
    assert 'href="/domains/add/"' not in domain_admin.get("/domains/").content.decode()


def test_it_hides_other_domains(outsider):
    body = outsider.get("/domains/").content.decode()
    assert "other.test" in body
    assert "example.test" not in body
    assert "The test company" not in body


def test_it_requires_login(client):
    r = client.get("/domains/")
    assert r.status_code == 302
    assert r["Location"].startswith("/login/")


def test_it_escapes_directory_values(superadmin, directory):
    set_description(directory, "example.test", "<script>alert(1)</script>")
    body = superadmin.get("/domains/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_it_escapes_the_filter_text(superadmin):
    body = superadmin.get("/domains/", {"q": '"><script>x</script>'}).content.decode()
    assert "<script>x</script>" not in body


def test_it_counts_accounts_for_the_shown_page_of_domains_only(superadmin, operations, slapd):
    slapd.add_ldif("".join(
        f"dn: virtualdomain=d{i:03d}.test,ou=mailDomains,dc=example,dc=org\nobjectClass: mailDomain\n"
        f"virtualdomain: d{i:03d}.test\n\n" for i in range(120)
    ))
    r = superadmin.get("/domains/?page=2")
    assert operations == [1 + 50]  # the domain list, then one counting search per listed domain
    assert r.content.decode().count('href="/domains/d') == 50
    assert superadmin.get("/domains/?page=4").status_code == 404


def test_it_shows_error_when_directory_down(superadmin, directory_down):
    r = superadmin.get("/domains/")
    assert r.status_code == 503
    assert 'href="/domains/"' in r.content.decode()  # the retry link
