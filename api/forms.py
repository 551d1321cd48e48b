"""API tokens in the console: a user creates and revokes their own; both are audited like any other change."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _l

from mailadmin import audit, events
from mailadmin.fields import TextField

from .models import ApiToken

EXPIRY_DAYS_MAX = 3650


class TokenForm(forms.Form):
    """A new token: a name to tell it apart, and optionally the number of days it lives."""

    name = TextField(label=_l("Name"), max_length=100, help_text=_l("What uses it, e.g. “billing”."))
    days = forms.IntegerField(label=_l("Expires after (days)"), required=False, min_value=1, max_value=EXPIRY_DAYS_MAX,
                              help_text=_l("Empty: never expires (revoke it here)."))

    def save(self, user, *, actor: str) -> tuple[ApiToken, str]:
        """The new row and the token itself, which exists nowhere else: show it once."""
        days = self.cleaned_data["days"]
        expires = timezone.now() + timedelta(days=days) if days else None
        row, token = ApiToken.issue(user, self.cleaned_data["name"], expires)
        audit.record(actor, events.API_TOKEN_CREATE, user.get_username(),
                     new={"name": row.name, "hint": row.hint, "expires": expires.isoformat() if expires else None})
        return row, token


def revoke(row: ApiToken, *, actor: str) -> None:
    audit.record(actor, events.API_TOKEN_REVOKE, row.user.get_username(), old={"name": row.name, "hint": row.hint})
    row.delete()
