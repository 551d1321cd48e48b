"""The real mail stack: Postfix's postmap and a Dovecot run from a temporary directory read `mailconfig`'s files."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from devtools.slapd import stop_process
from tests.conftest import use_instance

INSTALL = "`make test` installs them (scripts/system-deps.sh test)"
DOVECOT_LDAP_MODULE = Path("/usr/lib/dovecot/modules/auth/libauthdb_ldap.so")


def require(*tools: str) -> None:
    """Fail, never skip, when a mail-stack tool is missing: these checks are the proof that the files work."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not found: {INSTALL} (postfix, postfix-ldap, dovecot-core, dovecot-ldap).")


def mailbox_owner() -> str:
    """The system user that owns mailboxes in these tests: vmail when the machine has one, else Debian's `mail`.

    Borrowing an existing user keeps the tests from adding users to the machine they run on.
    """
    for name in ("vmail", "mail"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    pytest.fail("Neither a vmail nor a mail user exists; create one with `useradd -r -g mail vmail`.")


def modify(slapd, dn: str, change: str) -> None:
    """One LDIF modify (`change` holds its lines) of the entry `dn`."""
    slapd.ldap_tool("ldapmodify", input_text=f"dn: {dn}\nchangetype: modify\n{change}\n")


def write_config(slapd, output: Path, *, bind_dn: str, password_file: Path, **options) -> Path:
    """Run `manage.py mailconfig` against the test directory; install paths point into `output` unless given."""
    use_instance(slapd)
    options = {"postfix_dir": str(output), "dovecot_dir": str(output), "vmail_user": mailbox_owner(), **options}
    call_command("mailconfig", output=str(output), bind_dn=bind_dn, bind_password_file=str(password_file),
                 stdout=StringIO(), stderr=StringIO(), **options)
    return output


# --- Postfix ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Postfix:
    """postmap with a minimal config directory (else it dies on /etc/postfix/main.cf) over one set of maps."""

    config_dir: Path
    maps: Path

    def query(self, table: str, key: str) -> str | None:
        """What Postfix's table `table` (ldap-accounts, …) answers for `key`; None when not found."""
        cmd = ["postmap", "-c", str(self.config_dir), "-q", key, f"ldap:{self.maps / table}.cf"]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        if result.returncode == 1 and not result.stdout and not result.stderr:
            return None
        if result.returncode != 0 or result.stderr:
            raise AssertionError(f"{' '.join(cmd)} failed ({result.returncode}): {result.stderr.strip()}")
        return result.stdout.strip()

    def values(self, table: str, key: str) -> set[str] | None:
        """The answer split at commas (Postfix joins multiple results with ", ")."""
        answer = self.query(table, key)
        return None if answer is None else {value.strip() for value in answer.split(",")}


def postfix_config_dir(root: Path) -> Path:
    config_dir = root / "pf"
    config_dir.mkdir()
    (config_dir / "main.cf").write_text("compatibility_level = 3.6\nsetgid_group = postdrop\nmail_owner = postfix\n")
    result = subprocess.run(["postconf", "-c", str(config_dir), "-m"], capture_output=True, text=True)
    if "ldap" not in result.stdout.split():
        pytest.fail(f"Postfix has no ldap table type: {INSTALL} (postfix-ldap).")
    return config_dir


@pytest.fixture(scope="session")
def mail_files(slapd, tmp_path_factory) -> Path:
    """The files `mailconfig` writes for the test directory, bound as its (read-capable) service account."""
    return write_config(slapd, tmp_path_factory.mktemp("mailconfig"), bind_dn=slapd.service_dn,
                        password_file=slapd.service_password_file)


@pytest.fixture(scope="session")
def postfix(mail_files, tmp_path_factory) -> Postfix:
    require("postmap", "postconf")
    return Postfix(postfix_config_dir(tmp_path_factory.mktemp("postfix")), mail_files)


# --- Dovecot ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dovecot:
    """A running Dovecot whose config lives in `root`; doveadm reaches it through its base_dir."""

    root: Path

    @property
    def conf(self) -> Path:
        return self.root / "dovecot.conf"

    def doveadm(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["doveadm", "-c", str(self.conf), *args], capture_output=True, text=True, timeout=30)

    def auth(self, user: str, password: str) -> bool:
        """Whether Dovecot lets `user` log in with `password` (exit 0 succeeds, 77 refuses; anything else is a bug)."""
        # no-penalty: Dovecot's per-IP penalty would otherwise double the wait after each failure of the session.
        result = self.doveadm("auth", "test", "-x", "no-penalty", user, password)
        assert result.returncode in (0, 77), result.stdout + result.stderr + self.log()
        return result.returncode == 0

    def user(self, user: str) -> dict[str, str] | None:
        """The userdb fields Dovecot finds for `user`, or None when it does not exist (exit 67)."""
        result = self.doveadm("user", user)
        if result.returncode == 67:
            return None
        assert result.returncode == 0, result.stdout + result.stderr + self.log()
        rows = (line.split("\t", 1) for line in result.stdout.splitlines()[1:] if "\t" in line)
        return dict(rows)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text() if path.exists() else ""


DOVECOT_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols =
listen = 127.0.0.1
ssl = no
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 0
auth_failure_delay = 0
"""


def including(files: Path) -> str:
    """The settings that read the generated snippet where `mailconfig` wrote it (for the lookup checks)."""
    return f"!include {files}/dovecot.conf.snippet\n"


@contextmanager
def running_dovecot(root: Path, settings: str) -> Iterator[Dovecot]:
    """Start a Dovecot from `root` with the base settings a private instance needs, then `settings` (which include
    the generated snippet); stop it (master pid) on exit."""
    require("dovecot", "doveadm")
    if not DOVECOT_LDAP_MODULE.exists():
        pytest.fail(f"Dovecot's LDAP module is missing: {INSTALL} (dovecot-ldap).")
    if os.geteuid() != 0:
        pytest.fail("The Dovecot checks start a Dovecot, which needs root (as `make test` runs in CI).")
    for sub in ("run", "state"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    dovecot = Dovecot(root)
    dovecot.conf.write_text(DOVECOT_CONF.format(root=root) + settings)
    # The master daemonizes and keeps its parent's stdout/stderr: pipes would never reach EOF, so use a file.
    with open(root / "start.log", "w+") as output:
        started = subprocess.run(["dovecot", "-c", str(dovecot.conf)], stdin=subprocess.DEVNULL, stdout=output,
                                 stderr=subprocess.STDOUT, timeout=30)
    assert started.returncode == 0, (root / "start.log").read_text() + dovecot.log()
    pid = _wait_for_master(root)
    try:
        yield dovecot
    finally:
        _stop(pid)


def _wait_for_master(root: Path) -> int:
    """The master's pid once it has written its pid file and the auth sockets doveadm talks to."""
    needed = [root / "run" / name for name in ("master.pid", "auth-client", "auth-userdb")]
    for _ in range(200):
        # The pid file exists a moment before the pid is in it (seen under load): wait for both.
        pid = (root / "run" / "master.pid").read_text().strip() if all(path.exists() for path in needed) else ""
        if pid:
            return int(pid)
        time.sleep(0.05)
    raise AssertionError(f"Dovecot did not start within 10 s: {(root / 'dovecot.log').read_text()}")


def _stop(pid: int) -> None:
    """Stop the master we started (it takes its children with it) and wait until it is gone."""
    stop_process(pid)


@pytest.fixture(scope="session")
def dovecot(mail_files, tmp_path_factory) -> Iterator[Dovecot]:
    """One Dovecot for the session over the generated files; with no auth cache it sees each test's data."""
    with running_dovecot(tmp_path_factory.mktemp("dovecot"), including(mail_files)) as running:
        yield running
