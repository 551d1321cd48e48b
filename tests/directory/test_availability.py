"""An unreachable, stopped or hung directory gives DirectoryUnavailable within the timeout, or the next URL is used."""

import socket
import time

import pytest
from django.conf import settings

from devtools.slapd import free_port
from mailadmin.directory import DirectoryUnavailable, TooManyResults, connect, stats
from mailadmin.directory import accounts as a
from mailadmin.directory import connection as c
from mailadmin.directory import domains as d
from mailadmin.directory import schema as s
from tests.conftest import BASE_LDIF, OUS, start_instance, use_instance

TIMEOUT = 1


@pytest.fixture(scope="module")
def spare(tmp_path_factory):
    """A slapd of our own, so stopping it does not disturb the session's."""
    instance = start_instance(tmp_path_factory.mktemp("spare"))
    yield instance
    instance.destroy()


@pytest.fixture
def hung_url():
    """A server that accepts TCP connections (the kernel completes them) and never answers a byte."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"ldap://127.0.0.1:{listener.getsockname()[1]}"


@pytest.fixture
def short_timeout(settings):
    settings.LDAP_TIMEOUT = TIMEOUT


def _timed(function):
    start = time.monotonic()
    try:
        return function(), time.monotonic() - start
    except Exception as e:  # noqa: BLE001 - returned for the test to assert on
        return e, time.monotonic() - start


def test_stopping_slapd_mid_session_gives_unavailable_within_the_timeout(spare, db):
    use_instance(spare)
    try:
        with connect() as directory:
            assert d.list_domains(directory) == []
            spare.stop()
            error, elapsed = _timed(lambda: d.list_domains(directory))
        assert isinstance(error, DirectoryUnavailable)
        assert elapsed < settings.LDAP_TIMEOUT + 1
        error, elapsed = _timed(lambda: connect().__enter__())
        assert isinstance(error, DirectoryUnavailable) and elapsed < settings.LDAP_TIMEOUT + 1
    finally:
        spare.start()
    with connect() as directory:
        assert d.list_domains(directory) == []


def test_a_hung_first_server_fails_over_to_the_next(hung_url, slapd, short_timeout):
    settings.LDAP_URL = [hung_url, slapd.uri]
    name, elapsed = _timed(lambda: _who_am_i())
    assert name == f"dn:{slapd.service_dn}"
    assert elapsed < 2 * TIMEOUT + 1


def test_a_hung_only_server_gives_unavailable_within_connect_and_receive_timeout(hung_url, short_timeout):
    settings.LDAP_URL = [hung_url]
    error, elapsed = _timed(lambda: _who_am_i())
    assert isinstance(error, DirectoryUnavailable)
    assert elapsed < 2 * TIMEOUT + 1


def test_a_refused_first_server_fails_over_at_once(slapd, short_timeout):
    settings.LDAP_URL = [f"ldap://127.0.0.1:{free_port()}", slapd.uri]
    name, elapsed = _timed(lambda: _who_am_i())
    assert name == f"dn:{slapd.service_dn}"
    assert elapsed < 0.5


def test_no_url_at_all_is_unavailable(settings):
    settings.LDAP_URL = []
    with pytest.raises(DirectoryUnavailable):
        _who_am_i()


def test_a_wrong_service_password_is_unavailable(settings):
    settings.LDAP_BIND_PASSWORD = "wrong-password"
    with pytest.raises(DirectoryUnavailable):
        _who_am_i()


def _who_am_i() -> str:
    with connect() as directory:
        return directory.who_am_i()


def test_connect_sets_timeouts_verified_tls_and_no_referrals(monkeypatch, slapd):
    made = []
    real = c.Connection

    def spy(server, **kwargs):
        made.append((server, kwargs))
        return real(server, **kwargs)

    monkeypatch.setattr(c, "Connection", spy)
    _who_am_i()
    [(server, kwargs)] = made
    assert kwargs["auto_referrals"] is False
    assert kwargs["receive_timeout"] == settings.LDAP_TIMEOUT and server.connect_timeout == settings.LDAP_TIMEOUT
    assert server.tls.validate == c.ssl.CERT_REQUIRED


# --- A server-side size limit (an identity without the service account's unlimited `limits`) ------------------------


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    instance = start_instance(tmp_path_factory.mktemp("limited"), sizelimit=10)
    for ou in OUS:
        instance.delete_tree(ou)
    instance.add_ldif(BASE_LDIF + "\n" + "\n".join(
        f"dn: uid=many{i},ou=Users,dc=example,dc=org\nobjectClass: inetOrgPerson\nobjectClass: mailAccount\n"
        f"uid: many{i}\ncn: Many {i}\nsn: Many\nmail: many{i}@example.test\nmailenable: OK\n"
        for i in range(15)
    ))
    yield instance
    instance.destroy()


@pytest.fixture
def as_alice(limited, db):
    use_instance(limited)
    settings.LDAP_BIND_DN = "uid=alice,ou=Users,dc=example,dc=org"
    settings.LDAP_BIND_PASSWORD = "alice-password-1"
    with connect() as directory:
        yield directory


def test_a_server_size_limit_gives_too_many_results_on_a_search(as_alice):
    with pytest.raises(TooManyResults):
        a.search_accounts(as_alice, "example.test")


def test_a_server_size_limit_gives_too_many_results_on_paged_lists(as_alice):
    with pytest.raises(TooManyResults):
        list(as_alice.paged(s.users_dn(), s.accounts_filter(), (s.MAIL,)))


def test_counts_come_from_vlv_windows_which_no_size_limit_cuts(as_alice):
    assert stats.directory_counts(as_alice).accounts == 6 + 15  # base.ldif has 6 accounts


def test_a_search_cut_by_its_own_limit_below_the_server_limit_is_no_error(as_alice):
    found, more = a.search_accounts(as_alice, "example.test", limit=5)
    assert len(found) == 5 and more is True
    assert a.get_account(as_alice, "many3@example.test").uid == "many3"


def test_the_service_account_is_not_limited(limited, db):
    use_instance(limited)
    with connect() as directory:
        assert d.with_account_counts(directory, d.list_domains(directory))[0].account_count == 20
        assert len(a.search_accounts(directory, "example.test")[0]) == 20


def test_a_missing_aliases_ou_reads_as_no_virtual_aliases(directory, slapd, superadmin):
    # MDS shipped with virtual aliases off (vAliasesSupport = 0): many directories have no ou=mailAliases at all.
    slapd.delete_tree("ou=mailAliases,dc=example,dc=org")
    assert stats.directory_counts(directory).valiases == 0
    assert superadmin.get("/domains/example.test/").status_code == 200
    assert superadmin.get("/aliases/").status_code == 200
    assert d.domain_users(directory, "other.test") == ("oscar@other.test",)
