"""Render the Postfix and Dovecot files that read the directory: pure text from settings, no directory access.

The lookups keep the semantics of the MDS originals (contrib/postfix/with-virtual-domains and the 2009 how-to): same
filters, result attributes and bases. What changes is said in README_TEXT and in the project README.

Every value that comes from settings or the command line passes through one of the quoting helpers below, which refuse
what the target file format cannot carry (line breaks, control characters) rather than write a file that means
something else.
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
from dataclasses import dataclass, replace

from django.utils.translation import gettext as _

# The Debian CA bundle: what "LDAP_CA_FILE empty = the system's CAs" means for Postfix and Dovecot.
SYSTEM_CA_FILE = "/etc/ssl/certs/ca-certificates.crt"

# The filters of the originals, with the one mailenable check the transport map lacked in the 2009 how-to.
ENABLED = "(mailenable=OK)"
ACCOUNT_BY_MAIL = f"(&(objectClass=mailAccount){ENABLED}(mail=%s))"
ACCOUNT_BY_ALIAS = f"(&(objectClass=mailAccount)(mailalias=%s){ENABLED})"
DOMAIN_BY_NAME = "(&(objectClass=mailDomain)(virtualdomain=%s))"
VIRTUAL_ALIAS_BY_NAME = f"(&(objectClass=mailAlias)(mailalias=%s){ENABLED})"
LOGIN_FILTER = f"(&(objectClass=mailAccount)(mail=%u){ENABLED})"
ITERATE_FILTER = f"(&(objectClass=mailAccount){ENABLED})"
# The home is `mailbox` without its final "/" (MDS mailbox paths end in one, so that virtual(8) writes a Maildir):
# else ~/Maildir would be /home/vmail/alice//Maildir. A path without the "/" is taken as it is.
HOME_FROM_MAILBOX = "=home=%{if;%{ldap:mailbox};*;*/;%0.-1{ldap:mailbox};%{ldap:mailbox}}"
# Dovecot 2.3 quota rule: mailuserquota is in kB, which is storage='s unit without a suffix; 0 means unlimited.
USER_ATTRS = HOME_FROM_MAILBOX + ",mailuserquota=quota_rule=*:storage=%$"

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_URL = re.compile(r"^(?P<scheme>ldaps?)://(?P<host>[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::(?P<port>\d{1,5}))?/?$",
                  re.IGNORECASE)
_SYSTEM_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
_PATH = re.compile(r"^/[^\s,]*$")
_HTTP_URL = re.compile(r"^https?://(?P<host>[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(?P<port>\d{1,5})/?$", re.IGNORECASE)


class ConfigError(ValueError):
    """A setting or option that cannot be written safely into the files; the message names it."""


@dataclass(frozen=True)
class Source:
    """Where the mail servers find the directory and how they bind, plus where the files will be installed."""

    urls: tuple[str, ...]
    bind_dn: str
    bind_password: str
    users_dn: str
    domains_dn: str
    aliases_dn: str
    start_tls: bool = False
    ca_file: str = ""
    postfix_dir: str = "/etc/postfix"
    dovecot_dir: str = "/etc/dovecot"
    vmail_user: str = "vmail"
    vmail_group: str = "mail"
    mailbox_base: str = "/home/vmail"  # the directory every mailbox path starts in (MAIL_MAILBOX_TEMPLATE's)
    doveadm_url: str = ""  # DOVEADM_URL: Dovecot's doveadm HTTP listener, where mailadmin reaches it (none: not written)

    @property
    def ldaps(self) -> bool:
        return any(url.lower().startswith("ldaps://") for url in self.urls)

    @property
    def encrypted(self) -> bool:
        return self.start_tls or self.ldaps


@dataclass(frozen=True)
class ConfigFile:
    """One file to write: its name in the output directory, its text and its permission bits."""

    name: str
    text: str
    mode: int


@dataclass(frozen=True)
class PostfixMap:
    """One Postfix LDAP lookup table: which entries it searches and what it answers."""

    name: str
    purpose: str
    base: str  # the Source attribute naming the search base
    query_filter: str
    result_attribute: str
    extra: tuple[tuple[str, str], ...] = ()


POSTFIX_MAPS = (
    PostfixMap("ldap-domains.cf", "virtual_mailbox_domains: the hosted domains (mailDomain entries)",
               "domains_dn", DOMAIN_BY_NAME, "virtualdomain"),
    PostfixMap("ldap-accounts.cf", "virtual_mailbox_maps: the mailbox of an enabled account, by primary address",
               "users_dn", ACCOUNT_BY_MAIL, "mailbox", (("expansion_limit", "1"),)),
    PostfixMap("ldap-aliases.cf", "virtual_alias_maps (1): an alias of an enabled account -> its primary address",
               "users_dn", ACCOUNT_BY_ALIAS, "mail"),
    PostfixMap("ldap-maildrop.cf", "virtual_alias_maps (2): forwards (maildrop) of an enabled account",
               "users_dn", ACCOUNT_BY_MAIL, "maildrop"),
    PostfixMap("ldap-valiases.cf", "virtual_alias_maps (3): an enabled virtual alias -> members' and outside addresses",
               "aliases_dn", VIRTUAL_ALIAS_BY_NAME, "mail", (("special_result_attribute", "mailaliasmember"),)),
    PostfixMap("ldap-transport.cf", "transport_maps: accounts kept on another server (mailhost), relayed by SMTP",
               "users_dn", ACCOUNT_BY_MAIL, "mailhost", (("result_format", "smtp:[%s]"), ("expansion_limit", "1"))),
)

SECRET_MAP_MODE = 0o640  # root:postfix: proxymap reads the maps as the postfix user
SECRET_DOVECOT_MODE = 0o600  # root only, like Debian's own dovecot-ldap.conf.ext
PUBLIC_MODE = 0o644


# --- Quoting: every outside value goes through one of these ------------------------------------------------------


def _line_value(label: str, value: str) -> str:
    """`value` unchanged if it fits on one `name = value` line that both formats read back as is."""
    if not value:
        raise ConfigError(_("%(label)s is empty.") % {"label": label})
    if _CONTROL.search(value):
        raise ConfigError(_("%(label)s contains a line break or another control character.") % {"label": label})
    if value != value.strip():
        raise ConfigError(_("%(label)s starts or ends with a space, which the mail servers would drop.")
                          % {"label": label})
    return value


def _expansion_safe(value: str) -> str:
    """Double `%` for the parameters in which Postfix and Dovecot expand %s, %u, %d (search bases)."""
    return value.replace("%", "%%")


def dovecot_quote(value: str) -> str:
    """A double-quoted Dovecot value: without the quotes a `#` would start a comment and `\\` end a line."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _url(value: str) -> str:
    match = _URL.match(_line_value(_("LDAP_URL"), value))
    if not match or (match["port"] and not 0 < int(match["port"]) < 65536):
        raise ConfigError(_("LDAP_URL must hold URLs of the form ldap[s]://host[:port], not %(url)s.") % {"url": value})
    return value.rstrip("/")


