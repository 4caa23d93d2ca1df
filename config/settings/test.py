"""The test suite: same apps, fast hashing, tasks run immediately."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Messages stay in memory (django.core.mail.outbox); whether the hub says it
# sends email is fixed here, whatever the environment says, and tests that
# need it on turn it on.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
COHUB_EMAIL_ENABLED = False
COHUB_INVITATION_DAYS = 14

# Serve static files straight from the app folders; there is no collectstatic in tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# axe-core (from npm) for the accessibility checks in browser tests, served like our own
# script, because the Content Security Policy stays on in tests and refuses inline ones.
_AXE_DIR = BASE_DIR / "node_modules" / "axe-core"  # noqa: F405
if _AXE_DIR.is_dir():
    STATICFILES_DIRS = [*STATICFILES_DIRS, ("vendor/axe-core", _AXE_DIR)]  # noqa: F405

# An isolated job kind runs in a child process that opens its own database
# connection, and a child cannot see an in-memory SQLite database. So the test
# database is a file, one per test process (pytest-xdist adds its own suffix).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    import os as _os
    import tempfile as _tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": _os.path.join(_tempfile.gettempdir(), f"cohub-test-{_os.getpid()}.sqlite3"),
    }

# Uploads in progress go to a folder of this test process (tests that look inside
# it give each test its own).
COHUB_UPLOADS_DIR = Path(tempfile.gettempdir()) / f"cohub-test-uploads-{os.getpid()}"
