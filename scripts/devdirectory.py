"""The throwaway OpenLDAP of `make run`: var/ldap, with the mail schema and demo data.

  up    start it (creating and seeding it the first time) and write var/ldap/app.env for the console
  down  stop it

DEV_LDAP_PROVIDERS=2 when it is first made: two providers in multi-provider replication, var/ldap and var/ldap2,
both in LDAP_URL (stop one to see the console go on through the other).
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.slapd import Instance, free_port, provider_pair  # noqa: E402

DIR = ROOT / "var" / "ldap"
SECOND = ROOT / "var" / "ldap2"  # the second provider, with DEV_LDAP_PROVIDERS=2


def _port(directory: Path, wanted: int) -> int:
    """The port chosen when the directory was made (`wanted`, or any free one when that is taken)."""
    port_file = directory / "port"
    if port_file.exists():
        return int(port_file.read_text())
    with socket.socket() as s:
        port = wanted if wanted and s.connect_ex(("127.0.0.1", wanted)) != 0 else free_port()
    directory.mkdir(parents=True, exist_ok=True)
    port_file.write_text(str(port))
    return port


def app_env(instances: list[Instance]) -> str:
    first = instances[0]
    return (
        f"LDAP_URL={' '.join(instance.uri for instance in instances)}\n"
        f"LDAP_BIND_DN={first.service_dn}\n"
        f"LDAP_BIND_PASSWORD_FILE={first.service_password_file}\n"
        f"LDAP_BASE_DN={first.suffix}\n"
    )


def _instances() -> list[Instance]:
    """The dev directory's providers, creating them the first time."""
    first_port = _port(DIR, int(os.environ.get("DEV_LDAP_PORT", "3389")))
    if (DIR / "slapd.d").exists():
        paired = (SECOND / "slapd.d").exists()
        return [Instance(DIR, first_port)] + ([Instance(SECOND, _port(SECOND, 0))] if paired else [])
    if os.environ.get("DEV_LDAP_PROVIDERS", "1") == "2":
        return list(provider_pair((DIR, SECOND), (first_port, _port(SECOND, 0))))
    instance = Instance(DIR, first_port)
    instance.create()
    return [instance]


def up() -> None:
    instances = _instances()
    for instance in instances:
        if not instance.running():
            instance.start()
    (DIR / "app.env").write_text(app_env(instances))
    for instance in instances:
        print(f"Directory: {instance.uri} (base {instance.suffix}; rootdn {instance.admin_dn}, password in "
              f"{instance.admin_password_file})")


def down() -> None:
    for directory, wanted in ((DIR, 3389), (SECOND, 0)):
        if (directory / "slapd.d").exists():
            Instance(directory, _port(directory, wanted)).stop()


if __name__ == "__main__":
    {"up": up, "down": down}[sys.argv[1] if len(sys.argv) > 1 else "up"]()
