from django.core.management.base import BaseCommand, CommandError

from mailadmin import audit
from mailadmin.commands import actor, directory_command, form_error, write_json
from mailadmin.models import Role
from mailadmin.roles import RoleForm


class Command(BaseCommand):
    help = ("Delegate the console: `grant`/`revoke` USER --domain-admin DOMAIN | --helpdesk [DOMAIN], or `list`. "
            "A user created here has no local password: it signs in with its mailbox address and password (LDAP bind).")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["grant", "revoke", "list"])
        parser.add_argument("username", nargs="?", help="the console user name, usually a mailbox address")
        role = parser.add_mutually_exclusive_group()
        role.add_argument("--domain-admin", metavar="DOMAIN", help="administers DOMAIN")
        role.add_argument("--helpdesk", metavar="DOMAIN", nargs="?", const="", help="helpdesk of DOMAIN, or of all")
        parser.add_argument("--json", action="store_true", help="with list: print JSON")

    def handle(self, *args, action, username, domain_admin, helpdesk, json, **options):
        if action == "list":
            return self._list(json)
        if not username or (domain_admin is None and helpdesk is None):
            raise CommandError("Give a user name and --domain-admin DOMAIN or --helpdesk [DOMAIN].")
        kind = Role.DOMAIN_ADMIN if domain_admin is not None else Role.HELPDESK
        form = RoleForm({"username": username, "kind": kind, "domain": domain_admin or helpdesk or ""})
        if not form.is_valid():
            raise form_error(form)
        target = f"{username} {kind} {form.cleaned_data['domain'] or '*'}"
        if action == "grant":
            with directory_command() as directory:
                if form.grant(directory) is None:
                    raise form_error(form)
            audit.record(actor(), "role.grant", target)
            self.stdout.write(self.style.SUCCESS(f"Granted: {target}."))
        elif form.revoke():
            audit.record(actor(), "role.revoke", target)
            self.stdout.write(self.style.SUCCESS(f"Revoked: {target}."))
        else:
            raise CommandError(f"{username} does not hold that role.")

    def _list(self, json: bool) -> None:
        roles = Role.objects.select_related("user").order_by("user__username", "kind", "domain")
        rows = [{"user": r.user.username, "role": r.kind, "domain": r.domain or "*"} for r in roles]
        if json:
            write_json(self.stdout, rows)
            return
        for row in rows:
            self.stdout.write(f"{row['user']}  {row['role']}  {row['domain']}")
