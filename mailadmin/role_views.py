"""Console users and their roles: superadmins grant and revoke (RoleForm, as `manage.py adminrole`); auditors read."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from mailadmin import auditlog
from mailadmin.directory import connect
from mailadmin.mfa import has_second_factor
from mailadmin.mfa_views import announce_reset, confirm_reset
from mailadmin.permissions import CONSOLE_USER, Access, access_for
from mailadmin.roles import RoleForm
from mailadmin.shortcuts import actor, confirm, confirm_first

RECENT_ACTIONS = 20


def _reads_console_users(access: Access) -> bool:
    return access.superadmin or access.auditor


def _require_reader(request: HttpRequest, *, acting: bool = False) -> None:
    """Superadmins and auditors read the role pages; nobody else (403). Only superadmins post, or open the page that
    asks before an action (`acting`): auditors never act."""
    access = access_for(request.user)
    if not _reads_console_users(access) or ((acting or request.method not in ("GET", "HEAD")) and not access.superadmin):
        raise PermissionDenied


def console_users_link(request: HttpRequest) -> dict:
    """Template context: whether the menu offers "Console users" (to those who may open it)."""
    return {"reads_console_users": request.user.is_authenticated and _reads_console_users(access_for(request.user))}


def _console_user(username: str):
    return get_user_model().objects.filter(CONSOLE_USER, username=username).distinct().first()


def _get_console_user_or_404(request: HttpRequest, username: str, *, acting: bool = False):
    _require_reader(request, acting=acting)
    user = _console_user(username)
    if user is None:
        raise Http404
    return user


def _user_page_or_list(username: str) -> HttpResponse:
    """The user's page while they are a console user; the list once they are not (their last role went)."""
    return redirect("roles:detail", username=username) if _console_user(username) else redirect("roles:list")


def _crumbs(username: str) -> tuple[tuple[str, str], ...]:
    """The trail of a confirmation page about a console user, ending at their page (where Cancel goes)."""
    return ((reverse("roles:list"), _("Console users")), (reverse("roles:detail", args=[username]), username))


def _list_page(request: HttpRequest, form: RoleForm, status: int = 200) -> HttpResponse:
    users = get_user_model().objects.filter(CONSOLE_USER).distinct().order_by("username").prefetch_related("mail_roles")
    return render(request, "roles/list.html", {"users": users, "form": form}, status=status)


@require_safe
def list_users(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    return _list_page(request, RoleForm())


@require_safe
def user_detail(request: HttpRequest, username: str) -> HttpResponse:
    """A console user's roles and recent actions."""
    user = _get_console_user_or_404(request, username)
    actions = auditlog.visible_rows(access_for(request.user), actor(request)).filter(actor=user.username)
    return render(request, "roles/detail.html", {
        "person": user, "roles": user.mail_roles.order_by("kind", "domain"), "actions": actions[:RECENT_ACTIONS],
        "form": RoleForm(initial={"username": user.username}), "has_second_factor": has_second_factor(user),
    })


@require_POST
def grant(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    form = RoleForm(request.POST)
    if form.is_valid():
        with connect() as directory:
            if form.grant(directory, actor=actor(request)) is not None:
                return redirect("roles:detail", username=form.cleaned_data["username"])
    return _list_page(request, form, status=422)


def _revoke(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    form = RoleForm(request.POST)
    if form.is_valid() and form.revoke(actor=actor(request)) is not None:
        return _user_page_or_list(form.cleaned_data["username"])
    return _list_page(request, form, status=422)


@confirm_first(_revoke)
def revoke(request: HttpRequest) -> HttpResponse:
    """Ask on GET whether to revoke the role that ?username=&kind=&domain= name (back to the user's page when they
    do not hold it, after a reload or in another tab), revoke on POST. Only superadmins are asked."""
    _require_reader(request, acting=True)
    form = RoleForm(request.GET)
    if not (form.is_valid() and form.held()):
        return _user_page_or_list(request.GET.get("username", ""))
    question, consequence = form.revoke_question()
    username = form.cleaned_data["username"]
    return confirm(request, _crumbs(username), question, consequence, _("Revoke"),
                   {"username": username, "kind": form.cleaned_data["kind"], "domain": form.cleaned_data["domain"]})


def _reset_mfa(request: HttpRequest, username: str) -> HttpResponse:
    user = _get_console_user_or_404(request, username)
    announce_reset(request, user.username)
    return redirect("roles:detail", username=user.username)


@confirm_first(_reset_mfa)
def reset_mfa(request: HttpRequest, username: str) -> HttpResponse:
    """Remove a user's authenticator and recovery codes (a lost phone), once confirmed: it enrols again at its next
    sign-in when its role requires a second factor."""
    user = _get_console_user_or_404(request, username, acting=True)
    return confirm_reset(request, _crumbs(user.username), user.username)
