"""The API's view of an account's mailbox as Dovecot holds it: the vacation reply (read, changed and turned off with
the console's VacationForm, audited as `api:<user>`) and the usage against the quota, through doveadm's HTTP API.

A vacation lives in Dovecot, not in the directory, so its version is not an entryCSN: it is VacationState.version,
a digest of the Sieve script as Dovecot holds it (of the empty text when there is none), the same guard the form
carries in its hidden field. Dovecot not configured: 503; unreachable or refusing: 502."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from accounts.lookups import ACTIONS, get_account_or_404
from mailadmin import dovecot
from mailadmin.directory import connect
from mailadmin.directory.accounts import Account
from mailadmin.permissions import access_for
from mailadmin.vacation import FOREIGN, UNREACHABLE, VacationForm, read_vacation

from .core import ERRORS, WRITE_ERRORS, Problem, actor, api, form_problem, refused, required_version, versioned
from .schemas import ProblemOut, UsageOut, VacationOut, VacationPatch, usage_out, vacation_out

READ_ERRORS = {**ERRORS, 502: ProblemOut}
CHANGE_ERRORS = {**WRITE_ERRORS, 502: ProblemOut}


def _account(request: HttpRequest, address: str, fields: set[str]) -> Account:
    """The account (404 hidden, 403 unless `fields` may change); 503 when Dovecot's HTTP API is not configured."""
    with connect() as directory:
        account = get_account_or_404(request, directory, address, fields)
    if not dovecot.configured():
        raise Problem(503, _("Dovecot's doveadm HTTP API is not configured here (DOVEADM_URL, DOVEADM_API_KEY_FILE): "
                             "vacation replies and mailbox usage are not available."))
    return account


def _vacation_readers(request: HttpRequest) -> set[str]:
    """Who reads a vacation: whoever may change it, as on the account page (not the helpdesk), and the auditor, who
    reads every change of it in the audit log anyway."""
    return set() if access_for(request.user).auditor else ACTIONS["vacation"]


@api.get("/accounts/{address}/vacation", response={200: VacationOut, **READ_ERRORS}, tags=["mailbox"],
         url_name="vacation")
def get_vacation(request: HttpRequest, response: HttpResponse, address: str):
    """The account's vacation reply as Dovecot holds it; its version (ETag) is a digest of the Sieve script."""
    state = read_vacation(_account(request, address, _vacation_readers(request)))
    versioned(response, state.version)
    return vacation_out(state)


def _save(request: HttpRequest, response: HttpResponse, address: str, sent: dict) -> dict:
    """The console's vacation form bound with the vacation as it is and what was `sent` over it, saved (audited);
    412 when the script changed since the version in If-Match, 409 over a script mailadmin did not write."""
    account = _account(request, address, ACTIONS["vacation"])
    state = read_vacation(account)
    version = required_version(request, state.version, vacation_out(state))
    current = VacationForm(account=account, state=state).initial
    form = VacationForm({**current, **sent, "version": version}, account=account, state=state)
    if not form.is_valid():
        raise form_problem(form)
    if not form.save(actor=actor(request)):
        codes = {error.code for error in form.errors.as_data().get("__all__", [])}
        if UNREACHABLE in codes:
            raise Problem(502, str(form.errors["__all__"][0]))
        raise form_problem(form, 409) if FOREIGN in codes else refused(form, vacation_out(read_vacation(account)))
    state = read_vacation(account)
    versioned(response, state.version)
    return vacation_out(state)


@api.patch("/accounts/{address}/vacation", response={200: VacationOut, **CHANGE_ERRORS}, tags=["mailbox"])
def change_vacation(request: HttpRequest, response: HttpResponse, address: str, body: VacationPatch):
    """Turn the vacation reply on, change it or turn it off (`enabled`); only the fields sent change, the others keep
    their value (or the form's defaults while it is off: "Out of office", 7 days). Needs If-Match."""
    return _save(request, response, address, {key: getattr(body, key) for key in body.model_fields_set})


@api.delete("/accounts/{address}/vacation", response={200: VacationOut, **CHANGE_ERRORS}, tags=["mailbox"])
def remove_vacation(request: HttpRequest, response: HttpResponse, address: str):
    """Turn the vacation reply off (its script goes; the mailbox's own Sieve rules stay). Needs If-Match."""
    return _save(request, response, address, {"enabled": False})


@api.get("/accounts/{address}/usage", response={200: UsageOut, **READ_ERRORS}, tags=["mailbox"])
def get_usage(request: HttpRequest, address: str):
    """Storage and messages used against the quota, as Dovecot counts them (404 when Dovecot knows no such mailbox:
    a disabled account is unknown to it)."""
    account = _account(request, address, set())
    usage = dovecot.mailbox_usage(account.mail)
    if usage is None:
        raise Problem(404, _("Dovecot knows no mailbox for %(address)s (a disabled account is unknown to it).")
                      % {"address": account.mail})
    return usage_out(account.mail, usage)
