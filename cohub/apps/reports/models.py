"""Saved versions of the findings report, each tailored for one audience.

A version holds what a facilitator chose (themes, sectors, a title, a
paragraph for its readers), never quotes: it is built afresh each time it is
opened, so consent as it stands then decides what it shows, and a withdrawn
story leaves nothing behind in it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cohub.apps.analysis.models import Highlight, Theme
from cohub.apps.core.models import TimeStampedModel
from cohub.apps.projects.models import Project


class ReportVersion(TimeStampedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="report_versions")
    title = models.CharField(
        max_length=200, help_text='For example "For the adult social care team".'
    )
    for_you = models.TextField(
        blank=True, help_text="What is in it for this audience, in a few sentences."
    )
    themes = models.ManyToManyField(
        Theme,
        blank=True,
        related_name="report_versions",
        help_text="Only these themes; none chosen means every theme.",
    )
    sectors = models.JSONField(
        default=list, blank=True, help_text="Only quotes for these sectors; empty means all."
    )
    approved_only = models.BooleanField(
        default=False,
        help_text="Only quotes whose storytellers approved their words as they are now.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "title"], name="unique_report_version_title")
        ]

    def __str__(self) -> str:
        return self.title


class ChangeStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    NOT_DOING = "not_doing", "Not doing"


class ChangeAction(TimeStampedModel):
    """What will change because of the findings ("you said, we did"), and what was done.

    It points at themes and quotes rather than copying their words, so a
    withdrawn story's quotes leave it with the story (the link rows cascade),
    and every page that shows quotes still asks consent through the findings.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="change_actions")
    title = models.CharField(
        "What will change",
        max_length=300,
        help_text="For example “Call people back within a week of a referral”.",
    )
    owner = models.CharField(
        "Who owns it",
        max_length=200,
        blank=True,
        help_text="A team or a person, for example “Adult social care team”.",
    )
    due = models.DateField("By when", null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.PLANNED
    )
    reason = models.TextField(
        "Why it is not being done", blank=True, help_text="Needed when the status is not doing."
    )
    what_was_done = models.TextField(
        "What was done", blank=True, help_text="Filled in when it is done."
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="change_actions")
    quotes = models.ManyToManyField(Highlight, blank=True, related_name="change_actions")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return self.title
