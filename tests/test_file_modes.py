"""What the hub writes under its data directory is readable by its own account only.

Run as the hub runs (``config.settings.dev``, a fresh data directory, no secret
in the environment) in a child process, so the umask and the settings are the
real start-up's, not the test process's.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, os, stat
import django
django.setup()
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.conf import settings

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE IF NOT EXISTS words (text TEXT)")
    cursor.execute("INSERT INTO words VALUES ('a story')")
name = default_storage.save("recordings/2026/story.ogg", ContentFile(b"somebody's voice"))
data = settings.DATA_DIR
modes = {}
for path in [data, *sorted(data.rglob("*"))]:
    modes[str(path.relative_to(data))] = stat.S_IMODE(path.stat().st_mode)
print(json.dumps({"modes": modes, "secret_key": settings.SECRET_KEY}))
"""


def _start_hub_in(data: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"COHUB_SECRET_KEY", "COHUB_DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        COHUB_DATA_DIR=str(data),
        PYTHONPATH=str(ROOT),
    )
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_database_media_and_secret_are_the_owners_only(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)  # as a careless `mkdir` would leave it
    # The folder is opened up again, as an operator might, and the hub closes it at start.
    first = _start_hub_in(data)["modes"]
    assert first["."] == 0o700
    assert first["cohub.sqlite3"] == 0o600
    assert first["cohub.sqlite3-wal"] == 0o600
    assert first["secret_key"] == 0o600
    assert first["media/recordings/2026/story.ogg"] == 0o600
    for folder in ("media", "media/recordings", "media/recordings/2026"):
        assert first[folder] == 0o700, folder
    readable_by_others = [
        name for name, mode in first.items() if mode & (stat.S_IRWXG | stat.S_IRWXO)
    ]
    assert readable_by_others == []


def test_the_secret_key_is_made_on_first_start_and_kept(tmp_path):
    data = tmp_path / "data"
    first = _start_hub_in(data)["secret_key"]
    assert len(first) >= 50
    assert _start_hub_in(data)["secret_key"] == first
    assert (data / "secret_key").read_text() == first
