"""`manage.py checkconnection`: a line per step with its status and fix, and exit status 0 only when the app can work."""

import json
import os
import socket
import subprocess

import pytest
from django.conf import settings

from devtools.slapd import free_port
from tests.cli.helpers import run_capture
from tests.conftest import BASE_LDIF, OUS, ROOT, start_instance, use_instance

STEPS = ["resolve", "tcp", "tls", "bind", "who am i", "base and OUs", "schema", "controls", "size limits"]
WRONG = "Wrong-Secret-4711"


def _check(*args: str) -> tuple[bool, list[str], str]:
    """(succeeded, stdout lines, the one-line error)."""
    ok, out, err = run_capture("checkconnection", *args)
    assert WRONG not in out + err and (not settings.LDAP_BIND_PASSWORD or settings.LDAP_BIND_PASSWORD not in out + err)
    return ok, out.splitlines(), err


def _steps(lines: list[str]) -> dict[str, tuple[str, str]]:
    """step name -> (status, detail) of one server's report."""
    steps = {}
    for line in lines[1:]:
        for name in STEPS:
            status = line[2:10].strip()
            if line[10:].startswith(name) and status in ("ok", "warning", "failed"):
                steps[name] = (status, line[10 + 14:])
    return steps


def _json() -> dict:
    ok, out, err = run_capture("checkconnection", "--json")
    return {"ok": ok, **json.loads(out)}


def test_a_working_directory_passes_every_step(slapd):
    ok, lines, err = _check()
    assert ok and err == ""
    assert lines[0] == slapd.uri and lines[-1] == "  usable"
    steps = _steps(lines)
    assert list(steps) == STEPS
    assert {status for status, _detail in steps.values()} == {"ok"}
    assert steps["tls"][1] == "none, on the loopback interface only"
    assert steps["who am i"][1] == f"the server sees us as dn:{slapd.service_dn}"
    assert steps["size limits"][1].startswith("none met: a plain search read all ")


def test_json_gives_the_same_steps(slapd):
    report = _json()
    assert report["ok"] and report["usable"]
    [server] = report["servers"]
    assert server["url"] == slapd.uri and server["usable"]
    assert [(st["step"], st["status"]) for st in server["steps"]] == [(name, "ok") for name in STEPS]


def test_a_wrong_bind_password_fails_the_bind_step():
    settings.LDAP_BIND_PASSWORD = WRONG
    ok, lines, err = _check()
    assert not ok and err == "mailadmin cannot work with this directory: see the failed steps above."
    assert _steps(lines)["bind"] == ("failed", f"bind refused: invalid credentials for LDAP_BIND_DN "
                                               f"{settings.LDAP_BIND_DN}: check LDAP_BIND_PASSWORD")
    assert list(_steps(lines)) == ["resolve", "tcp", "tls", "bind"]  # nothing after a failed bind can be tried


def test_json_says_unusable_with_a_wrong_password():
    settings.LDAP_BIND_PASSWORD = WRONG
    report = _json()
    assert not report["ok"] and not report["usable"]
    assert report["servers"][0]["steps"][-1]["status"] == "failed"
    assert WRONG not in json.dumps(report)


def test_a_bind_dn_that_does_not_exist_is_named():
    settings.LDAP_BIND_DN = "cn=nobody,dc=example,dc=org"
    ok, lines, _err = _check()
    assert not ok
    assert _steps(lines)["bind"] == ("failed", "bind refused: LDAP_BIND_DN cn=nobody,dc=example,dc=org does not "
                                               "exist on this server")


def test_ldaps_with_a_self_signed_certificate_fails_the_tls_step(self_signed):
    use_instance(self_signed)
    settings.LDAP_URL = [self_signed.ldaps_uri]
    ok, lines, _err = _check()
    status, detail = _steps(lines)["tls"]
    assert not ok and status == "failed"
    assert detail.startswith("TLS handshake failed: the certificate is self-signed and not in LDAP_CA_FILE")
    assert "subject CN=localhost, issuer CN=localhost, names localhost" in detail


def test_ldaps_with_the_right_ca_but_another_host_name_fails_the_tls_step(tls, pki):
    settings.LDAP_URL, settings.LDAP_CA_FILE = [f"ldaps://127.0.0.1:{tls.tls_port}"], str(pki / "ca.crt")
    ok, lines, _err = _check()
    status, detail = _steps(lines)["tls"]
    assert not ok and status == "failed"
    assert detail.startswith("TLS handshake failed: host name mismatch: 127.0.0.1 is not a name in the certificate "
                             "(it holds: localhost)")


def test_start_tls_with_a_self_signed_certificate_fails_the_tls_step(self_signed):
    use_instance(self_signed)
    settings.LDAP_URL, settings.LDAP_START_TLS = [f"ldap://localhost:{self_signed.port}"], True
    ok, lines, _err = _check()
    status, detail = _steps(lines)["tls"]
    assert not ok and status == "failed" and "the certificate is self-signed" in detail