def _path(label: str, value: str) -> str:
    if not _PATH.match(_line_value(label, value)):
        raise ConfigError(_("%(label)s must be an absolute path without spaces or commas.") % {"label": label})
    return posixpath.normpath(value)


def _system_name(label: str, value: str) -> str:
    if not _SYSTEM_NAME.match(value or ""):
        raise ConfigError(_("%(label)s is not a valid user or group name: %(value)s.") % {"label": label,
                                                                                          "value": value})
    return value


def checked(source: Source) -> Source:
    """Return `source` with URLs and paths normalised; raise ConfigError naming the first value that cannot be used."""
    if not source.urls:
        raise ConfigError(_("LDAP_URL is not set."))
    urls = tuple(_url(url) for url in source.urls)
    for label, value in ((_("The bind DN"), source.bind_dn), (_("The bind password"), source.bind_password),
                         (_("LDAP_USERS_DN"), source.users_dn), (_("LDAP_DOMAINS_DN"), source.domains_dn),
                         (_("LDAP_ALIASES_DN"), source.aliases_dn)):
        _line_value(label, value)
    if source.start_tls and source.ldaps:
        # Postfix's start_tls applies to every server_host; on an ldaps:// connection it must not be set.
        raise ConfigError(_("LDAP_START_TLS cannot be combined with ldaps:// URLs in the mail servers' files: "
                            "use either ldap:// URLs with StartTLS or ldaps:// URLs."))
    return replace(
        source, urls=urls, ca_file=_path(_("LDAP_CA_FILE"), source.ca_file) if source.ca_file else "",
        postfix_dir=_path(_("The Postfix directory"), source.postfix_dir),
        dovecot_dir=_path(_("The Dovecot directory"), source.dovecot_dir),
        vmail_user=_system_name(_("The mailbox user"), source.vmail_user),
        vmail_group=_system_name(_("The mailbox group"), source.vmail_group),
        mailbox_base=_path(_("MAIL_MAILBOX_TEMPLATE"), source.mailbox_base),
        doveadm_url=_doveadm_url(source.doveadm_url) if source.doveadm_url else "",
    )


