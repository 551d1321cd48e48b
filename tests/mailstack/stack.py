"""A private mail host for the end-to-end test: Postfix and Dovecot installed from `mailconfig`'s output as its
README.txt says, plus two capturing SMTP sinks standing for the rest of the world.

Everything a deployment would get from its distribution's defaults, and a private instance must set itself, is in
POSTFIX_MAIN, POSTFIX_MASTER and DOVECOT_SETTINGS below: that is the whole gap between "generated" and "deployed".
"""

from __future__ import annotations

import grp
import json
import os
import re
import shutil
import socketserver
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from devtools.slapd import free_port, stop_process

from .conftest import Dovecot, require, running_dovecot

# --- The sinks: what Postfix sends out lands here -------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """One message as a sink received it: envelope sender ("" for a bounce), envelope recipients, text."""

    sender: str
    recipients: tuple[str, ...]
    text: str


class _SmtpSession(socketserver.StreamRequestHandler):
    """Just enough SMTP for Postfix's client: no extensions, every recipient accepted, every message recorded."""

    def handle(self) -> None:
        self._reply("220 sink.test ESMTP")
        sender, recipients = "", []
        while line := self.rfile.readline():
            command = line.decode("utf-8", "replace").rstrip("\r\n")
            verb = command[:4].upper()
            if verb in ("HELO", "EHLO"):
                self._reply("250 sink.test")
            elif verb == "MAIL":
                sender, recipients = _angle(command), []
                self._reply("250 2.1.0 Ok")
            elif verb == "RCPT":
                recipients.append(_angle(command))
                self._reply("250 2.1.5 Ok")
            elif verb == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                self.server.received.append(Received(sender, tuple(recipients), self._data()))
                self._reply("250 2.0.0 Ok: queued")
            elif verb == "QUIT":
                self._reply("221 2.0.0 Bye")
                return
            else:  # RSET, NOOP
                self._reply("250 2.0.0 Ok")

    def _data(self) -> str:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines).decode("utf-8", "replace")

    def _reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")


def _angle(command: str) -> str:
    match = re.search(r"<([^>]*)>", command)
    return match[1].lower() if match else ""


class Sink(socketserver.ThreadingTCPServer):
    """A capturing SMTP server on a free loopback port, served from a thread until `close()`."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpSession)
        self.received: list[Received] = []
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.shutdown()
        self.server_close()

    def holding(self, token: str) -> list[Received]:
        return [message for message in self.received if token in message.text]


# --- Postfix ----------------------------------------------------------------------------------------------------------

POSTFIX_MAIN = """\
# --- A private instance: its own queue and log, listening on loopback only ---
compatibility_level = 3.6
queue_directory = {root}/queue
data_directory = {root}/data
maillog_file = {root}/maillog
maillog_file_prefixes = {root}
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.example.test
mydestination =
alias_maps =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
# The test client plays a host of the internet: no relay rights, so an unhosted domain is refused with a 5xx.
smtpd_relay_restrictions = reject_unauth_destination
# The rest of the world: mail leaving the host goes to the "outside" sink; an account's mailhost (smtp:[127.0.0.1])
# reaches the "mailhost" sink, since the default SMTP port is that sink's.
relayhost = [127.0.0.1]:{outside}
known_tcp_ports = smtp={mailhost}
"""

# Debian's master.cf without what a private instance does not use (chroot, TLS, local delivery, pickup).
POSTFIX_MASTER = """\
127.0.0.1:{smtpd} inet n - n - - smtpd
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


