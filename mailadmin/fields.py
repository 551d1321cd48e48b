"""Form fields, messages and address checks shared by every app's forms and commands: the fields normalise what people
type into what the directory stores."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mailadmin import addresses
from mailadmin.addresses import display_address, domain_of
from mailadmin.directory import AlreadyExists, Directory, Invalid, claims
from mailadmin.directory import domains as ldap_domains
from mailadmin.permissions import Access, is_admin_address

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


_USE_MESSAGES = {
    claims.ACCOUNT: _("%(address)s is already the address of the account %(owner)s."),
    claims.ACCOUNT_ALIAS: _("%(address)s is already an alias of the account %(owner)s."),
    claims.VIRTUAL_ALIAS: _("%(address)s is already a virtual alias."),
}


def in_use_error(directory: Directory, error: AlreadyExists) -> ValidationError:
    """A form error naming where the refused address is used (one more lookup, on the error path only), with the code
    "in_use": the JSON API answers it with 409. Its message id and values stay apart, so that the audit log shows it
    in its reader's language (audit.refusal_messages)."""
    uses = claims.uses(directory, error.address) if "@" in error.address else []
    values = {"address": display_address(error.address)}
    if not uses:
        return ValidationError(_("%(address)s is already in use."), code="in_use", params=values)
    return ValidationError(_USE_MESSAGES[uses[0].kind], code="in_use",
                           params={**values, "owner": display_address(uses[0].owner)})


def check_free(form: forms.Form, field: str, address: str, directory: Directory, *, owner_dn: str = "") -> None:
    """For a dry run: the "in use" error on `field` when an entry other than `owner_dn` accepts `address`, found by
    the very check the write makes (claims.ensure_free)."""
    try:
        claims.ensure_free(directory, [address], owner_dn=owner_dn)
    except AlreadyExists as e:
        form.add_error(field, in_use_error(directory, e))


def refused_error(error: Invalid) -> ValidationError:
    """The directory's refusal as a form error; its reason is the server's own text."""
    return ValidationError(_("The directory refused the change: %(reason)s"), params={"reason": str(error)})


def check_new_addresses(form: forms.Form, field: str, values: Iterable[str], directory: Directory,
                        access: Access | None) -> bool:
    """Addresses an entry is to accept must be in a domain the directory hosts and, for console users, one they
    administer (so nobody claims mail of another customer's domain); below superadmins, never the address a console
    user signs in with (it would let them sign in as that user). Adds errors to `field`; True when all pass."""
    values = list(values)
    hosted = ldap_domains.hosted(directory, {domain_of(v) for v in values})
    for value in values:
        shown = {"address": display_address(value)}
        # "Not administered" comes first: another customer's domain and a domain not hosted here get the same answer,
        # so the message does not tell a domain admin which domains are hosted.
        if access is not None and not access.administers(domain_of(value)):
            form.add_error(field, ValidationError(_("You do not administer the domain of %(address)s."), params=shown))
        elif domain_of(value) not in hosted:
            form.add_error(field, ValidationError(_("%(address)s is not in a domain hosted here."), params=shown))
        elif access is not None and not access.superadmin and is_admin_address(value):
            form.add_error(field, ValidationError(_("%(address)s is the sign-in address of a console user: only a "
                                                    "superadmin may give it to an account or list."), params=shown))
    return field not in form.errors
