"""API tokens: a console user's own keys for the JSON API, acting with that user's roles."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "mla_"  # noqa: S105 (a fixed prefix, not a secret): recognisable in a leaked file or a secret scanner


def digest(token: str) -> str:
    """What the database keeps of a token: a token is 32 random bytes, so one SHA-256 round is enough (no guessable
    secret to slow down, unlike a password)."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """One token of one user. Only its SHA-256 digest is stored: the token itself is shown once, at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)  # the first characters, so its owner can tell tokens apart
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField(null=True, blank=True)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.user} {self.name}"

    @classmethod
    def issue(cls, user, name: str, expires=None) -> tuple[ApiToken, str]:
        """A new token for `user`: the row and the token, which is returned here only."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, digest=digest(token), hint=token[:12], expires=expires), token

    @classmethod
    def holder(cls, token: str) -> ApiToken | None:
        """The live token row matching `token` (not expired), or None."""
        row = cls.objects.select_related("user").filter(digest=digest(token)).first()
        if row is None or (row.expires is not None and row.expires <= timezone.now()):
            return None
        return row

    @property
    def expired(self) -> bool:
        return self.expires is not None and self.expires <= timezone.now()
