"""What a storyteller's own page shows: their story, its quotes, and where each is used.

It lives in reports because "where a quote is used" reaches the saved report
versions and the changes, which stories (where the storyteller and their link
live) may not import (tests/test_dependencies.py). The words are read through
the stories selectors, so the page asks consent like every other page: the
story's words show only while the storyteller agrees that we write them down,
and the page says so when they do not.
"""

from __future__ import annotations

from dataclasses import dataclass

from cohub.apps.analysis.models import Highlight, HighlightTheme, Theme
from cohub.apps.analysis.quote_checks import (
    CheckNow,
    StoryChecks,
    check_counts,
    check_states,
    storyteller_quotes,
)
from cohub.apps.reports.models import ReportVersion
from cohub.apps.reports.public_changes import StorytellerChange, changes_for_storyteller
from cohub.apps.stories.consent import ConsentNow, Withheld, consent_now
from cohub.apps.stories.models import Story, Storyteller, Transcript
from cohub.apps.stories.selectors import story_transcript
from cohub.apps.stories.ways_out import REPORT, way_out_withheld


@dataclass(frozen=True)
class MyQuote:
    """One quote from the storyteller's story, as they see it on their page."""

    highlight: Highlight
    check: CheckNow
    themes: tuple[str, ...]
    versions: tuple[str, ...]
    """Titles of the saved report versions that show it now."""
    changes: tuple[str, ...] = ()
    """What is being done about it ("you said, we did"), where the project publishes that."""


@dataclass(frozen=True)
class MyStory:
    story: Story
    words: Transcript | Withheld | None
    quotes: tuple[MyQuote, ...]

    @property
    def paragraphs(self) -> list[str]:
        if not isinstance(self.words, Transcript):
            return []
        return [part for part in self.words.text.split(Transcript.SEPARATOR) if part.strip()]


@dataclass(frozen=True)
class MyPage:
    storyteller: Storyteller
    consent: ConsentNow
    stories: tuple[MyStory, ...]
    not_quoted: Withheld | None
    """Why none of their quotes is used in the findings now, or None while they may be."""
    changes: tuple[StorytellerChange, ...] = ()
    """What changed because of what people said, where the project published it (ADR 0033)."""

    @property
    def quotes(self) -> list[MyQuote]:
        return [quote for story in self.stories for quote in story.quotes]

    @property
    def counts(self) -> StoryChecks:
        return check_counts(quote.check for quote in self.quotes)


def _version_shows(version: ReportVersion, theme_ids: set[int], sectors: set[str]) -> bool:
    chosen = {theme.pk for theme in version.themes.all()}
    if not theme_ids or (chosen and not chosen & theme_ids):
        return False
    return not version.sectors or bool(set(version.sectors) & sectors)


def my_page(storyteller: Storyteller) -> MyPage:
    """Everything the storyteller's page shows, read with their consent as it is today."""
    consent = consent_now(storyteller)
    not_quoted = way_out_withheld(consent, REPORT)
    highlights = storyteller_quotes(storyteller) if consent.words is None else []
    states = check_states(highlights)
    theme_names: dict[int, list[tuple[int, str]]] = {}
    links = HighlightTheme.objects.filter(highlight__in=highlights).select_related("theme")
    themes = {theme.pk: theme for theme in Theme.objects.filter(project_id=storyteller.project_id)}
    for link in links:
        theme = link.theme
        hops = 0  # a merged theme shows as the theme it was merged into
        while theme.merged_into_id is not None and theme.merged_into_id in themes and hops < 50:
            theme, hops = themes[theme.merged_into_id], hops + 1
        theme_names.setdefault(link.highlight_id, []).append((theme.pk, theme.name))
    versions = list(
        ReportVersion.objects.filter(project_id=storyteller.project_id).prefetch_related("themes")
    )
    changes = tuple(changes_for_storyteller(storyteller))
    answered: dict[int, list[str]] = {}
    for item in changes:
        for quote_id in item.quote_ids:
            answered.setdefault(quote_id, []).append(item.change.title)
    quotes_of: dict[int, list[MyQuote]] = {}
    for highlight in highlights:
        named = dict(theme_names.get(highlight.pk, []))
        shown_in: tuple[str, ...] = ()
        if not_quoted is None:
            shown_in = tuple(
                version.title
                for version in versions
                if _version_shows(version, set(named), set(highlight.sectors or []))
                and (not version.approved_only or states[highlight.pk].state == "approved")
            )
        quotes_of.setdefault(highlight.review_sheet.story_id, []).append(
            MyQuote(
                highlight=highlight,
                check=states[highlight.pk],
                themes=tuple(sorted(named.values(), key=str.casefold)),
                versions=shown_in,
                changes=tuple(answered.get(highlight.pk, [])),
            )
        )
    stories = tuple(
        MyStory(
            story=story, words=story_transcript(story), quotes=tuple(quotes_of.get(story.pk, []))
        )
        for story in storyteller.stories.order_by("created_at", "id")
    )
    return MyPage(
        storyteller=storyteller,
        consent=consent,
        stories=stories,
        not_quoted=not_quoted,
        changes=changes,
    )


def my_quote(storyteller: Storyteller, highlight_id: int) -> Highlight | None:
    """One of the storyteller's own quotes, or None (another's, or no such quote)."""
    return next((h for h in storyteller_quotes(storyteller) if h.pk == highlight_id), None)
