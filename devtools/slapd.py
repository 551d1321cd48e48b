"""A throwaway slapd built from the project's own config and schema, for `make run` and the test suite."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

# The config template and schema stay beside the runtime package, where deployment finds them.
CONFIG_DIR = Path(__file__).resolve().parent.parent / "mailadmin" / "directory" / "slapd"
SLAPD = "/usr/sbin/slapd"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(pid: int) -> None:
    """SIGTERM, wait up to 10 s for the process to go, then SIGKILL (for daemons that are not our children)."""
    try:
        os.kill(pid, signal.SIGTERM)
        for _ in range(200):
            os.kill(pid, 0)
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _hash(password_file: Path) -> str:
    out = subprocess.run(["/usr/sbin/slappasswd", "-T", str(password_file)], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def _write_secret(path: Path) -> None:
    path.write_text(secrets.token_urlsafe(24))
    path.chmod(0o600)


@dataclass
class Instance:
    """One slapd under `root`: config in slapd.d, data in data/, secrets in *.pw files (mode 0600)."""

    root: Path
    port: int
    suffix: str = "dc=example,dc=org"
    sizelimit: int = 500
    mail_schema: bool = True  # False: a directory without the MDS schema (initdirectory's tests)
    schema_file: Path = CONFIG_DIR / "mail.schema"  # another mail schema, e.g. an older MDS one without mailAlias
    allow: str = ""  # an `allow` line, e.g. "bind_anon_dn" (the empty-password tests)
    tls_cert: Path | None = None  # with tls_key (and tls_ca): StartTLS on `uri`, and ldaps on `tls_port` when set
    tls_key: Path | None = None
    tls_ca: Path | None = None
    tls_port: int = 0
    # "stock": a directory as MDS and Debian leave it (no overlays, default indexes and limits; the app binds as the
    # rootdn), with `extra_schema` (MMC's mmc.schema) loaded before the mail schema. See make-config.sh.
    profile: str = "project"
    extra_schema: Path | None = None
    server_id: int = 0  # with peers: a provider of multi-provider replication (see provider_pair)
    peers: tuple[str, ...] = ()

    @property
    def uri(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def ldaps_uri(self) -> str:
        return f"ldaps://localhost:{self.tls_port}"

    @property
    def ldapi(self) -> str:
        return "ldapi://" + urllib.parse.quote(str(self.root / "ldapi"), safe="")

    @property
    def admin_dn(self) -> str:
        return f"cn=admin,{self.suffix}"

    @property
    def service_dn(self) -> str:
        return f"cn=mailadmin,ou=system,{self.suffix}"

    @property
    def bind_dn(self) -> str:
        """Who mailadmin binds as: the service account, or on a stock directory the rootdn, as MMC did."""
        return self.admin_dn if self.profile == "stock" else self.service_dn

    @property
    def bind_password_file(self) -> Path:
        return self.admin_password_file if self.profile == "stock" else self.service_password_file

    @property
    def admin_password_file(self) -> Path:
        return self.root / "admin.pw"

    @property
    def service_password_file(self) -> Path:
        return self.root / "service.pw"

    @property
    def pidfile(self) -> Path:
        return self.root / "slapd.pid"

    def create(self) -> None:
        """Write a fresh config and empty databases, then start slapd and add the base entries."""
        self.root.mkdir(parents=True, exist_ok=True)
        for secret in (self.admin_password_file, self.service_password_file):
            if not secret.exists():  # a provider_pair's second provider has the first one's
                _write_secret(secret)
        env = {
            **os.environ,
            "LDAP_DIR": str(self.root),
            "MAIL_SCHEMA": str(self.schema_file),
            "LDAP_SUFFIX": self.suffix,
            "LDAP_ROOTPW_FILE": str(self.admin_password_file),
            "LDAP_SIZELIMIT": str(self.sizelimit),
            "LDAP_NO_MAIL_SCHEMA": "" if self.mail_schema else "1",
            "LDAP_ALLOW": self.allow,
            "LDAP_TLS_CERT": str(self.tls_cert or ""),
            "LDAP_TLS_KEY": str(self.tls_key or ""),
            "LDAP_TLS_CA": str(self.tls_ca or ""),
            "LDAP_PROFILE": self.profile,
            "LDAP_EXTRA_SCHEMA": str(self.extra_schema or ""),
            "LDAP_SERVER_ID": str(self.server_id),
            "LDAP_PEERS": " ".join(self.peers),
        }
        subprocess.run(["bash", str(CONFIG_DIR / "make-config.sh")], env=env, check=True)
        self.start(first=True)
        if self.peers and self.server_id > 1:
            self.wait_for(self.service_dn)  # the base entries come from the first provider
            return
        base = (CONFIG_DIR / "base.ldif.in").read_text()
        dc = self.suffix.split(",")[0].split("=", 1)[1]
        ldif = (
            base.replace("@SUFFIX@", self.suffix)
            .replace("@DC@", dc)
            .replace("@SVC_HASH@", _hash(self.service_password_file))
        )
        if self.profile == "stock":  # no ppolicy overlay, so no pwdPolicy class for its default policy
            ldif = "\n\n".join(e for e in ldif.split("\n\n") if "ou=policies," not in e)
        self.add_ldif(ldif)

    def start(self, first: bool = False) -> None:
        """Start slapd in the background and wait until the service account can bind."""
        config = ["-f", str(self.root / "slapd.conf")] if first else []
        # -d 0 keeps slapd in the foreground of its own session, so the pidfile survives and signals reach it.
        proc = subprocess.Popen(
            [SLAPD, "-d", "0", *config, "-F", str(self.root / "slapd.d"), "-h", " ".join(self._listeners())],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        self._proc = proc
        (self.root / "slapd.pid.run").write_text(str(proc.pid))
        for _ in range(200):
            if proc.poll() is not None:
                raise RuntimeError(f"slapd exited with status {proc.returncode}; config in {self.root}")
            if self._whoami():
                return
            time.sleep(0.05)
        proc.kill()
        raise RuntimeError("slapd did not answer within 10 s")

    def _listeners(self) -> list[str]:
        ldaps = [f"ldaps://127.0.0.1:{self.tls_port}/"] if self.tls_port else []
        return [f"{self.uri}/", *ldaps, self.ldapi]

    def _whoami(self) -> bool:
        cmd = ["ldapwhoami", "-x", "-H", self.uri, "-D", self.admin_dn, "-y", str(self.admin_password_file)]
        return subprocess.run(cmd, capture_output=True).returncode == 0

    def running(self) -> bool:
        pid = self._pid()
        if pid is None:
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return self._whoami()

    def _pid(self) -> int | None:
        try:
            return int((self.root / "slapd.pid.run").read_text())
        except (FileNotFoundError, ValueError):
            return None

    def stop(self) -> None:
        """Stop slapd and wait for it to exit."""
        proc = getattr(self, "_proc", None)
        if proc is not None:  # our own child: wait() reaps it, where polling the pid would find a zombie
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            self._proc = None
        pid = self._pid()
        if pid is None:
            return
        stop_process(pid)
        (self.root / "slapd.pid.run").unlink(missing_ok=True)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def has_entry(self, dn: str) -> bool:
        cmd = ["ldapsearch", "-x", "-H", self.uri, "-D", self.admin_dn, "-y", str(self.admin_password_file),
               "-b", dn, "-s", "base", "1.1"]
        return subprocess.run(cmd, capture_output=True).returncode == 0

    def wait_for(self, dn: str, seconds: float = 20) -> None:
        """Wait until `dn` exists here (replication brings it); RuntimeError after `seconds`."""
        for _ in range(int(seconds / 0.05)):
            if self.has_entry(dn):
                return
            time.sleep(0.05)
        raise RuntimeError(f"{dn} did not arrive at {self.uri} within {seconds} s")

    def ldap_tool(self, tool: str, *args: str, input_text: str | None = None) -> subprocess.CompletedProcess:
        """Run an OpenLDAP client as the rootdn (password from its file, never argv)."""
        cmd = [tool, "-x", "-H", self.uri, "-D", self.admin_dn, "-y", str(self.admin_password_file), *args]
        return subprocess.run(cmd, input=input_text, capture_output=True, text=True, check=True)

    def add_ldif(self, ldif: str) -> None:
        self.ldap_tool("ldapadd", input_text=ldif)

    def delete_tree(self, dn: str) -> None:
        """Delete `dn` and everything below it; an absent entry is fine."""
        cmd = ["ldapdelete", "-x", "-H", self.uri, "-D", self.admin_dn, "-y", str(self.admin_password_file), "-r", dn]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode not in (0, 32):  # 32: noSuchObject
            raise RuntimeError(f"ldapdelete {dn}: {result.stderr.strip()}")


def provider_pair(roots: tuple[Path, Path], ports: tuple[int, int] = (0, 0),
                  suffix: str = "dc=example,dc=org") -> tuple[Instance, Instance]:
    """Create two slapd providers that replicate each other (multi-provider syncrepl + syncprov) with the same
    passwords, on `ports` (free ones for 0); the second gets the base entries through replication."""
    port_a = ports[0] or free_port()
    port_b = ports[1] or next(p for p in iter(free_port, None) if p != port_a)
    first = Instance(roots[0], port_a, suffix=suffix, server_id=1, peers=(f"ldap://127.0.0.1:{port_b}",))
    second = Instance(roots[1], port_b, suffix=suffix, server_id=2, peers=(first.uri,))
    first.create()
    second.root.mkdir(parents=True, exist_ok=True)
    for name in (first.admin_password_file.name, first.service_password_file.name):
        shutil.copy2(first.root / name, second.root / name)
    second.create()
    return first, second