def _doveadm_url(value: str) -> str:
    match = _HTTP_URL.match(value)
    if not match or not 0 < int(match["port"]) < 65536:
        raise ConfigError(_("DOVEADM_URL must be of the form http://host:port, not %(url)s.") % {"url": value})
    return value.rstrip("/")


def cleartext_warnings(source: Source) -> list[str]:
    """For a checked `source`, what is allowed but unsafe: passwords that would cross the network in clear."""
    clear = [url for url in source.urls if not source.encrypted and not _is_loopback(_URL.match(url)["host"])]
    if not clear:
        return []
    return [_("%(urls)s: without LDAP_START_TLS, the bind password and every user's password (Dovecot checks them "
              "by binding) cross the network in clear.") % {"urls": ", ".join(clear)}]


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# --- Rendering -----------------------------------------------------------------------------------------------------


def _lines(params: list[tuple[str, str]]) -> str:
    return "".join(f"{name} = {value}\n" for name, value in params)


def _header(*lines: str) -> str:
    return "".join(f"# {line}\n" if line else "#\n" for line in (*lines, "Written by `manage.py mailconfig`.")) + "\n"


def _postfix_tls(source: Source) -> list[tuple[str, str]]:
    if not source.encrypted:
        return []
    start_tls = [("start_tls", "yes")] if source.start_tls else []
    return [*start_tls, ("tls_ca_cert_file", source.ca_file or SYSTEM_CA_FILE), ("tls_require_cert", "yes")]


def postfix_map(source: Source, spec: PostfixMap) -> str:
    """The text of one Postfix LDAP table for a checked `source`: bound, filtered on mailenable, TLS as configured."""
    params = [
        ("server_host", " ".join(source.urls)),
        ("version", "3"),
        *_postfix_tls(source),
        ("bind", "yes"),
        ("bind_dn", source.bind_dn),
        ("bind_pw", source.bind_password),
        ("search_base", _expansion_safe(getattr(source, spec.base))),
        ("scope", "sub"),
        ("query_filter", spec.query_filter),
        ("result_attribute", spec.result_attribute),
        *spec.extra,
    ]
    return _header(f"{spec.name}: {spec.purpose}.", "Holds the bind password: keep it root:postfix, mode 0640.") \
        + _lines(params)


def _dovecot_tls(source: Source) -> list[tuple[str, str]]:
    if not source.encrypted:
        return []
    start_tls = [("tls", "yes")] if source.start_tls else []
    ca = [("tls_ca_cert_file", dovecot_quote(source.ca_file or SYSTEM_CA_FILE))]
    return [*start_tls, *ca, ("tls_require_cert", "demand")]


