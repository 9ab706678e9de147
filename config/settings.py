"""Campaign Studio settings: one file, every deployment-specific value read from the environment.

See `.env.example` for the variables and their defaults.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    """A yes/no variable; unset or empty takes the default. A typo stops the app instead of
    quietly reading as false (DEBUG=ture, or SECURE_COOKIES=flase in production)."""
    value = os.environ.get(name, "").strip() or default
    words = {"true": True, "1": True, "yes": True, "on": True}
    words |= {"false": False, "0": False, "no": False, "off": False}
    try:
        return words[value.lower()]
    except KeyError:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a yes/no value: use true/false, 1/0, yes/no or on/off."
        ) from None


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def envfloat(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envsecret(name: str, default: str = "") -> str:
    """Read a secret from NAME, or from the file named by NAME_FILE (Docker/Kubernetes secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


DEBUG = envbool("DEBUG", "false")

SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(or SECRET_KEY_FILE), or set DEBUG=true for local development."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS")
if DEBUG:
    ALLOWED_HOSTS += ["127.0.0.1", "localhost", "[::1]"]
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks_db",
    "axes",
    "campaigns",
    "sandbox",
    "devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed (the composer's HTML is ~120 kB, ~15 kB gzipped); WhiteNoise serves static
    # files compressed already. Django pads each gzip stream at random against BREACH, and masks
    # the CSRF token per response.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "campaigns.middleware.SessionIdleRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, which reads form bodies first: too large a request gets a 400 page in words.
    "campaigns.middleware.RequestLimitsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "campaigns.context_processors.studio",
                "campaigns.context_processors.review_badge",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # Connections are kept between requests (checked before reuse): opening one per request
        # costs more than many a request's own queries.
        conn_max_age=envint("DB_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the app server and the task worker share one SQLite file.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file too: the live server's threads, the task worker and the sandbox then wait
    # for each other (busy timeout) instead of failing as an in-memory database's tables do.
    # One file per test run, so that runs side by side do not share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"campaign-studio-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The composer's built sections (campaigns/section_cache.py) and the segment list. Local memory,
# per process, by default; app servers share one backend when CACHE_BACKEND and CACHE_LOCATION
# name it (Django's Redis or Memcached backend, with its client package installed).
LOCAL_MEMORY_CACHE = "django.core.cache.backends.locmem.LocMemCache"
CACHES = {
    "default": {
        "BACKEND": os.environ.get("CACHE_BACKEND", LOCAL_MEMORY_CACHE),
        "LOCATION": os.environ.get("CACHE_LOCATION", "campaign-studio"),
    }
}
if CACHES["default"]["BACKEND"] == LOCAL_MEMORY_CACHE:
    # A section's entry is a few kB: room for many drafts being typed in at once.
    CACHES["default"]["OPTIONS"] = {"MAX_ENTRIES": envint("CACHE_MAX_ENTRIES", 5000)}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "campaigns:draft_list"
LOGOUT_REDIRECT_URL = "login"
# Django's database sessions, read with a query written out once (campaigns/sessions.py).
SESSION_ENGINE = "campaigns.sessions"
SESSION_COOKIE_AGE = envint("SESSION_IDLE_SECONDS", 8 * 3600)
# The idle limit is pushed back by requests at most this often (campaigns/middleware.py).
SESSION_REFRESH_SECONDS = envint("SESSION_REFRESH_SECONDS", 60)
# Failed logins are counted by django-axes in the database, so every app server sees the same
# counts: a username is locked after so many failures from any addresses, an address after so
# many for any usernames; 0 turns a count off. campaigns/login.py tells axes the client address
# and the username, and shows a lock in words on the login pages.
# Axes has one limit for both counts and one period, where we set a limit each and a counting
# window apart from the lockout: where they differ it takes the stricter (the lower limit, the
# longer period). It keeps one count per username, address and browser with the time of its
# latest failure, and counts it whole while that time lies within the period: a lock lasts until
# too few failures are left within the period, and failures from one browser for one username
# add up as long as each comes within the period of the one before.
login_limits = {
    "username": envint("LOGIN_FAILURES_PER_USERNAME", 5),
    "ip_address": envint("LOGIN_FAILURES_PER_ADDRESS", 5),
}
AXES_LOCKOUT_PARAMETERS = [name for name, limit in login_limits.items() if limit > 0]
AXES_ENABLED = bool(AXES_LOCKOUT_PARAMETERS)
AXES_FAILURE_LIMIT = min((limit for limit in login_limits.values() if limit > 0), default=0)
AXES_COOLOFF_TIME = timedelta(
    seconds=max(
        envint("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60), envint("LOGIN_LOCKOUT_SECONDS", 15 * 60)
    )
)
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_CLIENT_IP_CALLABLE = "campaigns.login.client_address"
AXES_USERNAME_CALLABLE = "campaigns.login.username_counted"
# Tries on a locked login are not counted, so a lock ends on time. A successful login forgets the
# username's failures (campaigns/login.py), not those other usernames left on its address; its
# address's count loses only the failures typed with that username.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = False
# No log of successful logins; the log of a lock names the username and address, never the
# password (axes masks it), and the failures axes stores keep no CSRF token.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["csrfmiddlewaretoken"]
# Axes' gate comes first: a locked login is refused before its password is checked.
AUTHENTICATION_BACKENDS = [
    "campaigns.login.AxesBackend",
    # Django's, reading the person of a session faster (a session made with Django's own path
    # before this one must log in again).
    "campaigns.login.ModelBackend",
]
# Without axes' middleware, which would answer a lock with a bare 429 page: the login pages show
# it in words in their form.
SILENCED_SYSTEM_CHECKS = ["axes.W002"]
# Reverse proxies in front of the app that append the client to X-Forwarded-For; with 0 the
# client address is REMOTE_ADDR. Counting one proxy too many lets clients choose their address.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

# Request bodies. Form fields (not uploaded files) are held in memory: a composer post of a 5 MB
# imported body stays under 16 MB even fully percent-encoded. A full composer (a few lists of up
# to 200 rows of several fields) has thousands of fields. Uploads above 5 MB stream to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 16 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = envint("DATA_UPLOAD_MAX_NUMBER_FIELDS", 10_000)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LANGUAGE_CODE = "en-us"
# The CleverTap account's timezone: schedules in "account" time are computed in it.
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic writes and WhiteNoise serves from (the benchmark points it at a temp dir).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_TAGS = {40: "danger"}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Content Security Policy: scripts only from ourselves or with the per-request nonce; styles only
# from our stylesheets (no style attributes, no <style> elements: geometry computed per page is
# drawn by <progress> values and SVG attributes).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "https:"],
    "frame-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
# With SECURE_SSL_REDIRECT on, the app still calls its own sandbox over plain HTTP on the loopback,
# and load balancers may check its health over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^sandbox/1/", r"^health/$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "true")
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Plain HTTP is sent to HTTPS. A TLS proxy in front says a request came over HTTPS with
    # X-Forwarded-Proto; where it cannot (or for plain HTTP on purpose), SECURE_SSL_REDIRECT=false.
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "true")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# CleverTap. With no account id and passcode the app talks to the built-in sandbox.
CLEVERTAP_ACCOUNT_ID = os.environ.get("CLEVERTAP_ACCOUNT_ID", "")
CLEVERTAP_PASSCODE = envsecret("CLEVERTAP_PASSCODE")
CLEVERTAP_REGION = os.environ.get("CLEVERTAP_REGION", "eu1")
CLEVERTAP_API_HOST = os.environ.get("CLEVERTAP_API_HOST", "")
CLEVERTAP_CONNECT_TIMEOUT = envfloat("CLEVERTAP_CONNECT_TIMEOUT", 5.0)
CLEVERTAP_READ_TIMEOUT = envfloat("CLEVERTAP_READ_TIMEOUT", 30.0)
CLEVERTAP_CONFIGURED = bool(CLEVERTAP_ACCOUNT_ID and CLEVERTAP_PASSCODE)
# Retries (safe operations only) and CleverTap's limits, shared by every process through the DB.
CLEVERTAP_MAX_ATTEMPTS = envint("CLEVERTAP_MAX_ATTEMPTS", 4)
CLEVERTAP_RETRY_BASE_DELAY = envfloat("CLEVERTAP_RETRY_BASE_DELAY", 0.2)
CLEVERTAP_RETRY_MAX_DELAY = envfloat("CLEVERTAP_RETRY_MAX_DELAY", 5.0)
CLEVERTAP_MAX_IN_FLIGHT = envint("CLEVERTAP_MAX_IN_FLIGHT", 3)
CLEVERTAP_CREATES_PER_WINDOW = envint("CLEVERTAP_CREATES_PER_WINDOW", 3)
CLEVERTAP_CREATE_WINDOW_SECONDS = envfloat("CLEVERTAP_CREATE_WINDOW_SECONDS", 1.0)
CLEVERTAP_LIMIT_WAIT_SECONDS = envfloat("CLEVERTAP_LIMIT_WAIT_SECONDS", 30.0)
CLEVERTAP_LIMIT_POLL_SECONDS = envfloat("CLEVERTAP_LIMIT_POLL_SECONDS", 0.05)
# A claimed slot frees itself after this long, should its process die mid-request.
CLEVERTAP_SLOT_LEASE_SECONDS = envfloat(
    "CLEVERTAP_SLOT_LEASE_SECONDS", CLEVERTAP_CONNECT_TIMEOUT + CLEVERTAP_READ_TIMEOUT + 30
)

# CleverTap's message reports (the CleverTap campaigns page): days read less than this many
# minutes ago are not read again when a fetch is asked.
CLEVERTAP_REPORTS_FRESH_MINUTES = envint("CLEVERTAP_REPORTS_FRESH_MINUTES", 15)

# Publishing: how long a background estimate may take, how long a publish confirmation stays
# valid.
ESTIMATE_ASYNC_TIMEOUT_SECONDS = envfloat("ESTIMATE_ASYNC_TIMEOUT_SECONDS", 60)
PUBLISH_CONFIRMATION_MAX_AGE = envint("PUBLISH_CONFIRMATION_MAX_AGE", 15 * 60)
# Task workers (`manage.py worker`) write a heartbeat to the database this often; one that misses
# this many beats in a row counts as dead: the batch it was sending is marked unknown and a live
# worker resumes its send (with the worker's default 5 s between looks, within 30 s).
WORKER_HEARTBEAT_SECONDS = envfloat("WORKER_HEARTBEAT_SECONDS", 5)
WORKER_MISSED_BEATS = envint("WORKER_MISSED_BEATS", 3)

# Review (campaigns/review/): whether the author of a draft is kept from approving it (turn off
# for a team of one or two), the share of estimated reach that may move between approval and
# publish before a new estimate and approval are needed, the estimated reach above which a second
# approval is needed (0: never), and how long a publish can be undone before anything is sent (0:
# sent at once).
REVIEW_FOUR_EYES = envbool("REVIEW_FOUR_EYES", "true")
REVIEW_REACH_DRIFT = envfloat("REVIEW_REACH_DRIFT", 0.2)
REVIEW_SECOND_APPROVAL_REACH = envint("REVIEW_SECOND_APPROVAL_REACH", 100_000)
PUBLISH_UNDO_SECONDS = envint("PUBLISH_UNDO_SECONDS", 30)

# Event and property names the composer suggests (comma-separated), besides the sandbox's.
SUGGESTED_EVENT_NAMES = envlist("SUGGESTED_EVENT_NAMES")
SUGGESTED_PROPERTY_NAMES = envlist("SUGGESTED_PROPERTY_NAMES")

# The sandbox: on by default when no CleverTap credentials are configured.
SANDBOX_ENABLED = envbool("SANDBOX_ENABLED", "false" if CLEVERTAP_CONFIGURED else "true")
SANDBOX_ACCOUNT_ID = os.environ.get("SANDBOX_ACCOUNT_ID", "SANDBOX-ACCOUNT")
SANDBOX_PASSCODE = envsecret("SANDBOX_PASSCODE", "sandbox-passcode")
# Where the app reaches its own sandbox over HTTP (the server it runs on).
SANDBOX_BASE_URL = os.environ.get("SANDBOX_BASE_URL", "http://127.0.0.1:8000/sandbox")
# The sandbox's own limits, per process (0 disables): API requests in flight, creates per second.
SANDBOX_MAX_CONCURRENT = envint("SANDBOX_MAX_CONCURRENT", 3)
SANDBOX_CREATE_PER_SECOND = envint("SANDBOX_CREATE_PER_SECOND", 3)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}
