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
