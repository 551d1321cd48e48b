"""The directory layer's own error types: nothing outside this package sees an ldap3 exception."""


class DirectoryError(Exception):
    """Something unexpected went wrong talking to the directory (logged where it is raised)."""


class DirectoryUnavailable(DirectoryError):
    """No directory server could be reached, answered in time, or accepted the service account, or the one that did
    lacks the base entries or schema mailadmin needs. `causes` holds one sentence per server or missing piece, each
    naming what to fix (never a secret); str() is those sentences, or the message when there are none."""

    def __init__(self, message: str = "", causes: tuple[str, ...] = ()):
        super().__init__(message)
        self.causes = causes

    def __str__(self) -> str:
        return "; ".join(self.causes) or super().__str__()


class AlreadyExists(DirectoryError):
    """The entry or address is already in the directory; `address` is taken by `holder` (an address), when known."""

    def __init__(self, message: str = "", address: str = "", holder: str = ""):
        super().__init__(message or address)
        self.address = address
        self.holder = holder


class Conflict(DirectoryError):
    """The entry changed (or vanished) since it was read: the write was not applied."""


class InUse(DirectoryError):
    """The entry cannot be removed while other entries use it; `users` names them."""

    def __init__(self, message: str, users: tuple[str, ...] = ()):
        super().__init__(message)
        self.users = users


class Invalid(DirectoryError):
    """A value the directory would refuse or mis-store (bad syntax, over the schema's bounds)."""


class TooManyResults(DirectoryError):
    """The directory refused to return that many entries: narrow the search."""


class OutOfRange(DirectoryError):
    """A VLV window was asked for beyond the end of the sorted result (slapd's result 76)."""


class Refused(DirectoryError):
    """The directory answered but would not do it: a control it lacks, unwillingToPerform, a size, time or
    administrative limit, missing rights. `what` says what it refused, `remedy` what to change on the server."""

    def __init__(self, what: str, remedy: str):
        super().__init__(f"{what} {remedy}")
        self.what = what
        self.remedy = remedy


class SizeLimited(Refused, TooManyResults):
    """A whole list (every account, every domain, a count) stopped at the bind account's size limit: narrowing the
    search cannot help, the limit must be raised."""
