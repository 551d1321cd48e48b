"""Delegations: grant and revoke console roles (kept in Django's database, never in the directory)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from mailadmin import events
from mailadmin.addresses import display_domain, normalise_address
from mailadmin.audit import audited_action
from mailadmin.auth import entry_at, free_name
from mailadmin.directory import Directory
from mailadmin.directory import domains as ldap_domains
from mailadmin.directory.signin import SignInEntry
from mailadmin.fields import DomainNameField
from mailadmin.models import ROLE_NAMES, DirectoryIdentity, Role


def tie_identity(directory: Directory, user) -> DirectoryIdentity | None:
    """Record the entry `user` signs in as: the account whose primary address is its user name (its DN and
    entryUUID), or a pending identity when there is none yet. None for a user name that is not an address (it can
    only sign in with a local password)."""
    try:
        address = normalise_address(user.get_username())
    except ValueError:
        return None
    entry = entry_at(directory, address)
    identity, _created = DirectoryIdentity.objects.get_or_create(user=user)
    identity.dn, identity.entry_uuid = (entry.dn, entry.entry_uuid) if entry else ("", "")
    identity.save()
    return identity


def _entry_named(directory: Directory, name: str) -> SignInEntry | None:
    """The entry whose primary address is `name`, or None (no such account, or a name that is not an address)."""
    try:
        address = normalise_address(name)
    except ValueError:
        return None
    return entry_at(directory, address)


class RoleForm(forms.Form):
    """A role for a user name: a domain admin of one hosted domain, helpdesk of one domain or of all (blank), or an
    auditor (no domain). The console's role page and `manage.py adminrole` share it; its actions audit themselves."""

    username = forms.CharField(label=_l("User name"), max_length=150)
    kind = forms.ChoiceField(label=_l("Role"), choices=Role.KINDS)
    domain = DomainNameField(label=_l("Domain"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("kind") == Role.DOMAIN_ADMIN and not data.get("domain"):
            self.add_error("domain", _("A domain admin needs a domain."))
        if data.get("kind") == Role.AUDITOR and data.get("domain"):
            self.add_error("domain", _("An auditor reads every domain: leave the domain blank."))
        return data

    @property
    def target(self) -> str:
        """What the audit row names: the user, the role and its domain (`*`: every domain)."""
        data = self.cleaned_data
        return f"{data['username']} {data['kind']} {data['domain'] or '*'}"

    def grant(self, directory: Directory, *, actor: str) -> Role | None:
        return audited_action(self, actor, events.ROLE_GRANT, self.target, lambda: self._grant(directory))

    def revoke(self, *, actor: str) -> int | None:
        """Remove the role; return 1, or None (with a form error) when the user did not hold it."""
        return audited_action(self, actor, events.ROLE_REVOKE, self.target, self._revoke)

    def _grant(self, directory: Directory) -> Role | None:
        """Create the user when absent (it then signs in with its mailbox password: no local one) and the role.
        A new user, or one whose identity is still pending, is tied to the entry holding its address now; a console
        user still named by that address after another tool renamed its mailbox takes its new address first."""
        data = self.cleaned_data
        if data["domain"] and ldap_domains.get_domain(directory, data["domain"]) is None:
            self.add_error("domain", forms.ValidationError(_l("There is no domain %(name)s."),
                                                        params={"name": display_domain(data["domain"])}))
            return None
        holder = _entry_named(directory, data["username"])
        free_name(directory, data["username"], holder.entry_uuid if holder else "")
        user, created = get_user_model().objects.get_or_create(username=data["username"])
        if created:
            user.set_unusable_password()
            user.save()
        identity = DirectoryIdentity.objects.filter(user=user).first()
        if identity is None or identity.pending:
            tie_identity(directory, user)
        role, _created = Role.objects.get_or_create(user=user, kind=data["kind"], domain=data["domain"] or "")
        return role

    def revoke_question(self) -> tuple[str, str]:
        """The question and the consequence the page confirming the revocation shows."""
        data = self.cleaned_data
        shown = {"user": data["username"], "role": ROLE_NAMES[data["kind"]], "domain": display_domain(data["domain"])}
        if data["domain"]:
            question = _("Revoke the role %(role)s of %(domain)s from %(user)s?")
        elif data["kind"] == Role.HELPDESK:
            question = _("Revoke the role %(role)s of every domain from %(user)s?")
        else:
            question = _("Revoke the role %(role)s from %(user)s?")  # an auditor's, which names no domain
        return question % shown, _("From their next request on, %(user)s can no longer do what this role allows; "
                                   "any other role they hold stays. You can grant it again later.") % shown

    def held(self) -> bool:
        """Whether the user holds the role the (valid) form names: what the console asks about before revoking."""
        return self._named_role().exists()

    def _named_role(self):
        data = self.cleaned_data
        return Role.objects.filter(user__username=data["username"], kind=data["kind"], domain=data["domain"] or "")

    def _revoke(self) -> int | None:
        removed, _detail = self._named_role().delete()
        if not removed:
            self.add_error(None, forms.ValidationError(_l("%(user)s does not hold that role."),
                                                       params={"user": self.cleaned_data["username"]}))
            return None
        return removed
