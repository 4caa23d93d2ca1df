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


class Event(models.Model):
    """One line of the audit trail: who did what to which record, and when.

    Kept deliberately loose (a verb, a target label and a JSON payload) so any
    app can record an action without the core knowing the app's models. Story
    content never goes into ``data``: audit rows outlive withdrawn stories.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=80)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    project_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.verb} {self.target_type}:{self.target_id}"


def record_event(
    *,
    actor: Any,
    verb: str,
    target: models.Model | None = None,
    project_id: int | None = None,
    data: dict | None = None,
) -> Event:
    """Append to the audit trail; callers run this inside their own transaction."""
    return Event.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        project_id=project_id,
        data=data or {},
    )
