"""The one settings module: everything comes from environment variables, with defaults that run locally.

Variables (see docs/configuration.md):
    SECRET_KEY, DEBUG, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL, VISIORELAIS_DATA_DIR,
    TURN_URLS, TURN_SECRET, TURN_TTL, STUN_URLS, SECURE_SSL_REDIRECT, CSRF_TRUSTED_ORIGINS,
    KIOSK_ENROLMENT_TTL_MINUTES, TIME_ZONE.
"""

import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("VISIORELAIS_DATA_DIR", BASE_DIR / "var"))


def _local_secret_key() -> str:
    """Reads the key kept in DATA_DIR, generating it on first use so that sessions survive a restart."""
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    # Created with 0600 so that the key is readable only by the account running the server.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "visiorelais.accounts",
    "visiorelais.network",
    "visiorelais.calls",
    "visiorelais.kiosk",
    "visiorelais.console",
    "visiorelais.bridge",
    "visiorelais.documents",
    "visiorelais.scheduling",
    "visiorelais.statistics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "visiorelais.urls"
ASGI_APPLICATION = "visiorelais.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "visiorelais" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'db.sqlite3'}",
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the ASGI server's threads write without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests get a file, not Django's shared-cache in-memory database: that one locks whole tables, and tests that
    # run the ASGI app beside the test's own writes fail with "database table is locked". One file per process,
    # so that two test runs never share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"visiorelais-test-{os.getpid()}.sqlite3"),
    }
    DATA_DIR.mkdir(parents=True, exist_ok=True)

REDIS_URL = os.environ.get("REDIS_URL", "")
# With REDIS_URL, Redis carries the channel layer and the cache, which holds what server processes must share
# (such as the kiosks' wrong check-in codes); without it, both live in the one process's memory.
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 times sockets out after 5 s, which cuts channels_redis's 5 s blocking read
                # (django/channels_redis#422); one process serves thousands of sockets, hence the pool size.
                "hosts": [{"address": REDIS_URL, "socket_timeout": None, "max_connections": 10000}],
                "prefix": "visiorelais",
                # Messages waiting per channel; the default (100) can drop events in a burst, e.g. on the kiosk
                # fan-out's channel, which gets every partner change of its process.
                "capacity": 1500,
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "visiorelais-cache",
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "visiorelais.channel_layers.ThrottledInMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/admin/login/"
# Messages (e.g. a kiosk enrolment code shown once) stay server-side, never in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "visiorelais" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve static files straight from the apps in development and tests, without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# WebRTC: ICE servers handed to browsers. TURN credentials are minted per call with TURN_SECRET
# (coturn's use-auth-secret scheme) and live TURN_TTL seconds.
STUN_URLS = env_list("STUN_URLS")
TURN_URLS = env_list("TURN_URLS")
TURN_SECRET = os.environ.get("TURN_SECRET", "")
TURN_TTL = int(os.environ.get("TURN_TTL", "600"))
# "all" (the default) or "relay": browsers then reach each other only through TURN (tests of coturn; networks
# where media must never go peer to peer).
ICE_TRANSPORT_POLICY = os.environ.get("ICE_TRANSPORT_POLICY", "all")
if ICE_TRANSPORT_POLICY not in ("all", "relay"):
    raise ValueError(f"ICE_TRANSPORT_POLICY must be 'all' or 'relay', not {ICE_TRANSPORT_POLICY!r}")

