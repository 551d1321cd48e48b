"""Mail actually delivered: a private Postfix and Dovecot, configured from `mailconfig`'s output as its README.txt says
(plus the base settings in stack.py), receive mail by SMTP for the addresses of tests/base.ldif.

Each address is checked three ways: the SMTP answer, where the message ended up (Maildirs, the sinks, bounces), and
what the console's route tool foretold for it.
"""

from __future__ import annotations

import imaplib
import os
import posixpath
import re
import shutil
import smtplib
import socket
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.test import override_settings

from mailadmin.directory import Directory, connect
from mailadmin.directory.routing import BOUNCED, DELIVERED, FOUND, LOCAL, MAILBOX, trace

from .conftest import mailbox_owner, modify, write_config
from .stack import PrivateDovecot, PrivatePostfix, Sink, install, run_readme_commands, running_postfix, running_private_dovecot

SUFFIX = "dc=example,dc=org"
SENDER = "sender@outside.test"
MAILHOST = "127.0.0.1"  # the mail host the test gives an account: the mailhost sink (see stack.POSTFIX_MAIN)
ACCOUNTS = ("alice", "bob", "carol", "dave", "postmaster", "oscar")
# An absolute path of the machine, as a Dovecot or Postfix error would show it (the stats-writer socket, a Maildir).
INTERNAL_PATH = re.compile(r"(^|[\s(:\"'=])/(tmp|home|run|var|usr|etc|srv)/")


@dataclass(frozen=True)
class MailHost:
    root: Path
    vmail: Path
    postfix: PrivatePostfix
    dovecot: PrivateDovecot
    outside: Sink  # the rest of the internet (relayhost)
    mailhost: Sink  # the server named by an account's mailhost

    def logs(self) -> str:
        return self.postfix.log() + self.dovecot.log()


@pytest.fixture(scope="module")
def mail_host(slapd) -> Iterator[MailHost]:
    """Postfix and Dovecot installed from the generated files, the sinks, and the mailbox base; all stopped and
    removed at the end, whatever happened."""
    if os.geteuid() != 0:
        pytest.fail("The delivery test starts Postfix and Dovecot, which needs root (as `make test` runs in CI).")
    root = Path(tempfile.mkdtemp(prefix="mailadmin-delivery-"))
    root.chmod(0o755)  # the mailbox owner (the LDA, IMAP) must reach Dovecot's config and sockets
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, root)
        output, postfix_dir, dovecot_dir = root / "mailconfig", root / "postfix" / "etc", root / "dovecot"
        vmail = root / "vmail"  # the mailbox base: README.txt's own command creates it
        postfix_dir.mkdir(parents=True)
        dovecot_dir.mkdir()
        with override_settings(MAIL_MAILBOX_TEMPLATE=f"{vmail}/%uid%/"):
            write_config(slapd, output, bind_dn=slapd.service_dn, password_file=slapd.service_password_file,
                         postfix_dir=str(postfix_dir), dovecot_dir=str(dovecot_dir))
        install(output, postfix_dir, dovecot_dir)
        # The mailbox owner (it exists) and the mailbox base, by README.txt's own command lines.
        run_readme_commands((output / "README.txt").read_text(), ("getent passwd", "install -d"))
        outside, mailhost = Sink(), Sink()
        stack.callback(outside.close)
        stack.callback(mailhost.close)
        postfix = stack.enter_context(running_postfix(root / "postfix", postfix_dir, outside, mailhost))
        dovecot = stack.enter_context(running_private_dovecot(dovecot_dir, mailbox_owner()))
        yield MailHost(root, vmail, postfix, dovecot, outside, mailhost)


@pytest.fixture(autouse=True)
def mailboxes_in_the_mailbox_base(mail_host, slapd):
    """The accounts of base.ldif get the mailbox paths MAIL_MAILBOX_TEMPLATE gave the generated files."""
    for uid in ACCOUNTS:
        modify(slapd, f"uid={uid},ou=Users,{SUFFIX}", f"replace: mailbox\nmailbox: {mail_host.vmail}/{uid}/")


# --- What happened, and what the route tool foretold -------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    refused: bool = False  # refused at RCPT: nothing accepted
    mailboxes: frozenset[str] = field(default_factory=frozenset)  # the mailboxes (their uid directory) holding it
    outside: frozenset[str] = field(default_factory=frozenset)  # recipients it was relayed to, out of this host
    mailhost: frozenset[str] = field(default_factory=frozenset)  # mail hosts it was relayed to for an account
    bounced: frozenset[str] = field(default_factory=frozenset)  # recipients a bounce to the sender names

    def __or__(self, other: Outcome) -> Outcome:
        return Outcome(self.refused or other.refused, self.mailboxes | other.mailboxes, self.outside | other.outside,
                       self.mailhost | other.mailhost, self.bounced | other.bounced)


