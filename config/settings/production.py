"""A deployed hub: PostgreSQL, a real secret, HTTPS."""

from django.core.exceptions import ImproperlyConfigured

from config import env

from .base import *  # noqa: F403

if not SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured("Set COHUB_SECRET_KEY for production.")
SECURE_SSL_REDIRECT = env.flag("COHUB_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 30
CSRF_TRUSTED_ORIGINS = [o for o in env.get("COHUB_CSRF_TRUSTED_ORIGINS").split(",") if o]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
