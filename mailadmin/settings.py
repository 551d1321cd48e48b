"""The one settings module: every environment variable is read here, through django-environ."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

# FileAwareEnv: LDAP_BIND_PASSWORD_FILE=/run/secrets/x stands in for LDAP_BIND_PASSWORD (and likewise SECRET_KEY_FILE).
env = environ.FileAwareEnv()
environ.FileAwareEnv.read_env(BASE_DIR / ".env")



def _local_secret_key() -> str:
    """A key made once per checkout under var/, so a fresh clone runs without sharing a known default."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        import secrets

        VAR_DIR.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _local_secret_key()
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (mailadmin/proxy.py); "unix" = gunicorn's socket.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# --- LDAP: the directory is the only store of mail data ------------------------------------------------------------
LDAP_URL = env.str("LDAP_URL", default="").split()  # several URLs, separated by spaces, tried in order
LDAP_BIND_DN = env.str("LDAP_BIND_DN", default="")
LDAP_BIND_PASSWORD = env.str("LDAP_BIND_PASSWORD", default="")
LDAP_BASE_DN = env.str("LDAP_BASE_DN", default="dc=example,dc=org")
LDAP_USERS_DN = env.str("LDAP_USERS_DN", default=f"ou=Users,{LDAP_BASE_DN}")
LDAP_DOMAINS_DN = env.str("LDAP_DOMAINS_DN", default=f"ou=mailDomains,{LDAP_BASE_DN}")
LDAP_ALIASES_DN = env.str("LDAP_ALIASES_DN", default=f"ou=mailAliases,{LDAP_BASE_DN}")
LDAP_GROUPS_DN = env.str("LDAP_GROUPS_DN", default=f"ou=Groups,{LDAP_BASE_DN}")  # MDS mail groups (read, migrated)
LDAP_START_TLS = env.bool("LDAP_START_TLS", default=False)
LDAP_CA_FILE = env.str("LDAP_CA_FILE", default="")  # empty: the system's CAs
LDAP_TIMEOUT = env.float("LDAP_TIMEOUT", default=5.0)  # seconds, for connect and for each answer
LDAP_RETRY_AFTER = env.float("LDAP_RETRY_AFTER", default=60.0)  # seconds a server that failed is tried last
# Counts and domain orders kept between requests (mailadmin/directory/remembered.py): checked against contextCSN where
# the server keeps it, else at most this old after a change made outside the console (computed again in the
# background, at most once per value and half this time); 0 turns remembering off.
DIRECTORY_CACHE_SECONDS = env.int("DIRECTORY_CACHE_SECONDS", default=60)
# The warm-up (mailadmin/directory/warmup.py) remembers the orders of the biggest domains, largest first, until their
# accounts total this: about 70 bytes an account in the cache, in each worker with the default per-process one.
DIRECTORY_WARMUP_ACCOUNTS = env.int("DIRECTORY_WARMUP_ACCOUNTS", default=500_000)

# --- Mail conventions of the MDS setup -----------------------------------------------------------------------------
MAIL_MAILBOX_TEMPLATE = env.str("MAIL_MAILBOX_TEMPLATE", default="/home/vmail/%uid%/")
MAIL_DEFAULT_QUOTA = env.int("MAIL_DEFAULT_QUOTA", default=204800)  # kB, for domains without a default

# --- Dovecot's doveadm HTTP API: mailbox usage and vacation replies (none: "usage unknown", no vacation form) ---
DOVEADM_URL = env.str("DOVEADM_URL", default="")  # e.g. http://127.0.0.1:8080 (mailconfig writes that listener)
DOVEADM_API_KEY_FILE = env.str("DOVEADM_API_KEY_FILE", default="")  # the same key as Dovecot's doveadm_api_key
DOVEADM_TIMEOUT = env.float("DOVEADM_TIMEOUT", default=2.0)  # seconds: a page waits at most this for Dovecot

# --- Django ---------------------------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "mailadmin",
    "domains",
    "accounts",
    "aliases",
    "api",
    "selfservice",
]

