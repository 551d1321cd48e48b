"""Django's makemessages, also extracting the short names this project imports: `_l` (gettext_lazy)."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    # xgettext knows `_` and Django's full names only: without this, every lazy label and help text would be missed.
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_l"]
