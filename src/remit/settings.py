"""Remit's one settings module: every value comes from the environment, read by typed helpers.

A bad value fails loudly at start-up (ImproperlyConfigured) rather than running a clinic with a
guessed configuration. The variables are documented as a table in README.md.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_time_zone(name: str, default: str) -> str:
    value = env_str(name, default)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"{name} is not a known time zone: {value!r}") from None
    return value


def _secret_key(data_dir: Path, debug: bool) -> str:
    key = env_str("REMIT_SECRET_KEY")
    if key:
        if not debug and (len(key) < 50 or len(set(key)) < 5):
            raise ImproperlyConfigured(
                "REMIT_SECRET_KEY must be at least 50 characters of random text in production"
            )
        return key
    if not debug:
        raise ImproperlyConfigured(
            "REMIT_SECRET_KEY is required when REMIT_DEBUG is off; generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`"
        )
    # The demo keeps a generated key so sessions survive a restart.
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env_bool("REMIT_DEBUG", False)
DATA_DIR = Path(env_str("REMIT_DATA_DIR", "./var")).resolve()
SECRET_KEY = _secret_key(DATA_DIR, DEBUG)
ALLOWED_HOSTS = env_list("REMIT_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
TIME_ZONE = env_time_zone("REMIT_TIME_ZONE", "America/New_York")
USE_TZ = True
LANGUAGE_CODE = "en-us"
USE_I18N = True

_database_url = env_str("REMIT_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'remit.sqlite3'}"
try:
    _database = dj_database_url.parse(_database_url, conn_max_age=60)
except ValueError as error:
    raise ImproperlyConfigured(f"REMIT_DATABASE_URL is not a database URL: {error}") from None
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN, so
    # two bookings of one chair serialise instead of failing half-way with "database is locked".
    _database["CONN_MAX_AGE"] = 0
    _database["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATA_DIR.mkdir(parents=True, exist_ok=True)
elif _database["ENGINE"] not in {"django.db.backends.postgresql"}:
    raise ImproperlyConfigured("REMIT_DATABASE_URL must be a sqlite:// or postgres:// URL")
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "remit.core",
    "remit.clinics",
    "remit.accounts",
    "remit.patients",
    "remit.portal",
    # Capability apps, in the order their demo data builds on each other.
    "remit.intake",
    "remit.evaluation",
    "remit.protocols",
    "remit.scheduling",
    "remit.measures",
    "remit.charting",
    "remit.controlled",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "remit.accounts.middleware.IdleTimeoutMiddleware",
    "remit.accounts.middleware.MfaRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "remit.core.middleware.AuditContextMiddleware",
    "remit.core.middleware.ClinicTimeZoneMiddleware",
    "remit.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "remit.urls"
WSGI_APPLICATION = "remit.wsgi.application"
AUTH_USER_MODEL = "accounts.StaffUser"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "remit.core.context.remit_context",
            ],
        },
    }
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
# A read-only data dir is fine: static files are served from the package.
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Serve straight from the package: no collectstatic step and never a CDN.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Email: the console backend unless an SMTP host is configured.
EMAIL_HOST = env_str("REMIT_EMAIL_HOST")
EMAIL_PORT = env_int("REMIT_EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("REMIT_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("REMIT_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("REMIT_EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("REMIT_DEFAULT_FROM_EMAIL", "remit@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)

# Security headers and cookies. Production (DEBUG off) gets HTTPS-only cookies and HSTS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("REMIT_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("REMIT_HSTS_SECONDS", 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
if env_bool("REMIT_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Django 5.2 has no CSP setting yet; remit.core.middleware sends this policy on every response.
REMIT_CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
SESSION_COOKIE_AGE = 12 * 60 * 60

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("REMIT_LOG_LEVEL", "INFO")},
}

# Background work (sending questionnaire links, reminders) runs on django-tasks with its
# database backend; `remit worker` processes it, never a web request.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

REMIT_PATIENTS_PER_PAGE = 25
# The address patients reach Remit at: links in emails and texts start with it.
REMIT_BASE_URL = env_str("REMIT_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Hours before an appointment that its reminder (with the protocol's preparation) goes out.
REMIT_REMINDER_LEAD_H = env_int("REMIT_REMINDER_LEAD_H", 24, minimum=1)
# The class that sends text messages; the default logs a line (no patient identifiers) instead.
REMIT_SMS_BACKEND = env_str("REMIT_SMS_BACKEND", "")

# Staff sign-in. MFA is required unless a deployment turns it off on purpose (the demo does).
REMIT_MFA_REQUIRED = env_bool("REMIT_MFA_REQUIRED", True)
OTP_TOTP_ISSUER = "Remit"
# Repeated failures lock an account, and an address, for the window (ASVS / ONC (d)(13)).
REMIT_LOGIN_MAX_FAILURES = env_int("REMIT_LOGIN_MAX_FAILURES", 10, minimum=3)
REMIT_LOGIN_WINDOW_MIN = env_int("REMIT_LOGIN_WINDOW_MIN", 15, minimum=1)
# Emergency ("break-the-glass") access stays open this long after it is granted.
REMIT_BREAK_GLASS_MIN = env_int("REMIT_BREAK_GLASS_MIN", 60, minimum=5)
