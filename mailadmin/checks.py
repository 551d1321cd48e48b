"""Start-up checks: bad configuration fails with a message that names the variable."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured

from mailadmin.addresses import mailbox_path

# Keys that were ever published (ours in .env.example, Django's placeholder prefix): refused in production.
KNOWN_KEYS = ("change-me-to-a-long-random-string", "django-insecure-", "changeme", "secret")


@register()
def configuration(app_configs, **kwargs) -> list:
    from mailadmin.directory.checks import ldap_configuration

    errors = ldap_configuration()
    key = settings.SECRET_KEY
    if not settings.DEBUG and (len(key) < 32 or any(key.startswith(known) for known in KNOWN_KEYS)):
        errors.append(Error("SECRET_KEY is a published default or shorter than 32 characters while DEBUG is off.",
                            hint="Set SECRET_KEY (or SECRET_KEY_FILE) to a long random string.", id="mailadmin.E004"))
    try:
        mailbox_path(settings.MAIL_MAILBOX_TEMPLATE, "uid", "local@example.org")
    except ValueError:
        errors.append(Error("MAIL_MAILBOX_TEMPLATE must be an absolute path that placeholders cannot leave.",
                            id="mailadmin.E005"))
    if "%" not in settings.MAIL_MAILBOX_TEMPLATE:
        errors.append(Error("MAIL_MAILBOX_TEMPLATE has no placeholder: every account would share one mailbox.",
                            hint="Use %uid%, %mail%, %domain% or %local%.", id="mailadmin.E006"))
    if settings.MAIL_DEFAULT_QUOTA < 0:
        errors.append(Error("MAIL_DEFAULT_QUOTA must be 0 (unlimited) or more kB.", id="mailadmin.E007"))
    errors.extend(_session_errors())
    errors.extend(_doveadm_errors())
    return errors


def _doveadm_errors() -> list:
    """Dovecot's doveadm HTTP API (usage, vacation replies) is optional, but a half or wrong setting is a mistake."""
    url, key_file = settings.DOVEADM_URL, settings.DOVEADM_API_KEY_FILE
    problems = [
        (bool(url) and not url.startswith(("http://", "https://")), "DOVEADM_URL must be an http:// or https:// URL."),
        (bool(url) != bool(key_file), "DOVEADM_URL and DOVEADM_API_KEY_FILE go together: set both, or neither."),
        (settings.DOVEADM_TIMEOUT <= 0, "DOVEADM_TIMEOUT must be a positive number of seconds."),
    ]
    return [Error(message, id="mailadmin.E012") for wrong, message in problems if wrong]


def _session_errors() -> list:
    """Zero or less would end every session at once, or (for the failure limit) lock every sign-in."""
    names = ("SESSION_COOKIE_AGE", "SESSION_IDLE_TIMEOUT", "SESSION_RECHECK_INTERVAL", "AXES_FAILURE_LIMIT")
    return [Error(f"{name} must be a positive whole number.", id="mailadmin.E011")
            for name in names if getattr(settings, name) < 1]


@register(deploy=True)
def mail_schema(app_configs, **kwargs) -> list:
    """Warn when the server lacks mail schema names (checked with --deploy, which needs the directory)."""
    from mailadmin.directory import DirectoryError
    from mailadmin.directory.subschema import missing_schema

    try:
        missing = missing_schema()
    except (DirectoryError, ImproperlyConfigured) as e:
        return [Warning(f"Could not read the directory's schema: {e}", id="mailadmin.W002")]
    if missing:
        return [Warning("The directory lacks mail schema names: " + ", ".join(missing),
                        hint="Load mailadmin/directory/slapd/mail.schema (see README).", id="mailadmin.W001")]
    return []


@register(deploy=True)
def directory_requirements(app_configs, **kwargs) -> list:
    """Warn about a bind as the rootdn, a directory without sssvlv, and missing indexes, with the lines that fix each."""
    from mailadmin.directory import DirectoryError, connect
    from mailadmin.directory import requirements as r

    try:
        with connect() as directory:
            rootdn, vlv, missing = r.bound_as_rootdn(directory), directory.features.vlv, r.missing_indexes(directory)
    except (DirectoryError, ImproperlyConfigured):
        return []  # mail_schema's W002 already says the directory could not be read
    warnings = []
    if rootdn:
        warnings.append(Warning(
            f"LDAP_BIND_DN ({settings.LDAP_BIND_DN}) is the directory's rootdn, which no access rule or limit binds.",
            hint="Bind as a service account with write access to the users, domains and aliases branches only, and "
                 "unlimited paged results (README, The directory).", id="mailadmin.W011"))
    if not vlv:
        warnings.append(Warning(
            "The directory has no sssvlv overlay: domain pages and counts page through every address.",
            hint=r.SSSVLV_LINES, id="mailadmin.W012"))
    if missing or (missing is None and not vlv):  # unreadable config on a stock directory: its indexes are Debian's
        lines = missing or [f"{attr} {types}" for attr, types in r.INDEXES.items()]
        warnings.append(Warning(
            "The directory lacks indexes mailadmin and the mail servers search by." if missing else
            "The directory's indexes could not be read (cn=config): a stock directory indexes only objectClass, cn, uid, "
            "uidNumber, gidNumber, member and memberUid; make sure of those below.",
            hint=r.index_lines(lines), id="mailadmin.W013"))
    return warnings
