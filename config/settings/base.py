"""Settings shared by every environment."""

from __future__ import annotations

from datetime import timedelta

from config import env

BASE_DIR = env.BASE_DIR
DATA_DIR = env.data_dir()
# Files and folders the hub creates are its own account's only (0600 / 0700).
env.keep_files_private(DATA_DIR)

SECRET_KEY = env.get("COHUB_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h for h in env.get("COHUB_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    # Hardening (docs/adr/0025): login throttling and the Content Security Policy.
    "axes",
    "csp",
    # Two-step sign-in (docs/adr/0025): an authenticator app, or single-use backup codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    # Before django_tasks_db: its db_worker command is ours (it also queues periodic jobs).
    "cohub.apps.jobs",
    "django_tasks_db",
    "cohub.apps.core",
    "cohub.apps.accounts",
    "cohub.apps.projects",
    "cohub.apps.stories",
    "cohub.apps.redaction",
    "cohub.apps.analysis",
    "cohub.apps.reports",
    "cohub.apps.audit",
    "cohub.apps.assess",
    "cohub.apps.exchange",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, so static files (which are the same for everyone) may be cached;
    # every page the hub draws is marked no-store (people share computers).
    "cohub.apps.core.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything reads the body: an upload over every limit is refused unread.
    "cohub.apps.core.middleware.RequestSizeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Between sessions and messages: a purge's own request keeps no message naming it.
    "cohub.apps.stories.middleware.PurgedMessagesMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Right after the person is known: which of their devices verified this session.
    "django_otp.middleware.OTPMiddleware",
    "cohub.apps.projects.sessions.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Before any page: whoever must give a code (or set up two-step sign-in) does so first.
    "cohub.apps.projects.twofactor.middleware.RequireTwoFactorMiddleware",
    # Last: it turns a login refused for too many tries into the "try again later" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cohub" / "templates"],
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

DATABASES = {"default": env.database_config(DATA_DIR / "cohub.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: it refuses a login while the address is locked out, before a password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "projects:list"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        # Length beats symbols: a few words together are long, strong and easy to remember.
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS: list = [BASE_DIR / "cohub" / "static"]
STATIC_ROOT = DATA_DIR / "static"
# JavaScript from npm (package.json "dependencies", installed by `make run`) is served
# as our own static files, never from a CDN. Where npm was not there to install it,
# the folder is missing and the pages that need it say so (ADR 0019).
COHUB_TUS_JS_DIR = BASE_DIR / "node_modules" / "tus-js-client" / "dist"
if COHUB_TUS_JS_DIR.is_dir():
    STATICFILES_DIRS.append(("vendor/tus-js-client", COHUB_TUS_JS_DIR))

# Uploaded files, and the recordings the hub keeps, live under the data directory
# (Django's default storage). Nothing there is served directly: every file is
# somebody's story, handed out only by a view that checks permission and consent.
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Uploads: form fields are text, so a generous but bounded size for them. A file
# over FILE_UPLOAD_MAX_MEMORY_SIZE is streamed to a temporary file on disk as it
# arrives, never held whole in memory: recordings can be a gigabyte.
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

# One recording (config/env.py: COHUB_RECORDING_MAX_MB, COHUB_RECORDING_MAX_MINUTES).
COHUB_RECORDING_MAX_BYTES, COHUB_RECORDING_MAX_SECONDS = env.recording_limits()
# The largest request body taken at all: a recording at its limit and room for the
# form (core.middleware.RequestSizeMiddleware; `cohub serve` caps bodies at the same).
COHUB_REQUEST_MAX_BYTES = max(100 * 1024 * 1024, COHUB_RECORDING_MAX_BYTES + 10 * 1024 * 1024)

# Recordings on their way in by the tus protocol (ADR 0019): each is appended to a
# file here, a piece of at most COHUB_UPLOAD_CHUNK_BYTES per request, and removed
# once it is kept as a story or left unfinished for a day. Appending needs a file
# on this machine's disk, so this is a folder, not a storage.
COHUB_UPLOADS_DIR = DATA_DIR / "uploads"
COHUB_UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
    }
}

# Email (config/env.py): the console by default, SMTP when COHUB_EMAIL_HOST is set.
# COHUB_EMAIL_ENABLED says whether invitations and password resets are really sent.
_email = env.email_config()
COHUB_EMAIL_ENABLED: bool = _email["COHUB_EMAIL_ENABLED"]
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
DEFAULT_FROM_EMAIL = _email["DEFAULT_FROM_EMAIL"]
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A mail server that does not answer must not hold a page for long.
EMAIL_TIMEOUT = 10

# How long an invitation link works, and a password reset link (Django's default, 3 days).
COHUB_INVITATION_DAYS = env.invitation_days()
# How many days before a story's keep-until date facilitators are told, in the app and
# by email when this hub sends email (the story is removed on the date).
COHUB_KEEP_UNTIL_WARNING_DAYS = env.keep_until_warning_days()
PASSWORD_RESET_TIMEOUT = 3 * 24 * 60 * 60
# Housekeeping runs (every hour or so) leave a row each; rows of finished runs older than
# this are removed, except each kind's newest (the jobs page still shows when it last ran).
COHUB_PERIODIC_JOB_KEEP_DAYS = env.periodic_job_keep_days()
# Assessment rounds: a group's results show only when at least this many of it answered.
COHUB_ASSESS_MIN_GROUP = env.positive_int("COHUB_ASSESS_MIN_GROUP", 3)
# How many days a peer reviewer's link works (ADR 0034); sending it again starts afresh.
COHUB_PEER_REVIEW_DAYS = env.positive_int("COHUB_PEER_REVIEW_DAYS", 21)

# Sessions and cookies (docs/adr/0025). Shared and library computers are common among
# our users: sessions end after a working day, or sooner when nothing is done (for
# facilitators, who see everything, after COHUB_FACILITATOR_IDLE_MINUTES), and
# messages (which may name a storyteller) stay server-side. The cookies are sent
# only over HTTPS wherever the hub is served over HTTPS (production.py); `make run`
# serves plain HTTP on this machine, where a secure cookie would never come back.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_COOKIE_SECURE = env.flag("COHUB_HTTPS")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
COHUB_FACILITATOR_IDLE_SECONDS = env.positive_int("COHUB_FACILITATOR_IDLE_MINUTES", 30) * 60
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Security headers. HSTS is only ever sent over HTTPS (Django sends it on secure
# requests only), so it is safe to set here; production.py turns on the redirect.
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Only this site may use the microphone (recording in the browser); nothing else.
COHUB_PERMISSIONS_POLICY = "microphone=(self), camera=(), geolocation=(), payment=(), usb=()"

# Content Security Policy (django-csp 4): scripts and styles only from our own static
# files, never inline, never eval; nothing may frame the hub. Recordings listened to
# before they are sent are blob: URLs. Pages that need a script load one from
# static/ (see docs/adr/0025 for what is forbidden in templates).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Login throttling (django-axes): five wrong passwords for one address from one place
# lock that pair out for fifteen minutes (or until `cohub unlock EMAIL`); a right
# password clears the count. Address and place together, so nobody can lock someone
# else out from everywhere by typing their address wrongly.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=env.positive_int("COHUB_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cohub.apps.accounts.lockout.lockout_response"
# The login form's address field is called "username" (Django's form), not "email".
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "cohub.apps.accounts.lockout.username_from_request"
AXES_VERBOSE = False

# Two-step sign-in (django-otp, docs/adr/0025). The name an authenticator app shows
# beside the codes; wrong codes are slowed per device (1, 2, 4, 8... seconds apart).
COHUB_TWO_STEP_URL = "projects:two_step"
OTP_TOTP_ISSUER = env.get("COHUB_OTP_ISSUER", "cohub")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    # Login throttling logs every login at INFO; lockouts (WARNING) are what matter.
    # Presidio says at INFO which device it runs on each time its engine is built.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "presidio-analyzer": {"level": "WARNING"},
    },
}
