"""What LDAP cannot hold: admin roles and delegations, the audit log, and the lock that serialises address claims."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ClaimLock(models.Model):
    """One row per lock; updating it inside a transaction serialises address claims, across app hosts on PostgreSQL."""

    name = models.CharField(primary_key=True, max_length=32)
    taken = models.BigIntegerField(default=0)


class Role(models.Model):
    """A delegation: a domain admin of one domain, or a helpdesk member (of one domain, or of all when blank)."""

    DOMAIN_ADMIN = "domain_admin"
    HELPDESK = "helpdesk"
    KINDS = [(DOMAIN_ADMIN, _("domain admin")), (HELPDESK, _("helpdesk"))]

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


# What the audit codes mean, for people reading the log in the console; a code missing here is shown as is.
ACTION_LABELS = {
    "domain.add": _("Domain added"),
    "domain.change": _("Domain changed"),
    "domain.remove": _("Domain removed"),
    "domain.self_service": _("Self-service switched"),
    "account.create": _("Account created"),
    "account.update": _("Account changed"),
    "account.enable": _("Account enabled"),
    "account.disable": _("Account disabled"),
    "account.quota": _("Quota changed"),
    "account.password": _("Password set"),
    "account.aliases.add": _("Alias added"),
    "account.aliases.remove": _("Alias removed"),
    "account.forwards.add": _("Forward added"),
    "account.forwards.remove": _("Forward removed"),
    "account.vacation": _("Vacation reply changed"),
    "account.remove": _("Account removed"),
    "account.enable_mail": _("Mail enabled for a person"),
    "valias.create": _("Virtual alias created"),
    "valias.update": _("Virtual alias changed"),
    "valias.enable": _("Virtual alias enabled"),
    "valias.disable": _("Virtual alias disabled"),
    "valias.remove": _("Virtual alias removed"),
    "account.import": _("Accounts imported"),
    "directory.fix": _("Directory repaired"),
    "role.grant": _("Role granted"),
    "role.revoke": _("Role revoked"),
    "role.confirm": _("Sign-in entry confirmed"),
}


class AuditEntry(models.Model):
    """One change made through mailadmin, successful or not, with the values before and after."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.CharField(max_length=150)
    action = models.CharField(max_length=64)
    target = models.CharField(max_length=512, db_index=True)
    old = models.JSONField(default=dict, blank=True)
    new = models.JSONField(default=dict, blank=True)
    ok = models.BooleanField(default=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    @property
    def action_label(self) -> str:
        """The action in words, in the current language (the code itself for an action without a label)."""
        return str(ACTION_LABELS.get(self.action, self.action))
