"""Local use: `make run` and `cohub serve` on one machine."""

from config import env

from .base import *  # noqa: F403
from .base import DATA_DIR

DEBUG = env.flag("COHUB_DEBUG", default=False)


def _dev_secret_key() -> str:
    """Keep one random key per data directory so sessions survive restarts.

    No key is in the repository: it is made on first start, in a file only this
    account can read (created with mode 0600, never readable by others even for a
    moment), inside a data directory only this account can enter.
    """
    import os

    from django.core.management.utils import get_random_secret_key

    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = get_random_secret_key()
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # the worker, started at the same moment, made it first
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key


SECRET_KEY = env.get("COHUB_SECRET_KEY") or _dev_secret_key()
