"""What LDAP cannot hold: admin roles and delegations, the audit log, and the lock that serialises address claims."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mailadmin import events


class ClaimLock(models.Model):
    """One row per lock; updating it inside a transaction serialises address claims, across app hosts on PostgreSQL."""

    name = models.CharField(primary_key=True, max_length=32)
    taken = models.BigIntegerField(default=0)
    # The contextCSN values of the server the last claim was written to: the next claimer's server must hold them
    # before it checks, or a claim written to one provider could be missed by a check on another.
    seen = models.TextField(default="", blank=True)


class Role(models.Model):
    """A delegation: a domain admin of one domain, a helpdesk member (of one domain, or of all when blank), or an
    auditor (every domain, read-only; its domain is blank)."""

    DOMAIN_ADMIN = "domain_admin"
    HELPDESK = "helpdesk"
    AUDITOR = "auditor"
    KINDS = [(DOMAIN_ADMIN, _("domain admin")), (HELPDESK, _("helpdesk")), (AUDITOR, _("auditor"))]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_roles")
    kind = models.CharField(max_length=16, choices=KINDS)
    domain = models.CharField(max_length=253, blank=True, help_text=_("A-label; blank means every domain"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind", "domain"], name="unique_role")]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.domain or '*'}"


class DirectoryIdentity(models.Model):
    """The directory entry a console user signs in as, tied when its role is granted (or confirmed by a superadmin):
    whoever later creates an entry with the user's address cannot sign in as the user. Pending while `entry_uuid` is
    blank (the address had no mailbox at grant time): sign-in is then refused until `adminrole confirm`."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="directory_identity")
    dn = models.CharField(max_length=1024, blank=True)
    entry_uuid = models.CharField(max_length=36, blank=True)

    @property
    def pending(self) -> bool:
        return not self.entry_uuid

    def __str__(self) -> str:
        return f"{self.user} {self.dn or 'pending'}"


class SelfServicePolicy(models.Model):
    """Self-service ("My account" for mail users) off (or back on) for one domain, or for every domain when `domain`
    is blank. Without a row, it is on: both the blank row and the domain's row must allow it (mailadmin.self_service).
    Here, not in the selfservice app, because the domain page and the sign-in read it too."""

    domain = models.CharField(max_length=253, unique=True, blank=True)
    enabled = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.domain or '*'} {'on' if self.enabled else 'off'}"


# What the audit codes mean, for people reading the log in the console; a code missing here is shown as is.
ACTION_LABELS = {
    events.DOMAIN_ADD: _("Domain added"),
    events.DOMAIN_CHANGE: _("Domain changed"),
    events.DOMAIN_REMOVE: _("Domain removed"),
    events.DOMAIN_QUOTA_RESET: _("Quotas reset to the domain default"),
    events.DOMAIN_SELF_SERVICE: _("Self-service switched"),
    events.ACCOUNT_CREATE: _("Account created"),
    events.ACCOUNT_UPDATE: _("Account changed"),
    events.ACCOUNT_ENABLE: _("Account enabled"),
    events.ACCOUNT_DISABLE: _("Account disabled"),
    events.ACCOUNT_QUOTA: _("Quota changed"),
    events.ACCOUNT_PASSWORD: _("Password set"),
    events.ACCOUNT_ALIASES_ADD: _("Alias added"),
    events.ACCOUNT_ALIASES_REMOVE: _("Alias removed"),
    events.ACCOUNT_FORWARDS_ADD: _("Forward added"),
    events.ACCOUNT_FORWARDS_REMOVE: _("Forward removed"),
    events.ACCOUNT_VACATION: _("Vacation reply changed"),
    events.ACCOUNT_REMOVE: _("Account removed"),
    events.ACCOUNT_RENAME: _("Account address renamed"),
    events.ACCOUNT_ENABLE_MAIL: _("Mail enabled for a person"),
    events.VALIAS_CREATE: _("Virtual alias created"),
    events.VALIAS_UPDATE: _("Virtual alias changed"),
    events.VALIAS_ENABLE: _("Virtual alias enabled"),
    events.VALIAS_DISABLE: _("Virtual alias disabled"),
    events.VALIAS_REMOVE: _("Virtual alias removed"),
    events.VALIAS_RENAME: _("Virtual alias renamed"),
    events.ACCOUNT_IMPORT: _("Accounts imported"),
    events.DIRECTORY_FIX: _("Directory repaired"),
    events.ROLE_GRANT: _("Role granted"),
    events.ROLE_REVOKE: _("Role revoked"),
    events.ROLE_CONFIRM: _("Sign-in entry confirmed"),
    events.USER_RENAME: _("Sign-in name follows the renamed mailbox"),
    events.API_TOKEN_CREATE: _("API token created"),
    events.API_TOKEN_REVOKE: _("API token revoked"),
    events.AUDIT_PRUNE: _("Audit log pruned"),
    events.MFA_ENROL: _("Second factor enrolled"),
    events.MFA_RESET: _("Second factor reset"),
    events.MFA_REMOVE: _("Second factor turned off"),
}


