import os
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from devtools.slapd import free_port
from mailadmin.directory import domains as d

ROOT = Path(__file__).resolve().parents[2]


def _create(*args: str) -> str:
    out = StringIO()
    call_command("createdomain", *args, stdout=out)
    return out.getvalue()


def _error(*args: str) -> str:
    with pytest.raises(CommandError) as e:
        _create(*args)
    message = str(e.value)
    assert "\n" not in message
    return message


def test_it_creates_a_domain_and_says_so_in_one_line(directory):
    out = _create("example.net", "--quota", "500M", "--description", "Net")
    assert out == ("Created domain example.net (virtualdomain=example.net,ou=mailDomains,dc=example,dc=org), "
                   "default quota 500M.\n")
    record = directory.read("virtualdomain=example.net,ou=mailDomains,dc=example,dc=org",
                            ("objectClass", "mailuserquota", "virtualdomaindescription"))
    assert record.values("objectClass") == ("mailDomain",)
    assert record.values("mailuserquota") == ("512000",)
    assert record.first("virtualdomaindescription") == "Net"


def test_it_stores_an_idn_as_an_a_label(directory):
    out = _create("Bücher.Example")
    assert out == ("Created domain bücher.example (virtualdomain=xn--bcher-kva.example,ou=mailDomains,"
                   "dc=example,dc=org), default quota none.\n")
    assert d.get_domain(directory, "xn--bcher-kva.example").default_quota_kb is None


@pytest.mark.parametrize("quota", ["unlimited", "0"])
def test_unlimited_or_zero_stores_zero(directory, quota):
    assert _create("example.net", "--quota", quota).endswith("default quota unlimited.\n")
    assert d.get_domain(directory, "example.net").default_quota_kb == 0


def test_it_refuses_an_existing_domain(directory):
    assert _error("EXAMPLE.test") == "name: The domain example.test exists already."


@pytest.mark.parametrize("name", ["bad-.test", "x,ou=Users", "nodot", "a..b.test"])
def test_it_refuses_an_invalid_name(directory, name):
    assert _error(name).startswith("name: ")
    assert "valid domain name" in _error(name)
    assert [x.name for x in d.list_domains(directory)] == ["example.test", "other.test"]


@pytest.mark.parametrize("quota", ["lots", "-1", "10X", "5000T"])
def test_it_refuses_a_bad_quota(directory, quota):
    assert _error("example.net", "--quota", quota).startswith("quota: ")
    assert d.get_domain(directory, "example.net") is None


def test_it_says_when_the_directory_is_unreachable(settings):
    port = free_port()
    settings.LDAP_URL = [f"ldap://127.0.0.1:{port}"]
    assert _error("example.net") == (
        f"The directory cannot be used: ldap://127.0.0.1:{port}: connection refused by 127.0.0.1 port {port}: no LDAP "
        "server listens there. Run `manage.py checkconnection` for details.")


def _run(*args: str, slapd, database: Path, command: str = "createdomain") -> subprocess.CompletedProcess:
    env = {
        **os.environ, "LDAP_URL": slapd.uri, "LDAP_BIND_DN": slapd.service_dn, "LDAP_BASE_DN": settings.LDAP_BASE_DN,
        "LDAP_BIND_PASSWORD_FILE": str(slapd.service_password_file), "LDAP_TIMEOUT": "2",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    env.pop("LDAP_BIND_PASSWORD", None)
    return subprocess.run([str(ROOT / ".venv/bin/python"), "manage.py", command, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory, slapd) -> Path:
    """A database of its own for the real command (the audit log is written there), migrated as `make run` does."""
    database = tmp_path_factory.mktemp("db") / "cli.sqlite3"
    assert _run("--noinput", "-v", "0", slapd=slapd, database=database, command="migrate").returncode == 0
    return database


def test_an_unmigrated_database_gives_one_line_not_a_traceback(slapd, directory, tmp_path):
    result = _run("example.net", slapd=slapd, database=tmp_path / "empty.sqlite3")
    assert result.returncode == 1
    assert result.stderr.startswith("CommandError: The database is not ready (") and result.stderr.count("\n") == 1
    assert "run `manage.py migrate`" in result.stderr


def test_the_real_command_exits_zero_then_non_zero_without_a_traceback(slapd, directory, migrated):
    first = _run("example.net", "--quota", "500M", slapd=slapd, database=migrated)
    assert (first.returncode, first.stderr) == (0, "")
    assert first.stdout.startswith("Created domain example.net (virtualdomain=example.net,ou=mailDomains,")
    assert d.get_domain(directory, "example.net").default_quota_kb == 512000
    second = _run("example.net", slapd=slapd, database=migrated)
    assert second.returncode == 1
    assert second.stderr == "CommandError: name: The domain example.net exists already.\n"
    assert "Traceback" not in second.stdout + second.stderr
