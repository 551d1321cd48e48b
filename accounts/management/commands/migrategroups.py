from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mailadmin import events
from mailadmin.addresses import display_address, normalise_address
from mailadmin.audit import record
from mailadmin.commands import actor, directory_command
from mailadmin.directory import AlreadyExists, Conflict, Directory
from mailadmin.directory import groups as ldap_groups
from mailadmin.directory.groups import MailGroup, MigrationPlan


class Command(BaseCommand):
    help = ("Turn MDS mail groups (posixGroup + mailGroup under ou=Groups, whose address MMC copied into every "
            "member's mailalias) into virtual aliases under ou=mailAliases with the members by DN, then remove the "
            "copies from the members; in that order mail to the group is never refused. Every group when none is "
            "named (by cn or address). Audited; a second run changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("groups", nargs="*", metavar="GROUP", help="a group's cn or address (default: all)")
        parser.add_argument("--dry-run", action="store_true", help="say what would change; change nothing")

    def handle(self, *args, groups, dry_run, **options):
        with directory_command() as directory:
            blocker = ldap_groups.migration_blocker(directory)
            if blocker:
                raise CommandError(blocker)
            chosen = _chosen(directory, groups)
            plans = [ldap_groups.plan_migration(directory, group) for group in chosen]
            failed = sum(not self._migrate(directory, plan, dry_run) for plan in plans if not plan.done)
        if not plans:
            self.stdout.write(_("Nothing to do: there are no mail groups."))
        elif all(plan.done for plan in plans):
            self.stdout.write(_("Nothing to do: all %(count)d mail groups are virtual aliases.") % {"count": len(plans)})
        if failed:
            raise CommandError(_("%(count)d mail groups were not migrated.") % {"count": failed})

    def _migrate(self, directory: Directory, plan: MigrationPlan, dry_run: bool) -> bool:
        """Migrate one group (or say what would happen); False, with the reason on stderr, when it cannot."""
        values = {"address": display_address(plan.group.address), "members": len(plan.member_dns),
                  "copies": len(plan.copies)}
        problem = plan.problem
        if not problem and not dry_run:
            problem = _carry_out(directory, plan)
        if problem:
            self.stderr.write(_("Cannot migrate %(address)s: %(problem)s") % {**values, "problem": problem})
            return False
        if dry_run:
            text = _("Would make %(address)s a virtual alias of %(members)d members, then remove the copied "
                     "address from %(copies)d accounts.") if plan.valias is None else _(
                "Would remove the copied address %(address)s from %(copies)d accounts (its virtual alias exists).")
        else:
            text = _("Migrated %(address)s: a virtual alias of %(members)d members; the copied address is gone from "
                     "%(copies)d accounts.")
        self.stdout.write(self.style.SUCCESS(text % values))
        return True


def _chosen(directory: Directory, names: list[str]) -> list[MailGroup]:
    """The groups named by cn or address (every group when none is named); CommandError for an unknown one."""
    if not names:
        return ldap_groups.list_groups(directory)
    chosen = []
    for name in names:
        try:
            found = ldap_groups.groups_with_address(directory, normalise_address(name)) if "@" in name else [
                group for group in [ldap_groups.get_group(directory, name)] if group]
        except ValueError as e:
            raise CommandError(str(e)) from None
        if not found:
            raise CommandError(_("There is no mail group %(name)s.") % {"name": name})
        chosen += found
    return chosen


def _carry_out(directory: Directory, plan: MigrationPlan) -> str:
    """Migrate, auditing each write as it happens; "" when done, else why it stopped (what was written stays, and
    a new run finishes it)."""
    mails = {account.dn: account.mail for account in plan.copies}

    def audit(step: str, dn: str) -> None:
        if step == ldap_groups.CREATED:
            record(actor(), events.VALIAS_CREATE, plan.group.address,
                   new={"dn": dn, "members": list(plan.member_dns), "from_group": plan.group.dn})
        else:
            record(actor(), events.ACCOUNT_ALIASES_REMOVE, mails[dn], old={"aliases": [plan.group.address]},
                   new={"moved_to_virtual_alias": plan.group.address, "from_group": plan.group.dn})

    try:
        ldap_groups.migrate_group(directory, plan, audit)
    except (AlreadyExists, Conflict) as e:
        problem = _("the directory refused it (%(error)s); a unique overlay on mailalias refuses the virtual alias "
                    "while the members still hold their copies: switch that rule off until the groups are "
                    "migrated.") % {"error": e} if isinstance(e, AlreadyExists) else _(
            "the directory changed meanwhile (%(error)s); run the command again.") % {"error": e}
        record(actor(), events.GROUP_MIGRATE, plan.group.address, old={"group": plan.group.dn}, ok=False, detail=problem)
        return problem
    return ""
