from django.core.management.base import BaseCommand

from domains.forms import DomainForm
from mailadmin.addresses import format_quota
from mailadmin.commands import actor, directory_command, run_form


class Command(BaseCommand):
    help = "Create a mail domain: virtualdomain=NAME,ou=mailDomains,<base> with an optional default quota."

    def add_arguments(self, parser):
        parser.add_argument("name", help="domain name; Unicode names are stored as IDNA A-labels")
        parser.add_argument("--description", default="", help="free text shown in the console")
        parser.add_argument(
            "--quota", default="", help="default quota for new accounts: 200M, 1.5G, 204800 (kB), unlimited"
        )

    def handle(self, *args, name, description, quota, **options):
        form = DomainForm(data={"name": name, "description": description, "default_quota": quota})
        with directory_command() as directory:
            domain = run_form(
                form, lambda: form.save(directory, actor=actor()), {"default_quota": "quota"}
            )
        quota_text = format_quota(domain.default_quota_kb) if domain.default_quota_kb is not None else "none"
        self.stdout.write(self.style.SUCCESS(
            f"Created domain {domain.display_name} ({domain.dn}), default quota {quota_text}."
        ))
