"""Mail users signed in for self-service see "My account" and nothing else of the console."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from mailadmin.sessions import is_mail_user

# What a mail user may reach besides its own pages: signing in and out, and its own second factor (mailadmin.mfa:
# the second step of sign-in, enrolling, turning it off).
OPEN_TO_MAIL_USERS = frozenset({"login", "logout"})
OPEN_NAMESPACES = frozenset({"selfservice", "mfa"})


class MailUserConfinementMiddleware:
    """A mail user's request for a console page is a 404 (the dashboard leads to "My account"), before the view
    runs: no console view has to know about mail users."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        match = request.resolver_match
        if not is_mail_user(request) or match.namespace in OPEN_NAMESPACES or match.url_name in OPEN_TO_MAIL_USERS:
            return None
        if match.view_name == "dashboard":
            return redirect("selfservice:account")
        raise Http404


def mail_user(request: HttpRequest) -> dict:
    """Template context: whether the page is for a mail user (the menu then offers only "My account")."""
    return {"is_mail_user": is_mail_user(request)}