# Why a change failed, for failures recorded from a directory error ("Conflict: modify …", see audit.audited): the
# error's kind in words instead of the LDAP operation.
FAILURE_LABELS = {
    "Conflict": _("Someone else changed this entry at the same time; nothing was changed."),
    "InUse": _("Other entries still use it; nothing was changed."),
    "AlreadyExists": _("The address or entry already exists; nothing was changed."),
    "Invalid": _("The directory refused a value; nothing was changed."),
    "DirectoryUnavailable": _("The directory could not be reached; nothing was changed."),
    "DirectoryError": _("The directory refused the change; nothing was changed."),
}


def message_text(message: dict) -> str:
    """A stored message ({"message", "params"}) in the current language. The values are filled in once, by %, which
    never reads a value as a format itself; a catalogue entry that does not fit them falls back to the message id."""
    text, params = str(message.get("message", "")), message.get("params") or {}
    if not params:
        return gettext(text)
    for template in (gettext(text), text):
        try:
            return template % params
        except (KeyError, TypeError, ValueError):
            continue
    return text


ROLE_NAMES = {Role.DOMAIN_ADMIN: _("domain admin"), Role.HELPDESK: _("helpdesk"), Role.AUDITOR: _("auditor")}
# The role an audit row's actor acted in (AuditEntry.role, see audit.acting_role), in words.
ACTING_ROLE_NAMES = {**ROLE_NAMES, "superadmin": _("superadmin"), "cli": _("command line"),
                     "self": _("mail user (self-service)")}


class AuditEntry(models.Model):
    """One change made through mailadmin, successful or not, with the values before and after, who made it from where
    and in which role. `domain` (the target's) is kept apart so that the log filters on it with an index."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.CharField(max_length=150)
    action = models.CharField(max_length=64)
    target = models.CharField(max_length=512, db_index=True)
    domain = models.CharField(max_length=253, blank=True)
    old = models.JSONField(default=dict, blank=True)
    new = models.JSONField(default=dict, blank=True)
    ok = models.BooleanField(default=True)
    detail = models.TextField(blank=True)
    # A refused form's messages as [{"message": its message id, "params": the values filled in}]: shown in the reader's
    # language (`failure`). Rows written before it have only `detail`.
    messages = models.JSONField(default=list, blank=True)
    client = models.GenericIPAddressField(null=True, blank=True)  # web changes only
    role = models.CharField(max_length=16, blank=True)  # superadmin, domain_admin, helpdesk, auditor, self, or cli

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        # A filtered page of the log reads the newest rows of one actor, domain or action: each index gives them in
        # order, so a page costs its own rows, not the table's (bench/audit_bench.py).
        indexes = [
            models.Index(fields=["domain", "-at", "-id"], name="audit_domain_at"),
            models.Index(fields=["actor", "-at", "-id"], name="audit_actor_at"),
            models.Index(fields=["action", "-at", "-id"], name="audit_action_at"),
        ]

    @property
    def action_label(self) -> str:
        """The action in words, in the current language (the code itself for an action without a label)."""
        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def role_label(self) -> str:
        """The role the actor acted in, in words in the current language (the code itself for an unknown one)."""
        return str(ACTING_ROLE_NAMES.get(self.role, self.role))

    @property
    def failure(self) -> str:
        """Why the change failed, in the current language: a refused form's messages, each translated then filled in
        with its values; a directory error by its kind; an older row's messages (one a line, in `detail`) through the
        catalogue, so that those recorded in English without values are translated and the others shown as recorded."""
        if self.messages:
            return " ".join(message_text(message) for message in self.messages)
        kind = self.detail.partition(":")[0]
        if kind in FAILURE_LABELS:
            return str(FAILURE_LABELS[kind])
        return " ".join(gettext(line) for line in self.detail.splitlines())

    @property
    def directory_error(self) -> str:
        """The error's own text ("Conflict: modify …") of a failure recorded from a directory error, for the row's
        page; "" for other rows."""
        return self.detail if not self.messages and self.detail.partition(":")[0] in FAILURE_LABELS else ""

    @property
    def role_change(self) -> tuple[str, str, str] | None:
        """(user, role in words, domain or "") of a role.grant/role.revoke entry, whose target is "user kind domain"
        ("*" for every domain); None for other entries."""
        user, kind, domain = (self.target.split(" ") + ["", ""])[:3]
        if not self.action.startswith("role.") or kind not in ROLE_NAMES:
            return None
        return user, str(ROLE_NAMES[kind]), "" if domain == "*" else domain


class AuditAddress(models.Model):
    """Every address a row names (its target, and the addresses among its old and new values), lower-case: the log
    finds an account's changes by one of its alias or forward addresses with an index, not a scan of the JSON."""

    entry = models.ForeignKey(AuditEntry, on_delete=models.CASCADE, related_name="addresses")
    address = models.CharField(max_length=320)

    class Meta:
        indexes = [models.Index(fields=["address", "entry"], name="audit_address")]