def outcome(*, mailboxes=(), outside=(), mailhost=(), bounced=()) -> Outcome:
    return Outcome(False, frozenset(mailboxes), frozenset(outside), frozenset(mailhost), frozenset(bounced))


REFUSED = Outcome(refused=True)


@dataclass(frozen=True)
class Sent:
    code: int  # the answer to RCPT TO
    reply: str
    token: str  # in the subject and body: finds the message wherever it went
    queue_id: str = ""  # Postfix's, once accepted


def send(host: MailHost, recipient: str) -> Sent:
    """Offer one message for `recipient` by SMTP as a host of the internet would; wait until Postfix is done."""
    token = uuid.uuid4().hex
    message = (f"From: {SENDER}\r\nTo: {recipient}\r\nSubject: test {token}\r\n"
               f"Message-ID: <{token}@outside.test>\r\n\r\nHello {token}\r\n")
    with smtplib.SMTP("127.0.0.1", host.postfix.smtpd_port, timeout=30) as smtp:
        smtp.ehlo("client.outside.test")
        smtp.mail(SENDER)
        code, reply = smtp.rcpt(recipient)
        queued = smtp.data(message)[1].decode() if code == 250 else ""
    host.postfix.settle()
    return Sent(code, reply.decode(), token, queued.rsplit(" ", 1)[-1])


def observed(host: MailHost, sent: Sent) -> Outcome:
    """Where the message went: the Maildirs holding it, the sinks' envelope recipients, the bounce's recipients."""
    if sent.code != 250:
        return REFUSED
    mailboxes = {path.parent.parent.parent.name for path in host.vmail.glob("*/Maildir/new/*")
                 if sent.token in path.read_text()}
    out = [m for m in host.outside.holding(sent.token) if m.sender]
    bounces = [m for m in host.outside.holding(sent.token) if not m.sender]
    return outcome(mailboxes=mailboxes, outside={r for m in out for r in m.recipients},
                   mailhost={MAILHOST for _ in host.mailhost.holding(sent.token)},
                   bounced={r.lower() for m in bounces for r in re.findall(r"^Final-Recipient: rfc822; ?(\S+)",
                                                                           m.text, re.M | re.I)})


def foretold(directory: Directory, address: str) -> Outcome:
    """What the route tool says happens to mail for `address` offered from outside."""
    route = trace(directory, address)
    if not route.delivered:
        return REFUSED
    return _landing(route) | _rewritten(directory, route.next_addresses)


def _rewritten(directory: Directory, addresses: tuple[str, ...]) -> Outcome:
    """Recipients Postfix reached by rewriting (forwards, members): each takes its own route, after acceptance."""
    result = Outcome()
    for address in addresses:
        route = trace(directory, address)
        if route.steps[0].status == BOUNCED:  # a domain not hosted here: sent out
            result |= outcome(outside={address})
        elif not route.delivered:  # already accepted: bounced to the sender
            result |= outcome(bounced={address})
        else:
            result |= _landing(route) | _rewritten(directory, route.next_addresses)
    return result


def _landing(route) -> Outcome:
    """The mailbox the route ends in, or the mail host it is relayed to; nothing when forwards replace the mailbox."""
    mailbox = next((step for step in route.steps if step.name == str(MAILBOX) and step.status == FOUND), None)
    if mailbox is None:
        return Outcome()
    transport = route.steps[-1]
    assert transport.status == DELIVERED
    if transport.outcome != str(LOCAL):
        return outcome(mailhost={transport.outcome})
    return outcome(mailboxes={posixpath.basename(posixpath.normpath(mailbox.outcome))})


# --- Each address: the SMTP answer, where the message went, and the route tool ------------------------------------

ENABLE = "replace: mailenable\nmailenable: OK"
DISABLE = "replace: mailenable\nmailenable: NONE"
TEAM = f"mailalias=team@example.test,ou=mailAliases,{SUFFIX}"
CASES = {
    "an account": ("alice@example.test", [], outcome(mailboxes={"alice"})),
    "an account's alias": ("alice.martin@example.test", [], outcome(mailboxes={"alice"})),
    "a forward without a copy": ("bob@example.test", [], outcome(outside={"bob@external.test"})),
    "a forward with a kept copy": ("carol@example.test", [],
                                   outcome(mailboxes={"carol"}, outside={"carol@external.test"})),
    "a virtual alias": ("team@example.test", [(f"uid=dave,ou=Users,{SUFFIX}", ENABLE)],
                        outcome(mailboxes={"alice", "dave"}, outside={"partner@external.test"})),
    "a virtual alias with a disabled member": ("team@example.test", [],
                                               outcome(mailboxes={"alice"}, outside={"partner@external.test"},
                                                       bounced={"dave@example.test"})),
    "a disabled virtual alias": ("team@example.test", [(TEAM, DISABLE)], REFUSED),
    "a disabled account": ("dave@example.test", [], REFUSED),
    "a disabled account's alias": ("d.thomas@example.test", [], REFUSED),
    "an unknown address": ("nobody@example.test", [], REFUSED),
    "an unhosted domain": ("alice@unhosted.test", [], REFUSED),
    "an account on another mail host": ("oscar@other.test",
                                        [(f"uid=oscar,ou=Users,{SUFFIX}", f"add: mailhost\nmailhost: {MAILHOST}")],
                                        outcome(mailhost={MAILHOST})),
}


