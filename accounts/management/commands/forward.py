from accounts.address_command import AddressCommand


class Command(AddressCommand):
    help = ("Add or remove a forward of an account, as the console does; --keep-copy keeps a copy in the mailbox. "
            "Example: forward add alice@example.org alice@elsewhere.net --keep-copy")
    kind = "forwards"
