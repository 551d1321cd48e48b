from django.core.management.base import BaseCommand, CommandError

from mailadmin import audit, events
from mailadmin.commands import actor, directory_command, form_error, write_json
from mailadmin.models import DirectoryIdentity, Role
from mailadmin.permissions import console_user
from mailadmin.roles import RoleForm, tie_identity


def _identity_line(identity: DirectoryIdentity | None) -> str:
    if identity is None:
        return "It signs in with a local password only."
    if identity.pending:
        return ("No mailbox has this address yet: sign-in is refused until a superadmin runs "
                "`adminrole confirm` once the mailbox exists.")
    return f"It signs in as {identity.dn} (entryUUID {identity.entry_uuid})."


class Command(BaseCommand):
    help = ("Delegate the console: `grant`/`revoke` USER --domain-admin DOMAIN | --helpdesk [DOMAIN], `confirm` USER, "
            "or `list`. A user created here has no local password: it signs in with its mailbox address and password "
            "(LDAP bind as the entry recorded at grant time). `confirm` ties it to the entry holding its address now "
            "(after the mailbox was created or re-created).")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["grant", "revoke", "confirm", "list"])
        parser.add_argument("username", nargs="?", help="the console user name, usually a mailbox address")
        role = parser.add_mutually_exclusive_group()
        role.add_argument("--domain-admin", metavar="DOMAIN", help="administers DOMAIN")
        role.add_argument("--helpdesk", metavar="DOMAIN", nargs="?", const="", help="helpdesk of DOMAIN, or of all")
        parser.add_argument("--json", action="store_true", help="with list: print JSON")

    def handle(self, *args, action, username, domain_admin, helpdesk, json, **options):
        if action == "list":
            return self._list(json)
        if action == "confirm":
            return self._confirm(username)
        if not username or (domain_admin is None and helpdesk is None):
            raise CommandError("Give a user name and --domain-admin DOMAIN or --helpdesk [DOMAIN].")
        kind = Role.DOMAIN_ADMIN if domain_admin is not None else Role.HELPDESK
        form = RoleForm({"username": username, "kind": kind, "domain": domain_admin or helpdesk or ""})
        if not form.is_valid():
            raise form_error(form)
        target = f"{username} {kind} {form.cleaned_data['domain'] or '*'}"
        if action == "grant":
            with directory_command() as directory:
                role = form.grant(directory)
                if role is None:
                    raise form_error(form)
            audit.record(actor(), events.ROLE_GRANT, target)
            identity = DirectoryIdentity.objects.filter(user=role.user).first()
            self.stdout.write(self.style.SUCCESS(f"Granted: {target}. {_identity_line(identity)}"))
        elif form.revoke():
            audit.record(actor(), events.ROLE_REVOKE, target)
            self.stdout.write(self.style.SUCCESS(f"Revoked: {target}."))
        else:
            raise CommandError(f"{username} does not hold that role.")

    def _confirm(self, username: str | None) -> None:
        user = console_user(username or "")
        if user is None:
            raise CommandError(f"{username} is not a console user: grant it a role first.")
        with directory_command() as directory:
            identity = tie_identity(directory, user)
        if identity is None or identity.pending:
            raise CommandError(f"No mailbox has the address {username}: create it, then confirm.")
        audit.record(actor(), events.ROLE_CONFIRM, username, new={"dn": identity.dn, "entry_uuid": identity.entry_uuid})
        self.stdout.write(self.style.SUCCESS(f"Confirmed: {username}. {_identity_line(identity)}"))

    def _list(self, json: bool) -> None:
        roles = Role.objects.select_related("user__directory_identity").order_by("user__username", "kind", "domain")
        rows = [{"user": r.user.username, "role": r.kind, "domain": r.domain or "*", "signs_in_as": _signs_in_as(r.user)}
                for r in roles]
        if json:
            write_json(self.stdout, rows)
            return
        for row in rows:
            self.stdout.write(f"{row['user']}  {row['role']}  {row['domain']}  {row['signs_in_as']}")


def _signs_in_as(user) -> str:
    identity = getattr(user, "directory_identity", None)
    if identity is None:
        return "(local password)"
    return "(pending: run `adminrole confirm`)" if identity.pending else identity.dn
