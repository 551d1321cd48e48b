"""Domain forms: they normalise input and own their directory action, for the console and the commands alike."""

from __future__ import annotations

import dataclasses

from django import forms
from django.utils.translation import gettext_lazy as _l

from mailadmin import events
from mailadmin.addresses import display_domain
from mailadmin.audit import audited
from mailadmin.directory import AlreadyExists, Conflict, Directory, InUse, Invalid
from mailadmin.directory import domains as ldap_domains
from mailadmin.directory.domains import MailDomain
from mailadmin.fields import CONFLICT_MESSAGE, DomainNameField, QuotaField, TextField, refused_error

GONE_MESSAGE = _l("Someone else removed this domain since you opened it.")


class DomainForm(forms.Form):
    """Add a domain (with `name`) or edit one (`domain=` given: the name is fixed, `version` guards the edit)."""

    name = DomainNameField(label=_l("Domain name"))
    description = TextField(label=_l("Description"))
    default_quota = QuotaField(label=_l("Default quota for new accounts"), required=False)
    # The entryCSN the form was opened at: the change applies only while the entry is still at that version.
    version = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, domain: MailDomain | None = None, **kwargs):
        self.domain = domain
        self.current: MailDomain | None = None  # the entry as someone else left it, after a conflict
        if domain is not None:
            kwargs.setdefault("initial", {
                "description": domain.description, "default_quota": domain.default_quota_kb, "version": domain.csn,
            })
        super().__init__(*args, **kwargs)
        del self.fields["version" if domain is None else "name"]

    def save(self, directory: Directory, *, actor: str) -> MailDomain | None:
        """Create or update the domain (audited as `actor`); on a refusal, add a form error and return None."""
        try:
            return self._add(directory, actor) if self.domain is None else self._change(directory, actor)
        except AlreadyExists:
            self.add_error("name", forms.ValidationError(_l("The domain %(name)s exists already."), code="in_use",
                                                         params={"name": display_domain(self.cleaned_data["name"])}))
        except Conflict:
            self._show_current(directory)
        except Invalid as e:
            self.add_error(None, refused_error(e))
        return None

    def _add(self, directory: Directory, actor: str) -> MailDomain:
        data = self.cleaned_data
        with audited(actor, events.DOMAIN_ADD, data["name"], new=data):
            return ldap_domains.create_domain(directory, data["name"], data["description"], data["default_quota"])

    def _change(self, directory: Directory, actor: str) -> MailDomain:
        assert self.domain is not None
        data = self.cleaned_data
        based_on = dataclasses.replace(self.domain, csn=data["version"])
        new = {"description": data["description"], "default_quota_kb": data["default_quota"]}
        with audited(actor, events.DOMAIN_CHANGE, self.domain.name, old=self.domain, new=new):
            return ldap_domains.update_domain(directory, based_on, **new)

    def _show_current(self, directory: Directory) -> None:
        """Keep what the user typed, show the current values, and let the next save apply over this version."""
        assert self.domain is not None
        self.current = ldap_domains.get_domain(directory, self.domain.name)
        if self.current is None:
            self.add_error(None, GONE_MESSAGE)
            return
        self.data = self.data.copy()
        self.data["version"] = self.current.csn
        self.add_error(None, CONFLICT_MESSAGE)


class RemoveDomainForm(forms.Form):
    """Confirm removal; `users` lists what still uses the domain after a refusal."""

    def __init__(self, *args, domain: MailDomain, **kwargs):
        self.domain = domain
        self.users: tuple[str, ...] = ()
        super().__init__(*args, **kwargs)

    def remove(self, directory: Directory, *, actor: str) -> bool:
        """Remove the domain (audited as `actor`); False with a form error while it is used or changed."""
        try:
            with audited(actor, events.DOMAIN_REMOVE, self.domain.name, old=self.domain):
                ldap_domains.remove_domain(directory, self.domain)
            return True
        except InUse as e:
            self.users = e.users
            self.add_error(None, forms.ValidationError(
                _l("%(name)s is still used by the addresses listed below; remove or move them first."),
                params={"name": self.domain.display_name}))
        except Conflict:
            self.add_error(None, CONFLICT_MESSAGE)
        return False
