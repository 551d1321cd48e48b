import os
import posixpath
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mailadmin.addresses import mailbox_base
from mailadmin.mailconfig import ConfigError, ConfigFile, Source, checked, cleartext_warnings, render


def read_password(path: str) -> str:
    """The password in `path` ("-" for stdin) without its final line break; raise CommandError if unreadable."""
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as f:
                text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        message = _("Cannot read the bind password from %(path)s: %(error)s") % {"path": path, "error": e}
        raise CommandError(message) from None
    return text.removesuffix("\n").removesuffix("\r")


def write_file(directory: Path, file: ConfigFile) -> None:
    """Write `file` under `directory` atomically, with its mode from the first byte (no window where it is wider)."""
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{file.name}.")
    try:
        os.fchmod(fd, file.mode)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(file.text)
        os.replace(tmp, directory / file.name)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = ("Write Postfix's LDAP lookup tables, a main.cf and a master.cf snippet, Dovecot's dovecot-ldap.conf.ext "
            "and a dovecot.conf snippet for the configured directory into --output, with a README.txt saying where "
            "each file goes. Changes nothing in the directory or in the mail servers' own configuration.")

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="directory to write the files into (created if missing)")
        parser.add_argument("--bind-dn", help="read-only DN the mail servers bind as (default: LDAP_BIND_DN)")
        parser.add_argument("--bind-password-file",
                            help="file holding the password of --bind-dn, or - to read it from stdin")
        parser.add_argument("--postfix-dir", default="/etc/postfix", help="where the maps will be installed")
        parser.add_argument("--dovecot-dir", default="/etc/dovecot", help="where Dovecot's files will be installed")
        parser.add_argument("--vmail-user", default="vmail", help="system user owning every mailbox")
        parser.add_argument("--vmail-group", default="mail", help="system group owning every mailbox")

    def handle(self, *args, output, **options):
        try:
            source = checked(self._source(options))
            files = render(source)
        except ConfigError as e:
            raise CommandError(str(e)) from None
        for warning in cleartext_warnings(source):
            self.stderr.write(self.style.WARNING(warning))
        directory = Path(output)
        try:
            directory.mkdir(mode=0o750, parents=True, exist_ok=True)
            for file in files:
                write_file(directory, file)
        except OSError as e:
            raise CommandError(_("Cannot write into %(dir)s: %(error)s") % {"dir": directory, "error": e}) from None
        if options["verbosity"] > 1:
            for file in files:
                self.stdout.write(f"{directory / file.name} ({file.mode:04o})")
        self.stdout.write(self.style.SUCCESS(_("Wrote %(count)d files into %(dir)s; README.txt there says where each "
                                               "goes.") % {"count": len(files), "dir": directory}))

    def _source(self, options: dict) -> Source:
        return Source(
            urls=tuple(settings.LDAP_URL), **self._credentials(options["bind_dn"], options["bind_password_file"]),
            users_dn=settings.LDAP_USERS_DN, domains_dn=settings.LDAP_DOMAINS_DN, aliases_dn=settings.LDAP_ALIASES_DN,
            start_tls=settings.LDAP_START_TLS, ca_file=settings.LDAP_CA_FILE, postfix_dir=options["postfix_dir"],
            dovecot_dir=options["dovecot_dir"], vmail_user=options["vmail_user"], vmail_group=options["vmail_group"],
            # The directory that holds every mailbox: /home/vmail of /home/vmail/%uid%/ (or of /home/vmail/u%uid%/).
            mailbox_base=posixpath.dirname(mailbox_base(settings.MAIL_MAILBOX_TEMPLATE)),
            doveadm_url=settings.DOVEADM_URL,
        )

    def _credentials(self, bind_dn: str | None, password_file: str | None) -> dict[str, str]:
        """The bind DN and password for the files: given ones, or mailadmin's own with a warning. Never anonymous."""
        if bind_dn:
            if not password_file:
                raise CommandError(_("--bind-dn needs --bind-password-file (a file, or - for stdin)."))
            return {"bind_dn": bind_dn, "bind_password": read_password(password_file)}
        if password_file:
            raise CommandError(_("--bind-password-file needs --bind-dn."))
        if not settings.LDAP_BIND_DN or not settings.LDAP_BIND_PASSWORD:
            raise CommandError(_("Give --bind-dn and --bind-password-file: the mail servers never bind anonymously."))
        self.stderr.write(self.style.WARNING(
            _("The files bind as mailadmin's own account %(dn)s, which can write: give the mail servers a read-only "
              "account with --bind-dn and --bind-password-file.") % {"dn": settings.LDAP_BIND_DN}))
        return {"bind_dn": settings.LDAP_BIND_DN, "bind_password": settings.LDAP_BIND_PASSWORD}
