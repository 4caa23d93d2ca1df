"""A project's clip playlist: its quotes on recorded stories, played one after another.

A story whose consent does not allow the way out ``stories.ways_out.CLIP`` is
left out first, with that list's reason (never a name). The rest is decided
by ``analysis.clips.CLIP_RULES`` (consent to record and to be quoted, today;
nobody else heard who was never asked; words still in place), read for every
storyteller once. Each is credited as the findings credit it
(``findings.FindingQuote.source``: the pseudonym, or the name where the
storyteller agreed and the coder chose it; "Interviewer (Sam)"). How many
were left out, and why, is counted by reason, never by name.

The clips play back to back with a short pause between (``clips.join_clips``);
captions and chapters are WebVTT on that same timeline. The joined sound is
made once per set of clips and kept in storage under ``playlists/<project>/``,
named by a digest of what is in it, so a change of consent or a nudge makes
a new one; the download (a zip) is built by a job into the same folder. Both
go when any of the project's stories is withdrawn or deleted
(``playlists_purge``), and a download is refused once its clips are no longer
exactly the ones allowed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.template.loader import render_to_string

from cohub.apps.analysis.clips import CLIP_RULES, clip_refusal, clip_span
from cohub.apps.analysis.models import Highlight
from cohub.apps.core import audit
from cohub.apps.projects.models import Project
from cohub.apps.redaction.audio import cover_kind, story_audio_covers
from cohub.apps.reports.findings import FindingQuote, project_findings
from cohub.apps.stories.models import Recording, Story
from cohub.apps.stories.recordings import recording_local_path
from cohub.apps.stories.selectors import consents_for, span_words
from cohub.apps.stories.ways_out import CLIP, way_out_withheld
from cohub.pipeline.clips import (
    GAP_MS,
    ClipSpan,
    PlaylistClip,
    chapter_title,
    cut_clip,
    join_clips,
    playlist_captions,
    playlist_chapters,
    playlist_timeline,
    safe_name,
)

FOLDER = "playlists"


@dataclass(frozen=True)
class PlaylistEntry:
    """One clip in the playlist, where it sits on the joined timeline, and what it says."""

    number: int
    highlight: Highlight
    recording: Recording
    clip: PlaylistClip
    starts_at_ms: int
    # What the clip covers (ms in the recording): words the shareable version replaced.
    covers: tuple[tuple[int, int], ...] = ()

    @property
    def ends_at_ms(self) -> int:
        return self.starts_at_ms + self.clip.duration_ms

    @property
    def title(self) -> str:
        return chapter_title(self.number, self.clip)

    @property
    def file_name(self) -> str:
        """``clips/03-sky.ogg``: a number and who speaks, letters and digits only."""
        return f"clips/{self.number:02d}-{safe_name(self.clip.credit, fallback='clip')}.ogg"


@dataclass(frozen=True)
class Playlist:
    project: Project
    entries: list[PlaylistEntry]
    left_out: Counter[str] = field(default_factory=Counter)
    # Left out because consent does not allow the way out (``ways_out.CLIP``), by reason.
    withheld: Counter[str] = field(default_factory=Counter)

    @property
    def digest(self) -> str:
        """What is in it, exactly: a new clip, a nudge or a consent change gives a new digest."""
        summary = [
            (
                e.highlight.pk,
                e.recording.sha256,
                e.clip.start_ms,
                e.clip.end_ms,
                e.clip.credit,
                [list(cover) for cover in e.covers],
            )
            for e in self.entries
        ]
        return hashlib.sha256(json.dumps([cover_kind(), summary]).encode()).hexdigest()[:32]

    @property
    def duration_ms(self) -> int:
        return self.entries[-1].ends_at_ms if self.entries else 0

    @property
    def left_out_count(self) -> int:
        return sum(self.left_out.values()) + sum(self.withheld.values())

    def left_out_reasons(self) -> list[str]:
        """ "2 because the storyteller has not agreed to be quoted", in the rules' order."""
        lines = [
            f"{count} because the storyteller {reason}" for reason, count in self.withheld.items()
        ]
        for rule in CLIP_RULES:
            count = self.left_out.get(rule.key, 0)
            if count:
                lines.append(f"{count} because {rule.reason}")
        return lines

    @property
    def captions(self) -> str:
        return playlist_captions([e.clip for e in self.entries])

    @property
    def chapters(self) -> str:
        return playlist_chapters([e.clip for e in self.entries])


