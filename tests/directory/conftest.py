"""Certificates and TLS-speaking slapd instances, shared by the TLS and the failure-cause tests."""

import subprocess

import pytest

from devtools.slapd import free_port
from tests.conftest import start_instance, use_instance


def _openssl(*args: str, cwd) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    """A throwaway CA and a server certificate for `localhost` only (not 127.0.0.1)."""
    d = tmp_path_factory.mktemp("pki")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
             "-subj", "/CN=mailadmin test CA", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
             "-subj", "/CN=localhost", cwd=d)
    (d / "ext.cnf").write_text("subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.crt", "-days", "2", "-extfile", "ext.cnf", cwd=d)
    (d / "server.key").chmod(0o600)
    return d


@pytest.fixture(scope="session")
def tls_slapd(tmp_path_factory, pki):
    instance = start_instance(
        tmp_path_factory.mktemp("tls"), tls_cert=pki / "server.crt", tls_key=pki / "server.key",
        tls_ca=pki / "ca.crt", tls_port=free_port(),
    )
    yield instance
    instance.destroy()


@pytest.fixture
def tls(tls_slapd, settings):
    use_instance(tls_slapd)
    return tls_slapd


@pytest.fixture(scope="session")
def self_signed(tmp_path_factory):
    """A slapd whose certificate, for `localhost`, signs itself: StartTLS on `uri`, ldaps on `ldaps_uri`."""
    d = tmp_path_factory.mktemp("self-signed")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.crt",
             "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", cwd=d)
    (d / "server.key").chmod(0o600)
    instance = start_instance(d / "ldap", tls_cert=d / "server.crt", tls_key=d / "server.key", tls_port=free_port())
    yield instance
    instance.destroy()


@pytest.fixture(scope="session")
def bare(tmp_path_factory):
    """A slapd without the MDS mail schema."""
    instance = start_instance(tmp_path_factory.mktemp("bare-directory"), mail_schema=False)
    yield instance
    instance.destroy()


@pytest.fixture(scope="session")
def expired(tmp_path_factory, pki):
    """A slapd whose certificate, signed by the `pki` CA for `localhost`, expired in 2020 (`openssl ca` sets the
    dates; `openssl x509` of OpenSSL 3.0 cannot)."""
    d = tmp_path_factory.mktemp("expired")
    (d / "index.txt").write_text("")
    (d / "serial").write_text("01\n")
    (d / "ca.cnf").write_text(
        "[ca]\ndefault_ca = ca\n[ca]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\ndefault_md = sha256\n"
        "policy = any\ncopy_extensions = copy\n[any]\ncommonName = supplied\n")
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
             "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", cwd=d)
    _openssl("ca", "-batch", "-config", "ca.cnf", "-cert", str(pki / "ca.crt"), "-keyfile", str(pki / "ca.key"),
             "-in", "server.csr", "-out", "server.crt", "-startdate", "20200101000000Z", "-enddate",
             "20200102000000Z", cwd=d)
    (d / "server.key").chmod(0o600)
    instance = start_instance(d / "ldap", tls_cert=d / "server.crt", tls_key=d / "server.key",
                              tls_ca=pki / "ca.crt", tls_port=free_port())
    yield instance
    instance.destroy()
