"""Whether mail users may sign in to "My account": everywhere (the row with a blank domain) and per domain."""

from django.db import models


class SelfServicePolicy(models.Model):
    """Self-service off (or back on) for one domain, or for every domain when `domain` is blank. Without a row, it
    is on: both the blank row and the domain's row must allow it."""

    domain = models.CharField(max_length=253, unique=True, blank=True)
    enabled = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.domain or '*'} {'on' if self.enabled else 'off'}"


def self_service_allowed(domain: str) -> bool:
    """Whether mail users of `domain` (an A-label) may use self-service."""
    return not SelfServicePolicy.objects.filter(domain__in=("", domain.lower()), enabled=False).exists()


def set_self_service(domain: str, enabled: bool) -> None:
    """Turn self-service on or off for `domain` (blank: every domain)."""
    SelfServicePolicy.objects.update_or_create(domain=domain.lower(), defaults={"enabled": enabled})
