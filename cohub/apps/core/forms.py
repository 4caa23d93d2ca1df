"""Form helpers every app uses."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.db.models import Model


def offer_loaded(field: forms.ModelChoiceField, objects: Sequence[Model]) -> None:
    """Let a model choice field offer ``objects``, already loaded, without querying.

    A ``ModelChoiceField`` runs its queryset again every time it renders (Django's
    choice iterator bypasses a queryset's cache), so a page with one tagging form
    per quote ran one themes query per quote. Load the rows once and hand them to
    every form. A submitted value is still looked up, in one query, among exactly
    these rows, so nothing the page did not offer can be chosen.
    """
    if field.queryset is None:
        raise TypeError("Declare the field with a queryset, e.g. Theme.objects.none().")
    model = field.queryset.model
    field.queryset = model._default_manager.filter(pk__in=[obj.pk for obj in objects])
    choices: list[tuple[object, object]] = [
        (obj.pk, field.label_from_instance(obj)) for obj in objects
    ]
    if not isinstance(field, forms.ModelMultipleChoiceField) and field.empty_label is not None:
        choices.insert(0, ("", field.empty_label))
    field.choices = choices
