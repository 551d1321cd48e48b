"""Sign-in and the dashboard."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mailadmin.directory import connect
from mailadmin.directory.stats import directory_counts

login = login_not_required(auth_views.LoginView.as_view(redirect_authenticated_user=True))


def dashboard(request: HttpRequest) -> HttpResponse:
    """Counts of domains, accounts, disabled accounts and virtual aliases."""
    with connect() as directory:
        counts = directory_counts(directory)
    return render(request, "dashboard.html", {"counts": counts})
