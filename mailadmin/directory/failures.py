"""Why a directory server could not be used, as one sentence naming the cause and the setting to look at.

Pure functions of ldap3's exception and a few facts gathered by connection.py (the server's certificate, whether the
bind DN exists): no I/O here. No sentence ever holds a password; each names the URL, host, DN or file concerned."""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from dataclasses import dataclass
from datetime import datetime

from ldap3.core import exceptions as lx
from pyasn1.codec.der import decoder
from pyasn1.error import PyAsn1Error
from pyasn1_modules import rfc5280

# ldap3 2.9.1's decoder fails with these on an answer that looks like BER but is not LDAP (a proxy, another service).
UNDECODABLE = (KeyError, IndexError)
# What opening, securing and binding a connection can raise.
CONNECTION_ERRORS = (lx.LDAPException, OSError, *UNDECODABLE)
_VERIFY_FAILED = re.compile(r"certificate verify failed: (.+?) \(_ssl")
_HOST_MISMATCH = "doesn't match any name in"
_SSL_ERROR = re.compile(r"\[SSL: ([A-Z_]+)\] (.+?) \(_ssl")
# OpenSSL's verification reasons, in the words an admin acts on.
_VERIFY_REASONS = {
    "self-signed certificate": "the certificate is self-signed and not in LDAP_CA_FILE",
    "self-signed certificate in certificate chain": "the CA that signed it (self-signed) is not trusted: "
                                                    "put that CA in LDAP_CA_FILE",
    "unable to get local issuer certificate": "its issuer is unknown: put the CA that signed it in LDAP_CA_FILE",
    "unable to get issuer certificate": "its issuer is unknown: put the whole CA chain in LDAP_CA_FILE",
    "certificate has expired": "the certificate has expired: renew it on the server",
    "certificate is not yet valid": "the certificate is not valid yet: check the clocks of both hosts",
}
_NAME_LABELS = {
    rfc5280.id_at_commonName: "CN", rfc5280.id_at_organizationName: "O", rfc5280.id_at_organizationalUnitName: "OU",
    rfc5280.id_at_countryName: "C", rfc5280.id_at_localityName: "L", rfc5280.id_at_stateOrProvinceName: "ST",
    rfc5280.id_domainComponent: "DC",
}


@dataclass(frozen=True)
class Certificate:
    """What a server's certificate says about itself (read without trusting it, to explain a refusal)."""

    subject: str
    issuer: str
    names: tuple[str, ...]  # subjectAltName DNS names and IP addresses
    not_before: datetime
    not_after: datetime

    def describe(self) -> str:
        names = ", ".join(self.names) or "none"
        return (f"subject {self.subject}, issuer {self.issuer}, names {names}, "
                f"valid {self.not_before:%Y-%m-%d} to {self.not_after:%Y-%m-%d}")


def decode_certificate(der: bytes) -> Certificate | None:
    """The certificate in `der`, or None when it cannot be decoded."""
    try:
        cert, _rest = decoder.decode(der, asn1Spec=rfc5280.Certificate())
        tbs = cert["tbsCertificate"]
        validity = tbs["validity"]
        return Certificate(
            _name(tbs["subject"]), _name(tbs["issuer"]), _alt_names(tbs),
            validity["notBefore"].getComponent().asDateTime, validity["notAfter"].getComponent().asDateTime,
        )
    except (PyAsn1Error, ValueError, KeyError):
        return None


def _name(name) -> str:
    parts = []
    for rdn in name.getComponent():
        for atv in rdn:
            value, _rest = decoder.decode(atv["value"])
            label = _NAME_LABELS.get(atv["type"], str(atv["type"]))
            parts.append(f"{label}={value}")
    return ",".join(reversed(parts))  # RFC 4514 order: most specific first


def _alt_names(tbs) -> tuple[str, ...]:
    for extension in tbs["extensions"] if tbs["extensions"].isValue else ():
        if extension["extnID"] == rfc5280.id_ce_subjectAltName:
            names, _rest = decoder.decode(extension["extnValue"], asn1Spec=rfc5280.SubjectAltName())
            return tuple(_general_name(n) for n in names if n.getName() in ("dNSName", "iPAddress"))
    return ()


