"""The throwaway OpenLDAP of `make run`: var/ldap, with the mail schema and demo data.

  up    start it (creating and seeding it the first time) and write var/ldap/app.env for the console
  down  stop it
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mailadmin.directory.slapd.instance import Instance  # noqa: E402

DIR = ROOT / "var" / "ldap"
PORT = int(os.environ.get("DEV_LDAP_PORT", "3389"))


def app_env(instance: Instance) -> str:
    return (
        f"LDAP_URL={instance.uri}\n"
        f"LDAP_BIND_DN={instance.service_dn}\n"
        f"LDAP_BIND_PASSWORD_FILE={instance.service_password_file}\n"
        f"LDAP_BASE_DN={instance.suffix}\n"
    )


def up() -> None:
    instance = Instance(DIR, PORT)
    fresh = not (DIR / "slapd.d").exists()
    if fresh:
        instance.create()
    elif not instance.running():
        instance.start()
    (DIR / "app.env").write_text(app_env(instance))
    print(f"Directory: {instance.uri} (base {instance.suffix}; rootdn {instance.admin_dn}, password in "
          f"{instance.admin_password_file})")


def down() -> None:
    Instance(DIR, PORT).stop()


if __name__ == "__main__":
    {"up": up, "down": down}[sys.argv[1] if len(sys.argv) > 1 else "up"]()
