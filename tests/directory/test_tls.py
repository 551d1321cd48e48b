"""TLS: a certificate is always verified, host name included; StartTLS comes before the bind."""

import ssl

import ldap3
import pytest

from mailadmin.directory import DirectoryUnavailable, connect


def _who_am_i() -> str:
    with connect() as directory:
        return directory.who_am_i()


def test_ldaps_works_with_the_ca_and_the_right_name(settings, tls, pki):
    settings.LDAP_URL, settings.LDAP_CA_FILE = [tls.ldaps_uri], str(pki / "ca.crt")
    assert _who_am_i() == f"dn:{tls.service_dn}"


def test_ldaps_fails_when_the_ca_is_not_trusted(settings, tls):
    settings.LDAP_URL, settings.LDAP_CA_FILE = [tls.ldaps_uri], ""
    with pytest.raises(DirectoryUnavailable):
        _who_am_i()


def test_ldaps_fails_when_the_host_name_is_wrong(settings, tls, pki):
    settings.LDAP_URL, settings.LDAP_CA_FILE = [f"ldaps://127.0.0.1:{tls.tls_port}"], str(pki / "ca.crt")
    with pytest.raises(DirectoryUnavailable):
        _who_am_i()


def test_start_tls_works_with_the_ca_and_the_right_name(settings, tls, pki):
    settings.LDAP_URL = [f"ldap://localhost:{tls.port}"]
    settings.LDAP_START_TLS, settings.LDAP_CA_FILE = True, str(pki / "ca.crt")
    assert _who_am_i() == f"dn:{tls.service_dn}"


def test_start_tls_fails_when_the_ca_is_not_trusted(settings, tls):
    settings.LDAP_URL = [f"ldap://localhost:{tls.port}"]
    settings.LDAP_START_TLS, settings.LDAP_CA_FILE = True, ""
    with pytest.raises(DirectoryUnavailable):
        _who_am_i()


def test_start_tls_fails_when_the_host_name_is_wrong(settings, tls, pki):
    settings.LDAP_URL = [tls.uri]  # 127.0.0.1: not a name in the certificate
    settings.LDAP_START_TLS, settings.LDAP_CA_FILE = True, str(pki / "ca.crt")
    with pytest.raises(DirectoryUnavailable):
        _who_am_i()


def test_start_tls_happens_before_the_bind(settings, tls, pki, monkeypatch):
    settings.LDAP_URL = [f"ldap://localhost:{tls.port}"]
    settings.LDAP_START_TLS, settings.LDAP_CA_FILE = True, str(pki / "ca.crt")
    calls = []
    for name in ("start_tls", "bind"):
        real = getattr(ldap3.Connection, name)
        monkeypatch.setattr(ldap3.Connection, name,
                            lambda self, *a, _real=real, _name=name, **k: calls.append(_name) or _real(self, *a, **k))
    _who_am_i()
    assert calls == ["start_tls", "bind"]


def test_a_failing_tls_server_fails_over_to_the_next(settings, tls, pki, slapd):
    settings.LDAP_URL = [f"ldaps://127.0.0.1:{tls.tls_port}", tls.ldaps_uri]
    settings.LDAP_CA_FILE = str(pki / "ca.crt")
    assert _who_am_i() == f"dn:{tls.service_dn}"


@pytest.mark.parametrize("start_tls", [False, True])
def test_the_bulk_connection_of_import_speaks_through_tls(settings, tls, pki, start_tls):
    from mailadmin.directory import schema as s
    from mailadmin.directory.accounts import NewAccount
    from mailadmin.directory.bulk import AccountEntry, pipeline

    settings.LDAP_URL = [f"ldap://localhost:{tls.port}" if start_tls else tls.ldaps_uri]
    settings.LDAP_START_TLS, settings.LDAP_CA_FILE = start_tls, str(pki / "ca.crt")
    uid = f"tls{int(start_tls)}"
    entry = AccountEntry(NewAccount(f"{uid}@example.test", uid, "T", "L", quota_kb=1024))
    with pipeline() as bulk:
        assert isinstance(bulk._socket, ssl.SSLSocket)  # the adds and searches below travel encrypted
        assert bulk.add(uid, entry.dn, s.ACCOUNT_CLASSES, entry.attributes(1024)) + bulk.finish() == [(uid, None)]
        found = bulk.search(s.users_dn(), s.holders([f"{uid}@example.test"]), ("uid",))
    assert [r.first("uid") for r in found] == [uid]
