"""Django settings, read from the environment (every setting is in docs/settings.md).

Defaults give a working single-user instance on SQLite in the user's data
folder; production sets CSFPILOT_SECRET_KEY, CSFPILOT_DATABASE_URL,
CSFPILOT_ALLOWED_HOSTS and CSFPILOT_DEBUG=0.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from csfpilot.formats.limits import import_max_bytes

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _data_dir() -> Path:
    explicit = os.environ.get("CSFPILOT_DATA_DIR")
    if explicit:
        return Path(explicit).expanduser().resolve()
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "csfpilot"


DATA_DIR = _data_dir()


def _secret_key() -> str:
    key = os.environ.get("CSFPILOT_SECRET_KEY")
    if key:
        return key
    # A per-installation key kept beside the database, never in the repository.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()


def _audit_key() -> bytes:
    """The key of the audit trail's keyed hashes: kept outside the database.

    CSFPILOT_AUDIT_KEY (at least 32 characters) when set, so that it can differ from the
    secret key and survive that key's rotation; otherwise derived from the secret key (in
    a setting or the data folder), which every server of an instance already shares.
    """
    explicit = os.environ.get("CSFPILOT_AUDIT_KEY", "")
    if explicit:
        if len(explicit) < 32:
            raise ImproperlyConfigured("CSFPILOT_AUDIT_KEY needs at least 32 characters")
        return explicit.encode()
    return hmac.new(SECRET_KEY.encode(), b"csfpilot audit key v1", hashlib.sha256).digest()


AUDIT_KEY = _audit_key()
DEBUG = _env_bool("CSFPILOT_DEBUG", False)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("CSFPILOT_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "ninja",  # serves Swagger UI's assets for /api/docs from the package, not a CDN
    "django_htmx",
    "template_partials",
    "csfpilot.webapp.site",
    "csfpilot.webapp.catalog",
    # Before allauth, so that their templates restyle allauth's.
    "csfpilot.webapp.accounts",
    "csfpilot.webapp.organizations",
    "csfpilot.webapp.profiles",
    "csfpilot.webapp.jobs",
    "csfpilot.webapp.sectors",
    "django_tasks",
    "django_tasks_db",
    "csfpilot.webapp.reports",
    "csfpilot.webapp.audit",
    "csfpilot.webapp.backup",
    "csfpilot.webapp.evidence",
    "csfpilot.webapp.intake",
    "csfpilot.webapp.packages",
    "csfpilot.webapp.mapping",
    "csfpilot.webapp.transfers",
    "csfpilot.webapp.suppliers",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.usersessions",
]

MIDDLEWARE = [
    # First, so that the time it reports covers the whole middleware stack.
    "csfpilot.webapp.site.middleware.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Inside WhiteNoise: static files keep their year-long cache header.
    "csfpilot.webapp.site.no_store.NoStoreMiddleware",
    # Before anything reads a body (site/request_limits.py).
    "csfpilot.webapp.site.request_limits.RequestBodyLimitMiddleware",
    # The identity generation is read at most once per request (accounts/identity_cache.py).
    "csfpilot.webapp.accounts.identity_cache.IdentityGenerationMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Knows the user; runs before the CSRF check reads a form's body (process_view).
    "csfpilot.webapp.site.request_limits.PermissionBeforeBodyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csfpilot.webapp.config.api_methods.ApiMethodNotAllowedMiddleware",
]

ROOT_URLCONF = "csfpilot.webapp.config.urls"
WSGI_APPLICATION = "csfpilot.webapp.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csfpilot.webapp.site.context.site",
                "csfpilot.webapp.organizations.context.current_organization",
                # Last: a page drawn to be kept gets a placeholder for its CSRF token.
                "csfpilot.webapp.profiles.page_cache.csrf_placeholder",
            ],
        },
    }
]

_default_db = f"sqlite:///{DATA_DIR / 'csfpilot.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("CSFPILOT_DATABASE_URL", _default_db),
        # Each worker thread keeps its connection for ten minutes instead of reconnecting
        # per request (PostgreSQL checks it still works before reusing it). On SQLite too:
        # opening a connection and setting it up (the pragmas below, Django's SQL
        # functions) took about 1.9 ms of CPU, more than a cached read's whole work.
        conn_max_age=int(os.environ.get("CSFPILOT_DB_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
_SQLITE_SYNCHRONOUS = os.environ.get("CSFPILOT_SQLITE_SYNCHRONOUS", "full").strip().upper()
if _SQLITE_SYNCHRONOUS not in {"FULL", "NORMAL"}:
    raise ImproperlyConfigured(
        f"CSFPILOT_SQLITE_SYNCHRONOUS must be 'full' or 'normal', not {_SQLITE_SYNCHRONOUS!r}"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a writer commits; FULL keeps a committed
    # transaction through a power loss (measured: about 0.3 ms per commit at the median on
    # this machine's disk, not where a save's time goes; CSFPILOT_SQLITE_SYNCHRONOUS=normal
    # trades the last commits before a power loss for it, docs/settings.md). IMMEDIATE
    # takes the write lock at BEGIN, so two writers queue instead of failing with
    # "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            f"PRAGMA journal_mode=WAL; PRAGMA synchronous={_SQLITE_SYNCHRONOUS}; "
            "PRAGMA foreign_keys=ON;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("CSFPILOT_TEST_SQLITE_NAME")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hant", _("Traditional Chinese"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# One date format in every language: ISO 8601 (see csfpilot/webapp/formats/__init__.py).
FORMAT_MODULE_PATH = ["csfpilot.webapp.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("CSFPILOT_TIME_ZONE", "UTC")

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Serve straight from the package folders: no collectstatic step for a local run.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# `csfpilot serve` sets this after collecting the files into STATIC_ROOT under
# content-hashed, pre-compressed names, which browsers and proxies keep for a year.
CSFPILOT_HASHED_STATIC = _env_bool("CSFPILOT_HASHED_STATIC", False)
# Evidence files: a folder in the data directory, outside MEDIA_ROOT so that nothing ever
# serves them except the authorised download view; or, with CSFPILOT_EVIDENCE_STORAGE=s3, a
# private bucket of S3-compatible object storage that several app servers share
# (docs/evidence.md, "Storage").
CSFPILOT_EVIDENCE_ROOT = Path(os.environ.get("CSFPILOT_EVIDENCE_ROOT") or DATA_DIR / "evidence")


def evidence_storage() -> dict[str, object]:
    """The evidence storage the CSFPILOT_EVIDENCE_* variables ask for (read when called)."""
    kind = os.environ.get("CSFPILOT_EVIDENCE_STORAGE", "folder").strip().lower()
    if kind == "folder":
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(CSFPILOT_EVIDENCE_ROOT), "base_url": None},
        }
    if kind != "s3":
        raise ImproperlyConfigured(
            f"CSFPILOT_EVIDENCE_STORAGE must be 'folder' or 's3', not {kind!r}"
        )
    bucket = os.environ.get("CSFPILOT_EVIDENCE_S3_BUCKET", "").strip()
    if not bucket:
        raise ImproperlyConfigured("CSFPILOT_EVIDENCE_STORAGE=s3 needs CSFPILOT_EVIDENCE_S3_BUCKET")
    if not 3 <= len(bucket) <= 63:
        raise ImproperlyConfigured(
            f"CSFPILOT_EVIDENCE_S3_BUCKET {bucket!r}: a bucket name has 3 to 63 characters"
        )
    addressing = os.environ.get("CSFPILOT_EVIDENCE_S3_ADDRESSING_STYLE", "").strip().lower()
    if addressing not in {"", "path", "virtual", "auto"}:
        raise ImproperlyConfigured(
            "CSFPILOT_EVIDENCE_S3_ADDRESSING_STYLE must be 'path', 'virtual' or 'auto', "
            f"not {addressing!r}"
        )
    endpoint = os.environ.get("CSFPILOT_EVIDENCE_S3_ENDPOINT_URL", "").strip() or None
    encryption = os.environ.get("CSFPILOT_EVIDENCE_S3_ENCRYPTION", "").strip()
    if encryption not in {"", "AES256", "aws:kms"}:
        raise ImproperlyConfigured(
            f"CSFPILOT_EVIDENCE_S3_ENCRYPTION must be AES256 or aws:kms, not {encryption!r}"
        )
    return {
        "BACKEND": "csfpilot.webapp.evidence.object_storage.EvidenceS3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "region_name": os.environ.get("CSFPILOT_EVIDENCE_S3_REGION", "").strip() or None,
            # Unset: boto3's own chain (AWS_ACCESS_KEY_ID..., its files, an instance role).
            "access_key": os.environ.get("CSFPILOT_EVIDENCE_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("CSFPILOT_EVIDENCE_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("CSFPILOT_EVIDENCE_S3_PREFIX", "").strip().strip("/"),
            # Most S3-compatible servers (MinIO, Ceph, Garage) answer at one host name.
            "addressing_style": addressing or ("path" if endpoint else None),
            "object_parameters": {"ServerSideEncryption": encryption} if encryption else {},
        },
    }


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "csfpilot.webapp.site.static_storage.HashedStaticStorage"
        if CSFPILOT_HASHED_STATIC
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
    "evidence": evidence_storage(),
}
# The largest evidence file, and what one organization may keep in all (both in MB).
CSFPILOT_EVIDENCE_MAX_FILE_BYTES = int(
    float(os.environ.get("CSFPILOT_EVIDENCE_MAX_FILE_MB", "250")) * 1024 * 1024
)
# A scanner file is read whole to be parsed: its own, lower limit (MB).
CSFPILOT_EVIDENCE_SCAN_MAX_BYTES = int(
    float(os.environ.get("CSFPILOT_EVIDENCE_SCAN_MAX_MB", "100")) * 1024 * 1024
)
CSFPILOT_EVIDENCE_QUOTA_BYTES = int(
    float(os.environ.get("CSFPILOT_EVIDENCE_QUOTA_MB", "10240")) * 1024 * 1024
)
if CSFPILOT_HASHED_STATIC:
    WHITENOISE_USE_FINDERS = False
    # Pages link only the hashed names: compress and keep those, half the start-up work.
    WHITENOISE_KEEP_ONLY_HASHED_FILES = True
# The largest request body accepted, checked before any of it is read (413 beyond it); the
# same as client_max_body_size in deploy/nginx.conf. The importers have their own limits.
# One limit for every imported file (web, API, jobs, command line): see formats/limits.py.
CSFPILOT_IMPORT_MAX_BYTES = import_max_bytes()
CSFPILOT_MAX_REQUEST_BYTES = int(
    float(os.environ.get("CSFPILOT_MAX_REQUEST_MB", "25")) * 1024 * 1024
)
# Uploaded files; several app servers share one folder (see docs/deploy.md).
MEDIA_ROOT = Path(os.environ.get("CSFPILOT_MEDIA_ROOT") or DATA_DIR / "media")
MEDIA_URL = "/media/"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# --- Production hardening (docs/security.md) ---------------------------------------------
# CSFPILOT_ENV=production turns on what only makes sense behind HTTPS: secure cookies, HSTS
# and the redirect to HTTPS. Each can still be set on its own, e.g. to stage HSTS with a
# short max-age first. `csfpilot manage check --deploy` answers with no warnings then.
CSFPILOT_ENV = os.environ.get("CSFPILOT_ENV", "development").strip().lower()
if CSFPILOT_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"CSFPILOT_ENV must be 'development' or 'production', not {CSFPILOT_ENV!r}"
    )
_PRODUCTION = CSFPILOT_ENV == "production"
if _PRODUCTION and DEBUG:
    raise ImproperlyConfigured("CSFPILOT_DEBUG=1 is refused with CSFPILOT_ENV=production")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _env_bool("CSFPILOT_SECURE_COOKIES", _PRODUCTION)
SECURE_SSL_REDIRECT = _env_bool("CSFPILOT_SSL_REDIRECT", _PRODUCTION)
SECURE_HSTS_SECONDS = int(
    os.environ.get("CSFPILOT_HSTS_SECONDS", str(365 * 24 * 3600 if _PRODUCTION else 0))
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("CSFPILOT_HSTS_INCLUDE_SUBDOMAINS", _PRODUCTION)
# The preload directive only asks; nothing happens until the domain is submitted to the
# browsers' preload list. Set CSFPILOT_HSTS_PRELOAD=0 for a host whose parent domain also
# serves plain HTTP.
SECURE_HSTS_PRELOAD = _env_bool("CSFPILOT_HSTS_PRELOAD", _PRODUCTION)
# Behind a reverse proxy that terminates TLS, name the header it sets (X-Forwarded-Proto);
# only when the proxy always sets or overwrites it, or clients could claim HTTPS.
_proxy_header = os.environ.get("CSFPILOT_PROXY_SSL_HEADER", "").strip()
if _proxy_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")


def _sso_origin() -> list[str]:
    # Signing in with SSO is a form POST answered by a redirect to the identity provider;
    # browsers hold that redirect to form-action too.
    parsed = urlparse(os.environ.get("CSFPILOT_OIDC_SERVER_URL", "").strip())
    return [f"{parsed.scheme}://{parsed.netloc}"] if parsed.scheme and parsed.netloc else []


# Content-Security-Policy (django-csp): no inline script or style anywhere, so an injected
# <script> or style attribute does nothing even if escaping were ever missed. Pages keep their
# scripts and styles in static files; HTMX runs without eval (base.html's htmx-config).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF, *_sso_origin()],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CSFPILOT_LOG_LEVEL", "WARNING")},
}

# Where `csfpilot serve` and the first start look for NIST's files.
CSFPILOT_AUTOLOAD_CATALOGS = _env_bool("CSFPILOT_AUTOLOAD_CATALOGS", True)


# --- Accounts, sign-in and tenants (docs/accounts.md) ------------------------------------
from csfpilot.webapp.accounts.client_address import parse_networks  # noqa: E402
from csfpilot.webapp.accounts.sso import oidc_providers  # noqa: E402

_TRUE = {"1", "true", "yes", "on"}

AUTH_USER_MODEL = "accounts.User"
# django-allauth's backend, with the signed-in user read through the identity cache
# (accounts/identity_cache.py); sessions likewise, in the database.
AUTHENTICATION_BACKENDS = ["csfpilot.webapp.accounts.auth_backend.CachedUserBackend"]
SESSION_ENGINE = "csfpilot.webapp.accounts.session_store"
# Argon2id first: new and re-saved passwords use it; older hashes still verify and are
# upgraded at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # zxcvbn's estimate, offline, with the reason a password is refused (docs/accounts.md).
    {"NAME": "csfpilot.webapp.accounts.password_strength.GuessabilityValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "organizations:list"
LOGOUT_REDIRECT_URL = "site:home"
SESSION_COOKIE_AGE = int(os.environ.get("CSFPILOT_SESSION_AGE", str(12 * 3600)))

# "first" (default): sign-up is open until the first account (other than the demo one)
# exists; "1" always open; "0" closed (accounts come from an administrator or SSO).
_signup = os.environ.get("CSFPILOT_ALLOW_SIGNUP", "first").strip().lower()
CSFPILOT_SIGNUP = "first" if _signup in {"", "first"} else "open" if _signup in _TRUE else "closed"
ACCOUNT_ADAPTER = "csfpilot.webapp.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = os.environ.get(
    "CSFPILOT_EMAIL_VERIFICATION",
    "mandatory" if os.environ.get("CSFPILOT_EMAIL_HOST") else "optional",
)
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_NOTIFICATIONS = True  # tell people when their password or e-mail changes
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[csfpilot] "
# Throttling, per client address (the real one behind CSFPILOT_TRUSTED_PROXIES): 10 failed
# sign-ins a minute over all accounts, and 5 in 5 minutes per client and account ("key"
# here is client and account together, see accounts/adapters.py); per account from every
# client, 20 in 5 minutes (adapters.ACCOUNT_FAILURES). Password reset 5/min per address.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/300s/key",
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "signup": "20/m/ip",
}

# Reverse proxies in front of the app (addresses or networks, comma-separated): only a
# request arriving from one of them has its X-Forwarded-For believed, read from the right
# (accounts/client_address.py). Empty: the connecting address is the client.
try:
    CSFPILOT_TRUSTED_PROXIES = parse_networks(os.environ.get("CSFPILOT_TRUSTED_PROXIES", ""))
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from None

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "csfpilot"
MFA_PASSKEY_LOGIN_ENABLED = False  # security keys are a second factor, not a password
# WebAuthn needs HTTPS, except on http://localhost when this is set for local trials.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = _env_bool("CSFPILOT_WEBAUTHN_ALLOW_HTTP", False)

SOCIALACCOUNT_ADAPTER = "csfpilot.webapp.accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = oidc_providers(os.environ)
if SOCIALACCOUNT_PROVIDERS:
    # Installed only with single sign-on configured: the provider imports requests, about
    # 15 MB resident in every web worker of a site that signs in with passwords alone.
    INSTALLED_APPS.append("allauth.socialaccount.providers.openid_connect")
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_LOGIN_ON_GET = False  # a sign-in with the provider starts with a POST (CSRF)
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # never join an existing account by e-mail alone
CSFPILOT_SSO_SIGNUP = _env_bool("CSFPILOT_OIDC_ALLOW_SIGNUP", True)

# E-mail: printed to the console unless an SMTP server is configured.
EMAIL_HOST = os.environ.get("CSFPILOT_EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("CSFPILOT_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("CSFPILOT_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CSFPILOT_EMAIL_PASSWORD", "")
EMAIL_USE_SSL = _env_bool("CSFPILOT_EMAIL_SSL", False)
EMAIL_USE_TLS = not EMAIL_USE_SSL and _env_bool("CSFPILOT_EMAIL_TLS", True)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("CSFPILOT_EMAIL_FROM", "csfpilot <csfpilot@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The caches hold the sign-in throttles ("default") and built answers that are checked
# against the database on every read ("answers", see profiles/answer_cache.py). With Redis
# both are shared by every worker and server. Without it, the answers stay in each process's
# memory (always correct, see answer_cache.py), while the throttles must be counted once
# for all processes or each would allow the limit again: CSFPILOT_CACHE=database keeps
# them in a table of the database, and `csfpilot serve` sets it when it starts more than
# one worker process. "memory" is right for one process (a laptop, the test suite).
_redis_url = os.environ.get("CSFPILOT_REDIS_URL", "")
CSFPILOT_CACHE = os.environ.get("CSFPILOT_CACHE", "").strip().lower() or (
    "redis" if _redis_url else "memory"
)
if CSFPILOT_CACHE not in {"memory", "database", "redis"}:
    raise ImproperlyConfigured(
        f"CSFPILOT_CACHE must be 'memory', 'database' or 'redis', not {CSFPILOT_CACHE!r}"
    )
if CSFPILOT_CACHE == "redis" and not _redis_url:
    raise ImproperlyConfigured("CSFPILOT_CACHE=redis needs CSFPILOT_REDIS_URL")
# Made by a migration (accounts 0003), so that every database has it before a server starts.
SHARED_CACHE_TABLE = "csfpilot_cache"


def _cache(prefix: str, entries: int, *, shared: bool = True) -> dict[str, object]:
    if CSFPILOT_CACHE == "redis":
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url,
            "KEY_PREFIX": prefix,
        }
    if CSFPILOT_CACHE == "database" and shared:
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": SHARED_CACHE_TABLE,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    return {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": prefix,
        "OPTIONS": {"MAX_ENTRIES": entries},
    }


CACHES = {
    "default": _cache("csfpilot", 300),
    # A full profile's outcome list is about 60 KB: at most about 30 MB per process.
    "answers": _cache("csfpilot-answers", 500, shared=False) | {"TIMEOUT": 3600},
    # Whole profile pages, each for one reader (profiles/page_cache.py): 15-75 KB each.
    "pages": _cache("csfpilot-pages", 150, shared=False) | {"TIMEOUT": 3600},
    # Laid-out reports (docs/reports.md): files in the data folder, shared by the workers
    # of one machine, or Redis. Keys are content digests or the state of a report's inputs
    # (reports/report_key.py), so entries never go stale; a report made anew is kept
    # under both.
    "reports": (
        _cache("csfpilot-reports", 0)
        if CSFPILOT_CACHE == "redis"
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache" / "reports"),
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CSFPILOT_REPORT_CACHE_ENTRIES", "200"))},
        }
    )
    | {"TIMEOUT": 2 * 86400},
    # Sessions, users, API tokens and memberships under the identity generation
    # (accounts/identity_cache.py): small entries, a few per signed-in person.
    "identity": _cache("csfpilot-identity", 5000, shared=False) | {"TIMEOUT": 3600},
}


# --- Background jobs and sector benchmarks (docs/jobs.md, docs/sectors.md) --------------
# Jobs are stored in the database and run by `csfpilot worker`; no broker to install.
TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
}
# A failed attempt is tried again after this many seconds times the attempt number.
CSFPILOT_JOB_RETRY_SECONDS = float(os.environ.get("CSFPILOT_JOB_RETRY_SECONDS", "10"))
# A running job that reports no progress for this long is taken for one whose worker died.
CSFPILOT_JOB_STALL_SECONDS = float(os.environ.get("CSFPILOT_JOB_STALL_SECONDS", "900"))
# Jobs that ended longer ago than this many days are deleted by the worker (0: kept for ever).
CSFPILOT_JOB_KEEP_DAYS = int(os.environ.get("CSFPILOT_JOB_KEEP_DAYS", "30"))
# A mapping project with at most this many requirements gets its proposals while the page
# waits; a larger one through a background job (docs/mapping-review.md).
CSFPILOT_MAPPING_INLINE_LIMIT = int(os.environ.get("CSFPILOT_MAPPING_INLINE_LIMIT", "80"))
# Signed checkpoints of every audit chain's head, written outside the database (a file, and
# by e-mail when addresses are given) by the worker every this many minutes (0: never) and by
# `csfpilot audit checkpoint`; `csfpilot audit verify` checks the chains against them.
CSFPILOT_AUDIT_CHECKPOINT_FILE = Path(
    os.environ.get("CSFPILOT_AUDIT_CHECKPOINT_FILE") or DATA_DIR / "audit-checkpoints.jsonl"
)
CSFPILOT_AUDIT_CHECKPOINT_MINUTES = int(os.environ.get("CSFPILOT_AUDIT_CHECKPOINT_MINUTES", "60"))
CSFPILOT_AUDIT_CHECKPOINT_EMAIL = [
    a.strip() for a in os.environ.get("CSFPILOT_AUDIT_CHECKPOINT_EMAIL", "").split(",") if a.strip()
]
# Sector numbers are shown only when at least this many organizations contribute, so that
# no single organization's scores can be read out of them.
CSFPILOT_SECTOR_MIN_ORGS = int(os.environ.get("CSFPILOT_SECTOR_MIN_ORGS", "5"))
# ... and only when the organizations other than the two highest (or the two lowest) hold at
# least this percentage of the highest score (or the lowest's shortfall): the p% rule.
CSFPILOT_SECTOR_P_PERCENT = float(os.environ.get("CSFPILOT_SECTOR_P_PERCENT", "10"))

# Seals organizations' package signing keys at rest (docs/packages.md): at least 32
# characters; when empty, a key derived from the secret key is used.
CSFPILOT_PACKAGE_KEY = os.environ.get("CSFPILOT_PACKAGE_KEY", "")

# --- Reports (docs/reports.md) ---------------------------------------------------------
# What one render of a report template may use: a template over a limit is refused with a
# report error naming it, so a "time bomb" cannot hold a worker.
CSFPILOT_REPORT_RENDER_SECONDS = float(os.environ.get("CSFPILOT_REPORT_RENDER_SECONDS", "10"))
CSFPILOT_REPORT_MAX_LOOP_ITERATIONS = int(
    os.environ.get("CSFPILOT_REPORT_MAX_LOOP_ITERATIONS", "100000")
)
CSFPILOT_REPORT_MAX_STRING = int(os.environ.get("CSFPILOT_REPORT_MAX_STRING", "1000000"))
CSFPILOT_REPORT_MAX_OUTPUT = int(os.environ.get("CSFPILOT_REPORT_MAX_OUTPUT", "20000000"))
# Reports made at once on the whole installation (every server process), and for one person;
# past either a request is answered 429 with Retry-After this many seconds.
CSFPILOT_REPORT_CONCURRENCY = int(os.environ.get("CSFPILOT_REPORT_CONCURRENCY", "4"))
CSFPILOT_REPORT_CONCURRENCY_PER_USER = int(
    os.environ.get("CSFPILOT_REPORT_CONCURRENCY_PER_USER", "2")
)
CSFPILOT_REPORT_RETRY_AFTER = int(os.environ.get("CSFPILOT_REPORT_RETRY_AFTER", "10"))
# Reports are laid out in this many long-lived report processes per web worker (0: in the
# web worker itself), each replaced after this many renders (docs/reports.md).
CSFPILOT_REPORT_PROCESSES = int(os.environ.get("CSFPILOT_REPORT_PROCESSES", "1"))
CSFPILOT_REPORT_PROCESS_RENDERS = int(os.environ.get("CSFPILOT_REPORT_PROCESS_RENDERS", "100"))
# Laid-out reports kept for reuse: at most this many files, none larger than this (MB).
CSFPILOT_REPORT_CACHE_ENTRIES = int(os.environ.get("CSFPILOT_REPORT_CACHE_ENTRIES", "200"))
CSFPILOT_REPORT_CACHE_MAX_MB = int(os.environ.get("CSFPILOT_REPORT_CACHE_MAX_MB", "20"))
# Invitations to an organization: how long the link in the e-mail works, and how many an
# organization may send in 24 hours (so that an account cannot turn the site into a mailer).
CSFPILOT_INVITATION_DAYS = int(os.environ.get("CSFPILOT_INVITATION_DAYS", "14"))
CSFPILOT_INVITATIONS_PER_DAY = int(os.environ.get("CSFPILOT_INVITATIONS_PER_DAY", "50"))

# --- Suppliers (docs/suppliers.md) --------------------------------------------------------
# How long a questionnaire's guest link works, and how many requests a minute one link
# answers from one client address.
CSFPILOT_SUPPLIER_LINK_DAYS = int(os.environ.get("CSFPILOT_SUPPLIER_LINK_DAYS", "30"))
CSFPILOT_SUPPLIER_GUEST_RATE = int(os.environ.get("CSFPILOT_SUPPLIER_GUEST_RATE", "60"))
# Who may create organizations: "operator" (superusers, staff and accounts allowed with
# `csfpilot manage orgcreators --allow EMAIL`) or "anyone" signed in.
CSFPILOT_ORG_CREATORS = os.environ.get("CSFPILOT_ORG_CREATORS", "operator").strip().lower()
if CSFPILOT_ORG_CREATORS not in {"operator", "anyone"}:
    raise ImproperlyConfigured(
        f"CSFPILOT_ORG_CREATORS must be 'operator' or 'anyone', not {CSFPILOT_ORG_CREATORS!r}"
    )
