"""Settings, driven by environment variables; .env.example documents each one."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


# A setting that cannot be read stops the server with its name, never a silent default:
# "DEBUG=ture" must not quietly mean False, nor "HTTPS=on please" quietly mean off.
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name, "1" if default else "0").strip().lower()
    if value not in _TRUE | _FALSE:
        raise ImproperlyConfigured(f"{name}={value!r}: use 1 or 0 (see .env.example).")
    return value in _TRUE


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, str(default)).strip()
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


def _env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = os.environ.get(name, default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not one of {', '.join(choices)} (see .env.example)."
        )
    return value


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = _env_bool("DEBUG")
# Where the embedded database and the generated secret key live.
DATA_DIR = Path(os.environ.get("STUDYAPP_DATA_DIR", BASE_DIR / "var"))


DATABASE_URL = os.environ.get("DATABASE_URL", "")


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    if DATABASE_URL and not DATABASE_URL.startswith("sqlite"):
        # A database server means several app servers, may be: each making its own key
        # would log learners out (and refuse their forms) whenever the balancer switches.
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DATABASE_URL, set the same SECRET_KEY on every app "
            "server (for example: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    # Zero configuration for a single server: make a key once and keep it beside the
    # database, so sessions survive restarts.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "studyapp",
    "django.contrib.admin",
    "django.contrib.auth",
    "axes",  # log-in lockout (see Brute force below)
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_ratelimit",  # for its system checks of the cache it counts in
    "template_partials",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",  # django-bootstrap-static: Bootstrap's CSS from PyPI, never a CDN
    "django_tasks",  # background jobs, as Django 6's built-in tasks will run them
    "django_tasks_db",  # kept in the database: no broker to run; `manage.py db_worker`
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "studyapp.accounts.middleware.LoadedUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, as django-axes asks: it turns a locked-out log-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "studyapp.urls"
WSGI_APPLICATION = "studyapp.wsgi.application"

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
            ],
        },
    },
]

_SQLITE_OPTIONS = {
    # Writers queue for the lock instead of failing with "database is locked".
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}

# PostgreSQL: DATABASE_POOL=N keeps at most N connections per app server process in a
# pool (psycopg's, through Django), shared by the process's threads: with gunicorn's
# threads, connections stay bounded by processes x N, not by threads, and a restarted
# database is reconnected to by the pool's check of each connection it hands out. Chosen
# over PgBouncer because Debian's PgBouncer (1.18 in bookworm) cannot keep prepared
# statements in transaction mode, which the reviewer's speed depends on (see below).
DATABASE_POOL = _env_int("DATABASE_POOL", 0)

if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            # A pool keeps connections itself; Django refuses CONN_MAX_AGE beside one.
            conn_max_age=0 if DATABASE_POOL else _env_int("CONN_MAX_AGE", 60),
            # A connection found broken (the database restarted) is replaced, not used.
            conn_health_checks=True,
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = _SQLITE_OPTIONS
    elif DATABASE_POOL:
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": DATABASE_POOL,
            # A request that waits longer for a connection gets the 503 of
            # ops/errors.server_error, with a retry hint, instead of queueing on.
            "timeout": _env_int("DATABASE_POOL_TIMEOUT", 10),
        }
    if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3" and _env_bool(
        "DATABASE_PREPARED_STATEMENTS", True
    ):
        # PostgreSQL plans a statement anew each time it is sent, which costs the reviewer
        # about as much as running its queries (bench/review.py). Bound on the server,
        # psycopg prepares a statement the second time a connection sends it, and later
        # sends run the plan kept. Off behind a pooler that hands one client's statements
        # to several server connections (PgBouncer in transaction mode, before 1.21).
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=1
        )
        if _env_bool("DATABASE_GENERIC_PLANS", True):
            # And the plan kept is the one plan for every parameter (the generic plan), which
            # the reviewer's statements are written for (sql.constant). Left to choose,
            # PostgreSQL kept planning the day's counts anew on every card, since their
            # generic plan's estimate looked dearer than a plan for the parameters at hand:
            # 2.1 ms of the server's time a card, against 0.3 ms run from the generic plan
            # (a learner with 150 cards started; tests/study/test_query_plans.py checks the
            # generic plans stay good).
            DATABASES["default"]["OPTIONS"]["options"] = "-c plan_cache_mode=force_generic_plan"
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # SQLite makes the file, not its folder
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "db.sqlite3",
            "OPTIONS": _SQLITE_OPTIONS,
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background jobs (fitting a learner's FSRS parameters): django-tasks, whose API is Django
# 6's built-in tasks, with its database backend, so a job survives a restart and needs
# nothing but the database; `manage.py db_worker` runs them (make run and make serve
# start one).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes first: it refuses a locked-out log-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "studyapp.accounts.auth.ProfileBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production (make serve) runs collectstatic and serves hashed, compressed files from
# STATIC_ROOT. Otherwise (make run, the tests) WhiteNoise serves straight from the apps'
# and our static folders, so nothing has to be collected first.
STATIC_COLLECTED = _env_bool("STATIC_COLLECTED")
STATIC_ROOT = (
    Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles")) if STATIC_COLLECTED else None
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_COLLECTED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_COLLECTED

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

# Served over HTTPS (HTTPS=1): plain HTTP is redirected (but /healthz, which a load
# balancer asks over HTTP), browsers are told to keep to HTTPS (HSTS), cookies travel
# only over HTTPS. Behind a proxy that ends TLS, it says so in X-Forwarded-Proto, which
# is believed only when TRUSTED_PROXY_COUNT says there is such a proxy.
HTTPS = _env_bool("HTTPS")
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = _env_int("HSTS_SECONDS", 365 * 24 * 3600) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS and _env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = HTTPS and _env_bool("HSTS_PRELOAD", True)
# How many proxies (load balancer, TLS terminator) stand in front of the app and append
# to X-Forwarded-For; 0: the client connects directly. See ratelimits.client_ip.
TRUSTED_PROXY_COUNT = _env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): everything from this server, nothing inline, so
# an injected <script> or style= in a note or a quiz would not run even if it got past
# nh3. The pages use no inline script or style; SVG attributes are not styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Cache: shared by every app server, so rate-limit counts are too. Redis with REDIS_URL
# (production); otherwise a table in the database, which every worker of one server sees.
# With Redis, sessions are read from it and written to it and the database alike
# (cached_db): a request reads no session row, and a learner stays logged in if Redis
# goes. ForgivingRedisCache turns an unreachable Redis into misses (ops/cache.py); the
# short timeouts keep a hung one from holding up a request for long.
if redis_url := os.environ.get("REDIS_URL"):
    _redis = {
        "BACKEND": "studyapp.ops.cache.ForgivingRedisCache",
        "LOCATION": redis_url,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    CACHES = {
        "default": _redis,
        # A log-out while Redis is unreachable (not restarted) cannot delete the cached
        # session; capped, it is believed for at most this long.
        "sessions": _redis | {"MAX_TIMEOUT": _env_int("SESSION_CACHE_SECONDS", 600)},
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    SESSION_CACHE_ALIAS = "sessions"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "studyapp_cache",
        }
    }

# Brute force. Log-in: django-axes locks out one account from one address after
# LOGIN_FAILURE_LIMIT wrong passwords in a row, for LOGIN_LOCKOUT_MINUTES, even with the
# right password; its counts are database rows. Per account and address, not per address
# alone: a whole school may share one address. Sign-up and password reset: rates per
# client address (and per email for resets), counted in the cache by django-ratelimit.
AXES_FAILURE_LIMIT = _env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=_env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "studyapp.accounts.ratelimits.client_ip"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False  # a lockout is logged as a warning by axes' own logger
# Who may sign up: open (anyone), code (a class join code or an invitation link), or
# closed (accounts come from an administrator). See studyapp/accounts/signup.py.
SIGNUP_POLICY = _env_choice("SIGNUP", ("open", "code", "closed"), "open")
SIGNUP_RATE = os.environ.get("SIGNUP_RATE", "60/h")
# Log-in attempts from one address, whatever the account: a school behind one address logs
# in all at once at 9, so this is high; it stops one machine trying passwords on many
# accounts, which axes (per account) does not.
LOGIN_RATE = os.environ.get("LOGIN_RATE", "300/5m")
PASSWORD_RESET_RATE = os.environ.get("PASSWORD_RESET_RATE", "20/h")
PASSWORD_RESET_EMAIL_RATE = os.environ.get("PASSWORD_RESET_EMAIL_RATE", "3/h")
RATELIMIT_VIEW = "studyapp.accounts.ratelimits.rate_limited"
# A cache that cannot count lets sign-ups and resets through; log-in refuses instead
# (accounts/ratelimits.limit_log_in).
RATELIMIT_FAIL_OPEN = True
SILENCED_SYSTEM_CHECKS = [
    # django-ratelimit knows only django-redis by name; Django's own RedisCache increments
    # atomically too. The database cache increments by read-then-write, so concurrent
    # requests may each count once where two were due: a few extra sign-ups or resets at
    # worst. Passwords are guarded by axes, whose counts are exact.
    "django_ratelimit.W001",
    "django_ratelimit.E003",
]

# Uploaded notes larger than this are refused, with a message naming the file.
NOTES_MAX_BYTES = _env_int("NOTES_MAX_BYTES", 2 * 1024 * 1024)
# Django reads a form of up to this size, so that a paste somewhat over NOTES_MAX_BYTES
# gets the form's own message; beyond it the request gets views.errors.bad_request's.
DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * NOTES_MAX_BYTES
# A quiz with more questions than this is refused at preview (and by import_quiz).
QUIZ_MAX_QUESTIONS = _env_int("QUIZ_MAX_QUESTIONS", 2000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
