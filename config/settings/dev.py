"""Local use: `make run` and `cohub serve` on one machine."""

from config import env

from .base import *  # noqa: F403
from .base import DATA_DIR

DEBUG = env.flag("COHUB_DEBUG", default=False)


def _dev_secret_key() -> str:
    """Keep one random key per data directory so sessions survive restarts."""
    from django.core.management.utils import get_random_secret_key

    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = get_random_secret_key()
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = env.get("COHUB_SECRET_KEY") or _dev_secret_key()
