""" "You said, we did" in public (issue 9 item 3, ADR 0033): the page anyone may read.

The page is built from live data on every request, never stored: a withdrawn
story's quotes have left the change with the story, and a narrowed consent
or a storyteller's second thoughts take the quote off the page at once.

What the public sees, quote by quote, is decided here and only here, so the
preview on the publish page and the public page cannot differ:

- the words pass the ``PUBLIC_PAGE`` way out (quoted without a name, and
  published where anyone can read it), through the findings, which also hold
  back words that changed and wait for a check;
- the storyteller approved these very words (``quote_checks``): a public
  page is publishing, and ADR 0032 promised nothing is published before they
  have had the chance to say;
- they are the storyteller's own words only: an interviewer or another
  participant was never asked;
- nobody is named, not even by pseudonym.

Publishing and taking down are services with audit lines, open to whoever
runs the project (``reports.publish_changes``). ``changes_for_storyteller``
is what a storyteller's own page shows of it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from cohub.apps.accounts.models import User
from cohub.apps.analysis.models import HighlightTheme
from cohub.apps.analysis.quote_checks import approved_quote_ids, storyteller_quotes
from cohub.apps.core.models import record_event
from cohub.apps.projects.models import Project
from cohub.apps.reports.changes import project_changes
from cohub.apps.reports.findings import FindingQuote, project_findings
from cohub.apps.reports.models import ChangeAction, ChangeStatus
from cohub.apps.stories.consent import consent_now
from cohub.apps.stories.models import Storyteller
from cohub.apps.stories.ways_out import PUBLIC_PAGE, REPORT, way_out_withheld

QUOTES_PER_CHANGE = 3
"""Enough to hear people's voices beside a change; more makes the page hard to read."""

# The order a reader of the public page follows: what is done first.
STATUS_ORDER = (
    ChangeStatus.DONE,
    ChangeStatus.IN_PROGRESS,
    ChangeStatus.PLANNED,
    ChangeStatus.NOT_DOING,
)
PUBLIC_HEADINGS = {
    ChangeStatus.DONE: "What we have done",
    ChangeStatus.IN_PROGRESS: "What we are doing now",
    ChangeStatus.PLANNED: "What we will do",
    ChangeStatus.NOT_DOING: "What we are not doing, and why",
}

# Why a quote a change answers is not on the page, for the preview (counts only).
HELD_CONSENT = "consent"
HELD_NOT_APPROVED = "not_approved"
HELD_OTHERS_WORDS = "others_words"
HELD_WORDS = {
    HELD_CONSENT: "its storyteller has not agreed to be quoted on a public page",
    HELD_NOT_APPROVED: "its storyteller has not approved these words (yet)",
    HELD_OTHERS_WORDS: "it holds words of someone other than the storyteller",
}


@dataclass(frozen=True)
class SaidTheme:
    """One theme a change answers: what people said, counted, without anyone's words."""

    name: str
    description: str
    story_count: int


@dataclass(frozen=True)
class PublicChange:
    change: ChangeAction
    themes: tuple[SaidTheme, ...]
    quotes: tuple[str, ...]
    """The words shown, at most ``QUOTES_PER_CHANGE``, unattributed."""
    held_back: tuple[tuple[str, int], ...] = ()
    """(why in words, how many) for the quotes it answers that are not shown: preview only."""

    @property
    def status_label(self) -> str:
        return str(ChangeStatus(self.change.status).label)


@dataclass(frozen=True)
class PublicGroup:
    status: str
    heading: str
    changes: tuple[PublicChange, ...]


@dataclass(frozen=True)
class PublicPage:
    project: Project
    groups: tuple[PublicGroup, ...]
    themes: tuple[SaidTheme, ...] = field(default=())
    """Every theme the changes answer, once, most told first."""

    @property
    def change_count(self) -> int:
        return sum(len(group.changes) for group in self.groups)

    @property
    def quote_count(self) -> int:
        return sum(len(c.quotes) for group in self.groups for c in group.changes)


def _held_reason(quote: FindingQuote, approved: set[int]) -> str | None:
    """Why this quote stays off the public page, or None when it may be shown."""
    if quote.text is None:
        return HELD_CONSENT
    if any(part != "storyteller" for part in quote.parts):
        return HELD_OTHERS_WORDS
    if quote.highlight_id not in approved:
        return HELD_NOT_APPROVED
    return None


def public_quote_ids(project: Project) -> set[int]:
    """The quotes of ``project`` whose words may be on its public page now."""
    findings = project_findings(project, way=PUBLIC_PAGE)
    approved = approved_quote_ids(project)
    return {q.highlight_id for q in findings.quotes if _held_reason(q, approved) is None}


