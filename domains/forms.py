"""Domain forms: they normalise input and own their directory action, for the console and the commands alike."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from mailadmin.addresses import display_domain
from mailadmin.directory import AlreadyExists, Conflict, Directory, InUse, Invalid
from mailadmin.directory import domains as ldap_domains
from mailadmin.directory.domains import MailDomain

from .validators import DomainNameField, QuotaField, TextField

CONFLICT_MESSAGE = _l("Someone else changed this entry since you opened it. The current values are shown; "
                      "check them and save again.")


class DomainForm(forms.Form):
    """Add a domain (with `name`) or edit one (`domain=` given: the name is fixed)."""

    name = DomainNameField(label=_l("Domain name"))
    description = TextField(label=_l("Description"))
    default_quota = QuotaField(label=_l("Default quota for new accounts"), required=False)

    def __init__(self, *args, domain: MailDomain | None = None, **kwargs):
        self.domain = domain
        if domain is not None:
            kwargs.setdefault("initial", {
                "name": domain.display_name, "description": domain.description, "default_quota": domain.default_quota_kb,
            })
        super().__init__(*args, **kwargs)
        if domain is not None:
            del self.fields["name"]

    def save(self, directory: Directory) -> MailDomain | None:
        """Create or update the domain; on a directory refusal, add a form error and return None."""
        data = self.cleaned_data
        try:
            if self.domain is None:
                return ldap_domains.create_domain(directory, data["name"], data["description"], data["default_quota"])
            return ldap_domains.update_domain(
                directory, self.domain, description=data["description"], default_quota_kb=data["default_quota"]
            )
        except AlreadyExists:
            self.add_error("name", _("The domain %(name)s exists already.") % {"name": display_domain(data["name"])})
        except Conflict:
            self.add_error(None, CONFLICT_MESSAGE)
        except Invalid as e:
            self.add_error(None, _("The directory refused the change: %(reason)s") % {"reason": e})
        return None


class RemoveDomainForm(forms.Form):
    def __init__(self, *args, domain: MailDomain, **kwargs):
        self.domain = domain
        self.users: tuple[str, ...] = ()
        super().__init__(*args, **kwargs)

    def remove(self, directory: Directory) -> bool:
        try:
            ldap_domains.remove_domain(directory, self.domain)
            return True
        except InUse as e:
            self.users = e.users
            self.add_error(None, _("%(name)s is still used by the addresses listed below; remove or move them first.")
                           % {"name": self.domain.display_name})
        except Conflict:
            self.add_error(None, CONFLICT_MESSAGE)
        return False
