"""Sign-in and the dashboard."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mailadmin import audit
from mailadmin.directory import connect
from mailadmin.directory.stats import directory_counts
from mailadmin.permissions import access_for

login = login_not_required(auth_views.LoginView.as_view(redirect_authenticated_user=True))

RECENT_CHANGES = 15


def dashboard(request: HttpRequest) -> HttpResponse:
    """Counts of domains, accounts, disabled accounts and virtual aliases, and the latest changes: over every domain
    for superadmins and global helpdesk, over their own domains (and their own refusals) for everyone else."""
    scope = access_for(request.user).scope
    with connect() as directory:
        counts = directory_counts(directory, scope)
    changes = audit.recent(RECENT_CHANGES, domains=scope, actor=request.user.get_username())
    return render(request, "dashboard.html", {"counts": counts, "changes": changes})
