"""Each way the directory cannot be used gets its own sentence, naming the server and the cause, never a secret."""

import logging
import socket
import threading

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from devtools.slapd import free_port
from mailadmin.directory import DirectoryUnavailable, connect
from tests.conftest import use_instance


def _causes() -> tuple[str, ...]:
    with pytest.raises(DirectoryUnavailable) as e, connect():
        pass
    return e.value.causes


def test_a_wrong_bind_password_is_named(caplog):
    password = settings.LDAP_BIND_PASSWORD = "Wrong-Secret-4711"
    with caplog.at_level(logging.WARNING):
        [cause] = _causes()
    assert cause == (f"{settings.LDAP_URL[0]}: bind refused: invalid credentials for LDAP_BIND_DN "
                     f"{settings.LDAP_BIND_DN}: check LDAP_BIND_PASSWORD")
    assert cause in caplog.text
    assert password not in caplog.text


def test_a_bind_dn_that_does_not_exist_is_named():
    settings.LDAP_BIND_DN = "cn=nobody,dc=example,dc=org"
    [cause] = _causes()
    assert cause == (f"{settings.LDAP_URL[0]}: bind refused: LDAP_BIND_DN cn=nobody,dc=example,dc=org does not "
                     "exist on this server")


def test_ldaps_with_a_self_signed_certificate_is_named(self_signed):
    use_instance(self_signed)
    settings.LDAP_URL = [self_signed.ldaps_uri]
    [cause] = _causes()
    assert cause.startswith(f"{self_signed.ldaps_uri}: TLS handshake failed: the certificate is self-signed and not "
                            "in LDAP_CA_FILE (self-signed certificate). Certificate: subject CN=localhost, issuer "
                            "CN=localhost, names localhost, valid ")


def test_ldaps_with_the_right_ca_but_another_host_name_is_named(tls, pki):
    url = f"ldaps://127.0.0.1:{tls.tls_port}"
    settings.LDAP_URL, settings.LDAP_CA_FILE = [url], str(pki / "ca.crt")
    [cause] = _causes()
    assert cause.startswith(f"{url}: TLS handshake failed: host name mismatch: 127.0.0.1 is not a name in the "
                            "certificate (it holds: localhost); use one of its names in LDAP_URL.")


def test_ldaps_with_an_untrusted_ca_is_named(tls):
    settings.LDAP_URL, settings.LDAP_CA_FILE = [tls.ldaps_uri], ""
    [cause] = _causes()
    assert "TLS handshake failed: the CA that signed it (self-signed) is not trusted: put that CA in LDAP_CA_FILE" in cause
    assert "issuer CN=mailadmin test CA" in cause


def test_start_tls_with_a_self_signed_certificate_is_named(self_signed):
    use_instance(self_signed)
    settings.LDAP_URL, settings.LDAP_START_TLS = [f"ldap://localhost:{self_signed.port}"], True
    [cause] = _causes()
    assert cause.startswith(f"ldap://localhost:{self_signed.port}: TLS handshake failed: the certificate is "
                            "self-signed and not in LDAP_CA_FILE")


def test_start_tls_on_a_server_without_tls_is_named():
    settings.LDAP_START_TLS = True
    [cause] = _causes()
    assert cause.startswith(f"{settings.LDAP_URL[0]}: StartTLS refused (protocolError: ")


def test_a_refused_connection_and_a_hung_server_are_named_each(settings):
    refused = f"ldap://127.0.0.1:{free_port()}"
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        hung = f"ldap://127.0.0.1:{listener.getsockname()[1]}"
        settings.LDAP_URL, settings.LDAP_TIMEOUT = [refused, hung], 1
        causes = _causes()
    assert causes == (
        f"{refused}: connection refused by 127.0.0.1 port {refused.rsplit(':', 1)[1]}: no LDAP server listens there",
        f"{hung}: 127.0.0.1 port {hung.rsplit(':', 1)[1]} accepted the connection but did not answer within 1 s "
        "(LDAP_TIMEOUT): the server is hung or overloaded",
    )


def test_a_host_name_that_does_not_resolve_is_named():
    settings.LDAP_URL = ["ldap://no-such-host.invalid"]
    assert _causes() == ("ldap://no-such-host.invalid: the host name no-such-host.invalid does not resolve: check "
                         "LDAP_URL and the DNS",)


