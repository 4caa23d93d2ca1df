"""Base models and the audit Event log that every app writes to."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditTrailError(Exception):
    """Raised when code tries to change or remove a line of the audit trail."""


class EventQuerySet(models.QuerySet["Event"]):
    """The audit trail is append-only: bulk updates and deletes are refused."""

    def update(self, **kwargs: Any) -> int:
        raise AuditTrailError("The audit trail cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditTrailError("The audit trail cannot be deleted from.")


class Event(models.Model):
    """One line of the audit trail: who did what to which record, and when.

    Kept deliberately loose (a verb, a target label and a JSON payload) so any
    app can record an action without the core knowing the app's models. Story
    content never goes into ``data``: audit rows outlive withdrawn stories.

    Append-only: a saved line is never changed or deleted through the
    application (``save`` of a stored line, ``delete`` and the queryset's
    ``update``/``delete`` raise). Removing a person's account sets ``actor`` to
    empty through Django's own cascade, which bypasses these on purpose.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=80)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    project_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # The organisation a line belongs to when it belongs to no project (a round of a whole
    # organisation, its own frameworks), so the organisation's own log can find it.
    organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.verb} {self.target_type}:{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditTrailError("A line of the audit trail cannot be changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditTrailError("A line of the audit trail cannot be deleted.")


def record_event(
    *,
    actor: Any,
    verb: str,
    target: models.Model | None = None,
    project_id: int | None = None,
    organisation_id: int | None = None,
    data: dict | None = None,
) -> Event:
    """Append to the audit trail; callers run this inside their own transaction."""
    return Event.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        project_id=project_id,
        organisation_id=organisation_id,
        data=data or {},
    )
