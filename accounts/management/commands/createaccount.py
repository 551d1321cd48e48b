from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.forms import AccountCreateForm
from mailadmin.addresses import display_address, format_quota, normalise_address, split_address
from mailadmin.commands import actor, directory_command, read_passwords, run_form, stdin_of
from mailadmin.directory import domains as ldap_domains

OPTIONS = {"local_part": "address", "aliases": "alias", "forwards": "forward", "password2": "password"}


class Command(BaseCommand):
    help = ("Create a mail account in a hosted domain, with the domain's default quota unless --quota is given. "
            "The password is prompted for twice, read from stdin (--password-stdin), or, with neither a terminal "
            "nor --password-stdin, generated and printed once.")
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("address", help="the new account's address")
        parser.add_argument("--name", default="", help='"First Last" (split at the last space)')
        parser.add_argument("--first-name", default=None, help="overrides the first part of --name")
        parser.add_argument("--last-name", default=None, help="overrides the last part of --name")
        parser.add_argument("--uid", default="", help="login (uid); default: the full address")
        parser.add_argument("--quota", default="", help="500M, 1.5G, 204800 (kB), unlimited; default: the domain's")
        parser.add_argument("--alias", action="append", default=[], help="an extra address (repeatable)")
        parser.add_argument("--forward", action="append", default=[], help="forward to this address (repeatable)")
        parser.add_argument("--keep-copy", action="store_true", help="forward and keep a copy in the mailbox")
        parser.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
        parser.add_argument("--dry-run", action="store_true", help="check everything; create nothing")

    def handle(self, *args, address, dry_run, **options):
        try:
            address = normalise_address(address)
        except ValueError as e:
            raise CommandError(f"address: {e}") from None
        local, domain_name = split_address(address)
        with directory_command() as directory:
            domain = ldap_domains.get_domain(directory, domain_name)
            if domain is None:
                raise CommandError(_("%(address)s is not in a domain hosted here.")
                                   % {"address": display_address(address)})
            form = AccountCreateForm(self._data(local, options), domain=domain)
            if dry_run:
                run_form(form, lambda: form.check(directory) or None, OPTIONS)
                self.stdout.write(_("Would create %(address)s.") % {"address": display_address(address)})
                return
            account, generated = run_form(form, lambda: form.save(directory, actor=actor()), OPTIONS)
        self.stdout.write(self.style.SUCCESS(
            _("Created %(address)s (%(dn)s), quota %(quota)s.")
            % {"address": display_address(account.mail), "dn": account.dn, "quota": format_quota(account.quota_kb)}
        ))
        if generated:
            self.stdout.write(_("Password (shown once): %(password)s") % {"password": generated})

    def _data(self, local: str, options: dict) -> dict:
        first, _sep, last = options["name"].strip().rpartition(" ")
        data = {
            "local_part": local, "uid": options["uid"], "quota": options["quota"],
            "first_name": first if options["first_name"] is None else options["first_name"],
            "last_name": last if options["last_name"] is None else options["last_name"],
            "aliases": "\n".join(options["alias"]), "forwards": "\n".join(options["forward"]),
            "keep_copy": options["keep_copy"],
        }
        stdin = stdin_of(options)
        if options["password_stdin"] or stdin.isatty():
            data["password"], data["password2"] = read_passwords(stdin, from_stdin=options["password_stdin"])
        else:
            data["generate"] = "on"  # no one to ask: the directory generates one, printed once
        return data
