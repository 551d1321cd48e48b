"""Import benchmark: `manage.py import` of N accounts into one fresh slapd, against `ldapadd` of the same entries (the
LDIF that `manage.py export` writes afterwards) into another fresh slapd built from the same config.

    .venv/bin/python bench/import_bench.py [--accounts 10000] [--existing 0] [--rounds 3] [--keep]

Each round uses two fresh slapd instances; the median ratio of the rounds is the figure, since a shared machine moves
both sides by ±20 % from one run to the next.

Both sides bind as the service account (not the rootdn, which skips ACLs) and talk to slapd over loopback TCP.
The import time is the wall time of the whole command: Python and Django start-up, reading and checking every row
through the console's form, the claim searches for the file's addresses and logins, the adds, and the audit rows.
Not a test: `make test` never runs it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from domain_ldif import domain_ldif  # noqa: E402

from devtools.slapd import Instance, free_port  # noqa: E402

DOMAIN = "bench.test"
EXISTING = "existing.test"
PASSWORD_HASH = "{SSHA}gPTZkWLt+qJNXEwdM2bWx1566xkqzSY7"  # tests/base.ldif's alice-password-1


def _instance(root: Path, existing: str) -> Instance:
    instance = Instance(root, free_port())
    instance.create()
    instance.add_ldif(f"dn: virtualdomain={DOMAIN},ou=mailDomains,{instance.suffix}\nobjectClass: mailDomain\n"
                      f"virtualdomain: {DOMAIN}\nmailuserquota: 1048576\n\n{existing}")
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


def _ldapadd(instance: Instance, ldif: Path) -> float:
    start = time.perf_counter()
    subprocess.run(["ldapadd", "-x", "-H", instance.uri, "-D", instance.service_dn, "-y",
                    str(instance.service_password_file), "-f", str(ldif)], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _round(work: Path, n: int, existing: str) -> tuple[float, float, float]:
    """(import, ldapadd, no-op re-import) seconds, each side into its own fresh slapd."""
    first = second = None
    try:
        first = _instance(work / "a", existing)
        second = _instance(work / "b", existing)
        _csv(work / "accounts.csv", n)
        env = _env(first, work / "bench.sqlite3")
        _manage(env, "migrate", "-v", "0")
        import_seconds = _manage(env, "import", str(work / "accounts.csv"))
        _manage(env, "export", "--domain", DOMAIN, "--format", "ldif", "--password-hashes",
                "--output", str(work / "accounts.ldif"))
        ldapadd_seconds = _ldapadd(second, work / "accounts.ldif")
        again = _manage(env, "import", str(work / "accounts.csv"))
    finally:
        for instance in (first, second):
            if instance is not None:
                instance.stop()
    return import_seconds, ldapadd_seconds, again


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--existing", type=int, default=0,
                        help="accounts of another domain loaded into every slapd before the timings (default 0)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds on fresh directories; the median counts")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directories and print their path")
    args = parser.parse_args()
    n = args.accounts
    work = Path(tempfile.mkdtemp(prefix="import-bench-"))
    existing = domain_ldif(EXISTING, args.existing) if args.existing else ""
    print(f"accounts: {n}" + (f", into a directory of {args.existing} more" if args.existing else ""))
    print("round  import s  accounts/s  ldapadd s  accounts/s  ratio  no-op re-import s")
    ratios = []
    for number in range(1, args.rounds + 1):
        import_seconds, ldapadd_seconds, again = _round(work / f"round{number}", n, existing)
        ratios.append(ldapadd_seconds / import_seconds)  # (n / import) / (n / ldapadd)
        print(f"{number:5d}  {import_seconds:8.2f}  {n / import_seconds:10.0f}  {ldapadd_seconds:9.2f}  "
              f"{n / ldapadd_seconds:10.0f}  {ratios[-1]:5.2f}  {again:17.2f}")
    print(f"median ratio import/ldapadd: {statistics.median(ratios):.2f}  (target >= 1.0)")
    if args.keep:
        print(f"kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
