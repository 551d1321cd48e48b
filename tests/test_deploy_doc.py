"""docs/deploy.md's snippets, run where a test can run them: nginx -t, systemd-analyze verify, the environment file
through Django's settings, the slapd lines against the project's own configuration, backup and restore."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import sqlite3
import ssl
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from devtools.slapd import free_port
from tests.apphost import ROOT, NoRedirect
from tests.conftest import start_instance
from tests.postgres import Cluster

DOC = ROOT / "docs" / "deploy.md"
VENV = ROOT / ".venv"


def block(first_line: str) -> str:
    """The fenced block of deploy.md that starts with `first_line` (its own first line dropped)."""
    for body in re.findall(r"```\w*\n(.*?)```", DOC.read_text(), re.S):
        lines = body.splitlines()
        if lines and lines[0] == first_line:
            return "\n".join(lines[1:]) + "\n"
    raise AssertionError(f"no block starting with {first_line!r} in {DOC}")


def require(tool: str) -> str:
    path = shutil.which(tool) or next((p for p in (f"/usr/sbin/{tool}", f"/sbin/{tool}") if os.access(p, os.X_OK)),
                                      None)
    if path is None:
        pytest.fail(f"{tool} is not installed: run `make test` (scripts/system-deps.sh test installs it)")
    return path


def _nginx_conf(tmp_path, site: str) -> Path:
    """nginx.conf around the guide's site (its certificate paths under tmp_path, a new self-signed certificate)."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=mailadmin.example.org", "-keyout", str(tmp_path / "privkey.pem"), "-out",
                    str(tmp_path / "fullchain.pem")], check=True, capture_output=True)
    (tmp_path / "site.conf").write_text(site.replace("/etc/ssl/mailadmin/", f"{tmp_path}/"))
    # As root, nginx's workers would run as nobody, who cannot enter pytest's 0700 temporary directory; in production
    # the socket unit hands the socket to www-data (SocketUser).
    user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"{user}pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path}/body;\n  proxy_temp_path {tmp_path}/proxy;\n"
        f"  include {tmp_path}/site.conf;\n}}\n")
    return tmp_path / "nginx.conf"


def test_the_nginx_site_passes_nginx_t(tmp_path):
    nginx = require("nginx")
    conf = _nginx_conf(tmp_path, block("# /etc/nginx/sites-available/mailadmin"))
    result = subprocess.run([nginx, "-t", "-e", "stderr", "-p", str(tmp_path), "-c", str(conf)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr


def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    analyze = require("systemd-analyze")
    for name in ("mailadmin.socket", "mailadmin.service"):
        unit = block(f"# /etc/systemd/system/{name}").replace("/srv/mailadmin/.venv/", f"{VENV}/")
        (tmp_path / name).write_text(unit)
    result = subprocess.run([analyze, "verify", str(tmp_path / "mailadmin.socket"), str(tmp_path / "mailadmin.service")],
                            capture_output=True, text=True)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr  # warnings (a bad value) go to stderr


def _guide_env(tmp_path, database_url: str = "postgres://m:p@db.example.org/m", **changes: str) -> dict[str, str]:
    """The guide's /etc/mailadmin/env with its secret files written under tmp_path, and `changes` on top."""
    secrets = {"secret_key": "k" * 50, "ldap.pw": "service-password", "database_url": database_url}
    for name, value in secrets.items():
        (tmp_path / name).write_text(value)
    env_file = block("# /etc/mailadmin/env").replace("/etc/mailadmin/", f"{tmp_path}/")
    return {**dict(line.split("=", 1) for line in env_file.splitlines() if line and not line.startswith("#")), **changes}


def _without_callers_settings() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("LDAP_", "DATABASE_", "SECRET_"))}


