from accounts.status_command import StatusCommand


class Command(StatusCommand):
    help = "Enable a mail account (mailenable OK): it receives mail and may sign in again."
    enable = True
