"""A server that failed rests for LDAP_RETRY_AFTER seconds: the next requests go straight to the next server, and it
is tried again, first, once the rest is over. Counted in connections the hung server accepted, not in seconds."""

import time

import pytest
from django.conf import settings

from devtools.slapd import free_port
from mailadmin.directory import DirectoryUnavailable, connect, resting
from tests.hung import HungServer


@pytest.fixture
def hung():
    server = HungServer()
    yield server
    server.close()


@pytest.fixture
def failover(settings, slapd, hung):
    settings.LDAP_TIMEOUT = 1
    settings.LDAP_URL = [hung.url, slapd.uri]


def _who_am_i() -> str:
    with connect() as directory:
        return directory.who_am_i()


def test_a_hung_server_costs_one_request_then_rests(failover, hung, slapd):
    assert _who_am_i() == f"dn:{slapd.service_dn}"
    assert hung.new_connections() == 1
    for _ in range(5):
        assert _who_am_i() == f"dn:{slapd.service_dn}"
    assert hung.new_connections() == 0


def test_a_resting_server_is_tried_first_again_after_the_rest(failover, hung, slapd):
    settings.LDAP_RETRY_AFTER = 1
    _who_am_i()
    assert hung.new_connections() == 1
    time.sleep(1.2)  # the rest is over
    assert _who_am_i() == f"dn:{slapd.service_dn}"
    assert hung.new_connections() == 1  # tried, still hung, so it rests again
    assert _who_am_i() == f"dn:{slapd.service_dn}"
    assert hung.new_connections() == 0


def test_a_server_that_answers_again_is_woken(failover, hung, slapd):
    _who_am_i()
    assert resting.is_resting("127.0.0.1", int(hung.url.rsplit(":", 1)[1]))
    settings.LDAP_URL = [slapd.uri, hung.url]  # only it can answer; resting or not, it is tried
    resting.rest("127.0.0.1", slapd.port)
    assert _who_am_i() == f"dn:{slapd.service_dn}"
    assert not resting.is_resting("127.0.0.1", slapd.port)


def test_a_resting_only_server_is_still_tried(settings, slapd):
    resting.rest("127.0.0.1", slapd.port)
    assert _who_am_i() == f"dn:{slapd.service_dn}"


def test_a_refused_connection_rests_too(settings, slapd):
    port = free_port()
    settings.LDAP_URL = [f"ldap://127.0.0.1:{port}", slapd.uri]
    _who_am_i()
    assert resting.is_resting("127.0.0.1", port)


def test_a_wrong_password_is_an_answer_not_an_outage(settings, slapd):
    settings.LDAP_BIND_PASSWORD = "wrong-password"
    with pytest.raises(DirectoryUnavailable):
        _who_am_i()
    assert not resting.is_resting("127.0.0.1", slapd.port)


def test_retry_after_zero_never_rests(failover, hung, slapd):
    settings.LDAP_RETRY_AFTER = 0
    _who_am_i()
    _who_am_i()
    assert hung.new_connections() == 2


def test_an_unwritable_cache_dir_costs_the_memory_not_the_request(failover, hung, slapd, tmp_path, monkeypatch):
    from django.core.cache import caches

    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")  # a file where the cache wants a directory: every cache write fails with an OSError
    monkeypatch.setattr(caches["directory"], "_dir", str(blocked / "cache"))
    assert _who_am_i() == f"dn:{slapd.service_dn}"
    assert not resting.is_resting("127.0.0.1", int(hung.url.rsplit(":", 1)[1]))
