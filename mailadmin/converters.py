"""The path converter for segments that name a directory entry (a domain, an address, a uid)."""

from __future__ import annotations


class EntryConverter:
    """Like `str`, but linking never fails: the values come from the directory, which other tools write too, and a
    single value holding "/" (say a legacy list address) would otherwise break every page that lists it with
    NoReverseMatch. Such a value is linked with its "/" escaped; the link then answers 404, as the value is no
    address or domain the console accepts."""

    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value.replace("/", "%2F")
