"""What withdrawal removes from the analysis beyond the rows that cascade with a story.

Quotes, their theme links, review sheets and cached vectors go with their
story. But a theme made only from one person's quotes is their words too (its
name is often a phrase of theirs), and so are the coding-log rows and board
notes about it; and the coding log and the board can copy a quote's words into
rows of their own. Both are removed here (ADR 0024), through the purge
registry of ``stories.purge``.
"""

from __future__ import annotations

from cohub.apps.analysis.models import BoardNote, CodingEvent, Highlight, HighlightTheme, Theme
from cohub.apps.stories.purge import (
    Traces,
    json_holds,
    json_strings,
    register_purger,
    register_scrubber,
    register_snippet_source,
)


@register_snippet_source
def quote_snippets(story_ids: list[int]) -> list[str]:
    """The words of the stories' quotes: copies of them elsewhere are traces of the stories."""
    return list(
        Highlight.objects.filter(review_sheet__story_id__in=story_ids).values_list(
            "snippet", flat=True
        )
    )


def lonely_themes(story_ids: list[int]) -> set[int]:
    """Themes whose every quote is from these stories (and themes merged into them, now empty).

    A theme with quotes from anyone else stays: it is the group's, and keeps
    the other quotes.
    """
    ours = HighlightTheme.objects.filter(highlight__review_sheet__story_id__in=story_ids)
    linked = set(ours.values_list("theme_id", flat=True))
    if not linked:
        return set()
    shared = set(
        HighlightTheme.objects.filter(theme_id__in=linked)
        .exclude(highlight__review_sheet__story_id__in=story_ids)
        .values_list("theme_id", flat=True)
    )
    lonely = linked - shared
    merged = Theme.objects.filter(merged_into_id__in=lonely, highlight_links__isnull=True)
    return lonely | set(merged.values_list("pk", flat=True))


@register_purger
def purge_lonely_themes(story_ids: list[int]) -> None:
    """Remove themes made only from these stories' quotes, with their log rows and notes."""
    lonely = lonely_themes(story_ids)
    if not lonely:
        return
    themes = Theme.objects.filter(pk__in=lonely)
    names = {name for name in themes.values_list("name", flat=True) if name}
    CodingEvent.objects.filter(theme_id__in=lonely).delete()
    # A merge or a move names both themes, but is logged against one of them.
    events = CodingEvent.objects.filter(project_id__in=themes.values_list("project_id"))
    naming = [e.pk for e in events.iterator() if names & set(json_strings(e.payload))]
    CodingEvent.objects.filter(pk__in=naming).delete()
    BoardNote.objects.filter(theme_id__in=lonely).delete()
    Theme.objects.filter(merged_into_id__in=lonely).exclude(pk__in=lonely).update(merged_into=None)
    themes.delete()


@register_scrubber
def scrub_copies(traces: Traces) -> None:
    """Coding-log rows and board notes that copy a purged quote's words or a story's title.

    Only copies of the story itself count (titles, quote words of some length):
    a note that shares a first name with the storyteller is the group's own.
    """
    content = set(traces.content)
    for project_id in traces.project_ids:
        events = CodingEvent.objects.filter(project_id=project_id)
        doomed = [e.pk for e in events.iterator() if json_holds(e.payload, traces, content)]
        CodingEvent.objects.filter(pk__in=doomed).delete()
        notes = BoardNote.objects.filter(project_id=project_id)
        copied = [note.pk for note in notes.iterator() if traces.found_in(note.text, content)]
        BoardNote.objects.filter(pk__in=copied).delete()