MIDDLEWARE = [
    "mailadmin.proxy.TrustedProxyMiddleware",  # first: everything after it sees the client's address and scheme
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "mailadmin.sessions.SessionGuardMiddleware",
    "mailadmin.mfa.SecondFactorMiddleware",
    "mailadmin.audit.AuditOriginMiddleware",
    "mailadmin.middleware.ReadOnlyAuditorMiddleware",
    "selfservice.middleware.MailUserConfinementMiddleware",
    "mailadmin.sessions.PrivateResponsesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "mailadmin.middleware.DirectoryUnavailableMiddleware",
    "mailadmin.middleware.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "mailadmin.urls"
WSGI_APPLICATION = "mailadmin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "selfservice.middleware.mail_user",
                "mailadmin.role_views.console_users_link",
                "mailadmin.mfa.step_still_owed",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'mailadmin.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Address claims serialise on a database lock: wait for it rather than fail at once.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 30)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# "default" keeps counts and domain orders between requests (directory/remembered.py): each process's memory unless
# CACHE_URL names a shared one (README, "Remembered counts"). "directory" remembers which LDAP servers failed lately
# (directory/resting.py): a file cache, so every gunicorn worker of a host shares it without another service.
# File caches are mailadmin.filecache's: Django's own, with an add() atomic across processes (the locks of remembered.py).
CACHES = {
    "default": env.cache_url("CACHE_URL", default="locmemcache://?max_entries=10000"),
    "directory": {
        "BACKEND": "mailadmin.filecache.FileCache",
        "LOCATION": env.str("CACHE_DIR", default=str(VAR_DIR / "cache")) + "/directory",
    },
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache":
    CACHES["default"]["BACKEND"] = "mailadmin.filecache.FileCache"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "mailadmin.auth.LDAPBindBackend",  # an address and its mailbox password, checked by a bind
    "selfservice.auth.MailUserBackend",  # the same, for plain mail users (self-service only)
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"

# The JSON API (api/): requests per minute per token, counted in Django's cache (per process with the default cache).
MAIL_API_RATE = env.str("MAIL_API_RATE", default="600/min")
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: lock by user name alone, so a changing X-Forwarded-For cannot reset the count. Sign-in binds as the
# user, so the limit must stay below the directory's lockout (pwdMaxFailure, 5 in the project's policy): the console
# stops a stranger before the directory would lock the mailbox for IMAP and SMTP too.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=3)
AXES_COOLOFF_TIME = 0.25  # hours; longer than the policy's pwdFailureCountInterval (10 minutes)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks: many users from one IP, or one user anywhere
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]  # never trust a client-sent X-Forwarded-For
AXES_USERNAME_CALLABLE = "mailadmin.auth.axes_username"  # one count per account, however its address is spelt
AXES_RESET_ON_SUCCESS = False  # mailadmin.auth.forget_failures clears the signed-in login's failures, and only those
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Two-factor sign-in (mailadmin.mfa): holders of these roles (superadmin, domain_admin, helpdesk, auditor) must enrol
# an authenticator at their next sign-in; anyone may enrol. A code is accepted within one 30-second step of drift.
MFA_REQUIRED_FOR = env.list("MFA_REQUIRED_FOR", default=["superadmin"])
OTP_TOTP_ISSUER = "mailadmin"
OTP_TOTP_SYNC = False  # no learnt drift: the tolerance stays one step either side
# django-axes counts wrong codes with the password's failures and locks the login; django-otp's own back-off would
# also refuse the right code typed just after a typo, so it is off.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Security headers and cookies ------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)  # seconds from sign-in, whatever the activity
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)  # seconds without a request
# Seconds between checks that the entry of a user signed in by LDAP bind is still enabled, with the same password
# (every request that may change data is checked anyway).
SESSION_RECHECK_INTERVAL = env.int("SESSION_RECHECK_INTERVAL", default=5 * 60)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Off by default so `make run` works over plain http on 127.0.0.1; `check --deploy` reminds production to set it.
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
# Both only act once SECURE_HSTS_SECONDS is set: a mail console's host names are HTTPS-only, subdomains included.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
                      "magnetometer=(), microphone=(), payment=(), usb=()")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"ldap3": {"level": "WARNING"}},
}

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not shared-cache memory: claim locks must block across threads, not fail with "table is locked".
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
