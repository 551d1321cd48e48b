"""Import benchmark: `manage.py import` of N accounts into one fresh slapd, against `ldapadd` of the same entries (the
LDIF that `manage.py export` writes afterwards) into another fresh slapd built from the same config.

    .venv/bin/python bench/import_bench.py [--accounts 10000] [--keep]

Both sides bind as the service account (not the rootdn, which skips ACLs) and talk to slapd over loopback TCP.
The import time is the wall time of the whole command: Python and Django start-up, reading and checking every row
through the console's form, the up-front claim searches, the adds, and the audit rows. Not a test: `make test`
never runs it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mailadmin.directory.slapd.instance import Instance, free_port  # noqa: E402

DOMAIN = "bench.test"
PASSWORD_HASH = "{SSHA}gPTZkWLt+qJNXEwdM2bWx1566xkqzSY7"  # tests/base.ldif's alice-password-1


def _instance(root: Path) -> Instance:
    instance = Instance(root, free_port())
    instance.create()
    instance.add_ldif(f"dn: virtualdomain={DOMAIN},ou=mailDomains,{instance.suffix}\nobjectClass: mailDomain\n"
                      f"virtualdomain: {DOMAIN}\nmailuserquota: 1048576\n")
    return instance


def _csv(path: Path, count: int) -> None:
    with open(path, "w") as f:
        f.write("address,uid,first_name,last_name,quota,aliases,forwards,keep_copy,password_hash\n")
        for i in range(count):
            alias = f"alias{i:06d}@{DOMAIN}" if i % 5 == 0 else ""
            forward = f"user{i:06d}@elsewhere.example" if i % 7 == 0 else ""
            keep = "yes" if i % 14 == 0 else "no"
            f.write(f"user{i:06d}@{DOMAIN},user{i:06d},User,Number {i},,{alias},{forward},{keep},{PASSWORD_HASH}\n")


def _env(instance: Instance, db: Path) -> dict[str, str]:
    return {
        **os.environ, "LDAP_URL": instance.uri, "LDAP_BIND_DN": instance.service_dn,
        "LDAP_BIND_PASSWORD_FILE": str(instance.service_password_file), "LDAP_BASE_DN": instance.suffix,
        "DATABASE_URL": f"sqlite:///{db}", "LDAP_TIMEOUT": "30",
    }


def _manage(env: dict[str, str], *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory and print its path")
    n = parser.parse_args().accounts
    work = Path(tempfile.mkdtemp(prefix="import-bench-"))
    first = second = None
    try:
        first, second = _instance(work / "a"), _instance(work / "b")
        _csv(work / "accounts.csv", n)
        env = _env(first, work / "bench.sqlite3")
        _manage(env, "migrate", "-v", "0")
        import_seconds = _manage(env, "import", str(work / "accounts.csv"))
        _manage(env, "export", "--format", "ldif", "--password-hashes", "--output", str(work / "accounts.ldif"))
        start = time.perf_counter()
        subprocess.run(["ldapadd", "-x", "-H", second.uri, "-D", second.service_dn, "-y",
                        str(second.service_password_file), "-f", str(work / "accounts.ldif")],
                       check=True, stdout=subprocess.DEVNULL)
        ldapadd_seconds = time.perf_counter() - start
        again = _manage(env, "import", str(work / "accounts.csv"))
    finally:
        for instance in (first, second):
            if instance is not None:
                instance.stop()
    ratio = (n / import_seconds) / (n / ldapadd_seconds)
    print(f"accounts:               {n}")
    print(f"manage.py import:       {import_seconds:7.2f} s  {n / import_seconds:8.0f} accounts/s")
    print(f"ldapadd (same entries): {ldapadd_seconds:7.2f} s  {n / ldapadd_seconds:8.0f} accounts/s")
    print(f"ratio import/ldapadd:   {ratio:7.2f}  (target >= 1.0)")
    print(f"second import (no-op):  {again:7.2f} s")
    if parser.parse_args().keep:
        print(f"kept: {work}")
    else:
        import shutil

        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