def project_playlist(project: Project) -> Playlist:
    """The project's clips that may be played now, in findings order, and what was left out.

    Only the clips' stories are noted as read (``core.audit``): the findings it
    consults for consent and credit are not shown with it.
    """
    with audit.reading():
        findings = {quote.highlight_id: quote for quote in project_findings(project).quotes}
    consents = consents_for(project)
    highlights = (
        Highlight.objects.filter(
            review_sheet__story__project=project, review_sheet__story__recording__isnull=False
        )
        .select_related("review_sheet__story__recording", "transcript", "speaker")
        .prefetch_related("speakers")
        .order_by("review_sheet__story__created_at", "char_start", "pk")
    )
    clips: list[tuple[Highlight, Recording, PlaylistClip]] = []
    left_out: Counter[str] = Counter()
    withheld: Counter[str] = Counter()
    for highlight in highlights:
        story: Story = highlight.review_sheet.story
        quote: FindingQuote | None = findings.get(highlight.pk)
        consent = consents[story.storyteller_id]
        refused = way_out_withheld(consent, CLIP)
        if refused is not None:
            withheld[refused.reason] += 1  # "has not agreed that we ...": no name in it
            continue
        rule = clip_refusal(highlight, consent)
        if rule is not None or quote is None or quote.text is None:
            left_out[rule.key if rule is not None else "no_quote_consent"] += 1
            continue
        recording = story.recording
        start, end = clip_span(highlight, recording)
        words = tuple(span_words(highlight.transcript, highlight.char_start, highlight.char_end))
        clips.append(
            (
                highlight,
                recording,
                PlaylistClip(
                    start_ms=start,
                    end_ms=end,
                    words=words,
                    text=highlight.snippet,
                    credit=quote.source,
                    title=story.title,
                ),
            )
        )
    audit.note_reads(
        part=audit.PART_CLIPS,
        pairs=((h.review_sheet.story.pk, h.review_sheet.story.storyteller_id) for h, _, _ in clips),
    )
    starts = playlist_timeline([clip for _, _, clip in clips])
    covers: dict[int, tuple[tuple[int, int], ...]] = {}
    for highlight, _, _ in clips:
        story = highlight.review_sheet.story
        if story.pk not in covers:
            covers[story.pk] = story_audio_covers(story)
    entries = [
        PlaylistEntry(
            number,
            highlight,
            recording,
            clip,
            starts_at_ms=start,
            covers=covers[highlight.review_sheet.story.pk],
        )
        for number, ((highlight, recording, clip), start) in enumerate(
            zip(clips, starts, strict=True), start=1
        )
    ]
    return Playlist(project=project, entries=entries, left_out=left_out, withheld=withheld)


def _folder(project: Project | int) -> str:
    project_id = project if isinstance(project, int) else project.pk
    return f"{FOLDER}/{project_id}"


@contextlib.contextmanager
def _sources(playlist: Playlist) -> Iterator[list[ClipSpan]]:
    """Each clip's span in a local copy of its recording (one per recording), with what it
    covers (words the shareable version replaced, bleeped or silenced: ADR 0027)."""
    with contextlib.ExitStack() as stack:
        paths: dict[int, Path] = {}
        spans = []
        for entry in playlist.entries:
            if entry.recording.pk not in paths:
                paths[entry.recording.pk] = stack.enter_context(
                    recording_local_path(entry.recording)
                )
            spans.append(
                ClipSpan(
                    paths[entry.recording.pk],
                    entry.clip.start_ms,
                    entry.clip.end_ms,
                    covers=entry.covers,
                    cover=cover_kind(),
                )
            )
        yield spans


def playlist_audio_name(playlist: Playlist) -> str:
    """Where the joined sound of exactly these clips is kept, made the first time it is asked for.

    Older joins for the project (other clips, other consent) are removed then.
    """
    name = f"{_folder(playlist.project)}/playlist-{playlist.digest}.ogg"
    if default_storage.exists(name):
        return name
    with tempfile.TemporaryDirectory(prefix="cohub-playlist-") as folder:
        target = Path(folder) / "playlist.ogg"
        with _sources(playlist) as spans:
            join_clips(spans, target, gap_ms=GAP_MS)
        _remove_older(playlist.project, keep_prefix="playlist-")
        with target.open("rb") as handle:
            return default_storage.save(name, File(handle))