def dovecot_ldap(source: Source) -> str:
    """The text of dovecot-ldap.conf.ext: login by bind as the account, home and quota from the entry."""
    params = [
        ("uris", dovecot_quote(" ".join(source.urls))),
        ("dn", dovecot_quote(source.bind_dn)),
        ("dnpass", dovecot_quote(source.bind_password)),
        ("ldap_version", "3"),
        *_dovecot_tls(source),
        ("base", dovecot_quote(_expansion_safe(source.users_dn))),
        ("scope", "subtree"),
        ("deref", "never"),
        ("auth_bind", "yes"),
        ("pass_filter", LOGIN_FILTER),
        ("pass_attrs", "mail=user"),
        ("user_filter", LOGIN_FILTER),
        ("user_attrs", USER_ATTRS),
        ("iterate_filter", ITERATE_FILTER),
        ("iterate_attrs", "mail=user"),
    ]
    return _header("dovecot-ldap.conf.ext: Dovecot's passdb and userdb in the directory.",
                   "Holds the bind password: keep it root:root, mode 0600.") + _lines(params)


MAIN_CF = """\
# Postfix main.cf settings for mail domains kept in the directory. Written by `manage.py mailconfig`.
# proxy: lets proxymap hold the LDAP connections for all Postfix processes, outside the chroot.

virtual_mailbox_domains = proxy:ldap:{pd}/ldap-domains.cf
virtual_mailbox_maps = proxy:ldap:{pd}/ldap-accounts.cf
# In this order: an account's alias -> its primary address; a primary address -> its forwards (maildrop; a forward
# to itself keeps a copy); a virtual alias -> its members' and external addresses.
virtual_alias_maps =
    proxy:ldap:{pd}/ldap-aliases.cf,
    proxy:ldap:{pd}/ldap-maildrop.cf,
    proxy:ldap:{pd}/ldap-valiases.cf
virtual_alias_domains =
# Accounts kept on another server (mailhost) are relayed there by SMTP.
transport_maps = proxy:ldap:{pd}/ldap-transport.cf

# Delivery by Dovecot's LDA (master.cf.snippet): Dovecot finds the home and the quota in the directory itself.
virtual_transport = dovecot
dovecot_destination_recipient_limit = 1

# Or Postfix's own virtual(8) (no quota): replace the two lines above with these. virtual(8) writes the Maildir into
# the `mailbox` path itself (a path ending in / is a Maildir, any other an mbox file), not into its Maildir/
# subdirectory, so Dovecot must then read it there: set `mail_location = maildir:~` in
# {dd}/conf.d/99-mailadmin.conf instead of `maildir:~/Maildir`.
#virtual_transport = virtual
#virtual_mailbox_base = /
#virtual_minimum_uid = 100
#virtual_uid_maps = static:<uid of {user}>
#virtual_gid_maps = static:<gid of {group}>
"""

MASTER_CF = """\
# Postfix master.cf service for virtual_transport = dovecot. Written by `manage.py mailconfig`.
dovecot   unix  -       n       n       -       -       pipe
  flags=DRhu user={user}:{group} argv=/usr/lib/dovecot/dovecot-lda -c {dd}/dovecot.conf
  -f ${{sender}} -d ${{recipient}}
"""