def test_a_base_dn_that_does_not_exist_is_named():
    settings.LDAP_BASE_DN = "dc=nowhere,dc=org"
    assert _causes() == ("LDAP_BASE_DN dc=nowhere,dc=org does not exist: check LDAP_BASE_DN: it must name the "
                         "directory's existing base entry",)


def test_a_missing_ou_is_named():
    settings.LDAP_DOMAINS_DN = "ou=Nowhere,dc=example,dc=org"
    assert _causes() == ("LDAP_DOMAINS_DN ou=Nowhere,dc=example,dc=org does not exist: run `manage.py "
                         "initdirectory`, or set LDAP_DOMAINS_DN to where those entries are",)


def test_a_missing_mail_schema_is_named(bare):
    use_instance(bare)
    [cause] = _causes()
    assert cause.startswith("the schema lacks mailAccount, mailDomain, mailalias, ")
    assert cause.endswith(": load mailadmin/directory/slapd/mail.schema (see README)")


def test_listdomains_with_a_base_dn_that_does_not_exist_fails_with_the_cause(db):
    settings.LDAP_BASE_DN = "dc=nowhere,dc=org"
    with pytest.raises(CommandError) as e:
        call_command("listdomains")
    assert str(e.value) == ("The directory cannot be used: LDAP_BASE_DN dc=nowhere,dc=org does not exist: check "
                            "LDAP_BASE_DN: it must name the directory's existing base entry. Run `manage.py "
                            "checkconnection` for details.")


def test_a_command_names_the_wrong_password_without_showing_it(db):
    settings.LDAP_BIND_PASSWORD = "Wrong-Secret-4711"
    with pytest.raises(CommandError) as e:
        call_command("listdomains")
    assert "invalid credentials for LDAP_BIND_DN" in str(e.value) and "Wrong-Secret-4711" not in str(e.value)


def test_an_expired_certificate_is_named(expired, pki):
    use_instance(expired)
    settings.LDAP_URL, settings.LDAP_CA_FILE = [expired.ldaps_uri], str(pki / "ca.crt")
    [cause] = _causes()
    assert cause.startswith(f"{expired.ldaps_uri}: TLS handshake failed: the certificate has expired: renew it on the "
                            "server (certificate has expired). Certificate: subject CN=localhost, issuer "
                            "CN=mailadmin test CA, names localhost, valid 2020-01-01 to 2020-01-02.")


@pytest.fixture
def full_backlog():
    """A server whose accept queue is full: the kernel drops further SYNs, so a connect times out (a firewall that
    drops packets, as seen from the client)."""
    with socket.socket() as listener, socket.socket() as waiting:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        waiting.connect(listener.getsockname())
        yield f"ldap://127.0.0.1:{listener.getsockname()[1]}"


def test_a_connection_that_times_out_is_named_with_the_timeout(full_backlog):
    settings.LDAP_URL, settings.LDAP_TIMEOUT = [full_backlog], 1
    port = full_backlog.rsplit(":", 1)[1]
    assert _causes() == (f"{full_backlog}: no connection to 127.0.0.1 port {port} within 1 s (LDAP_TIMEOUT): the host "
                         "is down or a firewall drops the packets",)


@pytest.fixture
def not_ldap():
    """A server that answers the bind with bytes that look like BER but are no LDAP message (ldap3 cannot decode it)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        done = threading.Event()

        def answer():
            conn, _address = listener.accept()
            with conn:
                conn.recv(1000)
                conn.sendall(b"0\x05\x02\x01\x01\x74\x00")
                done.wait(5)

        threading.Thread(target=answer, daemon=True).start()
        yield f"ldap://127.0.0.1:{listener.getsockname()[1]}"
        done.set()


def test_a_server_that_does_not_speak_ldap_is_named(not_ldap, superadmin):
    settings.LDAP_URL = [not_ldap]
    port = not_ldap.rsplit(":", 1)[1]
    r = superadmin.get("/domains/")
    assert r.status_code == 503  # not a 500: ldap3's decoder fails with a KeyError on such an answer
    assert f"127.0.0.1 port {port} answered, but not in LDAP: is this the directory&#x27;s port?" in r.content.decode()
