from django.apps import AppConfig


class MailadminConfig(AppConfig):
    name = "mailadmin"
    verbose_name = "mailadmin"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the system checks
