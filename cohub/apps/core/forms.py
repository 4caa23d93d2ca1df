"""Form helpers every app uses: widgets, fields and wording that were copied per app."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.db.models import Model
from django.utils import timezone

from cohub.apps.core import dates
from cohub.apps.core.errors import ServiceError


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


def add_service_error(form: forms.BaseForm, error: ServiceError) -> None:
    """Show a service's refusal on ``form``: beside the field it names, else at the top."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error))


def first_error(form: forms.BaseForm) -> str:
    """The first error on a form, for a page that reports it as a message.

    Small POST-only forms (tag, merge) redirect back to the page they sit on
    rather than render themselves, so their error travels as one message.
    """
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return "Something was not right. Please try again."


class DateInput(forms.DateInput):
    """The browser's date picker, with the value always written as 2026-12-31.

    ``latest_today``/``earliest_today`` set the picker's ``max``/``min`` to the
    day the page is drawn (not the day the server started), so the picker
    offers only days the form will take.
    """

    input_type = "date"

    def __init__(
        self,
        attrs: dict[str, Any] | None = None,
        *,
        latest_today: bool = False,
        earliest_today: bool = False,
    ) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")
        self.latest_today = latest_today
        self.earliest_today = earliest_today

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = dict(attrs or {})
        today = timezone.localdate().isoformat()
        if self.latest_today:
            attrs.setdefault("max", today)
        if self.earliest_today:
            attrs.setdefault("min", today)
        return super().get_context(name, value, attrs)


class _CheckedDateField(forms.DateField):
    """A date field that keeps the rules in ``core.dates``, worded as the services word them."""

    def __init__(self, *, not_after_today: str = "", not_before_today: str = "", **kwargs: Any):
        self.not_after_today = not_after_today
        self.not_before_today = not_before_today
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        try:
            if self.not_after_today:
                dates.refuse_future(value, what=self.not_after_today)
            if self.not_before_today:
                dates.refuse_past(value, what=self.not_before_today)
        except ServiceError as error:
            raise forms.ValidationError(str(error), code="out_of_range") from None


def optional_date_field(
    label: str, *, not_after_today: str = "", not_before_today: str = "", **kwargs: Any
) -> forms.DateField:
    """A date a person may leave empty, with our wording when it cannot be read.

    ``not_after_today="The day it was told"`` refuses a day after today (and
    ``not_before_today`` one before it), naming the date in the words given.
    """
    kwargs.setdefault(
        "error_messages",
        {"invalid": "Enter a real date, for example 2026-12-31, or leave it empty."},
    )
    widget = DateInput(latest_today=bool(not_after_today), earliest_today=bool(not_before_today))
    return _CheckedDateField(
        label=label,
        required=False,
        widget=widget,
        not_after_today=not_after_today,
        not_before_today=not_before_today,
        **kwargs,
    )


class OptionDisabledRadioSelect(forms.RadioSelect):
    """Radio buttons where some options are shown but cannot be chosen.

    Showing the option greyed out tells a person it exists and why they cannot
    pick it (say, consent does not cover it), where leaving it out would not.
    """

    def __init__(self, *args: Any, disabled_values: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.disabled_values = set(disabled_values)

    def create_option(
        self,
        name: str,
        value: Any,
        label: int | str,
        selected: bool,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value in self.disabled_values:
            option["attrs"]["disabled"] = True
        return option


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one file input; always cleans to a list.

    Django's ``FileField`` takes one file; importing a batch of transcripts
    needs the list, each file checked as the single field would check it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            if data:
                return [single(item, initial) for item in data]
            data = None
        cleaned = single(data, initial)
        return [cleaned] if cleaned else []