def _remove_older(project: Project, *, keep_prefix: str) -> None:
    with contextlib.suppress(FileNotFoundError, NotImplementedError):
        _, files = default_storage.listdir(_folder(project))
        for name in files:
            if name.startswith(keep_prefix):
                default_storage.delete(f"{_folder(project)}/{name}")


def playlist_zip_name(project: Project, digest: str, job_id: int) -> str:
    return f"{_folder(project)}/download-{job_id}-{digest}.zip"


def playlist_build_zip(
    playlist: Playlist, *, job_id: int, progress: Callable[[int, str], None] | None = None
) -> str:
    """Build the download: the joined sound, each clip, the player page and the WebVTT files.

    Every name inside is ours (``safe_name``), so unpacking it writes only
    into its own folder. Returns the name it is stored under.
    """
    report = progress or (lambda percent, message: None)
    total = len(playlist.entries)
    with tempfile.TemporaryDirectory(prefix="cohub-playlist-") as folder:
        work = Path(folder)
        archive = work / "playlist.zip"
        with _sources(playlist) as spans, zipfile.ZipFile(archive, "w") as bundle:
            for number, (entry, span) in enumerate(zip(playlist.entries, spans, strict=True)):
                report(int(80 * number / max(total, 1)), f"Cutting clip {number + 1} of {total}")
                clip = cut_clip(span, work / f"clip-{number}.ogg")
                bundle.write(clip, entry.file_name, compress_type=zipfile.ZIP_STORED)
            report(85, "Putting the clips one after another")
            joined = join_clips(spans, work / "joined.ogg")
            bundle.write(joined, "playlist.ogg", compress_type=zipfile.ZIP_STORED)
            bundle.writestr("captions.vtt", playlist.captions, zipfile.ZIP_DEFLATED)
            bundle.writestr("chapters.vtt", playlist.chapters, zipfile.ZIP_DEFLATED)
            page = render_to_string("reports/playlist_offline.html", {"playlist": playlist})
            bundle.writestr("playlist.html", page, zipfile.ZIP_DEFLATED)
            bundle.writestr("README.txt", _readme(playlist), zipfile.ZIP_DEFLATED)
        report(95, "Keeping the download")
        _remove_older(playlist.project, keep_prefix="download-")
        with archive.open("rb") as handle:
            return default_storage.save(
                playlist_zip_name(playlist.project, playlist.digest, job_id), File(handle)
            )


def _readme(playlist: Playlist) -> str:
    lines = [
        f"Clips from {playlist.project.name}",
        "",
        "Open playlist.html in a web browser to play every clip with captions.",
        "playlist.ogg is every clip one after another; captions.vtt and chapters.vtt",
        "are its captions and its chapters (one per clip). clips/ holds each clip alone.",
        "",
        "Only clips whose storytellers agree that we keep a recording of them and",
        "quote them are here. These are people's own voices: share them only as",
        "their consent allows, and delete this copy when you no longer need it.",
    ]
    if playlist.left_out_count:
        lines.append("")
        lines.append(f"{playlist.left_out_count} clips were left out:")
        lines.extend(f"- {line}." for line in playlist.left_out_reasons())
    return "\n".join(lines) + "\n"


def playlists_purge(story_ids: list[int]) -> None:
    """Purger (``stories.purge``): every kept playlist of the stories' projects.

    A join or a download may hold a withdrawn person's voice; the next one is
    made again from what consent allows then. The files are listed now and
    removed once the removal commits, retried until done (``FileDeletion``).
    """
    from cohub.apps.stories.purge import files_delete_on_commit

    project_ids = set(Story.objects.filter(pk__in=story_ids).values_list("project_id", flat=True))
    names: list[str] = []
    for project_id in project_ids:
        with contextlib.suppress(FileNotFoundError, NotImplementedError):
            _, files = default_storage.listdir(_folder(project_id))
            names += [f"{_folder(project_id)}/{name}" for name in files]
    files_delete_on_commit(names=names)
