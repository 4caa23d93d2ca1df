"""Every piece of text a person can write is escaped on every page the hub draws.

The fields are read from the models, not listed by hand: every ``CharField`` and
``TextField`` of every cohub model, so a field added later is poisoned the day it
is added. Each row of the consent walk's world (tests/test_consent_on_every_page.py)
has a tag appended to each such field, numbered for the field, and then every route
is opened as a facilitator. No HTML page may hold the tag as markup; the test
also checks that the walk shows the tags escaped for the fields people see
most, so a walk that reached no page could not pass.

Machine values (hashes, tokens, kinds, codes) are left alone, named below with
the reason: changing them would only break the routes the walk opens.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.db import models
from django.db.models import Value
from django.db.models.functions import Concat

from cohub.apps.jobs.models import Job, JobStatus
from tests.auth import VerifiedClient
from tests.routes import site_routes
from tests.test_consent_on_every_page import World, build_world

# `"` and `>` close an attribute and a tag; the tag itself names where it came from.
TAG = '"><svg data-xss="{label}">'
UNESCAPED = re.compile(r'<svg data-xss="(\d+)">')
ESCAPED = re.compile(r"&lt;svg data-xss=(?:&quot;|&#x27;|&#34;)(\d+)")

# Not text a person writes: identifiers, fingerprints and machine vocabularies.
MACHINE_VALUES = {
    "jobs.Job.kind": "the job's registered name",
    "jobs.Job.input_hash": "a fingerprint",
    "jobs.JobResult.engine": "the engine's name",
    "jobs.JobResult.model_name": "the model's name",
    "jobs.JobResult.model_version": "the model's version",
    "jobs.JobResult.input_hash": "a fingerprint",
    "core.Event.verb": "the audit verb",
    "core.Event.target_type": "a model label",
    "core.Event.target_id": "a primary key",
    "accounts.User.password": "a password hash",
    "stories.Story.content_hash": "a fingerprint",
    "stories.Recording.sha256": "a fingerprint",
    "stories.Recording.container": "what ffprobe said",
    "stories.Recording.audio_codec": "what ffprobe said",
    "stories.Recording.transcript_key": "a storage key",
    "stories.RecordingUpload.filetype": "the browser's media type",
    "stories.RecordingUpload.metadata": "the upload protocol's header",
    "stories.FileDeletion.where": "a storage area",
    "stories.FileDeletion.name": "a stored file's name",
    "redaction.RedactionFinding.source": "the recogniser's name",
    "redaction.RedactionDecision.verb": "a decision's verb",
    "analysis.CodingEvent.actor_part": "a role's code",
    "analysis.QuoteVector.model": "the model's name",
    "analysis.QuoteVector.text_hash": "a fingerprint",
    "analysis.SuggestionRun.model": "the model's name",
    "analysis.SuggestionRun.input_hash": "a fingerprint",
    "analysis.Suggestion.seed_key": "a key",
    "assess.FrameworkVersion.content_hash": "a fingerprint",
    "assess.AssessmentResponse.group": "a group's code",
    "assess.AssessmentAnswer.value": "a scale code",
}

# Fields the walk must show (escaped) somewhere; without these the test proves little.
MUST_BE_SHOWN = {
    "projects.Project.name",
    "projects.Project.purpose",
    "accounts.User.display_name",
    "stories.Storyteller.pseudonym",
    "stories.Storyteller.real_name",
    "stories.Storyteller.self_description",
    "stories.Story.title",
    "stories.Speaker.display_name",
    "stories.Segment.text",
    "jobs.Job.error",
    "jobs.Job.result",
    "analysis.Theme.name",
    "analysis.Highlight.note",
    "analysis.ReviewSheet.ideas",
    "analysis.ReviewSheet.summary",
    "analysis.BoardNote.text",
    "analysis.VisioningRound.prompt",
    "analysis.Suggestion.label",
    "redaction.RedactionFinding.replacement",
}


def written_text_fields() -> Iterator[tuple[type[models.Model], models.Field]]:
    """Every text field of a cohub model that a person could have written."""
    for model in apps.get_models():
        if not model._meta.app_config.name.startswith("cohub."):
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField):
                continue
            if field.choices or field.primary_key or field.unique:
                continue
            if isinstance(field, models.SlugField | models.EmailField | models.URLField):
                continue
            if f"{model._meta.label}.{field.name}" in MACHINE_VALUES:
                continue
            yield model, field


def poison(world: World, tag_format: str = TAG, at_start: bool = False) -> dict[str, str]:
    """Append each field's tag to every row; returns the poisoned fields' labels by tag id.

    Tags carry a short number rather than the label, so that they fit short columns
    (PostgreSQL enforces a column's length, SQLite does not).
    """
    # A job that failed shows its error, and every job shows its result's lines (JSON,
    # so not found by the field walk): both can carry a file's name as it was sent.
    labels = {"0": "jobs.Job.result"}
    Job.objects.filter(project_id=world.project.pk, kind="stories.import_batch").update(
        status=JobStatus.FAILED, result={"lines": [tag_format.format(label="0")]}
    )
    for number, (model, field) in enumerate(written_text_fields(), start=1):
        tag = tag_format.format(label=number)
        rows = model._default_manager.exclude(**{field.name: None})
        if field.max_length:
            if field.max_length < len(tag):
                continue
            keep = field.max_length - len(tag)
            for pk, value in rows.values_list("pk", field.name):
                text = tag + value[:keep] if at_start else value[:keep] + tag
                rows.filter(pk=pk).update(**{field.name: text})
        else:
            parts = (Value(tag), field.name) if at_start else (field.name, Value(tag))
            rows.update(**{field.name: Concat(*parts)})
        if rows.exists():
            labels[str(number)] = f"{model._meta.label}.{field.name}"
    return labels


def unescaped(html: str) -> set[str]:
    return set(UNESCAPED.findall(html))


def escaped(html: str) -> set[str]:
    return set(ESCAPED.findall(html))


def test_the_checks_tell_markup_from_escaped_text():
    """Without this, checks that matched nothing would pass every page."""
    from django.utils.html import escape

    tag = TAG.format(label=12)
    assert unescaped(f"<h1>A{tag}</h1>") == {"12"}
    assert unescaped(f"<h1>{escape(tag)}</h1>") == set()
    assert escaped(f"<h1>{escape(tag)}</h1>") == {"12"}


def test_the_machine_values_list_names_real_fields():
    """A renamed field must not leave a stale exemption behind."""
    real = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.concrete_fields
    }
    assert set(MACHINE_VALUES) <= real, set(MACHINE_VALUES) - real


@pytest.mark.django_db
def test_no_page_shows_written_text_as_markup():
    world = build_world()
    labels = poison(world)
    assert set(labels.values()) >= MUST_BE_SHOWN, MUST_BE_SHOWN - set(labels.values())
    client = VerifiedClient()
    client.force_login(world.facilitator)
    problems: list[str] = []
    shown: set[str] = set()
    for route, _ in site_routes():
        response = client.get(world.url(route))
        assert response.status_code < 500, f"{route.name} answered {response.status_code}"
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode("utf-8", errors="replace")
        problems.extend(
            f"{route.name} shows {labels[tag]} as markup" for tag in sorted(unescaped(html))
        )
        shown |= {labels[tag] for tag in escaped(html)}
    assert not problems, "\n".join(problems)
    assert shown >= MUST_BE_SHOWN, f"the walk never showed {sorted(MUST_BE_SHOWN - shown)}"
