"""Everything the hub holds about one storyteller, for a subject access request (issue 7 item 4).

A storyteller may ask what we hold about them; the answer must be complete,
so it is gathered from every app, whatever their consent allows the team to
read today (consent decides what the team may use, not what the person may
see of themselves). ``subject_access_data`` gathers it as plain data (the
JSON file is exactly that), and ``write_subject_access_zip`` writes the
download: a page that reads well on screen and printed, the same data as
JSON, and the recordings themselves.

Nothing of another storyteller goes in: quotes are theirs by the story they
come from, and where a quote is used (a theme, the board, a suggestion run,
the findings, the clip playlist) is said by the name of the theme or run,
never by other quotes. Who read their stories comes from the audit trail.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import PurePosixPath
from typing import IO, Any

from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone

from cohub.apps.analysis.models import Highlight, HighlightTheme, ReviewSheet, SuggestionQuote
from cohub.apps.audit.selectors import describe
from cohub.apps.core import audit
from cohub.apps.core.models import Event
from cohub.apps.redaction.models import RedactionRun
from cohub.apps.reports.findings import project_findings
from cohub.apps.reports.playlist import project_playlist
from cohub.apps.stories.models import ConsentRecord, Recording, Story, Storyteller
from cohub.apps.stories.personal import PROFILE_FIELDS
from cohub.apps.stories.scopes import ConsentScope
from cohub.pipeline.clips import safe_name

FORMAT_VERSION = 1


def _when(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _person(user: Any) -> str | None:
    return str(user) if user is not None else None


def _profile(storyteller: Storyteller) -> dict[str, Any]:
    profile: dict[str, Any] = {"id": storyteller.pk}
    for name in PROFILE_FIELDS:
        profile[name] = getattr(storyteller, name)
    profile.update(
        {
            "has_a_login": storyteller.user_id is not None,
            "login_email": storyteller.user.email if storyteller.user is not None else None,
            "registered_at": _when(storyteller.created_at),
            "registered_by": _person(storyteller.created_by),
            "withdrawn_at": _when(storyteller.withdrawn_at),
        }
    )
    return profile


def _consent_history(storyteller: Storyteller) -> list[dict[str, Any]]:
    records = ConsentRecord.objects.filter(storyteller=storyteller).select_related("recorded_by")
    return [
        {
            "version": record.version,
            "recorded_at": _when(record.created_at),
            "recorded_by": _person(record.recorded_by),
            "agreed_to": [scope.label for scope in record.granted_scopes()],
            "did_not_agree_to": [
                scope.label for scope in ConsentScope if not record.granted(scope)
            ],
            "keep_until": _when(record.keep_until),
            "withdrawn": record.withdrawn,
            "note": record.note,
        }
        for record in records.order_by("version")
    ]


def _recording(story: Story) -> dict[str, Any] | None:
    recording = Recording.objects.filter(story=story).first()
    if recording is None:
        return None
    suffix = PurePosixPath(recording.file.name).suffix or ".bin"
    return {
        "file_in_this_download": f"recordings/story-{story.pk}{suffix}",
        "stored_as": recording.file.name,
        "size_bytes": recording.size_bytes,
        "duration_seconds": round(recording.duration_ms / 1000, 1),
        "container": recording.container,
        "has_video": recording.has_video,
        "added_at": _when(recording.created_at),
    }


def _quotes(story: Story, *, in_findings: set[int], in_playlist: set[int]) -> list[dict[str, Any]]:
    highlights = (
        Highlight.objects.filter(review_sheet__story=story)
        .select_related("transcript", "speaker", "created_by")
        .prefetch_related("speakers")
        .order_by("char_start", "pk")
    )
    themes: dict[int, list[str]] = {}
    for link in HighlightTheme.objects.filter(highlight__review_sheet__story=story).select_related(
        "theme__merged_into"
    ):
        theme = link.theme
        name = theme.name if theme.merged_into is None else theme.merged_into.name
        themes.setdefault(link.highlight_id, []).append(name)
    runs: dict[int, list[dict[str, Any]]] = {}
    for placed in SuggestionQuote.objects.filter(
        highlight__review_sheet__story=story
    ).select_related("suggestion__run"):
        suggestion = placed.suggestion
        runs.setdefault(placed.highlight_id, []).append(
            {
                "suggestion_run": suggestion.run_id,
                "run_made_at": _when(suggestion.run.created_at),
                "suggested_theme": suggestion.label,
                "decision": suggestion.get_status_display(),
            }
        )
    quotes = []
    for highlight in highlights:
        names = sorted(set(themes.get(highlight.pk, [])), key=str.casefold)
        speakers = [s.display_name for s in highlight.speakers.all()] or (
            [highlight.speaker.display_name] if highlight.speaker is not None else []
        )
        quotes.append(
            {
                "id": highlight.pk,
                "words": highlight.snippet,
                "note": highlight.note,
                "said_by": speakers,
                "credited": highlight.get_attribution_display(),
                "level_of_change": highlight.get_change_level_display()
                if highlight.change_level
                else "",
                "sectors": list(highlight.sectors),
                "from_transcript_version": highlight.transcript.version,
                "starts_at_seconds": None
                if highlight.start_ms is None
                else round(highlight.start_ms / 1000, 2),
                "ends_at_seconds": None
                if highlight.end_ms is None
                else round(highlight.end_ms / 1000, 2),
                "made_by": _person(highlight.created_by),
                "made_at": _when(highlight.created_at),
                "themes": names,
                "on_the_workshop_board": names or ["Not sorted yet"],
                "in_the_findings": highlight.pk in in_findings,
                "in_the_clip_playlist": highlight.pk in in_playlist,
                "suggestion_runs": runs.get(highlight.pk, []),
            }
        )
    return quotes


def _redaction(story: Story) -> list[dict[str, Any]]:
    runs = (
        RedactionRun.objects.filter(story=story)
        .select_related("transcript", "shared_transcript", "created_by", "shared_by")
        .prefetch_related("findings")
        .order_by("created_at", "pk")
    )
    return [
        {
            "check": run.pk,
            "of_transcript_version": run.transcript.version,
            "status": run.get_status_display(),
            "asked_by": _person(run.created_by),
            "asked_at": _when(run.created_at),
            "personal_details_found": [
                {
                    "kind": finding.get_kind_display(),
                    "words": finding.text,
                    "replace_with": finding.replacement,
                    "decision": finding.get_status_display(),
                }
                for finding in sorted(run.findings.all(), key=lambda f: f.index)
            ],
            "shareable_version": run.shared_transcript.version
            if run.shared_transcript is not None
            else None,
            "shared_by": _person(run.shared_by),
            "shared_at": _when(run.shared_at),
        }
        for run in runs
    ]


def _stories(storyteller: Storyteller) -> list[dict[str, Any]]:
    project = storyteller.project
    # Where quotes are used is worked out for the project, then only theirs are named;
    # these reads are the download's own, recorded with it, not a page's.
    with audit.reading():
        in_findings = {q.highlight_id for q in project_findings(project).quotes if q.text}
        in_playlist = {entry.highlight.pk for entry in project_playlist(project).entries}
    stories = []
    for story in (
        Story.objects.filter(storyteller=storyteller)
        .select_related("created_by")
        .order_by("created_at", "pk")
    ):
        sheet = ReviewSheet.objects.filter(story=story).first()
        stories.append(
            {
                "id": story.pk,
                "title": story.title,
                "how_it_came_in": story.get_source_display(),
                "file_name": story.source_filename,
                "told_on": _when(story.recorded_on),
                "added_at": _when(story.created_at),
                "added_by": _person(story.created_by),
                "recording": _recording(story),
                "transcripts": [
                    {
                        "version": t.version,
                        "why": t.reason,
                        "made_at": _when(t.created_at),
                        "made_by": _person(t.created_by),
                        "text": t.text,
                    }
                    for t in story.transcripts.select_related("created_by").order_by("version")
                ],
                "speakers": [
                    {"label": s.label, "name": s.display_name, "part": s.get_part_display()}
                    for s in story.speakers.order_by("pk")
                ],
                "review_sheet": None
                if sheet is None
                else {"summary": sheet.summary, "ideas": sheet.ideas},
                "quotes": _quotes(story, in_findings=in_findings, in_playlist=in_playlist),
                "checks_for_personal_details": _redaction(story),
            }
        )
    return stories


def _who_read(storyteller: Storyteller, story_ids: set[int]) -> list[dict[str, Any]]:
    """The audit entries about them or their stories: reads, downloads and changes."""
    entries = Event.objects.filter(project_id=storyteller.project_id).select_related("actor")
    story_keys = {str(pk) for pk in story_ids}
    found = []
    for entry in entries.order_by("created_at", "pk").iterator(chunk_size=500):
        data = entry.data if isinstance(entry.data, dict) else {}
        about_them = (
            storyteller.pk in data.get("storytellers", [])
            or (
                entry.target_type == "stories.storyteller"
                and entry.target_id == str(storyteller.pk)
            )
            or (entry.target_type == "stories.story" and entry.target_id in story_keys)
        )
        if about_them:
            line = describe(entry)
            found.append(
                {
                    "when": _when(entry.created_at),
                    "who": line.who,
                    "what": line.what,
                    "page_or_command": data.get("route", ""),
                    "details": line.details,
                }
            )
    return found


def subject_access_data(storyteller: Storyteller, *, generated_by: Any = None) -> dict[str, Any]:
    """Everything held about ``storyteller``, as plain data (the download's JSON file)."""
    stories = _stories(storyteller)
    return {
        "format": "cohub subject access",
        "format_version": FORMAT_VERSION,
        "made_at": _when(timezone.now()),
        "made_by": _person(generated_by) or "the command line",
        "project": {"name": storyteller.project.name, "slug": storyteller.project.slug},
        "storyteller": _profile(storyteller),
        "consent_history": _consent_history(storyteller),
        "stories": stories,
        "who_has_read_or_changed_it": _who_read(storyteller, {s["id"] for s in stories}),
    }


def download_name(storyteller: Storyteller) -> str:
    """``winter-support-robin-subject-access-2026-12-02.zip``: letters and digits only."""
    who = safe_name(storyteller.pseudonym, fallback=f"storyteller-{storyteller.pk}")
    where = safe_name(storyteller.project.slug, fallback="project")
    return f"{where}-{who}-subject-access-{timezone.localdate():%Y-%m-%d}.zip".lower()


# Past this a zip entry needs the 64-bit sizes; set up front because a stored
# entry's sizes are written before its bytes.
ZIP64_FROM = 2**31 - 1


def write_subject_access_zip(data: dict[str, Any], out: IO[bytes]) -> list[str]:
    """Write the download to ``out``; returns the names of the files in it.

    ``index.html`` with ``style.css`` beside it (no inline styles, so it reads
    the same wherever it is opened), ``data.json``, and each recording.

    Recordings are stored as they are, not deflated: they are compressed
    already, so deflating an hour of video would hold the request for tens
    of seconds to save almost nothing; stored, the download is a copy.
    """
    page = render_to_string("audit/subject_access.html", {"data": data})
    style = render_to_string("audit/subject_access.css")
    names = ["index.html", "style.css", "data.json"]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.html", page)
        archive.writestr("style.css", style)
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False))
        for story in data["stories"]:
            recording = story["recording"]
            if recording is None or not default_storage.exists(recording["stored_as"]):
                continue
            entry = zipfile.ZipInfo(
                recording["file_in_this_download"], date_time=timezone.localtime().timetuple()[:6]
            )
            entry.compress_type = zipfile.ZIP_STORED
            size = default_storage.size(recording["stored_as"])
            with (
                default_storage.open(recording["stored_as"], "rb") as source,
                archive.open(entry, "w", force_zip64=size > ZIP64_FROM) as target,
            ):
                while chunk := source.read(1 << 20):
                    target.write(chunk)
            names.append(recording["file_in_this_download"])
    return names
