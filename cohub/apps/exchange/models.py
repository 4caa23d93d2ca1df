"""Which of our records a REFI-QDA GUID stands for, per project.

Other tools know a code, a source or a selection by its GUID. Keeping the GUID
beside the record means an export says the same GUID every time (a tool that
imports it again updates rather than duplicates), and an import of the same
file finds what it made last time instead of adding it twice.

A row points at exactly one record and goes with it (the foreign keys
cascade), so a withdrawn story takes its GUIDs along; the row holds no words.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from cohub.apps.analysis.models import Highlight, Theme
from cohub.apps.projects.models import Project
from cohub.apps.stories.models import Story, Storyteller


class LinkKind(models.TextChoices):
    THEME = "theme", "Code (theme)"
    STORY = "story", "Text source (story)"
    QUOTE = "quote", "Selection (key quote)"
    USER = "user", "User"
    STORYTELLER = "storyteller", "Case (storyteller)"


class ExchangeLink(models.Model):
    """One GUID in one project, and the theme, story, quote, storyteller or person it names."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    guid = models.UUIDField(default=uuid.uuid4)
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    story = models.ForeignKey(
        Story, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    highlight = models.ForeignKey(
        Highlight, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    storyteller = models.ForeignKey(
        Storyteller, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "guid"], name="one_record_per_guid"),
            models.UniqueConstraint(
                fields=["project", "theme"],
                condition=models.Q(theme__isnull=False),
                name="one_guid_per_theme",
            ),
            models.UniqueConstraint(
                fields=["project", "story"],
                condition=models.Q(story__isnull=False),
                name="one_guid_per_story",
            ),
            models.UniqueConstraint(
                fields=["project", "highlight"],
                condition=models.Q(highlight__isnull=False),
                name="one_guid_per_quote",
            ),
            models.UniqueConstraint(
                fields=["project", "storyteller"],
                condition=models.Q(storyteller__isnull=False),
                name="one_guid_per_storyteller",
            ),
            models.UniqueConstraint(
                fields=["project", "user"],
                condition=models.Q(user__isnull=False),
                name="one_guid_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.guid}"
