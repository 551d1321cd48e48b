"""A directory as MDS left it (the stock profile) against every console page and the read-only commands, with
MMC-style people and a domain larger than the default size limit: every page answers, none with a 500; and the
server's features are read once, not assumed."""

from __future__ import annotations

import pytest

from mailadmin.directory import DirectoryUnavailable, connect, features
from tests.cli.helpers import run

pytestmark = [pytest.mark.both_profiles, pytest.mark.django_db]

PAGES = [
    "/", "/domains/", "/domains/example.test/", "/accounts/alice@example.test/",
    "/accounts/jeanne@example.test/", "/accounts/staff@example.test/", "/aliases/", "/aliases/team@example.test/",
    "/search/?q=durand", "/people/", "/people/?q=lucie", "/route/?address=staff@example.test",
    "/accounts/jeanne@example.test/remove/", "/groups/", "/groups/staff/",
]
LARGE_DOMAIN_PAGES = [
    "/", "/domains/", "/domains/big.test/?page=11", "/domains/big.test/?q=u05", "/search/?q=u05",
    "/route/?address=u0519@big.test",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_on_mds_people(superadmin, mds_people, path):
    assert superadmin.get(path).status_code in (200, 302), path


def test_every_page_answers_past_the_default_size_limit(superadmin, big_domain):
    for path in LARGE_DOMAIN_PAGES:
        assert superadmin.get(path).status_code in (200, 302), path


def test_a_posix_person_with_mail_shows_as_an_account(superadmin, mds_people):
    body = superadmin.get("/accounts/jeanne@example.test/").content.decode()
    assert "Jeanne Durand" in body and "staff@example.test" in body


def test_a_posix_person_without_mail_can_get_a_mailbox(superadmin, mds_people):
    assert "lucie" in superadmin.get("/people/", {"q": "lucie"}).content.decode()


def test_the_domain_list_and_export_cover_the_large_domain(mds_people, big_domain):
    listed = {line.split()[0]: line.split()[1] for line in run("listdomains").splitlines()}
    assert listed == {"big.test": "520", "example.test": "7", "other.test": "1"}
    exported = run("export", "--domain", big_domain).splitlines()
    assert len(exported) == 1 + 520  # the header row, then every account


def test_the_features_are_read_from_the_server(profile):
    with connect() as directory:
        found = directory.features
    assert found.vlv is (profile == "project") and found.server_sort is (profile == "project")
    assert "mailaccount" in found.classes and "mailalias" in found.attributes


def test_the_features_are_read_once_per_process_and_again_after_a_lost_connection(settings, monkeypatch):
    reads = []
    read = features.read_features
    monkeypatch.setattr(features, "read_features", lambda directory: reads.append(directory.server) or read(directory))
    for _ in range(3):
        with connect() as directory:
            assert directory.features.classes
    assert len(reads) == 1
    url = settings.LDAP_URL
    settings.LDAP_URL = ["ldap://127.0.0.1:1"]
    with pytest.raises(DirectoryUnavailable), connect():
        pass
    settings.LDAP_URL = url
    with connect() as directory:
        assert directory.features.classes
    assert len(reads) == 2