@dataclass(frozen=True)
class PrivatePostfix:
    """A running Postfix whose main.cf and master.cf live in `config_dir`, queue and log under `root`."""

    root: Path
    config_dir: Path
    smtpd_port: int

    def command(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(args, capture_output=True, text=True, timeout=30)

    def queue(self) -> list[dict]:
        """The messages still queued (postqueue -j), with their queue and delay reasons."""
        result = self.command("postqueue", "-c", str(self.config_dir), "-j")
        assert result.returncode == 0, result.stderr
        return [json.loads(line) for line in result.stdout.splitlines()]

    def settle(self, timeout: float = 20) -> None:
        """Return once the queue is empty: every message delivered, relayed or bounced.

        A deferred message is retried at once (postqueue -f) rather than after the queue run delay; deferred again,
        it fails the test with Postfix's reason (a delivery that only ever stays deferred is the bug to show).
        """
        flushed = False
        deadline = time.monotonic() + timeout
        while queued := self.queue():
            deferred = [m for m in queued if m["queue_name"] == "deferred"]
            if deferred and flushed:
                raise AssertionError(f"Deferred: {deferred}\n{self.log()}")
            if deferred:
                self.command("postqueue", "-c", str(self.config_dir), "-f")
                flushed = True
            if time.monotonic() > deadline:
                raise AssertionError(f"Still queued after {timeout} s: {queued}\n{self.log()}")
            time.sleep(0.05)

    def log(self) -> str:
        path = self.root / "maillog"
        return path.read_text() if path.exists() else ""

    @property
    def pid_file(self) -> Path:
        return self.root / "queue" / "pid" / "master.pid"


@contextmanager
def running_postfix(root: Path, config_dir: Path, outside: Sink, mailhost: Sink) -> Iterator[PrivatePostfix]:
    """Complete the generated main.cf/master.cf with the private instance's base, start it; stop it on exit."""
    require("postfix", "postqueue")
    postfix = PrivatePostfix(root, config_dir, free_port())
    settings = {"root": root, "outside": outside.port, "mailhost": mailhost.port, "smtpd": postfix.smtpd_port}
    _prepend(config_dir / "main.cf", POSTFIX_MAIN.format(**settings))
    _prepend(config_dir / "master.cf", POSTFIX_MASTER.format(**settings))
    for sub in ("queue", "data"):
        (root / sub).mkdir()
    shutil.chown(root / "data", "postfix")
    check = postfix.command("postfix", "-c", str(config_dir), "check")
    assert check.returncode == 0 and not check.stderr, check.stderr + postfix.log()
    started = postfix.command("postfix", "-c", str(config_dir), "start")
    try:
        # `postfix start` returns once the master has initialised (master -w): smtpd listens, the pid file is there.
        assert started.returncode == 0 and postfix.pid_file.exists(), started.stderr + postfix.log()
        yield postfix
    finally:
        # By the master's pid (it takes its children with it): `postfix stop` would poll once a second.
        if postfix.pid_file.exists():
            stop_process(int(postfix.pid_file.read_text()))


def _prepend(path: Path, text: str) -> None:
    """The base settings first, the generated snippet after (the snippet is appended, as README.txt says)."""
    path.write_text(text + "\n" + path.read_text())


# --- Dovecot ----------------------------------------------------------------------------------------------------------

DOVECOT_SETTINGS = """\
# IMAP on a free loopback port, no IMAPS (ssl = no in the base).
protocols = imap
service imap-login {{
  inet_listener imap {{
    port = {imap}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
# The test signs in with wrong passwords on purpose, each time from another loopback address (Dovecot doubles the
# delay after each failure from one address); without TLS, since only 127.0.0.1 to itself counts as secured.
disable_plaintext_auth = no
# The LDA runs as the mailbox owner and logs itself: to a file it may write (a deployment logs to syslog).
protocol lda {{
  log_path = {lda_log}
}}
!include conf.d/*.conf
"""


@dataclass(frozen=True)
class PrivateDovecot:
    dovecot: Dovecot
    imap_port: int

    def log(self) -> str:
        lda_log = self.dovecot.root / "lda.log"
        return self.dovecot.log() + (lda_log.read_text() if lda_log.exists() else "")


@contextmanager
def running_private_dovecot(root: Path, owner: str) -> Iterator[PrivateDovecot]:
    """Start Dovecot from `root`, where the generated files are installed, with IMAP on loopback."""
    require("dovecot", "doveadm")
    if not Path("/usr/lib/dovecot/imap").exists():
        pytest.fail("Dovecot's IMAP server is missing: `make test` installs it (dovecot-imapd).")
    lda_log = root / "lda.log"
    lda_log.touch()
    shutil.chown(lda_log, owner)
    imap_port = free_port()
    with running_dovecot(root, DOVECOT_SETTINGS.format(imap=imap_port, lda_log=lda_log)) as dovecot:
        yield PrivateDovecot(dovecot, imap_port)


# --- Installing the generated files as README.txt says ------------------------------------------------------------


def install(output: Path, postfix_dir: Path, dovecot_dir: Path) -> None:
    """Copy `mailconfig`'s files from `output` where README.txt puts them, with its owners and modes."""
    postfix_gid = grp.getgrnam("postfix").gr_gid
    for cf in sorted(output.glob("ldap-*.cf")):
        _copy(cf, postfix_dir / cf.name, 0o640, gid=postfix_gid)
    (postfix_dir / "main.cf").write_text((output / "main.cf.snippet").read_text())
    (postfix_dir / "master.cf").write_text((output / "master.cf.snippet").read_text())
    _copy(output / "dovecot-ldap.conf.ext", dovecot_dir / "dovecot-ldap.conf.ext", 0o600, gid=0)
    (dovecot_dir / "conf.d").mkdir()
    _copy(output / "dovecot.conf.snippet", dovecot_dir / "conf.d" / "99-mailadmin.conf", 0o644, gid=0)


def _copy(source: Path, target: Path, mode: int, *, gid: int) -> None:
    shutil.copyfile(source, target)
    os.chown(target, 0, gid)
    target.chmod(mode)


def run_readme_commands(readme: str, prefixes: tuple[str, ...]) -> None:
    """Run README.txt's command lines that start with one of `prefixes`, exactly as written, with sh."""
    lines = [line.strip() for line in readme.splitlines() if line.strip().startswith(prefixes)]
    assert len(lines) >= len(prefixes), f"README.txt lacks some of the commands {prefixes}: {lines}"
    for line in lines:
        result = subprocess.run(["sh", "-c", line], capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, f"{line}: {result.stderr}"
