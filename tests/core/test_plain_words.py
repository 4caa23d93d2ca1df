"""No Django default error message can reach a page: every cohub form speaks our words.

The test finds every form class in cohub by importing every module, makes each
one (with stand-ins for what its constructor needs), binds it to input that
breaks each field every way we can think of (empty, far too long, not a date,
not a number, a hidden null character, a choice that is not offered, an empty
file), and fails if any message it would show is one of Django's own, or if a
field could raise an error code still worded by Django.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django import forms
from django.contrib.auth import forms as auth_forms
from django.core import validators
from django.core.files.uploadedfile import SimpleUploadedFile

import cohub
from cohub.apps.accounts.models import Organisation, User
from cohub.apps.analysis.models import Theme
from cohub.apps.assess.models import AssessmentItem, FrameworkVersion
from cohub.apps.core.forms import (
    STALE_PAGE,
    PlainForm,
    PlainWordsMixin,
    error_codes,
    plain_message,
)
from cohub.apps.core.models import Event
from cohub.apps.projects.models import Project
from cohub.apps.stories.models import Speaker, Storyteller, Transcript
from cohub.apps.stories.scopes import ConsentScope

pytestmark = pytest.mark.django_db


def _all_subclasses(klass: type) -> Iterator[type]:
    for sub in klass.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def _django_messages() -> set[str]:
    """Every error message Django ships for forms, fields and validators, as templates."""
    found: set[str] = set()
    for field_class in {forms.Field, *_all_subclasses(forms.Field)}:
        if field_class.__module__.startswith("django."):
            found.update(
                str(m) for m in getattr(field_class, "default_error_messages", {}).values()
            )
    for form_class in _all_subclasses(forms.BaseForm):
        if form_class.__module__.startswith("django."):
            found.update(str(m) for m in getattr(form_class, "error_messages", {}).values())
    for value in vars(validators).values():
        message = getattr(value, "message", None)
        if isinstance(message, str) or type(message).__name__ == "__proxy__":
            found.add(str(message))
        messages = getattr(value, "messages", None)
        if isinstance(messages, dict):
            found.update(str(m) for m in messages.values())
    found.update(str(m) for m in auth_forms.SetPasswordMixin.error_messages.values())
    return {message for message in found if message}


DJANGO_MESSAGES = _django_messages()
# Pieces of Django's wording, to catch a default however it was formatted.
DJANGO_PHRASES = re.compile(
    r"This field is required|Select a valid choice|Ensure this (value|filename)|"
    r"Enter a (valid|whole number|number|list of values)|No file was submitted|"
    r"The submitted file is empty|Null characters are not allowed|\(Hidden field"
)


def _cohub_form_classes() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(cohub.__path__, "cohub."):
        if ".migrations" not in module.name and not module.name.startswith("cohub.demo"):
            importlib.import_module(module.name)
    return sorted(
        (
            klass
            for klass in _all_subclasses(forms.BaseForm)
            if klass.__module__.startswith("cohub.")
        ),
        key=lambda klass: f"{klass.__module__}.{klass.__qualname__}",
    )


FORM_CLASSES = _cohub_form_classes()


def _stand_ins() -> dict[str, list[Any]]:
    """What a form's constructor may ask for, by argument name; several values try each."""
    user = User(email="someone@example.org", display_name="Someone")
    user.set_password("a long enough password 2026")
    return {
        "storytellers": [Storyteller.objects.none()],
        "transcripts": [Transcript.objects.none()],
        "segments": [None, []],
        "themes": [[], [Theme(pk=10**9, name="Waiting")]],
        "part_count": [3],
        "organisations": [Organisation.objects.none()],
        "email": ["new@example.org"],
        "speakers": [Speaker.objects.none()],
        "user": [user],
        "request": [None],
        "project": [Project(pk=10**9, name="A project", slug="a-project")],
        "versions": [[]],
        "item": [
            AssessmentItem(
                framework_version=FrameworkVersion(answer_kind=kind, choices=["low", "high"]),
                statement="We share power.",
                easy_read="We share power.",
            )
            for kind in ("scale", "ladder")
        ],
        "members": [User.objects.none()],
        "events": [Event.objects.none()],
        "items": [[], [AssessmentItem(pk=10**9, statement="We share power.")]],
        "prefix_id": [1],
        "granted": [[], list(ConsentScope)],
    }


def _variants(klass: type[forms.BaseForm]) -> Iterator[dict[str, Any]]:
    """Each way to make ``klass``: one keyword dict per combination of stand-ins."""
    stand_ins = _stand_ins()
    combos: list[dict[str, Any]] = [{}]
    parameters = {
        parameter.name: parameter
        for base in reversed(klass.__mro__)
        if "__init__" in vars(base) and base is not object
        for parameter in list(inspect.signature(vars(base)["__init__"]).parameters.values())[1:]
    }
    for parameter in parameters.values():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if parameter.name in {"data", "files", "auto_id", "prefix", "initial"}:
            continue
        if parameter.name in stand_ins:
            combos = [
                {**combo, parameter.name: value}
                for combo in combos
                for value in stand_ins[parameter.name]
            ]
        elif parameter.default is parameter.empty:
            pytest.fail(
                f"{klass.__qualname__} needs '{parameter.name}': add a stand-in for it "
                "to _stand_ins() in tests/core/test_plain_words.py."
            )
    yield from combos


