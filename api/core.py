"""The JSON API's frame: the NinjaAPI object, token authentication, the per-token throttle, versions (ETag and
If-Match) and the one error shape, application/problem+json (RFC 9457)."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from mailadmin.directory import DirectoryUnavailable, Refused, TooManyResults
from mailadmin.dovecot import DovecotUnavailable
from mailadmin.fields import CONFLICT_MESSAGE
from mailadmin.permissions import CONSOLE_USER

from .models import ApiToken
from .schemas import ProblemOut

logger = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
LAST_USED_EVERY = 60  # seconds: the "last used" column is a hint, not a log; one write a minute per token is enough


class Problem(Exception):
    """An answer other than success: `status`, a one-line `title`, field `errors` keyed by field (the forms' own
    messages), and for 412 the `current` value of the resource."""

    def __init__(self, status: int, title: str, *, errors: dict | None = None, current: dict | None = None):
        super().__init__(title)
        self.status, self.title, self.errors, self.current = status, title, errors or {}, current


def form_problem(form, status: int = 422) -> Problem:
    """A bound form's errors, keyed by field; the errors of no field are under "_"."""
    errors = {("_" if field == "__all__" else field): [str(m) for m in messages] for field, messages in form.errors.items()}
    first = next(iter(errors.values()), [_("The request was refused.")])[0]
    return Problem(status, first, errors=errors)


def conflicted(form) -> bool:
    """True when the directory refused the form's change because the entry changed since the version it was based
    on (the forms say so with CONFLICT_MESSAGE)."""
    return str(CONFLICT_MESSAGE) in form.errors.get("__all__", [])


def in_use(form) -> bool:
    """True when the form refused an address because another entry holds it (fields.in_use_error's code)."""
    return any(e.code == "in_use" for errors in form.errors.as_data().values() for e in errors)


def etag(version: str) -> str:
    return f'"{version}"'


def _opaque(tag: str) -> str:
    """An entity tag without its weakness mark: If-None-Match compares weakly (RFC 9110, 13.1.2)."""
    return tag.removeprefix("W/")


