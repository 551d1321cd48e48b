"""Forms of the console's cross-domain tools (the route tool)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _l

from mailadmin.fields import AddressField


class RouteForm(forms.Form):
    """The address to follow through Postfix's lookups; Unicode domains are accepted and stored as A-labels."""

    address = AddressField(label=_l("Address"), help_text=_l("For example alice@example.org or a virtual alias."))