# The live call (read at use time through visiorelais/calls/conf.py).
CALL_RING_TIMEOUT_SECONDS = int(os.environ.get("CALL_RING_TIMEOUT_SECONDS", "30"))
PRESENCE_TIMEOUT_SECONDS = int(os.environ.get("PRESENCE_TIMEOUT_SECONDS", "30"))
# Either side of a connected call: a network cut of up to 30 s must not end the call.
IN_CALL_PRESENCE_TIMEOUT_SECONDS = int(os.environ.get("IN_CALL_PRESENCE_TIMEOUT_SECONDS", "60"))
CALL_DEFAULT_HANDLE_SECONDS = int(os.environ.get("CALL_DEFAULT_HANDLE_SECONDS", "600"))
CALL_HANDLE_TIME_SAMPLE = int(os.environ.get("CALL_HANDLE_TIME_SAMPLE", "20"))
# Demos and trials only: every partner answers at any hour, whatever its service windows say.
PARTNERS_ALWAYS_OPEN = env_bool("PARTNERS_ALWAYS_OPEN", False)
# How long call records (date, duration, partner, site; never the resident's identity) are kept for statistics;
# the kiosk's consent screen says so.
CALL_STATISTICS_RETENTION_MONTHS = int(os.environ.get("CALL_STATISTICS_RETENTION_MONTHS", "36"))
# The figures (read at use time through visiorelais/statistics/conf.py; see docs/statistics.md). T = 60 s: one full
# ring (CALL_RING_TIMEOUT_SECONDS, 30 s) plus a second offer to another station still counts as answered in time.
STATS_SERVICE_LEVEL_SECONDS = int(os.environ.get("STATS_SERVICE_LEVEL_SECONDS", "60"))
STATS_SHORT_ABANDON_SECONDS = int(os.environ.get("STATS_SHORT_ABANDON_SECONDS", "10"))

# Documents across the call (read at use time through visiorelais/documents/conf.py; see docs/documents.md).
DOCUMENTS_DIR = Path(os.environ.get("DOCUMENTS_DIR") or DATA_DIR / "documents")
DOCUMENT_KEYS = os.environ.get("DOCUMENT_KEYS", "")
DOCUMENT_MAX_BYTES = int(os.environ.get("DOCUMENT_MAX_BYTES", str(20 * 1024 * 1024)))
DOCUMENT_MAX_PAGES = int(os.environ.get("DOCUMENT_MAX_PAGES", "50"))
DOCUMENT_MAX_PIXELS = int(os.environ.get("DOCUMENT_MAX_PIXELS", "40000000"))

# Appointments and callbacks (read at use time through visiorelais/scheduling/conf.py; see docs/scheduling.md).
APPOINTMENT_GRACE_MINUTES_BEFORE = int(os.environ.get("APPOINTMENT_GRACE_MINUTES_BEFORE", "15"))
APPOINTMENT_GRACE_MINUTES_AFTER = int(os.environ.get("APPOINTMENT_GRACE_MINUTES_AFTER", "15"))
APPOINTMENT_RESERVE_MINUTES_BEFORE = int(os.environ.get("APPOINTMENT_RESERVE_MINUTES_BEFORE", "15"))
# "console" (the log), "file" (JSON lines in SMS_FILE_PATH) or the dotted path of a SmsSender subclass.
SMS_SENDER = os.environ.get("SMS_SENDER", "console")
SMS_FILE_PATH = Path(os.environ.get("SMS_FILE_PATH") or DATA_DIR / "sms-outbox.jsonl")
CALLBACK_ERASE_DAYS = int(os.environ.get("CALLBACK_ERASE_DAYS", "30"))
CALLBACK_WAIT_LIMIT_MINUTES = int(os.environ.get("CALLBACK_WAIT_LIMIT_MINUTES", "20"))
# Reminders by e-mail: printed to the log unless an SMTP server is given.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Visio-relais <ne-pas-repondre@visiorelais.invalid>")

# A kiosk enrolment code is shown once to the operator and must be used within this delay.
KIOSK_ENROLMENT_TTL_MINUTES = int(os.environ.get("KIOSK_ENROLMENT_TTL_MINUTES", "60"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if not DEBUG:
    # Production: HTTPS only, behind a proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # /healthz and /readyz are probed over plain HTTP by load balancers.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "pikepdf": {"level": "WARNING"}},
}
