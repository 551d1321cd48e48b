"""The directory layer: the only package that imports ldap3. It returns frozen dataclasses and raises its own errors."""

from .connection import Directory, connect
from .errors import AlreadyExists, Conflict, DirectoryError, DirectoryUnavailable, InUse, Invalid, Refused, TooManyResults

__all__ = [
    "AlreadyExists", "Conflict", "Directory", "DirectoryError", "DirectoryUnavailable", "InUse", "Invalid", "Refused",
    "TooManyResults", "connect",
]
