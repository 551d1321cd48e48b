"""What the directory refuses on an established connection becomes a page (502) and a command's one line that say
what it refused and what to change: never a 500. The refusals are real ones, made by changing the running slapd's
cn=config (as the peer-credential manager, over ldapi) for the length of a test."""

from __future__ import annotations

import subprocess

import pytest
from django.conf import settings
from django.utils.html import escape

from mailadmin.directory import features
from mailadmin.directory.features import Features
from tests.cli.helpers import refused, run

pytestmark = [pytest.mark.django_db, pytest.mark.both_profiles]

READER = "cn=reader,ou=system,dc=example,dc=org"
CAUTIOUS = "cn=cautious,ou=system,dc=example,dc=org"


def config(slapd, ldif: str) -> None:
    """Apply an LDIF change to the running slapd's cn=config."""
    subprocess.run(["ldapmodify", "-Q", "-Y", "EXTERNAL", "-H", slapd.ldapi], input=ldif, text=True, check=True,
                   capture_output=True)


def database_dn(slapd) -> str:
    out = subprocess.run(["ldapsearch", "-Q", "-LLL", "-Y", "EXTERNAL", "-H", slapd.ldapi, "-b", "cn=config",
                          "(olcSuffix=dc=example,dc=org)", "dn"], text=True, check=True, capture_output=True).stdout
    return out.split(":", 1)[1].strip()


@pytest.fixture
def read_only(slapd):
    """The database refuses every write with unwillingToPerform, as a read-only replica or `readonly on` does."""
    dn = database_dn(slapd)
    config(slapd, f"dn: {dn}\nchangetype: modify\nreplace: olcReadOnly\nolcReadOnly: TRUE\n")
    yield
    config(slapd, f"dn: {dn}\nchangetype: modify\nreplace: olcReadOnly\nolcReadOnly: FALSE\n")


def _bind_as(slapd, dn: str):
    """Bind as a plain account with slapd's default limits (no `limits` line names it)."""
    cn = dn.split(",")[0].split("=")[1]
    slapd.add_ldif(f"dn: {dn}\nobjectClass: applicationProcess\nobjectClass: simpleSecurityObject\ncn: {cn}\n"
                   "userPassword: reader-password-1\n")
    settings.LDAP_BIND_DN, settings.LDAP_BIND_PASSWORD = dn, "reader-password-1"
    yield
    slapd.delete_tree(dn)


@pytest.fixture
def reader(slapd):
    yield from _bind_as(slapd, READER)


def restart(slapd) -> None:
    """Stop and start slapd: after an olcLimits or olcAccess value is deleted, slapd 2.5 applies the remaining ones
    wrongly until it restarts (seen here: the service account's unlimited paged searches stopped at 500)."""
    slapd.stop()
    slapd.start()


@pytest.fixture
def unchecked_limit(slapd):
    """An account that may look at no more than 3 candidates of a search its filter's indexes cannot narrow."""
    dn = database_dn(slapd)
    limit = f'olcLimits: {{0}}dn.exact="{CAUTIOUS}" size.unchecked=3\n'
    config(slapd, f"dn: {dn}\nchangetype: modify\nadd: olcLimits\n{limit}")
    yield from _bind_as(slapd, CAUTIOUS)
    config(slapd, f"dn: {dn}\nchangetype: modify\ndelete: olcLimits\n{limit}")
    restart(slapd)


def _refusal_page(response, *parts: str) -> None:
    assert response.status_code == 502
    assert "directory_refused.html" in [t.name for t in response.templates]
    body = response.content.decode()
    for part in parts:
        assert escape(part) in body, part


def test_a_read_only_directory_gives_a_page_naming_the_refusal(superadmin, read_only):
    response = superadmin.post("/accounts/alice@example.test/disable/", follow=False)
    _refusal_page(response, "unwilling to do this", "read-only database")


def test_a_read_only_directory_gives_one_line_in_a_command(read_only):
    message = refused("setquota", "alice@example.test", "1G")
    assert "unwilling to do this" in message and "read-only database" in message


def test_an_account_without_write_access_gives_a_page_naming_what_to_grant(superadmin, reader):
    _refusal_page(superadmin.post("/accounts/alice@example.test/disable/"), f"denied {READER} the access",
                  "write access")


def test_an_account_without_write_access_gives_one_line_in_a_command(reader):
    message = refused("setquota", "alice@example.test", "1G")
    assert f"denied {READER} the access" in message and "write access" in message


def test_an_administrative_limit_gives_a_page_naming_the_limit_to_raise(superadmin, unchecked_limit):
    _refusal_page(superadmin.get("/domains/example.test/"), "administrative limit", "size.unchecked=unlimited",
                  f'dn.exact="{CAUTIOUS}"')


def test_an_administrative_limit_gives_one_line_in_a_command(unchecked_limit):
    message = refused("listdomains")
    assert "administrative limit" in message and "size.unchecked=unlimited" in message


@pytest.fixture
def stale_features(slapd, directory):
    """mailadmin read the features of a server with sssvlv, which then restarted without it (stock)."""
    features._KNOWN[directory.server] = Features(
        controls=frozenset({"1.2.840.113556.1.4.473", "2.16.840.1.113730.3.4.9"}), extensions=frozenset(),
        attributes=frozenset(), classes=frozenset())


@pytest.mark.stock_profile
def test_a_control_the_server_lacks_gives_a_page_then_the_features_are_read_again(superadmin, stale_features):
    _refusal_page(superadmin.get("/"), "does not offer a control", "sssvlv")
    assert superadmin.get("/").status_code == 200


@pytest.mark.stock_profile
def test_a_control_the_server_lacks_gives_one_line_in_a_command_then_works(stale_features):
    assert "does not offer a control" in refused("listdomains")
    assert run("listdomains").splitlines()[0].split()[:2] == ["example.test", "5"]


# --- Size limits: whole lists and counts are whole, or the page names the limit to raise -------------------------


def test_the_bind_account_gets_whole_counts_and_lists_past_the_default_size_limit(superadmin, big_domain):
    """The service account (its `limits` line) or, on a stock directory, the rootdn: no size limit applies."""
    assert superadmin.get("/").context["counts"].accounts == 6 + 520
    listed = {d.name: d.account_count for d in superadmin.get("/domains/").context["domains"]}
    assert listed[big_domain] == 520
    assert run("listdomains").splitlines()[0].split()[:2] == ["big.test", "520"]


def test_an_account_with_default_limits_gets_whole_counts_or_the_limit_to_raise(superadmin, big_domain, reader,
                                                                                profile):
    if profile == "project":  # counts are VLV totals, which no size limit cuts
        assert superadmin.get("/").context["counts"].accounts == 6 + 520
        assert run("listdomains").splitlines()[0].split()[:2] == ["big.test", "520"]
        return
    limit = ("stopped a whole list after 500 entries", f'limits dn.exact="{READER}" size.soft=unlimited '
             "size.hard=unlimited size.prtotal=unlimited", f'olcLimits: dn.exact="{READER}"')
    _refusal_page(superadmin.get("/"), *limit)
    message = refused("listdomains")
    assert all(part in message for part in limit), message


def test_an_account_with_default_limits_pages_a_large_domain_or_gets_the_limit_to_raise(superadmin, big_domain,
                                                                                        reader, profile):
    response = superadmin.get(f"/domains/{big_domain}/", {"page": "11"})
    if profile == "project":  # a VLV window is not cut by the size limit either
        assert response.status_code == 200 and "u0519@big.test" in response.content.decode()
    else:
        _refusal_page(response, "stopped a whole list after 500 entries", "size.prtotal=unlimited")
