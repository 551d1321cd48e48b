from accounts.status_command import StatusCommand


class Command(StatusCommand):
    help = "Disable a mail account (mailenable NONE): its mail bounces, it cannot sign in; nothing is deleted."
    enable = False
