"""Form fields and messages shared by every app's forms and commands: the fields normalise what people type into what
the directory stores."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mailadmin import addresses

CONFLICT_MESSAGE = _("Someone else changed this entry since you opened it. The current values are shown; "
                     "check them and save again.")


def _normalised(function, value):
    try:
        return function(value)
    except ValueError as e:
        raise ValidationError(str(e), code="invalid") from None


class DomainNameField(forms.CharField):
    """A domain as typed (Unicode allowed); cleaned to its lower-case A-label."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", addresses.DOMAIN_MAX)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return _normalised(addresses.normalise_domain, value) if value else value


class AddressField(forms.CharField):
    """An address; cleaned to `local@a-label`. The domain is the part after the last "@"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", addresses.ADDRESS_MAX)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return _normalised(addresses.normalise_address, value) if value else value


class AddressListField(forms.CharField):
    """Several addresses, one per line (commas and spaces also separate); cleaned to a tuple without duplicates."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value) or ""
        items = [item for item in value.replace(",", " ").split() if item]
        cleaned: list[str] = []
        errors = []
        for item in items:
            try:
                address = addresses.normalise_address(item)
            except ValueError as e:
                errors.append(ValidationError(str(e), code="invalid"))
                continue
            if address not in cleaned:
                cleaned.append(address)
        if errors:
            raise ValidationError(errors)
        return tuple(cleaned)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return "\n".join(addresses.display_address(v) for v in value)
        return value


class QuotaField(forms.CharField):
    """A quota typed in human units (200M, 1.5G, unlimited); cleaned to kB (0 = unlimited), or None when empty."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "help_text", _("For example 500M, 1.5G, 204800 (kB) or “unlimited”.")
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return _normalised(addresses.parse_quota, value) if value not in (None, "") else None

    def prepare_value(self, value):
        return addresses.format_quota(value) if isinstance(value, int) else value


class TextField(forms.CharField):
    """Free text for the directory: stripped, no control characters, at most the schema's 512 characters."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", addresses.TEXT_MAX)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return _normalised(addresses.check_text, value)


class LocalPartField(forms.CharField):
    """The part before the "@"; cleaned to lower case, a conservative dot-atom that is safe in a mailbox path."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", addresses.LOCAL_MAX)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return _normalised(addresses.normalise_local_part, value) if value else value


class UidField(forms.CharField):
    """A login (uid); cleaned to lower case and refused when it could leave the mailbox base through %uid%."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return _normalised(addresses.normalise_uid, value) if value else value


class HostField(forms.CharField):
    """An ASCII host name (or [address]) for mailhost/mailproxy; empty stays empty."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", addresses.HOST_MAX)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        return _normalised(addresses.normalise_host, super().clean(value))