DOVECOT_CONF = """\
# Dovecot settings for mail domains kept in the directory. Written by `manage.py mailconfig`.
# Install as {dd}/conf.d/99-mailadmin.conf and comment out `!include auth-system.conf.ext` in conf.d/10-auth.conf.
passdb {{
  driver = ldap
  args = {dd}/dovecot-ldap.conf.ext
}}
userdb {{
  driver = ldap
  args = {dd}/dovecot-ldap.conf.ext
}}
# Every mailbox belongs to one system user, who owns the mailbox base {base} (README.txt says how to create both).
mail_uid = {user}
mail_gid = {group}
mail_location = maildir:~/Maildir
mail_plugins = $mail_plugins quota
protocol imap {{
  mail_plugins = $mail_plugins imap_quota
}}
plugin {{
  quota = maildir:User quota
  # Sieve (dovecot-sieve): each mailbox's own scripts, managed as usual (the active one is ~/.dovecot.sieve); and,
  # before them, the vacation reply mailadmin writes through the doveadm HTTP API as a script of its own that is
  # never activated, so the user's active script stays and turning vacation off leaves it alone.
  sieve = file:~/sieve;active=~/.dovecot.sieve
  sieve_before = ~/sieve/mailadmin-vacation.sieve
  sieve_vacation_min_period = 1d
  sieve_vacation_default_period = 7d
  sieve_vacation_max_period = 90d
}}
protocol lda {{
  mail_plugins = $mail_plugins sieve
}}
protocol lmtp {{
  mail_plugins = $mail_plugins sieve
}}
# The LDA, run by Postfix as {user}, asks the auth process for the user's home and quota here,
service auth {{
  unix_listener auth-userdb {{
    mode = 0600
    user = {user}
    group = {group}
  }}
}}
# and reports to the stats process here (else every delivery fails on "stats-writer: Permission denied"); Dovecot's
# own processes keep their access through the group.
service stats {{
  unix_listener stats-writer {{
    mode = 0660
    user = {user}
    group = $default_internal_group
  }}
}}
"""

DOVEADM_CONF = """\
# The doveadm HTTP API mailadmin reads mailbox usage from and writes vacation replies through (DOVEADM_URL). Only
# mailadmin's host may reach it: keep it on loopback or a private address. The key is read from {dd}/doveadm-api.key
# (root:root, 0600); mailadmin reads the same key from DOVEADM_API_KEY_FILE.
doveadm_api_key = <{dd}/doveadm-api.key
service doveadm {{
  inet_listener http {{
    address = {host}
    port = {port}
  }}
}}
"""

