import pytest

from .helpers import run, run_json

pytestmark = [pytest.mark.django_db, pytest.mark.both_profiles]


def test_it_lists_domains_with_counts_and_quota():
    out = run("listdomains")
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["example.test", "5", "500M"]
    assert lines[1].split()[:3] == ["other.test", "1", "-"]


def test_it_prints_json_for_scripts():
    data = run_json("listdomains")
    assert data[0] == {"name": "example.test", "display_name": "example.test", "accounts": 5,
                       "default_quota_kb": 512000, "description": "The test company"}
    assert [d["name"] for d in data] == ["example.test", "other.test"]


def test_it_shows_unicode_names(slapd):
    slapd.add_ldif("dn: virtualdomain=xn--bcher-kva.test,ou=mailDomains,dc=example,dc=org\n"
                   "objectClass: mailDomain\nvirtualdomain: xn--bcher-kva.test\n")
    assert "bücher.test" in run("listdomains")
