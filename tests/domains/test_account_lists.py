"""The dashboard's "Accounts" and "Disabled accounts" cards open lists of every account, or every disabled one, paged
on the server like the domain page: the total shown, 50 a page, the same pager, past slapd's default size limit."""

from __future__ import annotations

import re

import pytest

from tests.conftest import BIG_DOMAIN_SIZE, big_domain_ldif

pytestmark = pytest.mark.both_profiles

BASE = ["alice@example.test", "bob@example.test", "carol@example.test", "dave@example.test",
        "oscar@other.test", "postmaster@example.test"]  # tests/base.ldif; dave is disabled


def _addresses(body: str) -> list[str]:
    return re.findall(r'href="/accounts/([^"/]+)/"', body)


def _every_page(client, status: str, pages: int) -> list[str]:
    return [a for page in range(1, pages + 1)
            for a in _addresses(client.get("/search/", {"status": status, "page": page}).content.decode())]


def _disabled_domain(slapd, count: int) -> list[str]:
    """dis.test with `count` disabled accounts; their addresses."""
    slapd.add_ldif(big_domain_ldif(count, "dis.test").replace("mailenable: OK", "mailenable: NONE"))
    return [f"u{n:04d}@dis.test" for n in range(count)]


def test_every_account_is_listed_in_address_order_across_the_pages(superadmin, big_domain):
    everyone = sorted([*BASE, *(f"u{n:04d}@big.test" for n in range(BIG_DOMAIN_SIZE))])
    first = superadmin.get("/search/", {"status": "all"})
    body = first.content.decode()
    assert f"{len(everyone)} accounts" in body
    assert _addresses(body) == everyone[:50]
    assert 'href="?status=all&amp;page=2" rel="next"' in body and 'aria-current="page">1<' in body
    assert _every_page(superadmin, "all", 11) == everyone
    assert superadmin.get("/search/", {"status": "all", "page": 12}).status_code == 404


def test_every_disabled_account_is_listed_across_the_pages(superadmin, slapd):
    disabled = sorted(["dave@example.test", *_disabled_domain(slapd, 510)])
    body = superadmin.get("/search/", {"status": "disabled", "page": 11}).content.decode()
    assert "511 disabled accounts" in body and 'rel="next"' not in body
    assert _addresses(body) == disabled[500:]
    assert _every_page(superadmin, "disabled", 11) == disabled


def test_the_lists_show_only_the_own_domains(outsider, slapd):
    _disabled_domain(slapd, 60)
    body = outsider.get("/search/", {"status": "all"}).content.decode()
    assert _addresses(body) == ["oscar@other.test"] and "1 account" in body and 'class="pager"' not in body
    assert "No account." in outsider.get("/search/", {"status": "disabled"}).content.decode()


def test_the_totals_match_the_dashboards_cards(superadmin, slapd):
    _disabled_domain(slapd, 60)
    counts = superadmin.get("/").context["counts"]
    assert superadmin.get("/search/", {"status": "all"}).context["total"] == counts.accounts == 66
    assert superadmin.get("/search/", {"status": "disabled"}).context["total"] == counts.disabled == 61


@pytest.mark.parametrize("page", ["0", "x", "2"])
def test_a_page_that_does_not_exist_is_404(superadmin, page):
    assert superadmin.get("/search/", {"status": "disabled", "page": page}).status_code == 404


def test_the_lists_are_in_french(superadmin, slapd):
    _disabled_domain(slapd, 60)
    body = superadmin.get("/search/", {"status": "disabled"}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "61 comptes désactivés" in body and "Suivant" in body