def test_verified_tls_shows_the_certificate(tls, pki):
    settings.LDAP_URL, settings.LDAP_CA_FILE = [tls.ldaps_uri], str(pki / "ca.crt")
    ok, lines, _err = _check()
    status, detail = _steps(lines)["tls"]
    assert ok
    # The suite's certificates last two days, so the step warns that it expires soon; a warning is no failure.
    assert status == "warning" and detail.startswith("ldaps, verified, but expires soon: subject CN=localhost, "
                                                     "issuer CN=mailadmin test CA, names localhost, valid ")


def test_a_base_dn_that_does_not_exist_fails_its_step():
    settings.LDAP_BASE_DN = "dc=nowhere,dc=org"
    ok, lines, _err = _check()
    assert not ok
    assert _steps(lines)["base and OUs"] == ("failed", "LDAP_BASE_DN dc=nowhere,dc=org does not exist")
    assert "fix: check LDAP_BASE_DN: it must name the directory's existing base entry" in "\n".join(lines)


def test_a_missing_aliases_ou_is_only_a_warning(slapd):
    slapd.delete_tree(OUS[2])
    ok, lines, _err = _check()
    assert ok
    assert _steps(lines)["base and OUs"] == ("warning", f"LDAP_ALIASES_DN {OUS[2]} does not exist: virtual aliases "
                                                        "are off")


def test_a_missing_mail_schema_fails_its_step(bare):
    use_instance(bare)
    ok, lines, _err = _check()
    status, detail = _steps(lines)["schema"]
    assert not ok and status == "failed" and detail.startswith("the schema lacks mailAccount, mailDomain, ")


def test_a_refused_server_fails_at_tcp_and_a_good_second_server_keeps_the_app_working(slapd):
    refused = f"ldap://127.0.0.1:{free_port()}"
    settings.LDAP_URL = [refused, slapd.uri]
    ok, lines, _err = _check()
    assert ok
    second = lines.index(slapd.uri)
    assert lines[:second] == [
        refused, "  ok      resolve       127.0.0.1 is 127.0.0.1",
        f"  failed  tcp           connection refused by 127.0.0.1 port {refused.rsplit(':', 1)[1]}",
        f"  {'':<22}fix: start the LDAP server, or fix the port in LDAP_URL",
        "  not usable",
    ]
    assert lines[-1] == "  usable"


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    """A slapd whose size limit (10) holds for every account but the service account."""
    instance = start_instance(tmp_path_factory.mktemp("limited-check"), sizelimit=10)
    for ou in OUS:
        instance.delete_tree(ou)
    instance.add_ldif(BASE_LDIF)
    yield instance
    instance.destroy()


def test_a_bind_account_whose_paged_searches_are_cut_fails_the_size_step(limited):
    use_instance(limited)
    settings.LDAP_BIND_DN, settings.LDAP_BIND_PASSWORD = "uid=alice,ou=Users,dc=example,dc=org", "alice-password-1"
    ok, lines, _err = _check()
    assert not ok
    assert _steps(lines)["size limits"] == ("failed", "searches stop at 10 entries, paged ones too")
    assert "fix: give uid=alice,ou=Users,dc=example,dc=org `limits dn.exact=… size.prtotal=unlimited`" in "\n".join(lines)


def _script(slapd, password_file) -> subprocess.CompletedProcess:
    env = {**os.environ, "LDAP_URL": slapd.uri, "LDAP_BIND_DN": slapd.service_dn, "LDAP_TIMEOUT": "2",
           "LDAP_BASE_DN": settings.LDAP_BASE_DN, "LDAP_BIND_PASSWORD_FILE": str(password_file)}
    env.pop("LDAP_BIND_PASSWORD", None)
    return subprocess.run([str(ROOT / ".venv/bin/python"), "manage.py", "checkconnection"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_the_exit_status_is_0_only_when_the_app_can_work(slapd, tmp_path):
    assert _script(slapd, slapd.service_password_file).returncode == 0
    (tmp_path / "wrong.pw").write_text(WRONG)
    failed = _script(slapd, tmp_path / "wrong.pw")
    assert failed.returncode == 1
    assert failed.stderr.strip() == "CommandError: mailadmin cannot work with this directory: see the failed steps above."
    assert "failed  bind" in failed.stdout and WRONG not in failed.stdout + failed.stderr


def test_a_host_name_that_does_not_resolve_fails_the_first_step():
    settings.LDAP_URL = ["ldap://no-such-host.invalid"]
    ok, lines, _err = _check()
    assert not ok and list(_steps(lines)) == ["resolve"]
    status, detail = _steps(lines)["resolve"]
    assert status == "failed" and detail.startswith("no-such-host.invalid does not resolve")
    assert "fix: check the host name in LDAP_URL, or the DNS" in "\n".join(lines)


def test_a_hung_server_fails_the_bind_step_with_the_timeout():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        port = listener.getsockname()[1]
        settings.LDAP_URL, settings.LDAP_TIMEOUT = [f"ldap://127.0.0.1:{port}"], 1
        ok, lines, _err = _check()
    assert not ok
    assert _steps(lines)["tcp"] == ("ok", f"connected to 127.0.0.1 port {port}")
    assert _steps(lines)["bind"] == ("failed", f"127.0.0.1 port {port} accepted the connection but did not answer "
                                               "within 1 s (LDAP_TIMEOUT): the server is hung or overloaded")
