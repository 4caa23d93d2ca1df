"""Form helpers every app uses: widgets, fields and wording that were copied per app.

Every form in cohub is a :class:`PlainForm` (or mixes in :class:`PlainWordsMixin`
before a Django form class). Django's own error messages ("This field is
required.", "Select a valid choice. That choice is not one of the available
choices.") say nothing about which box is wrong or what to do; the mixin
replaces each one it would show with words that name the field. Messages a
form sets itself are left alone. ``tests/core/test_plain_words.py`` walks every
form class in cohub and fails if a Django default could still reach a page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
)
from django.db.models import Model
from django.forms.utils import pretty_name
from django.utils import timezone

from cohub.apps.core import dates
from cohub.apps.core.errors import ServiceError

STALE_PAGE = (
    "This page is out of date: something on it changed after it was opened. "
    "Reload the page and try again."
)
"""For a hidden input that went wrong: the person typed nothing there, so name nothing."""


def field_words(name: str, field: forms.Field) -> str:
    """How a message names a field: its label without "(optional)" or a closing colon."""
    label = str(field.label) if field.label else pretty_name(name)
    label = label.removesuffix("(optional)").strip().rstrip(":").strip()
    # Messages with parameters are %-formatted by Django; a % in a label must survive that.
    return label.replace("%", "%%")


def _limit(field: forms.Field, kind: type) -> Any:
    for validator in field.validators:
        if isinstance(validator, kind):
            limit = cast(Any, validator).limit_value
            return limit() if callable(limit) else limit
    return None


def _number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def plain_message(name: str, field: forms.Field, code: str) -> str:
    """Our words for the error ``code`` on ``field``, naming it, saying what to do."""
    if field.widget.is_hidden:
        return STALE_PAGE
    what = f"'{field_words(name, field)}'"
    if code == "required":
        if isinstance(field, forms.BooleanField):
            return f"Tick {what} to go on."
        if isinstance(field, forms.FileField):
            return f"Choose a file for {what}."
        if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            return f"Choose at least one answer for {what}."
        if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
            return f"Choose an answer for {what}."
        return f"Fill in {what}."
    if code in {"invalid_choice", "invalid_pk_value", "invalid_list"}:
        return (
            f"The answer chosen for {what} is no longer on offer (the page may have just "
            "changed). Choose again from the list."
        )
    if code == "max_length" and isinstance(field, forms.FileField):
        return f"The file's name is too long for {what}. Rename the file and choose it again."
    if code == "max_length":
        limit = _number(_limit(field, MaxLengthValidator))
        return f"{what} can be up to {limit} characters long. Shorten it and try again."
    if code == "min_length":
        return f"{what} is too short. Add a little more and try again."
    if code == "max_value":
        return f"{what} can be at most {_number(_limit(field, MaxValueValidator))}."
    if code == "min_value":
        return f"{what} must be at least {_number(_limit(field, MinValueValidator))}."
    if code == "null_characters_not_allowed":
        return (
            f"{what} has a hidden character in it that cannot be saved (it often comes "
            "with pasted text). Type that part again and try once more."
        )
    if isinstance(field, forms.FileField):
        if code == "empty":
            return f"The file chosen for {what} is empty: there is nothing in it."
        if code == "contradiction":
            return f"Choose a new file for {what}, or tick to clear it, not both."
        return f"The file for {what} did not arrive. Choose it again."
    if code == "invalid":
        if isinstance(field, forms.DateField):
            return f"Enter a real date for {what}, for example 2026-12-31."
        if isinstance(field, forms.EmailField):
            return f"Enter an email address for {what}, like name@example.com."
        if isinstance(field, forms.IntegerField):
            return f"Enter a whole number for {what}, like 3."
    return f"{what} is not right yet. Check it and try again."


def _django_defaults(field: forms.Field) -> dict[str, set[str]]:
    """Django's own messages for ``field``, by code: its classes' and its validators'."""
    defaults: dict[str, set[str]] = {}
    for klass in type(field).__mro__:
        for code, message in getattr(klass, "default_error_messages", {}).items():
            defaults.setdefault(code, set()).add(str(message))
    for validator in [*field.validators, ProhibitNullCharactersValidator()]:
        code = getattr(validator, "code", None)
        if code is not None:
            defaults.setdefault(code, set()).add(str(getattr(type(validator), "message", "")))
    return defaults


def error_codes(field: forms.Field) -> set[str]:
    """Every error code ``field`` can raise: its own and its validators'."""
    codes = set(field.error_messages)
    codes.update(code for v in field.validators if (code := getattr(v, "code", None)))
    return codes


def use_plain_words(name: str, field: forms.Field) -> None:
    """Give ``field`` our words for every error it would otherwise word as Django does.

    A message the form chose itself stays. A validator's message is replaced
    through ``error_messages``, which Django consults by code before showing it.
    """
    defaults = _django_defaults(field)
    for code in error_codes(field):
        current = field.error_messages.get(code)
        if current is None or str(current) in defaults.get(code, set()):
            field.error_messages[code] = plain_message(name, field, code)


# The mixin sits before a Django form; type checkers are told so, Python is not.
_FormBase = forms.BaseForm if TYPE_CHECKING else object


class PlainWordsMixin(_FormBase):  # type: ignore[misc,valid-type]
    """Put our words in place of Django's before a form checks its input.

    Done as the form is cleaned, not when it is made, so fields that a form
    adds or replaces in its own ``__init__`` are worded too.
    """

    def full_clean(self) -> None:
        for name, field in self.fields.items():
            use_plain_words(name, field)
        super().full_clean()

    def add_error(self, field: str | None, error: Any) -> None:
        """Reword a Django default that a field raised without consulting its messages.

        A few checks raise their message directly (a choice field refusing a null
        character does), so the error is looked at once more on its way in.
        """
        if field is not None and field in self.fields and isinstance(error, forms.ValidationError):
            form_field = self.fields[field]
            defaults = _django_defaults(form_field)
            for problem in error.error_list:
                if problem.code and str(problem.message) in defaults.get(problem.code, set()):
                    problem.message = plain_message(field, form_field, problem.code)
        super().add_error(field, error)


class PlainForm(PlainWordsMixin, forms.Form):
    """The form every cohub form starts from."""


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

    def __init__(
        self, *, not_after_today: str = "", not_before_today: str = "", **kwargs: Any
    ) -> None:
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
                return [self._clean_one(item, initial) for item in data]
            data = None
        cleaned = self._clean_one(data, initial) if data else single(data, initial)
        return [cleaned] if cleaned else []

    def _clean_one(self, upload: Any, initial: Any) -> Any:
        """One file, its refusal starting with its name so the person knows which it was."""
        try:
            return super().clean(upload, initial)
        except forms.ValidationError as error:
            name = getattr(upload, "name", "")
            if not name:
                raise
            raise forms.ValidationError(
                [f"{name}: {message}" for message in error.messages], code=error.code
            ) from None