def _make(klass: type[forms.BaseForm], kwargs: dict[str, Any], **bound: Any) -> forms.BaseForm:
    kwargs = dict(kwargs)
    user = kwargs.pop("user", None)
    if user is not None:  # Django's password forms take the user first, by position
        return klass(user, **kwargs, **bound)
    return klass(**kwargs, **bound)


NULL = "\x00"
BAD_VALUES: list[Any] = ["", "x" * 5000, "not a date", "-7", "99999", NULL, "999999999"]


def _bad_inputs(form: forms.BaseForm) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Data and files that break every field, one kind of breakage at a time."""
    yield {}, {}
    for value in BAD_VALUES:
        data: dict[str, Any] = {}
        for name, field in form.fields.items():
            key = form.add_prefix(name)
            if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
                data[key] = [value, "not-offered"]
            else:
                data[key] = value
        yield data, {}
    empty_files = {
        form.add_prefix(name): SimpleUploadedFile("notes.txt", b"")
        for name, field in form.fields.items()
        if isinstance(field, forms.FileField)
    }
    if empty_files:
        yield {}, empty_files
        yield {}, {key: "not a file" for key in empty_files}


def _shown_messages(form: forms.BaseForm) -> Iterator[tuple[str, str, str]]:
    """(field, template, text as shown) for every error the bound form would show."""
    for name, errors in form.errors.as_data().items():
        for error in errors:
            for shown in error:
                yield name, str(error.message), str(shown)


def test_every_form_is_found_and_speaks_plainly():
    assert len(FORM_CLASSES) >= 20, [k.__qualname__ for k in FORM_CLASSES]
    not_plain = [k.__qualname__ for k in FORM_CLASSES if not issubclass(k, PlainWordsMixin)]
    assert not not_plain, (
        f"These forms do not use our words: {not_plain}. Make them a "
        "cohub.apps.core.forms.PlainForm (or put PlainWordsMixin first)."
    )


@pytest.mark.parametrize("klass", FORM_CLASSES, ids=lambda k: k.__qualname__)
def test_no_django_default_message_reaches_a_page(klass):
    for kwargs in _variants(klass):
        template = _make(klass, kwargs)
        for data, files in _bad_inputs(template):
            form = _make(klass, kwargs, data=data, files=files)
            form.is_valid()
            for name, message, shown in _shown_messages(form):
                where = f"{klass.__qualname__}.{name} given {data or files!r:.80}"
                assert message not in DJANGO_MESSAGES, f"{where}: Django's '{shown}'"
                assert not DJANGO_PHRASES.search(shown), f"{where}: Django's '{shown}'"
            # What the field could say to input we did not think of.
            for name, field in form.fields.items():
                for code in error_codes(field):
                    message = str(field.error_messages.get(code, ""))
                    assert message and message not in DJANGO_MESSAGES, (
                        f"{klass.__qualname__}.{name} would say Django's '{message}' ({code})"
                    )


class _Example(PlainForm):
    title = forms.CharField(label="Title (optional)", max_length=200, required=False)
    when = forms.DateField(label="When was it told?")
    theme = forms.ModelChoiceField(label="Theme", queryset=Theme.objects.none())
    agree = forms.BooleanField(label="I agree")
    secret = forms.CharField(widget=forms.HiddenInput)
    kept = forms.CharField(label="Kept", error_messages={"required": "Our own words."})


def test_the_words_name_the_field_and_say_what_to_do():
    form = _Example(data={"title": "x" * 201, "when": "soon", "theme": "3"})
    assert not form.is_valid()
    assert form.errors == {
        "title": ["'Title' can be up to 200 characters long. Shorten it and try again."],
        "when": ["Enter a real date for 'When was it told?', for example 2026-12-31."],
        "theme": [
            "The answer chosen for 'Theme' is no longer on offer (the page may have just "
            "changed). Choose again from the list."
        ],
        "agree": ["Tick 'I agree' to go on."],
        "secret": [STALE_PAGE],
        "kept": ["Our own words."],
    }


def test_a_percent_sign_in_a_label_survives_djangos_formatting():
    field = forms.CharField(label="Share (%)", max_length=3)
    message = plain_message("share", field, "max_length")
    assert message % {"limit_value": 3, "show_value": 4} == (
        "'Share (%)' can be up to 3 characters long. Shorten it and try again."
    )


def test_a_form_sent_from_a_stale_page_is_explained_plainly(project):
    from django.test import Client

    from tests.factories import make_member

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_member(project, "facilitator"))
    response = client.post(f"/p/{project.slug}/edit/", {"name": "Renamed"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "This form could not be sent" in page
    assert "CSRF" not in page and "Forbidden" not in page


def test_a_request_too_big_to_read_is_explained_plainly(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    response = client.post("/accounts/login/", {f"field{n}": "x" for n in range(10)})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Sorry, we could not read what was sent" in page
    assert "Bad Request" not in page


def test_a_file_refused_in_a_batch_is_named():
    from cohub.apps.core.forms import MultipleFileField

    class Batch(PlainForm):
        files = MultipleFileField(label="Transcript files", max_length=8)

    from django.utils.datastructures import MultiValueDict

    long_name = SimpleUploadedFile("a-very-long-name.txt", b"Sam: Hello.")
    for files in ({"files": long_name}, MultiValueDict({"files": [long_name]})):
        form = Batch(data={}, files=files)
        assert not form.is_valid()
        assert form.errors["files"] == [
            "a-very-long-name.txt: The file's name is too long for 'Transcript files'. "
            "Rename the file and choose it again."
        ]
