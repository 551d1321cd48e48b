from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from aliases.forms import RemoveVirtualAliasForm, RenameVirtualAliasForm, VirtualAliasForm, VirtualAliasStatusForm
from mailadmin.addresses import display_address
from mailadmin.commands import actor, directory_command, find_domain, find_valias, run_form, write_json
from mailadmin.directory import Directory
from mailadmin.directory import aliases as ldap_aliases
from mailadmin.directory.aliases import VirtualAlias

# Each member and recipient change: (the edit form field it changes, whether it adds).
CHANGES = {"add-member": ("members", True), "remove-member": ("members", False),
           "add-recipient": ("external", True), "remove-recipient": ("external", False)}


class Command(BaseCommand):
    help = ("Virtual aliases, as the console manages them: create, remove, show, list, "
            "add-member, remove-member, add-recipient, remove-recipient, rename, enable, disable. --dry-run makes the "
            "checks the change would make and writes nothing.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="a new virtual alias address")
        create.add_argument("address")
        create.add_argument("--member", action="append", default=[], help="an account's address (repeatable)")
        create.add_argument("--recipient", action="append", default=[], help="an outside recipient (repeatable)")
        create.add_argument("--disabled", action="store_true", help="create it disabled")
        show = actions.add_parser("show", help="members, recipients and status")
        show.add_argument("address")
        show.add_argument("--json", action="store_true")
        listing = actions.add_parser("list", help="every virtual alias, or a domain's")
        listing.add_argument("--domain")
        listing.add_argument("--json", action="store_true")
        for name in ("remove", "enable", "disable"):
            actions.add_parser(name, help=f"{name} the virtual alias").add_argument("address")
        for name in CHANGES:
            change = actions.add_parser(name)
            change.add_argument("address")
            change.add_argument("value", metavar="MEMBER" if "member" in name else "RECIPIENT")
        rename = actions.add_parser("rename", help="give the virtual alias another address (members stay)")
        rename.add_argument("address")
        rename.add_argument("new")
        for sub in actions.choices.values():
            if sub.prog.split()[-1] not in ("show", "list"):
                sub.add_argument("--dry-run", action="store_true", help="check the input, change nothing")

    def handle(self, *args, action, **options):
        with directory_command() as directory:
            if action == "list":
                self._list(directory, options["domain"], options["json"])
                return
            if action == "create":
                self._create(directory, options)
                return
            valias = find_valias(directory, options["address"])
            if action == "show":
                self._show(directory, valias, options["json"])
                return
            done = self._change(directory, valias, action, options)
        self.stdout.write(self.style.SUCCESS(done))

    def _list(self, directory: Directory, domain: str | None, json: bool) -> None:
        valiases = ldap_aliases.list_valiases(directory, find_domain(directory, domain) if domain else "")
        if json:
            write_json(self.stdout, [_as_json(v) for v in valiases])
            return
        for v in valiases:
            status = "enabled" if v.enabled else "disabled"
            self.stdout.write(f"{display_address(v.address)}\t{len(v.members)} members\t"
                              f"{len(v.external)} recipients\t{status}")

    def _show(self, directory: Directory, valias: VirtualAlias, json: bool) -> None:
        members = ldap_aliases.member_addresses(directory, valias)
        if json:
            write_json(self.stdout, {**_as_json(valias), "member_addresses": list(members)})
            return
        self.stdout.write(f"Address:    {display_address(valias.address)}")
        self.stdout.write(f"Status:     {'enabled' if valias.enabled else 'disabled'}")
        self.stdout.write(f"Members:    {', '.join(map(display_address, members)) or '-'}")
        self.stdout.write(f"Recipients: {', '.join(valias.external) or '-'}")

    def _create(self, directory: Directory, options: dict) -> None:
        form = VirtualAliasForm({"address": options["address"], "members": "\n".join(options["member"]),
                                 "external": "\n".join(options["recipient"]),
                                 "enabled": "" if options["disabled"] else "on"})
        if options["dry_run"]:
            run_form(form, lambda: form.check(directory) or None, {"members": "member", "external": "recipient"})
            self.stdout.write(_("Would create %(address)s.") % {"address": display_address(
                form.cleaned_data["address"])})
            return
        created = run_form(form, lambda: form.save(directory, actor=actor()))
        self.stdout.write(self.style.SUCCESS(_("Created %(address)s.") % {"address": display_address(
            created.address)}))

    def _change(self, directory: Directory, valias: VirtualAlias, action: str, options: dict) -> str:
        """Apply `action` to `valias` through the console's form; return what was done (or would be)."""
        dry_run = options["dry_run"]
        form, run = _form_for(directory, valias, action, options)
        check = getattr(form, "check", lambda _directory: True)  # removing and the status need no lookup
        run_form(form, (lambda: check(directory) or None) if dry_run else (lambda: run(directory, actor=actor())),
                 {"new_address": "new", "members": "member", "external": "recipient"})
        values = {"address": display_address(valias.address), "action": action,
                  "value": options.get("new") or options.get("value") or ""}
        text = _("Would %(action)s %(address)s %(value)s.") if dry_run else _("Done: %(action)s %(address)s %(value)s.")
        return (text % values).replace("  ", " ").replace(" .", ".")


def _form_for(directory: Directory, valias: VirtualAlias, action: str, options: dict):
    """The console form that does `action`, bound to the data the command line gives, and its action method."""
    if action == "remove":
        form = RemoveVirtualAliasForm({}, valias=valias)
        return form, form.remove
    if action in ("enable", "disable"):
        form = VirtualAliasStatusForm({}, valias=valias, enable=action == "enable")
        return form, form.save
    if action == "rename":
        form = RenameVirtualAliasForm({"new_address": options["new"]}, valias=valias)
        return form, form.save
    field, adding = CHANGES[action]
    members, external = list(ldap_aliases.member_addresses(directory, valias)), list(valias.external)
    values = members if field == "members" else external
    value = options["value"].strip().lower()
    if adding:
        values.append(value)
    elif value in values:
        values.remove(value)
    else:
        raise CommandError(_("%(value)s is not on %(address)s.") % {"value": value,
                                                                    "address": display_address(valias.address)})
    form = VirtualAliasForm({"members": "\n".join(members), "external": "\n".join(external),
                             "enabled": "on" if valias.enabled else "", "csn": valias.csn},
                            valias=valias, member_addresses=tuple(members))
    return form, form.save


def _as_json(valias: VirtualAlias) -> dict:
    return {"address": valias.address, "dn": valias.dn, "members": list(valias.members),
            "recipients": list(valias.external), "enabled": valias.enabled}