def test_the_environment_file_gives_the_settings_the_app_needs_behind_nginx(tmp_path):
    env = _guide_env(tmp_path)
    probe = ("import django, json; django.setup(); from django.conf import settings as s; print(json.dumps([s.SECRET_KEY,"
             " s.DATABASES['default']['ENGINE'], s.LDAP_URL, s.LDAP_BIND_PASSWORD, s.CSRF_TRUSTED_ORIGINS,"
             " s.TRUSTED_PROXIES, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
             " s.SECURE_HSTS_SECONDS, s.CACHES['directory']['LOCATION'], s.ALLOWED_HOSTS]))")
    out = subprocess.run([str(VENV / "bin/python"), "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**_without_callers_settings(), "DJANGO_SETTINGS_MODULE": "mailadmin.settings", **env}).stdout
    assert json.loads(out) == [
        "k" * 50, "django.db.backends.postgresql", ["ldaps://ldap1.example.org", "ldaps://ldap2.example.org"],
        "service-password", ["https://mailadmin.example.org"], ["unix"], True, True, True, 31536000,
        "/var/cache/mailadmin/directory", ["mailadmin.example.org"],
    ]


def _subsequence(wanted: list[str], config: list[str]) -> list[str]:
    """The lines of `wanted` not found in `config` in that order (… in a wanted line stands for any text)."""
    missing, position = [], 0
    for line in wanted:
        pattern = re.compile("^" + ".*".join(re.escape(part) for part in line.split("…")) + "$")
        found = next((i for i in range(position, len(config)) if pattern.match(config[i])), None)
        if found is None:
            missing.append(line)
        else:
            position = found + 1
    return missing


@pytest.mark.parametrize("name", ["modules and overlays", "indexes", "access and limits", "replication (provider 1)"])
def test_the_slapd_lines_are_the_projects_own_tested_configuration(name, tmp_path):
    """make-config.sh for a provider with a peer, as the replication tests run it; the ACL block leaves out the test
    configuration's final `by * read`, which the guide tells production to replace."""
    pw = tmp_path / "root.pw"
    pw.write_text("x")
    subprocess.run(["bash", str(ROOT / "mailadmin/directory/slapd/make-config.sh")], check=True, env={
        **os.environ, "LDAP_DIR": str(tmp_path), "LDAP_ROOTPW_FILE": str(pw), "LDAP_SERVER_ID": "1",
        "LDAP_PEERS": "ldap://ldap2.example.org"})
    config = (tmp_path / "slapd.conf").read_text().replace('credentials="x"', 'credentials="…"').splitlines()
    wanted = [line for line in block(f"# slapd: {name}").splitlines() if line]
    assert _subsequence(wanted, config) == []


@pytest.fixture
def populated(slapd):
    return slapd  # tests/base.ldif, loaded by the autouse fixture


def _shell(command: str, env: dict | None = None) -> None:
    """A command line of the guide, as a shell runs it ($(date …) included)."""
    subprocess.run(command, shell=True, check=True, env=env, capture_output=True)  # noqa: S602 - the guide's own line


def _cron_command(line: str) -> str:
    """The command of a cron.d line (after five time fields and the user), with cron's \\% back to %."""
    return line.split(None, 6)[6].replace("\\%", "%")


def test_backup_and_restore_of_the_directory(populated, tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    slapcat = _cron_command(block("# /etc/cron.d/mailadmin-backup").splitlines()[0])
    _shell(slapcat.replace("/etc/ldap/slapd.d", str(populated.root / "slapd.d")).replace("/var/backups", str(backups)))
    [dump] = backups.glob("ldap-*.ldif")

    restored = start_instance(tmp_path / "restored")
    try:
        restored.stop()
        for path in (restored.root / "data").iterdir():
            path.unlink()  # an empty provider, as the guide restores into
        slapadd = next(line for line in block("# restore").splitlines() if line.startswith("slapadd"))
        _shell(slapadd.replace("/etc/ldap/slapd.d", str(restored.root / "slapd.d"))
               .replace("/var/backups/ldap-2026-11-29.ldif", str(dump)))
        restored.start()
        assert _entries(restored) == _entries(populated)
    finally:
        restored.destroy()


def _entries(instance) -> list[str]:
    out = instance.ldap_tool("ldapsearch", "-LLL", "-o", "ldif-wrap=no", "-b", "dc=example,dc=org", "(objectClass=*)",
                             "*", "entryUUID", "entryCSN").stdout
    return sorted(out.strip().split("\n\n"))


def test_backup_and_restore_of_the_database(tmp_path):
    cluster = Cluster()
    try:
        cluster.start()
        subprocess.run([str(VENV / "bin/python"), "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True,
                       env={**os.environ, "DATABASE_URL": cluster.url, "LDAP_URL": "ldap://127.0.0.1:1",
                            "LDAP_BIND_DN": "cn=mailadmin,ou=system,dc=example,dc=org"})  # checks only; no bind
        cluster.sql("INSERT INTO mailadmin_auditentry (at, actor, action, target, domain, old, new, ok, detail, messages, "
                    "role) VALUES (now(), 'cli:root', 'domain.add', 'backup.test', 'backup.test', '{}', '{}', true, '', "
                    "'[]', 'cli')")
        env = {**os.environ, "PGHOST": "127.0.0.1", "PGPORT": str(cluster.port), "PGUSER": "postgres",
               "PGPASSWORD": cluster.password}
        pg_dump = _cron_command(block("# /etc/cron.d/mailadmin-backup").splitlines()[1])
        _shell(f"{cluster.bin}/{pg_dump.replace('/var/backups', str(tmp_path))}", env=env)
        [dump] = tmp_path.glob("mailadmin-*.dump")
        cluster.sql("DELETE FROM mailadmin_auditentry")
        restore = next(line for line in block("# restore").splitlines() if "pg_restore" in line)
        restore = restore.removeprefix("sudo -u postgres ").replace("/var/backups/mailadmin-2026-11-29.dump", str(dump))
        _shell(f"{cluster.bin}/{restore}", env=env)
        assert cluster.sql("SELECT target FROM mailadmin_auditentry") == [("backup.test",)]
    finally:
        cluster.stop()


def _wait_for(path: Path, process: subprocess.Popen) -> None:
    for _ in range(400):
        if path.exists():
            return
        if process.poll() is not None:
            raise AssertionError(f"{process.args[0]} exited with {process.returncode}")
        time.sleep(0.05)
    raise AssertionError(f"{path} did not appear")


def _https(port: int):
    """An opener for https://127.0.0.1:port that sends Host: mailadmin.example.org, keeps cookies, follows nothing."""
    context = ssl.create_default_context(cafile=None)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # the test's own self-signed certificate
    cookies = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context),
                                         urllib.request.HTTPCookieProcessor(cookies), NoRedirect)

    def send(path: str, data: dict | None = None, **headers: str):
        if data is not None:
            token = next(c.value for c in cookies if c.name == "csrftoken")
            data = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(f"https://127.0.0.1:{port}{path}", data=data, headers={  # noqa: S310
            "Host": "mailadmin.example.org", "Referer": "https://mailadmin.example.org/login/", **headers})
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, response.headers, cookies
        except urllib.error.HTTPError as e:
            return e.code, e.headers, cookies

    return send


def test_nginx_and_gunicorn_as_the_guide_sets_them_up_serve_the_console_over_https(slapd, tmp_path):
    """The guide's nginx site in front of gunicorn on a unix socket with the guide's environment: HTTPS with HSTS and
    secure cookies, a sign-in that passes CSRF, and the client's address as nginx saw it (not as the client claims)."""
    nginx = require("nginx")
    https_port, http_port = free_port(), free_port()
    socket_path = tmp_path / "gunicorn.sock"
    site = (block("# /etc/nginx/sites-available/mailadmin").replace("/run/mailadmin/gunicorn.sock", str(socket_path))
            .replace("listen 443 ", f"listen 127.0.0.1:{https_port} ").replace("listen 80;", f"listen 127.0.0.1:{http_port};"))
    site = "\n".join(line for line in site.splitlines() if "[::]" not in line)  # no IPv6 needed on a test box
    database = tmp_path / "app.sqlite3"
    env = {**_without_callers_settings(), **_guide_env(
        tmp_path, f"sqlite:///{database}", LDAP_URL=slapd.uri, LDAP_BIND_DN=slapd.service_dn, CACHE_DIR=str(tmp_path),
        LDAP_CA_FILE="", LDAP_BIND_PASSWORD_FILE=str(slapd.service_password_file)),
        "MFA_REQUIRED_FOR": ""}  # the guide's proxy is under test here, not the second factor
    python = str(VENV / "bin/python")
    subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "ensuresuperadmin", "--password-file", str(tmp_path / "admin.pw")], cwd=ROOT,
                   env=env, check=True, capture_output=True)
    exec_start = next(line for line in block("# /etc/systemd/system/mailadmin.service").splitlines()
                      if line.startswith("ExecStart="))
    command = exec_start.removeprefix("ExecStart=").replace("/srv/mailadmin/.venv/", f"{VENV}/").split()
    gunicorn = subprocess.Popen([*command, "--bind", f"unix:{socket_path}"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    server = None
    try:
        _wait_for(socket_path, gunicorn)
        conf = _nginx_conf(tmp_path, site)
        server = subprocess.Popen([nginx, "-e", "stderr", "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        _wait_for(tmp_path / "nginx.pid", server)
        plain = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as redirected:
            plain.open(urllib.request.Request(f"http://127.0.0.1:{http_port}/login/",  # noqa: S310
                                              headers={"Host": "mailadmin.example.org"}), timeout=30)
        assert (redirected.value.code, redirected.value.headers["Location"]) == (
            301, "https://mailadmin.example.org/login/")
        send = _https(https_port)
        status, headers, cookies = send("/login/")
        assert status == 200
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert all(c.secure for c in cookies if c.name == "csrftoken")

        status, _headers, _cookies = send("/login/", {"username": "admin", "password": "wrong-password-1"},
                                          **{"X-Forwarded-For": "203.0.113.5"})
        assert status == 200  # refused sign-in, not a CSRF 403
        with sqlite3.connect(database) as db:
            assert db.execute("SELECT ip_address FROM axes_accessattempt").fetchall() == [("127.0.0.1",)]
        password = (tmp_path / "admin.pw").read_text().strip()
        status, headers, _cookies = send("/login/", {"username": "admin", "password": password})
        assert (status, headers["Location"]) == (302, "/")
    finally:
        for process in (server, gunicorn):
            if process is not None:
                os.killpg(process.pid, 15)
                process.wait(30)
