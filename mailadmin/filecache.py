"""Django's file cache with an add() that is atomic across processes, for CACHE_URL=filecache://… (settings.py).

The remembered counts and orders (directory/remembered.py) take their short locks and their once-per-value refreshes
with cache.add. Django's file cache checks for the file and then writes it, so two workers of one host could both
take the same lock. Here the new entry is written aside and hard-linked into place: link() fails when the file exists,
on every POSIX file system, so exactly one of two simultaneous adds takes the key."""

from __future__ import annotations

import os
import tempfile

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache


class FileCache(FileBasedCache):
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        fname = self._key_to_file(key, version)
        self._createdir()  # the cache directory may be deleted at any time
        fd, aside = tempfile.mkstemp(dir=self._dir)
        try:
            with open(fd, "wb") as f:
                self._write_content(f, timeout, value)
            for _ in range(2):  # the second after an expired entry was removed (has_key removes it)
                try:
                    os.link(aside, fname)
                    return True
                except FileExistsError:
                    if self.has_key(key, version):
                        return False
            return False
        finally:
            os.remove(aside)
