"""`manage.py help` lists the commands grouped by subject: Django's groups are the apps, and each app is one."""

import subprocess
import sys

from tests.conftest import ROOT


def _groups() -> dict[str, set[str]]:
    out = subprocess.run([sys.executable, "manage.py", "help"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    groups: dict[str, set[str]] = {}
    current = ""
    for line in out.splitlines():
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            groups[current] = set()
        elif current and line.startswith("    "):
            groups[current].add(line.strip())
    return groups


def test_the_new_commands_are_listed_under_their_subject():
    groups = _groups()
    assert {"listaccounts", "showaccount", "alias", "forward", "renameaccount", "resetquota"} <= groups["accounts"]
    assert groups["aliases"] == {"valias"}
    assert {"editdomain", "createdomain", "listdomains", "deletedomain"} <= groups["domains"]
    assert "route" in groups["mailadmin"]
