from accounts.address_command import AddressCommand


class Command(AddressCommand):
    help = ("Add or remove an alias (an extra address) of an account, as the console does: the alias must be in a "
            "hosted domain and free. Example: alias add alice@example.org a.martin@example.org")
    kind = "aliases"
