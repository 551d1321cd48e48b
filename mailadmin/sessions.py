"""Sessions end on their own: after SESSION_COOKIE_AGE, after SESSION_IDLE_TIMEOUT without a request, and, for users
signed in by an LDAP bind, once their entry is disabled, removed, replaced or its password changed (checked on every
request that may change data, and every SESSION_RECHECK_INTERVAL seconds otherwise)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from mailadmin.auth import login_name, password_stamp, tied_entry
from mailadmin.directory import DirectoryUnavailable
from mailadmin.directory.signin import SignInEntry

LDAP_BACKEND = "mailadmin.auth.LDAPBindBackend"
MAIL_USER_BACKEND = "selfservice.auth.MailUserBackend"
# Every backend that signs in by binding as the user's tied entry: console users, and mail users (self-service).
BIND_BACKENDS = (LDAP_BACKEND, MAIL_USER_BACKEND)
# Session keys: when the user signed in, was last seen, and its entry last checked (Unix times); the password stamp.
SIGNED_IN_AT = "mailadmin_signed_in_at"
SEEN_AT = "mailadmin_seen_at"
CHECKED_AT = "mailadmin_checked_at"
STAMP = "mailadmin_password_stamp"
SEEN_RESOLUTION = 60  # seconds: the last-seen time is written at most once a minute, not on every request
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def is_mail_user(request: HttpRequest) -> bool:
    """Signed in as a plain mail account (self-service), whatever roles its Django user may have gained since."""
    return request.user.is_authenticated and request.session.get(BACKEND_SESSION_KEY) == MAIL_USER_BACKEND


def start(sender, request: HttpRequest, user, **kwargs) -> None:
    """user_logged_in: the clocks of the new session, and the password stamp the sign-in bind saw."""
    now = time.time()
    request.session.update({SIGNED_IN_AT: now, SEEN_AT: now, CHECKED_AT: now})
    if getattr(user, "password_stamp", None):
        request.session[STAMP] = user.password_stamp


def _entry_of(request: HttpRequest) -> SignInEntry | None:
    return tied_entry(request.user, login_name(request.user.get_username()))


def _entry_still_valid(request: HttpRequest, now: float) -> bool:
    """For a user signed in by an LDAP bind: the tied entry is still there, enabled, with the same password."""
    session = request.session
    if session.get(BACKEND_SESSION_KEY) not in BIND_BACKENDS:
        return True
    if request.method in SAFE_METHODS and now - session.get(CHECKED_AT, 0) < settings.SESSION_RECHECK_INTERVAL:
        return True
    entry = _entry_of(request)
    if entry is None or password_stamp(entry) != session.get(STAMP):
        return False
    session[CHECKED_AT] = now
    return True


def _still_open(request: HttpRequest, now: float) -> bool:
    session = request.session
    signed_in, seen = session.setdefault(SIGNED_IN_AT, now), session.setdefault(SEEN_AT, now)
    if now - signed_in > settings.SESSION_COOKIE_AGE or now - seen > settings.SESSION_IDLE_TIMEOUT:
        return False
    if now - seen >= SEEN_RESOLUTION:
        session[SEEN_AT] = now
    return _entry_still_valid(request, now)


def keep_own_session(request: HttpRequest, dn: str) -> None:
    """After the user changed their own password here: this session goes on (others end at their next check)."""
    if request.session.get(BACKEND_SESSION_KEY) not in BIND_BACKENDS:
        return
    entry = _entry_of(request)
    if entry is not None and entry.dn.lower() == dn.lower():
        request.session[STAMP] = password_stamp(entry)


class SessionGuardMiddleware:
    """Signs out a session that has ended (see the module's docstring) before its request does anything."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            try:
                still_open = _still_open(request, time.time())
            except DirectoryUnavailable:
                # The entry cannot be checked: nothing is done on its behalf until it can.
                return render(request, "directory_unavailable.html", status=503)
            if not still_open:
                logout(request)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class PrivateResponsesMiddleware:
    """Pages shown to a signed-in user hold account data: no cache (browser or proxy) may keep them. Every response
    also says which browser features the console never uses (Permissions-Policy)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
