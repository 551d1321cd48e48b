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
    assert "domain.change" in body
    assert "3\xa0hours ago" in body


def test_it_shows_other_domains_changes_to_nobody_else(outsider):
    audit.record("root", "account.change", "alice@example.test")
    audit.record("root", "domain.change", "example.test")
    audit.record("root", "account.change", "oscar@other.test")
    body = outsider.get("/").content.decode()
    assert "oscar@other.test" in body
    assert "example.test" not in body


def test_it_escapes_audit_rows(superadmin):
    audit.record("<b>actor</b>", "<i>act</i>", "<script>alert(1)</script>", ok=False, detail="<img src=x>")
    body = superadmin.get("/").content.decode()
    for raw in ("<b>actor</b>", "<i>act</i>", "<script>alert(1)</script>", "<img src=x>"):
        assert raw not in body
    assert "&lt;script&gt;" in body


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
