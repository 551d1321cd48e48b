import pytest
from django.utils import timezone

from mailadmin import audit
from mailadmin.models import AuditEntry

pytestmark = pytest.mark.both_profiles


def test_it_counts_everything_for_superadmins(superadmin):
    counts = superadmin.get("/").context["counts"]
    assert (counts.domains, counts.accounts, counts.disabled, counts.valiases) == (2, 6, 1, 1)


def test_it_counts_only_the_own_domains_for_domain_admins(outsider):
    counts = outsider.get("/").context["counts"]
    assert (counts.domains, counts.accounts, counts.disabled, counts.valiases) == (1, 1, 0, 0)


def test_it_counts_nothing_for_a_user_without_roles(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody"))
    counts = client.get("/").context["counts"]
    assert (counts.domains, counts.accounts, counts.disabled, counts.valiases) == (0, 0, 0, 0)


def test_it_shows_recent_changes_with_readable_dates(superadmin):
    audit.record("root", "domain.change", "example.test")
    AuditEntry.objects.update(at=timezone.now() - timezone.timedelta(hours=3))
    body = superadmin.get("/").content.decode()
    assert "Domain changed" in body and "domain.change" not in body
    assert "3\xa0hours ago" in body


def _dashboard_after(client, *changes: tuple[str, str]) -> str:
    """The dashboard once root made `changes`, (action, target) pairs."""
    for action, target in changes:
        audit.record("root", action, target)
    return client.get("/").content.decode()


def test_it_shows_other_domains_changes_to_nobody_else(outsider):
    body = _dashboard_after(outsider, ("account.change", "alice@example.test"), ("domain.change", "example.test"),
                            ("account.change", "oscar@other.test"))
    assert "oscar@other.test" in body
    assert "example.test" not in body


def test_it_escapes_audit_rows(superadmin):
    audit.record("<b>actor</b>", "<i>act</i>", "<script>alert(1)</script>", ok=False, detail="<img src=x>")
    body = superadmin.get("/").content.decode()
    for raw in ("<b>actor</b>", "<i>act</i>", "<script>alert(1)</script>", "<img src=x>"):
        assert raw not in body
    assert "&lt;script&gt;" in body


def test_every_card_links_to_its_list(superadmin):
    body = superadmin.get("/").content.decode()
    for href in ('href="/domains/"', 'href="/search/?status=all"', 'href="/search/?status=disabled"',
                 'href="/aliases/"'):
        assert f"<dt><a {href}>" in body, href


def test_the_account_cards_list_every_account_and_the_disabled_ones(superadmin):
    listed = superadmin.get("/search/", {"status": "disabled"}).context["accounts"]
    assert [a.mail for a in listed] == ["dave@example.test"]
    everyone = superadmin.get("/search/", {"status": "all", "q": "ignored"}).context["accounts"]
    assert len(everyone) == 6 and "oscar@other.test" in {a.mail for a in everyone}


def test_the_account_cards_list_only_the_own_domains(outsider):
    assert [a.mail for a in outsider.get("/search/", {"status": "all"}).context["accounts"]] == ["oscar@other.test"]


def test_a_changed_entry_links_to_its_page_and_a_removed_one_does_not(superadmin):
    body = _dashboard_after(superadmin, ("account.quota", "alice@example.test"),
                            ("domain.change", "xn--bcher-kva.example"), ("account.remove", "bob@example.test"))
    assert '<a href="/accounts/alice@example.test/">alice@example.test</a>' in body
    assert '<a href="/domains/xn--bcher-kva.example/">bücher.example</a>' in body
    assert "bob@example.test" in body and 'href="/accounts/bob@example.test/"' not in body


def test_roles_are_shown_in_words_with_unicode_domains(superadmin):
    body = _dashboard_after(superadmin, ("role.grant", "bob domain_admin xn--bcher-kva.example"),
                            ("role.revoke", "carol helpdesk *"))
    assert "bob: domain admin of bücher.example" in body and "carol: helpdesk of every domain" in body
    assert "domain_admin" not in body and "xn--" not in body and "role.grant" not in body


def test_failures_are_shown_in_the_readers_language(superadmin):
    audit.record("root", "domain.change", "example.test", ok=False,
                 detail="Conflict: modify virtualdomain=example.test,ou=mailDomains,dc=example,dc=org")
    audit.record("root", "account.update", "alice@example.test", ok=False,
                 detail="Someone else changed this entry since you opened it. The current values are shown; check "
                        "them and save again.")
    body = superadmin.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "virtualdomain=" not in body and "Someone else" not in body
    assert "Quelqu’un d’autre a modifié" in body or "Quelqu'un d'autre a modifié" in body


def test_it_requires_login(client):
    assert client.get("/")["Location"].startswith("/login/")


def test_it_shows_error_when_directory_down(superadmin, directory_down):
    r = superadmin.get("/")
    assert r.status_code == 503
    assert "Try again" in r.content.decode()


def test_counts_hold_up_over_many_requests_in_a_row(superadmin, slapd):
    # slapd keeps each VLV sort until its connection closes, five per connection, and refused abandoned paged sorts
    # as "busy" now and then: counting must neither pile sorts up nor depend on that race.
    slapd.add_ldif("".join(
        f"dn: uid=n{i},ou=Users,dc=example,dc=org\nobjectClass: inetOrgPerson\nobjectClass: mailAccount\n"
        f"uid: n{i}\ncn: N\nsn: N\nmail: n{i:04d}@example.test\nmailenable: OK\n\n" for i in range(3000)
    ))
    statuses = [superadmin.get(path).status_code for _ in range(8) for path in ("/domains/", "/",
                                                                             "/domains/example.test/")]
    assert statuses == [200] * 24
    assert superadmin.get("/").context["counts"].accounts == 3006
