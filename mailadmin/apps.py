from django.apps import AppConfig


class MailadminConfig(AppConfig):
    name = "mailadmin"
    verbose_name = "mailadmin"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import auth, checks, sessions  # noqa: F401 - checks registers the system checks

        user_logged_in.connect(sessions.start, dispatch_uid="mailadmin.sessions.start")
        user_logged_in.connect(auth.forget_failures, dispatch_uid="mailadmin.auth.forget_failures")
