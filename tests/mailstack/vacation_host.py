"""A private Dovecot over mailconfig's files with its doveadm HTTP listener (DOVEADM_URL) and a `sendmail_path`
script that catches what it sends (vacation replies): one per test module that needs it (mail stack, browser)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import override_settings

from devtools.slapd import free_port
from mailadmin import dovecot
from mailadmin.vacation import SCRIPT_NAME

from .conftest import mailbox_owner, modify, write_config
from .stack import PrivateDovecot, install, run_readme_commands, running_private_dovecot

SUFFIX = "dc=example,dc=org"
ACCOUNTS = ("alice", "bob", "carol")

LDA = "/usr/lib/dovecot/dovecot-lda"
CAPTURE = """#!/bin/sh
# sendmail_path for the test: every message Dovecot sends (vacation replies) lands in {out} with its arguments.
f={out}/$(date +%s%N)-$$
{{ echo "ARGS: $*"; cat; }} > "$f.tmp" && mv "$f.tmp" "$f.eml"
"""


@dataclass(frozen=True)
class VacationHost:
    dovecot: PrivateDovecot
    conf: Path
    vmail: Path
    sent: Path  # what Dovecot handed to sendmail
    api_settings: dict

    def deliver(self, recipient: str, sender: str, *, headers: str = "", size: int = 0) -> str:
        """One message by the LDA, as Postfix's pipe would run it; returns its token."""
        token = uuid.uuid4().hex
        message = (f"From: {sender}\nTo: {recipient}\nSubject: test {token}\nMessage-ID: <{token}@far.test>\n"
                   f"{headers}\nHello {token}\n{'x' * size}\n")
        result = subprocess.run([LDA, "-c", str(self.conf), "-d", recipient, "-f", sender], input=message,
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr + self.dovecot.log()
        return token

    def replies(self) -> list[str]:
        return [path.read_text() for path in sorted(self.sent.glob("*.eml"))]

    def clear(self) -> None:
        for path in self.sent.glob("*.eml"):
            path.unlink()


def running_vacation_host(slapd) -> Iterator[VacationHost]:
    """A module-scoped fixture (`vacation_host = pytest.fixture(scope="module")(running_vacation_host)`): one private
    Dovecot for the module: mailconfig's files (with DOVEADM_URL), the key by README.txt's command."""
    if os.geteuid() != 0:
        pytest.fail("These tests start a Dovecot, which needs root (as `make test` runs in CI).")
    root = Path(tempfile.mkdtemp(prefix="mailadmin-vacation-"))
    root.chmod(0o755)
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, root)
        output, dovecot_dir, vmail, sent = root / "mailconfig", root / "dovecot", root / "vmail", root / "sent"
        dovecot_dir.mkdir()
        sent.mkdir(mode=0o777)
        sent.chmod(0o777)  # the LDA runs as the mailbox owner
        api = {"DOVEADM_URL": f"http://127.0.0.1:{free_port()}", "DOVEADM_API_KEY_FILE": str(dovecot_dir / "doveadm-api.key")}
        with override_settings(MAIL_MAILBOX_TEMPLATE=f"{vmail}/%uid%/", **api):
            write_config(slapd, output, bind_dn=slapd.service_dn, password_file=slapd.service_password_file,
                         postfix_dir=str(root / "postfix"), dovecot_dir=str(dovecot_dir))
        (root / "postfix").mkdir()
        shutil.chown(root / "postfix", group="postfix")
        install(output, root / "postfix", dovecot_dir)
        run_readme_commands((output / "README.txt").read_text(), ("getent passwd", "install -d", "(umask 077;"))
        capture = root / "sendmail"
        capture.write_text(CAPTURE.format(out=sent))
        capture.chmod(0o755)
        (dovecot_dir / "conf.d" / "98-test.conf").write_text(f"sendmail_path = {capture}\n")
        running = stack.enter_context(running_private_dovecot(dovecot_dir, mailbox_owner()))
        yield VacationHost(running, dovecot_dir / "dovecot.conf", vmail, sent, api)


def use_vacation_host(host: VacationHost, slapd, settings) -> None:
    """The app reaches the test Dovecot; the accounts' mailboxes are in its mailbox base; no vacation or reply is
    left over from an earlier test."""
    for name, value in host.api_settings.items():
        setattr(settings, name, value)
    for uid in ACCOUNTS:
        modify(slapd, f"uid={uid},ou=Users,{SUFFIX}", f"replace: mailbox\nmailbox: {host.vmail}/{uid}/")
        dovecot.delete_script(f"{uid}@example.test", SCRIPT_NAME)
    host.clear()
