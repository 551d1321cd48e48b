"""The throwaway OpenLDAP of `make run`: var/ldap, with the mail schema and demo data.

  up    start it (creating and seeding it the first time) and write var/ldap/app.env for the console
  down  stop it
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.slapd import Instance, free_port  # noqa: E402

DIR = ROOT / "var" / "ldap"
PORT_FILE = DIR / "port"


def _port() -> int:
    """The port chosen when the directory was made (3389, or DEV_LDAP_PORT, or any free one when that is taken)."""
    if PORT_FILE.exists():
        return int(PORT_FILE.read_text())
    wanted = int(os.environ.get("DEV_LDAP_PORT", "3389"))
    with socket.socket() as s:
        port = wanted if s.connect_ex(("127.0.0.1", wanted)) != 0 else free_port()
    DIR.mkdir(parents=True, exist_ok=True)
    PORT_FILE.write_text(str(port))
    return port


def app_env(instance: Instance) -> str:
    return (
        f"LDAP_URL={instance.uri}\n"
        f"LDAP_BIND_DN={instance.service_dn}\n"
        f"LDAP_BIND_PASSWORD_FILE={instance.service_password_file}\n"
        f"LDAP_BASE_DN={instance.suffix}\n"
    )


def up() -> None:
    instance = Instance(DIR, _port())
    fresh = not (DIR / "slapd.d").exists()
    if fresh:
        instance.create()
    elif not instance.running():
        instance.start()
    (DIR / "app.env").write_text(app_env(instance))
    print(f"Directory: {instance.uri} (base {instance.suffix}; rootdn {instance.admin_dn}, password in "
          f"{instance.admin_password_file})")


def down() -> None:
    Instance(DIR, _port()).stop()


if __name__ == "__main__":
    {"up": up, "down": down}[sys.argv[1] if len(sys.argv) > 1 else "up"]()
