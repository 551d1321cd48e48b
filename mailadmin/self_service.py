"""Whether mail users may sign in to "My account": everywhere (the row with a blank domain) and per domain. The
selfservice app, its command and the domain page read and switch it here."""

from mailadmin import events
from mailadmin.audit import record
from mailadmin.models import SelfServicePolicy


def self_service_allowed(domain: str) -> bool:
    """Whether mail users of `domain` (an A-label) may use self-service."""
    return not SelfServicePolicy.objects.filter(domain__in=("", domain.lower()), enabled=False).exists()


def set_self_service(domain: str, enabled: bool, *, actor: str) -> None:
    """Turn self-service on or off for `domain` (blank: every domain), with its audit row
    (`events.DOMAIN_SELF_SERVICE`, target `*` for every domain)."""
    SelfServicePolicy.objects.update_or_create(domain=domain.lower(), defaults={"enabled": enabled})
    record(actor, events.DOMAIN_SELF_SERVICE, domain.lower() or "*", new={"enabled": enabled})


def switched_off() -> list[SelfServicePolicy]:
    """The policies that turn self-service off, every domain's first."""
    return list(SelfServicePolicy.objects.filter(enabled=False).order_by("domain"))