def public_page(project: Project) -> PublicPage:
    """What the public page shows now (also the publish page's preview), from live data."""
    findings = project_findings(project, way=PUBLIC_PAGE)
    approved = approved_quote_ids(project)
    quotes = {quote.highlight_id: quote for quote in findings.quotes}
    said = {
        theme.theme_id: SaidTheme(
            name=theme.name, description=theme.description, story_count=theme.story_count
        )
        for theme in findings.themes
        if theme.theme_id is not None
    }
    changes = list(project_changes(project).prefetch_related("quotes"))
    public: dict[str, list[PublicChange]] = {status: [] for status in STATUS_ORDER}
    answered: dict[int, SaidTheme] = {}
    for change in changes:
        themes = tuple(said[t.pk] for t in change.themes.all() if t.pk in said)
        for theme in change.themes.all():
            if theme.pk in said:
                answered[theme.pk] = said[theme.pk]
        shown: list[str] = []
        held: Counter[str] = Counter()
        for highlight in sorted(change.quotes.all(), key=lambda h: h.pk):
            quote = quotes.get(highlight.pk)
            if quote is None:
                continue
            reason = _held_reason(quote, approved)
            if reason is not None:
                held[reason] += 1
            elif len(shown) < QUOTES_PER_CHANGE and quote.text is not None:
                shown.append(quote.text)
        public[change.status].append(
            PublicChange(
                change=change,
                themes=themes,
                quotes=tuple(shown),
                held_back=tuple((HELD_WORDS[key], held[key]) for key in HELD_WORDS if held[key]),
            )
        )
    groups = tuple(
        PublicGroup(status=status, heading=PUBLIC_HEADINGS[status], changes=tuple(public[status]))
        for status in STATUS_ORDER
        if public[status]
    )
    ordered = sorted(answered.values(), key=lambda t: (-t.story_count, t.name.casefold()))
    return PublicPage(project=project, groups=groups, themes=tuple(ordered))


def is_published(project: Project) -> bool:
    """Whether the public page is open: the test ``public_project_view`` asks of each request."""
    return project.publish_changes


@transaction.atomic
def changes_publish(*, project: Project, actor: User | None) -> bool:
    """Open the public page; True when it was closed. The audit line names who opened it."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.publish_changes:
        return False
    locked.publish_changes = project.publish_changes = True
    locked.save(update_fields=["publish_changes", "updated_at"])
    record_event(
        actor=actor,
        verb="changes.publish",
        target=locked,
        project_id=project.pk,
        data={"changes": sorted(c.pk for c in project_changes(project))},
    )
    return True


@transaction.atomic
def changes_unpublish(*, project: Project, actor: User | None) -> bool:
    """Take the public page down at once; True when it was open."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if not locked.publish_changes:
        return False
    locked.publish_changes = project.publish_changes = False
    locked.save(update_fields=["publish_changes", "updated_at"])
    record_event(actor=actor, verb="changes.unpublish", target=locked, project_id=project.pk)
    return True


@dataclass(frozen=True)
class StorytellerChange:
    """A published change as a storyteller sees it on their own page."""

    change: ChangeAction
    yours: bool
    """It answers something this storyteller said (one of their quotes, or its theme)."""
    quote_ids: frozenset[int] = frozenset()
    """Which of their own quotes it answers."""

    @property
    def status_label(self) -> str:
        return str(ChangeStatus(self.change.status).label)


def changes_for_storyteller(storyteller: Storyteller) -> list[StorytellerChange]:
    """What changed because of what people said, for one storyteller's page, by their consent.

    Only a project's published changes (what is still being planned is the
    team's to share when it is ready); none once the storyteller's consent
    has ended; and "yours" only while their words may be used in the findings
    (``REPORT``) and read at all: otherwise nothing was done because of
    *their* words, however it was filed. Those that answer them come first.
    """
    project = storyteller.project
    if not project.publish_changes:
        return []
    consent = consent_now(storyteller)
    if consent.ended is not None:
        return []
    mine: set[int] = set()
    my_themes: set[int] = set()
    if consent.words is None and way_out_withheld(consent, REPORT) is None:
        mine = {h.pk for h in storyteller_quotes(storyteller)}
        my_themes = set(
            HighlightTheme.objects.filter(highlight_id__in=mine).values_list("theme_id", flat=True)
        )
    found = []
    for change in project_changes(project).prefetch_related("quotes"):
        answered = frozenset(q.pk for q in change.quotes.all()) & mine
        themed = bool({t.pk for t in change.themes.all()} & my_themes)
        found.append(
            StorytellerChange(change=change, yours=bool(answered) or themed, quote_ids=answered)
        )
    rank: dict[str, int] = {status: number for number, status in enumerate(STATUS_ORDER)}
    return sorted(found, key=lambda item: (not item.yours, rank[item.change.status]))