def conditional(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a view of the API: a GET that succeeds carries an ETag (its resource's version, or for a list a weak
    digest of the answer), and is answered 304 Not Modified, without a body, when If-None-Match names it."""
    @functools.wraps(view)
    def answer(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.method != "GET" or response.status_code != 200:
            return response
        if not response.has_header("ETag"):
            response["ETag"] = f'W/"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        held = {_opaque(tag) for tag in parse_etags(request.headers.get("If-None-Match", ""))}
        if not ({"*", _opaque(response["ETag"])} & held):
            return response
        not_modified = HttpResponseNotModified()
        for header in ("ETag", "Content-Location", "Cache-Control", "Vary"):
            if response.has_header(header):
                not_modified[header] = response[header]
        return not_modified
    return answer


def head_as_get(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a view of the API: HEAD is GET without the body (RFC 9110, 9.3.2). The GET runs, with its token check,
    throttle and If-None-Match, and its status and headers are answered with the Content-Length its body would have
    had; the body is dropped here rather than left to the WSGI server (not every one drops it)."""
    @functools.wraps(view)
    def answer(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "HEAD":
            return view(request, *args, **kwargs)
        request.method = "GET"
        try:
            response = view(request, *args, **kwargs)
        finally:
            request.method = "HEAD"
        response["Content-Length"] = str(len(response.content))
        response.content = b""
        return response
    return answer


def method_refused_as_json(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a view of the API: ninja answers a method a path does not offer with a text/html 405; make it the one
    error shape, keeping its Allow header."""
    @functools.wraps(view)
    def answer(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code != 405:
            return response
        refusal = problem_response(request, Problem(405, _("This method is not offered here: see the Allow header.")))
        offered = response["Allow"].split(", ")
        refusal["Allow"] = ", ".join([*offered, "HEAD"] if "GET" in offered else offered)  # head_as_get answers it
        return refusal
    return answer


def required_version(request: HttpRequest, current: str, value: dict) -> str:
    """The version the client's If-Match names: 428 when absent, 412 with the current `value` when stale."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise Problem(428, _("Send the version you read (its ETag) in an If-Match header."))
    versions = [v.strip().removeprefix("W/").strip('"') for v in header.split(",")]
    if "*" in versions:
        return current
    if current not in versions:
        raise Problem(412, _("Someone else changed this entry since you read it: its current value is attached."),
                      current=value)
    return current


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: a live token of a console user (a superadmin or the holder of a role), who
    then acts with that user's roles, as on the console."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        row = ApiToken.holder(token)
        if row is None or not row.user.is_active or not type(row.user).objects.filter(CONSOLE_USER, pk=row.user_id).exists():
            return None
        request.user = row.user
        now = timezone.now()
        if row.last_used is None or (now - row.last_used).total_seconds() > LAST_USED_EVERY:
            ApiToken.objects.filter(pk=row.pk).update(last_used=now)
        return row


class TokenRateThrottle(SimpleRateThrottle):
    """MAIL_API_RATE requests per token (e.g. "600/min"), read at every request so a changed setting applies."""

    scope = "api-token"
    THROTTLE_RATES = {"api-token": "600/min"}

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = settings.MAIL_API_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        return f"throttle_api_token_{request.auth.digest}" if request.auth else None


api = NinjaAPI(
    title="mailadmin API", version="1", urls_namespace="api", auth=TokenAuth(), throttle=[TokenRateThrottle()],
    description="Provisioning of mail domains, accounts and virtual aliases, on the console's own rules. Every GET "
                "operation also answers HEAD: the same status and headers, without the body.",
    docs_url=None,  # the OpenAPI document is served (openapi.json); no Swagger page loading scripts from a CDN
)


def problem_response(request: HttpRequest, problem: Problem) -> HttpResponse:
    body = {"type": "about:blank", "title": problem.title, "status": problem.status}
    if problem.errors:
        body["errors"] = problem.errors
    if problem.current is not None:
        body["current"] = problem.current
    response = api.create_response(request, body, status=problem.status)
    response["Content-Type"] = PROBLEM
    if problem.current is not None and "version" in problem.current:
        response["ETag"] = etag(problem.current["version"])
    return response


def _handler(status: int, title: str, log: bool = False):
    """An exception handler answering `status` with `title` (a lazy translation, rendered per request)."""
    def handle(request: HttpRequest, exc: Exception) -> HttpResponse:
        if log:
            logger.warning("API request refused: %s", exc)
        return problem_response(request, Problem(status, str(title)))
    return handle


@api.exception_handler(Problem)
def _problem(request: HttpRequest, exc: Problem) -> HttpResponse:
    return problem_response(request, exc)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Malformed JSON or a value of the wrong type: keyed by field like the forms' errors."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload", "query", "path")]
        errors.setdefault(".".join(location) or "_", []).append(error.get("msg", "invalid"))
    return problem_response(request, Problem(422, _("The request is not valid."), errors=errors))


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = problem_response(request, Problem(429, _("Too many requests: slow down.")))
    if exc.wait:
        response["Retry-After"] = str(int(exc.wait) + 1)
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem_response(request, Problem(exc.status_code, str(exc)))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem_response(request, Problem(401, _("Send a valid API token: Authorization: Bearer <token>.")))
    response["WWW-Authenticate"] = 'Bearer realm="mailadmin"'
    return response


api.add_exception_handler(Http404, _handler(404, _l("Not found.")))
api.add_exception_handler(PermissionDenied, _handler(403, _l("You may not do this.")))
api.add_exception_handler(DirectoryUnavailable, _handler(503, _l("The directory is not reachable right now; nothing was "
                                                                 "changed. Try again."), log=True))
api.add_exception_handler(Refused, _handler(502, _l("The directory refused the request."), log=True))
api.add_exception_handler(TooManyResults, _handler(422, _l("Too many results: narrow the search.")))
api.add_exception_handler(DovecotUnavailable, _handler(502, _l("Dovecot cannot be reached right now, or it refused "
                                                               "the request; nothing was changed. Try again."), log=True))


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Anything else (a bug, a directory error no handler above knows): logged with its traceback, answered as JSON
    (ninja's default is Django's HTML 500 page, or a plain-text traceback with DEBUG)."""
    logger.exception("API request failed: %s %s", request.method, request.path)
    return problem_response(request, Problem(500, _("Something went wrong on the server; it is logged. Whether the "
                                                    "change was made is not known: read the resource again.")))


# --- What every operation shares ------------------------------------------------------------------------------------

ERRORS = {code: ProblemOut for code in (401, 403, 404, 422, 429, 503)}
WRITE_ERRORS = {**ERRORS, 409: ProblemOut, 412: ProblemOut, 428: ProblemOut}


def actor(request: HttpRequest) -> str:
    """Who the audit log names for a change made through the API."""
    return f"api:{request.user.get_username()}"


def versioned(response: HttpResponse, version: str) -> None:
    response["ETag"] = etag(version)


def refused(form, current: dict | None = None) -> Problem:
    """The answer to a form that refused: 412 when the entry changed meanwhile, 409 when an address is taken (the
    message names its holder), 422 otherwise."""
    if conflicted(form):
        return Problem(412, str(form.errors["__all__"][0]), current=current)
    return form_problem(form, 409 if in_use(form) else 422)


def versioned_write(request: HttpRequest, directory, entry, value: Callable[[object], dict], make_form, act,
                    now: Callable[[], dict | None]):
    """The road of every write to an existing entry: check If-Match against `entry.csn` (412 with `value(entry)`),
    bind `make_form(entry at the version sent)`, run `act(form, directory)` (the form action, audited) and return its
    result; a refusal raises refused(form) with `now()`, the entry as it is after someone else's change."""
    version = required_version(request, entry.csn, value(entry))
    form = make_form(dataclasses.replace(entry, csn=version))
    if not form.is_valid():
        raise form_problem(form)
    result = act(form, directory)
    if result is None:
        raise refused(form, now())
    return result
