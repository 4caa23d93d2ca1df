"""Dates a person types, checked against today, with the refusal naming the date.

A story cannot have been told tomorrow, and a story cannot be kept until a day
that has already gone. The services check these rules (so the command line and
every page keep them) and the forms check them beside the field (so the
person sees the problem where they typed it); both call these functions, so
the rule and its wording live once.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cohub.apps.core.errors import ServiceError


def spoken_date(day: dt.date) -> str:
    """``2026-03-01`` as people say it: ``1 March 2026``."""
    return f"{day.day} {day:%B %Y}"


def refuse_future(day: dt.date | None, *, what: str) -> None:
    """Refuse a day after today. ``what`` names the date as a sentence starts it."""
    if day is not None and day > timezone.localdate():
        raise ServiceError(
            f"{what} cannot be in the future: {spoken_date(day)} has not come yet. "
            "Choose today or an earlier day, or leave it empty."
        )


def refuse_past(day: dt.date | None, *, what: str) -> None:
    """Refuse a day before today. ``what`` names the date, as a sentence starts."""
    if day is not None and day < timezone.localdate():
        raise ServiceError(
            f"{what} cannot be in the past: {spoken_date(day)} has already gone. "
            "Choose today or a later day, or leave it empty."
        )


TOLD_ON = "The day it was told"
KEEP_UNTIL = "The 'keep until' date"
