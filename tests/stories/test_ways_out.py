"""Every way out of the hub goes through one gate (``stories.ways_out``), and each is tested here.

Each probe takes one entry of ``WAYS_OUT`` through the real service that sends
content out, for a storyteller whose consent lacks what that way needs, and
checks the refusal (or the withheld sentence, for lists) is the gate's own,
"..., so we cannot <what the way does>." A new way out without a probe fails
``test_every_way_out_has_a_probe``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from cohub.apps.analysis.clips import clip_require
from cohub.apps.analysis.quote_checks import quote_check_answer
from cohub.apps.analysis.services import highlight_create
from cohub.apps.core.errors import ConsentError
from cohub.apps.reports.changes import change_create
from cohub.apps.reports.findings import project_findings
from cohub.apps.reports.public_changes import public_page
from cohub.apps.reports.services import findings_export_csv
from cohub.apps.stories.consent import consent_now
from cohub.apps.stories.models import Speaker, SpeakerPart, Story
from cohub.apps.stories.services import consent_record, stories_purge_expired
from cohub.apps.stories.ways_out import (
    CLIP,
    EXPORT,
    KEEP,
    PUBLIC_PAGE,
    PUBLISH,
    QUOTE_BY_NAME,
    REPORT,
    WAYS_OUT,
    require_way_out,
    way_out_refusal,
    way_out_withheld,
)
from tests.factories import ALL_SCOPES, make_story, make_storyteller
from tests.playback_support import recorded_story

pytestmark = pytest.mark.django_db

WORDS = "I waited eleven weeks for a call"


def _quoted(project, **consent):
    """Kit's story with one quote, made while Kit agreed to everything; then ``consent``."""
    kit = make_storyteller(project, pseudonym="Kit")
    story = make_story(project, storyteller=kit, text=f"Kit: {WORDS}.")
    transcript = story.transcripts.get()
    start = transcript.text.index(WORDS)
    quote = highlight_create(
        story=story,
        transcript=transcript,
        char_start=start,
        char_end=start + len(WORDS),
        actor=None,
    ).highlight
    if consent:
        consent_record(storyteller=kit, actor=None, **{**ALL_SCOPES, **consent})
    return kit, quote


def _gate_says(kit, way) -> str:
    withheld = way_out_withheld(consent_now(kit), way)
    assert withheld is not None
    return way_out_refusal(withheld, way)


def probe_quote_by_name(project, tmp_path, settings):
    kit = make_storyteller(project, pseudonym="Kit", consent={**ALL_SCOPES, "quote_by_name": False})
    story = make_story(project, storyteller=kit, text=f"Kit: {WORDS}.")
    with pytest.raises(ConsentError) as refused:
        highlight_create(
            story=story,
            transcript=story.transcripts.get(),
            char_start=5,
            char_end=20,
            actor=None,
            attribution="named",
        )
    assert str(refused.value) == (
        "Kit has not agreed that we quote them by name, so we cannot name them beside their words."
    )


def probe_report(project, tmp_path, settings):
    kit, quote = _quoted(project, quote_anonymously=False, quote_by_name=False)
    findings = project_findings(project)
    (shown,) = findings.quotes
    assert shown.text is None
    assert shown.withheld_reason == way_out_withheld(consent_now(kit), REPORT).message
    assert "Kit has not agreed that we quote them without their name" in shown.withheld_reason


def probe_export(project, tmp_path, settings):
    kit, quote = _quoted(project, transcribe=False)
    text = findings_export_csv(project=project, actor=None)
    assert WORDS not in text
    assert way_out_withheld(consent_now(kit), EXPORT).message in text


def probe_clip(project, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    kit = make_storyteller(project, pseudonym="Kit")
    story = recorded_story(project, kit, tmp_path)
    Speaker.objects.filter(story=story, label="Speaker 2").update(part=SpeakerPart.STORYTELLER)
    transcript = story.transcripts.order_by("-version").first()
    start = transcript.text.index("waited eleven weeks")
    quote = highlight_create(
        story=story, transcript=transcript, char_start=start, char_end=start + 19, actor=None
    ).highlight
    clip_require(quote, consent_now(kit))  # allowed while Kit agrees
    consent_record(storyteller=kit, actor=None, **{**ALL_SCOPES, "record": False})
    with pytest.raises(ConsentError) as refused:
        clip_require(quote, consent_now(kit))
    assert str(refused.value) == _gate_says(kit, CLIP)
    assert str(refused.value).endswith("so we cannot play their voice in a clip or a playlist.")


def probe_publish(project, tmp_path, settings):
    # The hub has no page or command that publishes a story yet; the gate is what one must ask.
    kit = make_storyteller(
        project, pseudonym="Kit", consent={**ALL_SCOPES, "publish_in_library": False}
    )
    with pytest.raises(ConsentError, match="so we cannot publish their story"):
        require_way_out(kit, PUBLISH)


def probe_public_page(project, tmp_path, settings):
    # Kit approved the words and agreed to be quoted, but not to be published in public.
    kit, quote = _quoted(project, publish_in_library=False)
    quote_check_answer(highlight=quote, storyteller=kit, state="approved", actor=None, via="link")
    change_create(project=project, actor=None, title="Call back", quotes=[quote])
    (group,) = public_page(project).groups
    (change,) = group.changes
    assert change.quotes == ()
    assert change.held_back == (
        ("its storyteller has not agreed to be quoted on a public page", 1),
    )
    assert _gate_says(kit, PUBLIC_PAGE).endswith(
        "so we cannot show their words on the public “You said, we did” page."
    )
    (public,) = project_findings(project, way=PUBLIC_PAGE).quotes
    assert public.withheld_reason == way_out_withheld(consent_now(kit), PUBLIC_PAGE).message


def probe_keep(project, tmp_path, settings):
    today = timezone.localdate()
    kit = make_storyteller(
        project, pseudonym="Kit", consent={**ALL_SCOPES, "keep_until": today + dt.timedelta(days=2)}
    )
    make_story(project, storyteller=kit, text=f"Kit: {WORDS}.")
    assert stories_purge_expired(today=today + dt.timedelta(days=2)) == 0  # the date itself
    later = today + dt.timedelta(days=3)
    assert way_out_withheld(consent_now(kit, today=later), KEEP) is not None
    assert stories_purge_expired(today=later) == 1
    assert not Story.objects.filter(storyteller=kit).exists()


PROBES: dict[str, Callable[..., None]] = {
    QUOTE_BY_NAME.key: probe_quote_by_name,
    REPORT.key: probe_report,
    EXPORT.key: probe_export,
    CLIP.key: probe_clip,
    PUBLISH.key: probe_publish,
    PUBLIC_PAGE.key: probe_public_page,
    KEEP.key: probe_keep,
}


def test_every_way_out_has_a_probe():
    assert set(PROBES) == {way.key for way in WAYS_OUT}


@pytest.mark.parametrize("key", sorted(PROBES))
def test_each_way_out_refuses_beyond_consent(key, project, tmp_path, settings):
    PROBES[key](project, tmp_path, settings)


def test_a_passed_keep_until_date_refuses_every_way_out(project):
    today = timezone.localdate()
    kit = make_storyteller(
        project, pseudonym="Kit", consent={**ALL_SCOPES, "keep_until": today + dt.timedelta(days=1)}
    )
    later = consent_now(kit, today=today + dt.timedelta(days=2))
    for way in WAYS_OUT:
        withheld = way_out_withheld(later, way)
        assert withheld is not None, way
        assert "that date has passed" in way_out_refusal(withheld, way)
