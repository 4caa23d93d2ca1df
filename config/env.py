"""The only module that reads ``os.environ``.

Every setting that can come from the environment is read here, once, so a
reader of the settings can see every knob in one place.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent.parent


def get(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def settings_module() -> str:
    return get("DJANGO_SETTINGS_MODULE", "config.settings.dev")


def data_dir() -> Path:
    """Where the SQLite database and collected static files live (``COHUB_DATA_DIR``)."""
    return Path(get("COHUB_DATA_DIR", str(BASE_DIR / "var"))).resolve()


def database_config(default_sqlite: Path) -> dict:
    """Build Django's DATABASES['default'] from ``COHUB_DATABASE_URL``.

    Only ``sqlite:///path`` and ``postgres://user:pass@host:port/name`` are
    understood; anything else is a configuration mistake worth failing on.
    """
    url = get("COHUB_DATABASE_URL")
    if not url:
        return sqlite_config(default_sqlite)
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        return sqlite_config(Path(unquote(parsed.path)))
    if parsed.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "cohub",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
        }
    raise ValueError(
        f"COHUB_DATABASE_URL must start with sqlite:/// or postgres://, not {parsed.scheme!r}"
    )


def sqlite_config(path: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            # WAL lets the web process read while the worker writes; the
            # immediate transaction mode avoids "database is locked" on upgrade.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }
