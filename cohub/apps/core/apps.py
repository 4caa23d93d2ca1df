from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def secure_delete_on(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Make SQLite overwrite what it deletes, on every connection (ADR 0024).

    Without it, a deleted row stays in the database file's free space until the
    page is reused: a withdrawn story would still be readable with a hex editor.
    The setting belongs to the connection, not the file, so it is set on each.
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")


class CoreConfig(AppConfig):
    name = "cohub.apps.core"
    label = "core"

    def ready(self) -> None:
        connection_created.connect(secure_delete_on, dispatch_uid="cohub.secure_delete")