README_TEXT = """\
Postfix and Dovecot configuration for mail domains kept in the directory
=========================================================================
Written by `manage.py mailconfig` for {urls}.

Where each file goes
--------------------
ldap-domains.cf, ldap-accounts.cf, ldap-aliases.cf, ldap-maildrop.cf, ldap-valiases.cf, ldap-transport.cf
    -> {pd}/  (they hold the bind password: chown root:postfix, chmod 0640)
main.cf.snippet    -> append to {pd}/main.cf (replaces any older virtual_* and transport_map(s) lines)
master.cf.snippet  -> append to {pd}/master.cf (the `dovecot` delivery service)
dovecot-ldap.conf.ext -> {dd}/  (holds the bind password: chown root:root, chmod 0600)
dovecot.conf.snippet  -> {dd}/conf.d/99-mailadmin.conf; comment out `!include auth-system.conf.ext`
    in {dd}/conf.d/10-auth.conf
Then, as root:
    # the mailbox owner and the mailbox base, which Dovecot creates each mailbox in (as {user}):
    getent passwd {user} >/dev/null || useradd -r -g {group} -d {base} -s /usr/sbin/nologin {user}
    install -d -o {user} -g {group} -m 0700 {base}
    apt-get install dovecot-sieve   # Debian's package for the Sieve settings (vacation replies)
    # With DOVEADM_URL set, the doveadm HTTP API key (copy the same file to mailadmin's DOVEADM_API_KEY_FILE):
    (umask 077; head -c 24 /dev/urandom | base64 | tr -d '\\n' > {dd}/doveadm-api.key)
    postfix -c {pd} reload
    systemctl restart dovecot

Check with:
    postmap -c {pd} -q alice@example.org proxy:ldap:{pd}/ldap-accounts.cf   -> the mailbox path
    doveadm -c {dd}/dovecot.conf auth test alice@example.org                  -> auth succeeded
    doveadm -c {dd}/dovecot.conf user alice@example.org                       -> home and quota_rule
IMAP (and any other Dovecot login) takes the account's primary address (mail) and its password; an alias
(mailalias) is refused, as in the MDS originals.

The bind account
----------------
The files bind as {dn}. Give the mail servers an account of their own that can only read
ou=Users, ou=mailDomains and ou=mailAliases (no userPassword: Dovecot checks passwords by binding as the
user). Do not use the directory's rootdn, nor mailadmin's own service account, which can write.

What differs from the MDS originals, and why
---------------------------------------------
Filters, result attributes and search bases are those of MDS's contrib/postfix/with-virtual-domains files and the
2009 Dovecot how-to, so mail is routed exactly as before. Changed:
- No anonymous binds: every file binds with a DN and password (bind = yes; dn/dnpass), so the directory can
  refuse anonymous reads.
- mailenable=OK everywhere a mailbox, address or route is looked up: accounts, aliases, forwards, virtual aliases,
  transport, and Dovecot's logins. A disabled account or virtual alias disappears from mail routing.
- The transport map looks up the primary address (mail=%s, as MDS contrib), not mailalias=%s as in the how-to:
  transport_maps is read after alias expansion, when the address is the primary one. It is wired with the real
  parameter name transport_maps (the how-to wrote transport_map, which Postfix ignores).
- The virtual-alias map (ldap-valiases.cf, missing from the how-to) is wired as the third virtual_alias_maps entry.
  Members are read from their DN without a mailenable check (Postfix cannot filter them); mail to a disabled member
  then bounces at that member alone, because its address is no longer a mailbox.
- expansion_limit = 1 on the accounts and transport maps: an address owned twice fails loudly instead of
  delivering to two mailboxes or routes.
- TLS follows LDAP_START_TLS and LDAP_CA_FILE, with certificate verification required (tls_require_cert =
  yes / demand). An empty LDAP_CA_FILE means the system's CAs, {system_ca}.
- All LDAP_URL servers are listed, tried in order; search bases come from LDAP_USERS_DN, LDAP_DOMAINS_DN and
  LDAP_ALIASES_DN instead of being edited with sed.
- The maps are read through proxy: (shared LDAP connections, no chroot copy of the CA file).
- Dovecot: pass_attrs no longer reads userPassword (auth_bind needs no hash, so the bind account need not read
  hashes); the quota uses Dovecot 2.3's quota_rule = *:storage=<mailuserquota> (kB; 0 = unlimited) instead of
  the Dovecot 1.0 `quota=maildir:ignore=Trash:storage` form; user_global_uid/gid became mail_uid/mail_gid in
  dovecot.conf.snippet; iterate_filter lets `doveadm -A` walk the enabled accounts; the home is the mailbox
  path without its final / (the Maildir is <mailbox>/Maildir, with no // in paths).
- ldap-uid.cf and ldap-gid.cf are not written: with Dovecot delivering, Postfix needs no uid per mailbox.
"""


def _doveadm_listener(source: Source) -> str:
    if not source.doveadm_url:
        return ""
    match = _HTTP_URL.match(source.doveadm_url)
    return DOVEADM_CONF.format(dd=source.dovecot_dir, host=match["host"].strip("[]"), port=match["port"])


def render(source: Source) -> list[ConfigFile]:
    """Every file for the output directory, in install order; raise ConfigError if `source` cannot be written."""
    source = checked(source)
    names = {"pd": source.postfix_dir, "dd": source.dovecot_dir, "user": source.vmail_user,
             "group": source.vmail_group, "base": source.mailbox_base}
    maps = [ConfigFile(spec.name, postfix_map(source, spec), SECRET_MAP_MODE) for spec in POSTFIX_MAPS]
    readme = README_TEXT.format(urls=" ".join(source.urls), dn=source.bind_dn, system_ca=SYSTEM_CA_FILE, **names)
    return [
        *maps,
        ConfigFile("main.cf.snippet", MAIN_CF.format(**names), PUBLIC_MODE),
        ConfigFile("master.cf.snippet", MASTER_CF.format(**names), PUBLIC_MODE),
        ConfigFile("dovecot-ldap.conf.ext", dovecot_ldap(source), SECRET_DOVECOT_MODE),
        ConfigFile("dovecot.conf.snippet", DOVECOT_CONF.format(**names) + _doveadm_listener(source), PUBLIC_MODE),
        ConfigFile("README.txt", readme, PUBLIC_MODE),
    ]