def _general_name(name) -> str:
    value = name.getComponent()
    return str(ipaddress.ip_address(bytes(value))) if name.getName() == "iPAddress" else str(value)


def host_and_port(url: str) -> tuple[str, int]:
    parsed = urllib.parse.urlsplit(url)
    return parsed.hostname or "", parsed.port or (636 if parsed.scheme.lower() == "ldaps" else 389)


def is_tls_refusal(error: Exception) -> bool:
    """True when the TLS handshake failed on the certificate (untrusted, expired, or for another host name)."""
    text = str(error)
    return "CERTIFICATE_VERIFY_FAILED" in text or _HOST_MISMATCH in text


def explain(url: str, error: Exception, *, timeout: int, bind_dn: str, certificate: Certificate | None = None,
            bind_dn_exists: bool | None = None) -> str:
    """One sentence: what went wrong with `url`, and what to fix."""
    host, port = host_and_port(url)
    if isinstance(error, lx.LDAPInvalidCredentialsResult):
        return f"{url}: {_bind_refused(bind_dn, bind_dn_exists, getattr(error, 'message', ''))}"
    if isinstance(error, lx.LDAPOperationResult):
        return _refused_operation(url, error)
    if is_tls_refusal(error):
        return f"{url}: TLS handshake failed: {_tls_reason(str(error), host, certificate)}"
    if isinstance(error, UNDECODABLE):
        return f"{url}: {host} port {port} answered, but not in LDAP: is this the directory's port?"
    return f"{url}: {_transport(str(error), host, port, timeout)}"


def _bind_refused(bind_dn: str, exists: bool | None, message: str) -> str:
    said = f" (the server says: {message})" if message else ""
    if exists is False:
        return f"bind refused: LDAP_BIND_DN {bind_dn} does not exist on this server{said}"
    if exists:
        return f"bind refused: invalid credentials for LDAP_BIND_DN {bind_dn}: check LDAP_BIND_PASSWORD{said}"
    return (f"bind refused: invalid credentials: LDAP_BIND_PASSWORD is wrong, or LDAP_BIND_DN {bind_dn} does not "
            f"exist (the server does not say which){said}")


def _refused_operation(url: str, error: lx.LDAPOperationResult) -> str:
    message = getattr(error, "message", "") or ""
    if getattr(error, "type", "") == "extendedResp":
        return f"{url}: StartTLS refused ({error.description}: {message}): does the server offer TLS on this port?"
    return f"{url}: the server refused the connection's set-up: {error.description}" + (f" ({message})" if message else "")


def _tls_reason(text: str, host: str, certificate: Certificate | None) -> str:
    about = f" Certificate: {certificate.describe()}." if certificate else ""
    if _HOST_MISMATCH in text:
        names = ", ".join(certificate.names) if certificate else "unknown"
        return (f"host name mismatch: {host} is not a name in the certificate (it holds: {names}); use one of its "
                f"names in LDAP_URL.{about}")
    verify = _VERIFY_FAILED.search(text)
    reason = verify.group(1) if verify else "the certificate was not accepted"
    return f"{_VERIFY_REASONS.get(reason, reason)} ({reason}).{about}"


def _transport(text: str, host: str, port: int, timeout: int) -> str:
    if "refused" in text.lower():
        return f"connection refused by {host} port {port}: no LDAP server listens there"
    if "invalid server address" in text:
        return f"the host name {host} does not resolve: check LDAP_URL and the DNS"
    if "timed out" in text and "receiving" in text:
        return (f"{host} port {port} accepted the connection but did not answer within {timeout} s (LDAP_TIMEOUT): "
                f"the server is hung or overloaded")
    if "timed out" in text:
        return (f"no connection to {host} port {port} within {timeout} s (LDAP_TIMEOUT): the host is down or a "
                f"firewall drops the packets")
    if "terminated by server" in text:
        return (f"{host} port {port} closed the connection at once: an ldap:// URL on a port that speaks TLS "
                f"(use ldaps://)?")
    ssl_error = _SSL_ERROR.search(text)
    if ssl_error:
        return (f"TLS handshake failed ({ssl_error.group(2)}): does {host} port {port} speak TLS? "
                f"ldaps:// needs the server's TLS port (usually 636)")
    return f"the connection failed: {text}"
