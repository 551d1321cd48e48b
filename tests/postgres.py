"""A throwaway PostgreSQL cluster: initdb in a temporary directory, its own port on 127.0.0.1 and a unix socket in that
directory, stopped and removed at the end; no system service. As root, the server runs as Debian's `postgres` user."""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from devtools.slapd import free_port

INSTALL = "PostgreSQL is not installed: run `make test`, which installs it (scripts/system-deps.sh test)"


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


class Cluster:
    """One cluster with a database `mailadmin` owned by a role `mailadmin` (password authentication over TCP)."""

    def __init__(self) -> None:
        bin_dir = _bin_dir()
        if bin_dir is None:
            raise RuntimeError(INSTALL)
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="mailadmin-pg-"))
        self.port = free_port()
        self.password = secrets.token_urlsafe(16)
        self._proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """DATABASE_URL for the app."""
        return f"postgres://mailadmin:{self.password}@127.0.0.1:{self.port}/mailadmin"

    def _as_owner(self, *cmd: str) -> list[str]:
        # initdb and postgres refuse to run as root.
        return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else list(cmd)

    def start(self) -> None:
        password_file = self.root / "superuser.pw"
        password_file.write_text(self.password + "\n")
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            for path in (self.root, password_file):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        self.root.chmod(0o700)
        subprocess.run(self._as_owner(str(self.bin / "initdb"), "-D", str(self.root / "data"), "-U", "postgres",
                                      "--auth=scram-sha-256", f"--pwfile={password_file}", "-E", "UTF8",
                                      "--no-instructions"), check=True, capture_output=True)
        self._proc = subprocess.Popen(self._as_owner(
            str(self.bin / "postgres"), "-D", str(self.root / "data"), "-p", str(self.port), "-k", str(self.root),
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200",
        ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self._wait()
        from psycopg import sql

        role = sql.SQL("CREATE ROLE mailadmin LOGIN PASSWORD {}").format(sql.Literal(self.password))  # no parameters
        self.sql(role, database="postgres", autocommit=True)
        self.sql("CREATE DATABASE mailadmin OWNER mailadmin", database="postgres", autocommit=True)

    def _wait(self) -> None:
        for _ in range(200):
            if self._proc.poll() is not None:
                raise RuntimeError(f"postgres exited with status {self._proc.returncode}; cluster in {self.root}")
            ready = subprocess.run([str(self.bin / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)])
            if ready.returncode == 0:
                return
            time.sleep(0.05)
        raise RuntimeError("postgres did not accept connections within 10 s")

    def sql(self, query, params: tuple = (), *, database: str = "mailadmin", autocommit: bool = False) -> list[tuple]:
        """Run one statement (text, or psycopg.sql) as the superuser; the rows it returns."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", password=self.password,
                             dbname=database, autocommit=autocommit) as conn:
            cursor = conn.execute(query, params or None)
            return cursor.fetchall() if cursor.description else []

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()  # SIGTERM: postgres' "smart" shutdown; the app hosts are gone by now
            try:
                self._proc.wait(30)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None
        shutil.rmtree(self.root, ignore_errors=True)