@pytest.mark.parametrize("address, changes, expected", CASES.values(), ids=CASES.keys())
def test_mail_goes_where_the_route_tool_says(mail_host, slapd, address, changes, expected):
    for dn, change in changes:
        modify(slapd, dn, change)
    sent = send(mail_host, address)
    assert observed(mail_host, sent) == expected, mail_host.logs()
    with connect() as directory:
        assert foretold(directory, address) == expected
    if expected.refused:
        assert sent.code // 100 == 5, (sent.code, sent.reply)  # refused at RCPT, never accepted then bounced


def test_an_unknown_address_is_refused_as_unknown_user(mail_host):
    sent = send(mail_host, "nobody@example.test")
    assert (sent.code, "User unknown in virtual mailbox table" in sent.reply) == (550, True)


def test_an_unhosted_domain_is_refused_as_relaying(mail_host):
    sent = send(mail_host, "alice@unhosted.test")
    assert (sent.code, "Relay access denied" in sent.reply) == (554, True)


def test_the_mail_host_receives_the_account_itself(mail_host, slapd):
    modify(slapd, f"uid=oscar,ou=Users,{SUFFIX}", f"add: mailhost\nmailhost: {MAILHOST}")
    sent = send(mail_host, "oscar@other.test")
    assert [m.recipients for m in mail_host.mailhost.holding(sent.token)] == [("oscar@other.test",)]


def test_a_bounce_names_the_recipient_without_an_internal_path(mail_host):
    sent = send(mail_host, "team@example.test")
    [bounce] = [m for m in mail_host.outside.holding(sent.token) if not m.sender]
    assert bounce.recipients == (SENDER,)
    assert "<dave@example.test> (expanded from <team@example.test>): user unknown" in bounce.text
    assert not INTERNAL_PATH.search(bounce.text), bounce.text
    assert str(mail_host.root) not in bounce.text


def test_a_delivery_reports_no_dovecot_error(mail_host):
    """What the LDA prints is Postfix's delivery status, and goes into bounces: it must be clean."""
    sent = send(mail_host, "alice@example.test")
    statuses = [line for line in mail_host.postfix.log().splitlines() if f"{sent.queue_id}: to=" in line]
    assert statuses and all("status=sent (delivered via dovecot service)" in line for line in statuses), statuses


def test_the_mailbox_is_created_by_its_owner_and_read_over_imap(mail_host):
    sent = send(mail_host, "alice.martin@example.test")
    maildir = mail_host.vmail / "alice" / "Maildir"
    assert maildir.owner() == mailbox_owner() and (maildir.stat().st_mode & 0o077) == 0
    # The mailbox path ends in /, the home does not: the Maildir is …/alice/Maildir, never …/alice//Maildir.
    assert mail_host.dovecot.dovecot.user("alice@example.test")["home"] == f"{mail_host.vmail}/alice"
    with Imap(mail_host.dovecot.imap_port) as imap:
        imap.login("alice@example.test", "alice-password-1")
        imap.select("INBOX", readonly=True)
        status, found = imap.search(None, "SUBJECT", sent.token)
    assert status == "OK" and len(found[0].split()) == 1


class Imap(imaplib.IMAP4):
    """An IMAP client of Dovecot's loopback port, connecting from the loopback address `source`."""

    def __init__(self, port: int, source: str = "127.0.0.1") -> None:
        self.source = source
        super().__init__("127.0.0.1", port)

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout, source_address=(self.source, 0))


@pytest.mark.parametrize("user, password, source", [("alice.martin@example.test", "alice-password-1", "127.0.0.2"),
                                                    ("dave@example.test", "bob-password-22", "127.0.0.3"),
                                                    ("alice@example.test", "alice-password-2", "127.0.0.4")])
def test_imap_refuses_an_alias_a_disabled_account_and_a_wrong_password(mail_host, user, password, source):
    with Imap(mail_host.dovecot.imap_port, source) as imap:
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            imap.login(user, password)
