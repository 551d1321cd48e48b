"""What the apps' views share: reading a form's data, who acts, and who may create things."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from mailadmin.permissions import Access, access_for


def posted(request: HttpRequest):
    """The POST data, or None on GET: an empty POST (a bare confirmation) still binds the form."""
    return request.POST if request.method == "POST" else None


QUERY_MAX = 254  # longer than any address: a longer filter text cannot match anything useful


def filter_text(request: HttpRequest) -> str:
    """The ?q= text a list page is filtered by, stripped and cut to QUERY_MAX."""
    return request.GET.get("q", "").strip()[:QUERY_MAX]


def actor(request: HttpRequest) -> str:
    """Who the audit log names: the form actions write the rows."""
    return request.user.get_username()


def is_creator(access: Access) -> bool:
    return bool(access.superadmin or access.admin_of)


def require_creator(request: HttpRequest) -> Access:
    """Adding virtual aliases and enabling mail on people needs a domain to administer (403 otherwise)."""
    access = access_for(request.user)
    if not is_creator(access):
        raise PermissionDenied
    return access
