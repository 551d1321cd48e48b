"""Two slapd providers replicating each other (the project's config with multi-provider syncrepl), LDAP_URL listing
both; the session's own single slapd is left alone."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from contextlib import contextmanager

import pytest

from devtools.slapd import SLAPD, Instance, provider_pair
from tests.conftest import BASE_LDIF, OUS, SUFFIX, use_instance


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> tuple[Instance, Instance]:
    if not os.access(SLAPD, os.X_OK):
        pytest.fail("slapd is not installed: run `make test`, which installs it")
    root = tmp_path_factory.mktemp("pair")
    first, second = provider_pair((root / "a", root / "b"))
    for ou in OUS:
        first.delete_tree(ou)
    first.add_ldif(BASE_LDIF)
    wait_until_same(first, second)
    yield first, second
    second.destroy()
    first.destroy()


@pytest.fixture
def both(pair, test_directory, settings):
    """LDAP_URL lists the first provider, then the second; both are running when the test starts."""
    for instance in pair:
        if not instance.running():
            instance.start()
    use_instance(pair[0])
    settings.LDAP_URL = [pair[0].uri, pair[1].uri]
    settings.LDAP_TIMEOUT = 1
    return pair


def dump(instance: Instance) -> list[str]:
    """Every entry under the suffix with its entryCSN, as ldapsearch prints them, in a stable order."""
    out = instance.ldap_tool("ldapsearch", "-LLL", "-o", "ldif-wrap=no", "-b", SUFFIX, "(objectClass=*)", "*",
                             "entryCSN").stdout
    return sorted("\n".join(sorted(entry.splitlines())) for entry in out.strip().split("\n\n"))


def wait_until_same(first: Instance, second: Instance, seconds: float = 20) -> list[str]:
    """Both providers' dumps once they agree; AssertionError with the difference when they do not within `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        a, b = dump(first), dump(second)
        if a == b:
            return a
        if time.monotonic() > deadline:
            raise AssertionError(f"the providers differ: only on the first {set(a) - set(b)}, only on the second "
                                 f"{set(b) - set(a)}")
        time.sleep(0.1)


def pid(instance: Instance) -> int:
    return int((instance.root / "slapd.pid.run").read_text())


@contextmanager
def hung(instance: Instance):
    """SIGSTOP: the kernel still accepts connections on its port, and nothing answers them."""
    os.kill(pid(instance), signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid(instance), signal.SIGCONT)


def has(instance: Instance, dn: str, attribute: str, value: str) -> bool:
    cmd = ["ldapsearch", "-x", "-LLL", "-H", instance.uri, "-D", instance.admin_dn, "-y",
           str(instance.admin_password_file), "-b", dn, "-s", "base", f"({attribute}={value})", "1.1"]
    return bool(subprocess.run(cmd, capture_output=True, text=True).stdout.strip())


