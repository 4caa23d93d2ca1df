"""Which of a storyteller's fields are about the person, and which are kept on withdrawal.

Every concrete field of ``Storyteller`` is in exactly one of ``PERSONAL_FIELDS``
or ``KEPT_FIELDS`` (``tests/stories/test_personal.py`` fails otherwise), so a
new field cannot be added without deciding whether withdrawal empties it.
The profile forms, ``storyteller_create``/``storyteller_update`` and
``consent_withdraw`` all read these lists rather than naming fields again.
Models are imported only when a field is looked up, so the demo manifest
reader can use the lists before Django's apps are loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from cohub.apps.stories.models import Storyteller

PROFILE_FIELDS: tuple[str, ...] = (
    "pseudonym",
    "real_name",
    "self_description",
    "age_range",
    "gender",
    "ethnicity",
    "location",
    "sectors",
    "roles",
    "topics",
)
"""The personal fields the team fills in, in form order: what profile forms and services take."""

PERSONAL_FIELDS: tuple[str, ...] = (
    *PROFILE_FIELDS,
    "user",  # their own login, if they have one: it names them and must not stay linked
)
"""Everything that says who the storyteller is; withdrawal empties all of it."""

KEPT_FIELDS: dict[str, str] = {
    "id": "the row stays as the record that they took part and withdrew",
    "project": "which project they withdrew from, for that record",
    "created_at": "when they were registered, so the consent history reads in order",
    "updated_at": "when the row last changed, which is when they withdrew",
    "created_by": "the team member who registered them, not the storyteller",
    "withdrawn_at": "when they withdrew: the proof that their choice was acted on",
}
"""Fields withdrawal leaves alone, each with why keeping it is right."""


WITHDRAWN_PSEUDONYM = "Withdrawn storyteller"
"""What every withdrawn storyteller is shown as, on every page and in the command line.

The same words for everyone: a number (their row's id) would say nothing to a
person and something to anyone counting, and pages tell withdrawn storytellers
apart by the day they withdrew. No active storyteller may take this name.
"""


def withdrawn_pseudonym(storyteller: Storyteller) -> str:
    """The name a withdrawn storyteller is shown by: it says what happened and names no one."""
    return WITHDRAWN_PSEUDONYM


def empty_value(name: str) -> Any:
    """What a personal field holds once emptied: ``None``, ``[]`` or ``""`` by its type.

    A field type with no obvious empty value raises, so whoever adds one has to
    decide here rather than withdrawal leaving something behind.
    """
    from cohub.apps.stories.models import Storyteller

    field = Storyteller._meta.get_field(name)
    if isinstance(field, models.Field) and field.null:
        return None
    if isinstance(field, models.JSONField):
        return field.get_default()
    if isinstance(field, models.CharField | models.TextField):
        return ""
    raise TypeError(f"Say in personal.py what an emptied Storyteller.{name} holds.")


def withdrawn_values(storyteller: Storyteller) -> dict[str, Any]:
    """Every personal field as it is after withdrawal: emptied, the pseudonym replaced.

    A pseudonym is required (pages and messages name storytellers by it), so it
    becomes a neutral label instead of being blanked.
    """
    values = {name: empty_value(name) for name in PERSONAL_FIELDS}
    values["pseudonym"] = withdrawn_pseudonym(storyteller)
    return values
