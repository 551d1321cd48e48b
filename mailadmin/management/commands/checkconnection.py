from django.core.management.base import BaseCommand, CommandError

from mailadmin.commands import write_json
from mailadmin.directory.diagnosis import FAILED, OK, WARNING, check_connection


class Command(BaseCommand):
    help = ("Walk each server of LDAP_URL step by step (resolve, TCP, TLS, bind, who-am-I, base and OUs, schema, "
            "controls, size limits) and print what is wrong and how to fix it. Changes nothing. Exit status 0 only "
            "when mailadmin can work with at least one server.")

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print a JSON document for scripts")

    def handle(self, *args, json, **options):
        if not (reports := check_connection()):
            raise CommandError("LDAP_URL is not set.")
        if json:
            write_json(self.stdout, {"usable": any(r.usable for r in reports), "servers": [
                {"url": r.url, "usable": r.usable, "steps": [
                    {"step": st.name, "status": st.status, "detail": st.detail, "fix": st.fix} for st in r.steps]}
                for r in reports]})
        else:
            for report in reports:
                self._print(report)
        if not any(r.usable for r in reports):
            raise CommandError("mailadmin cannot work with this directory: see the failed steps above.")

    def _print(self, report) -> None:
        self.stdout.write(report.url)
        style = {OK: self.style.SUCCESS, WARNING: self.style.WARNING, FAILED: self.style.ERROR}
        for step in report.steps:
            self.stdout.write(f"  {style[step.status](f'{step.status:<8}')}{step.name:<14}{step.detail}")
            if step.fix:
                self.stdout.write(f"  {'':<22}fix: {step.fix}")
        self.stdout.write(self.style.SUCCESS("  usable") if report.usable else self.style.ERROR("  not usable"))
