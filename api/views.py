"""The console page where a user manages their own API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mailadmin.shortcuts import actor, posted

from .forms import TokenForm, revoke
from .models import ApiToken


def tokens(request: HttpRequest) -> HttpResponse:
    """The user's tokens and a form for a new one; a new token is shown once, on the response to the POST."""
    form = TokenForm(posted(request))
    shown = None
    if request.method == "POST" and form.is_valid():
        _row, shown = form.save(request.user, actor=actor(request))
        form = TokenForm()
    response = render(request, "api/tokens.html", {
        "form": form, "tokens": ApiToken.objects.filter(user=request.user), "shown": shown,
    }, status=201 if shown else 200)
    add_never_cache_headers(response)
    return response


@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the user's own tokens (someone else's: 404)."""
    row = get_object_or_404(ApiToken, pk=pk, user=request.user)
    revoke(row, actor=actor(request))
    messages.success(request, _("Revoked the token “%(name)s”.") % {"name": row.name})
    return redirect("tokens:list")
