"""Directory outages become a 503 page that says so and offers a retry, and refusals a page that says what the
directory refused and what to change: never a 500."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from mailadmin.directory import DirectoryUnavailable, Refused, TooManyResults
from mailadmin.permissions import access_for

logger = logging.getLogger(__name__)


class DirectoryUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DirectoryUnavailable):
            logger.warning("directory unavailable: %s", exception)  # the causes: host, certificate, DN, never a secret
            if request.method == "POST" and request.headers.get("referer", "").startswith(request.build_absolute_uri("/")):
                messages.error(request, _("The directory is not reachable right now; nothing was changed. Try again."))
                return redirect(request.get_full_path())
            return render(request, "directory_unavailable.html", {"causes": _causes_for(request, exception)}, status=503)
        if isinstance(exception, Refused):  # before TooManyResults: a size-limited whole list is both
            return render(request, "directory_refused.html", {"refusal": exception}, status=502)
        if isinstance(exception, TooManyResults):
            return render(request, "too_many_results.html", status=422)
        return None


class MethodNotAllowedPageMiddleware:
    """A 405 (a GET of a URL that only takes a form's POST, such as signing out) is a page of the console: Django's
    is an empty body, which browsers replace with their own error page. Only Django's empty HTML ones: the JSON
    API's say something already (a HEAD's in its headers only: its body is dropped)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or response.streaming or response.content \
                or not response.get("Content-Type", "").startswith("text/html"):
            return response
        page = render(request, "405.html", status=405)
        page["Allow"] = response["Allow"]
        return page


def _causes_for(request: HttpRequest, exception: DirectoryUnavailable) -> tuple[str, ...]:
    """Why the directory cannot be used, for superadmins only: the causes name hosts, DNs and certificates, which are
    no one else's business."""
    user = getattr(request, "user", None)
    if user is None or not user.is_superuser:
        return ()
    return exception.causes or (str(exception),)


# What an auditor may still post: signing out, and its own second factor (the second step of sign-in, enrolling,
# turning it off), which is its sign-in, not the console's data.
SIGN_IN_STEPS = ("logout", "mfa:verify", "mfa:enrol", "mfa:remove")


class ReadOnlyAuditorMiddleware:
    """An auditor changes nothing: every request that could change data is refused (403) before its view runs, so no
    view has to remember it. Signing out and its own second factor stay possible (SIGN_IN_STEPS)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view, args, kwargs) -> HttpResponse | None:
        if request.method in ("GET", "HEAD", "OPTIONS") or not request.user.is_authenticated:
            return None
        if request.resolver_match.view_name in SIGN_IN_STEPS or not access_for(request.user).auditor:
            return None
        raise PermissionDenied
