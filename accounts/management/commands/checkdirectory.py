from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from mailadmin import events
from mailadmin.addresses import display_address
from mailadmin.audit import record
from mailadmin.commands import actor, directory_command, write_json
from mailadmin.directory import DirectoryError, health

LABELS = {
    health.DUPLICATE: _l("address used twice"),
    health.GROUP_ALIAS: _l("legacy group alias on several accounts (migrate it to a virtual alias)"),
    health.MAIL_GROUP_ALIAS: _l("address of an MDS mail group, copied into its members' aliases (manage.py "
                                "migrategroups turns it into a virtual alias)"),
    health.SEVERAL_MAIL: _l("several mail values (a second mailbox)"),
    health.UNHOSTED_ACCOUNT: _l("account in a domain that is not hosted"),
    health.UNHOSTED_ALIAS: _l("alias in a domain that is not hosted"),
    health.MISSING_FORWARD: _l("forward to a local address that does not exist"),
    health.GONE_MEMBER: _l("virtual-alias member that no longer exists"),
    health.DISABLED_MEMBER: _l("virtual-alias member that is disabled (its copy of the list's mail bounces)"),
    health.NO_MAILBOX: _l("account without mailbox path (Postfix finds no mailbox)"),
    health.BAD_QUOTA: _l("quota that is not a non-negative integer"),
}


class Command(BaseCommand):
    help = ("Check the directory the way Postfix and Dovecot read it: addresses used twice (a mail group's address "
            "copied to its members is named as such), accounts and aliases in unhosted domains, missing local forward "
            "targets, virtual-alias members gone or disabled, accounts without mailbox, bad quotas. Exit status 0 when "
            "clean, 1 when problems remain. --fix repairs only what is safe (dangling members, missing mailbox paths) "
            "and says what it did.")

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="repair the safe findings")
        parser.add_argument("--json", action="store_true", help="print the findings as JSON")

    def handle(self, *args, fix, json, **options):
        with directory_command() as directory:
            findings = health.check(directory)
            fixed = [f for f in findings if f.fixable and self._fix(directory, f)] if fix else []
        remaining = [f for f in findings if f not in fixed]
        if json:
            write_json(self.stdout, {"findings": [asdict(f) for f in remaining], "fixed": [asdict(f) for f in fixed]})
        else:
            for finding in remaining:
                self.stdout.write(_line(finding))
        if remaining:
            raise CommandError(_("%(count)d problems found.") % {"count": len(remaining)}, returncode=1)
        if not json:
            self.stdout.write(self.style.SUCCESS(_("The directory is clean.")))

    def _fix(self, directory, finding: health.Finding) -> bool:
        """Apply one safe repair, say it, and audit it; a refusal is printed and the finding stays."""
        try:
            written = health.fix(directory, finding)
        except DirectoryError as e:
            record(actor(), events.DIRECTORY_FIX, finding.dn, old={"finding": finding.kind}, ok=False, detail=str(e))
            self.stderr.write(_("Could not fix %(dn)s: %(error)s") % {"dn": finding.dn, "error": e})
            return False
        record(actor(), events.DIRECTORY_FIX, finding.dn, old={"finding": finding.kind, "value": finding.value},
               new={"written": written})
        text = _("Fixed %(dn)s: removed member %(value)s.") if finding.kind == health.GONE_MEMBER else _(
            "Fixed %(dn)s: mailbox set to %(value)s.")
        self.stdout.write(text % {"dn": finding.dn, "value": written})
        return True


def _line(finding: health.Finding) -> str:
    value = display_address(finding.value) if "@" in finding.value and "=" not in finding.value else finding.value
    others = (" " + _("(also %(dns)s)") % {"dns": "; ".join(finding.others)}) if finding.others else ""
    fixable = " [" + _("--fix repairs this") + "]" if finding.fixable else ""
    return f"{LABELS[finding.kind]}: {finding.dn} {value}{others}{fixable}".replace("  ", " ")
