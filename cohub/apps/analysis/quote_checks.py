"""Storytellers check the quotes taken from their stories (issue 9, ADR 0032).

A quote is *waiting* until its storyteller answers: they approve it, or ask
for it to be changed or removed, with a comment if they like. The answer is
kept with a fingerprint of the words and clip it answered
(``quote_fingerprint``); when those change, the answer no longer applies and
the quote is waiting again. That rule is worked out here, on every read
(``check_states``), rather than by each service that can change a quote's
words remembering to reset it: a new transcript version, a correction, a
nudged clip all count, and so will any way of changing a quote added later.

Only ``quote_check_answer`` writes an answer, and it writes an audit event.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cohub.apps.accounts.models import User
from cohub.apps.analysis.models import CheckState, Highlight, QuoteCheck
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import record_event
from cohub.apps.projects.models import Project
from cohub.apps.stories.models import Storyteller

COMMENT_LENGTH = 2000
ANSWERS = (CheckState.APPROVED, CheckState.CHANGE, CheckState.REMOVE)


def quote_fingerprint(highlight: Highlight) -> str:
    """The words and clip a storyteller sees, as one hash: an answer applies to these only."""
    parts = [highlight.snippet, str(highlight.clip_start_ms), str(highlight.clip_end_ms)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class CheckNow:
    """A quote's check as it stands: the state, the comment, and whether its words moved on."""

    state: CheckState
    comment: str = ""
    changed_since: bool = False
    """The storyteller answered, then the words or clip changed: they are asked again."""
    answered_at: object = None

    @property
    def label(self) -> str:
        if self.changed_since:
            return "Changed since the storyteller answered: waiting again"
        return str(CheckState(self.state).label)

    @property
    def questioned(self) -> bool:
        return self.state in (CheckState.CHANGE, CheckState.REMOVE)


WAITING = CheckNow(CheckState.WAITING)


def _now(highlight: Highlight, check: QuoteCheck | None) -> CheckNow:
    if check is None or check.state == CheckState.WAITING:
        return WAITING
    if check.words_hash != quote_fingerprint(highlight):
        return CheckNow(CheckState.WAITING, comment=check.comment, changed_since=True)
    return CheckNow(CheckState(check.state), comment=check.comment, answered_at=check.answered_at)


def check_states(highlights: Iterable[Highlight]) -> dict[int, CheckNow]:
    """Quote id -> its check now, for quotes already loaded (one query)."""
    highlights = list(highlights)
    checks = {
        check.highlight_id: check
        for check in QuoteCheck.objects.filter(highlight__in=[h.pk for h in highlights])
    }
    return {h.pk: _now(h, checks.get(h.pk)) for h in highlights}


def storyteller_quotes(storyteller: Storyteller) -> list[Highlight]:
    """The quotes taken from this storyteller's stories, in story and text order."""
    return list(
        Highlight.objects.filter(review_sheet__story__storyteller=storyteller)
        .select_related("review_sheet__story")
        .order_by("review_sheet__story__created_at", "review_sheet__story_id", "char_start", "id")
    )


def approved_quote_ids(project: Project) -> set[int]:
    """The project's quotes whose storytellers approved the words they now have."""
    highlights = Highlight.objects.filter(
        review_sheet__story__project=project, storyteller_check__state=CheckState.APPROVED
    )
    return {pk for pk, now in check_states(highlights).items() if now.state == CheckState.APPROVED}


@dataclass(frozen=True)
class StoryChecks:
    """How many of one story's quotes are in each state, for the facilitator's overview."""

    approved: int = 0
    waiting: int = 0
    questioned: int = 0


def check_counts(states: Iterable[CheckNow]) -> StoryChecks:
    counted = Counter("questioned" if now.questioned else str(now.state) for now in states)
    return StoryChecks(
        approved=counted["approved"], waiting=counted["waiting"], questioned=counted["questioned"]
    )


@transaction.atomic
def quote_check_answer(
    *,
    highlight: Highlight,
    storyteller: Storyteller,
    state: CheckState | str,
    comment: str = "",
    actor: User | None,
    via: str,
) -> QuoteCheck:
    """Keep the storyteller's answer about one of their quotes, against its words now.

    Refused when the quote is not from this storyteller's stories (a link
    opens one storyteller's quotes only), for an unknown answer, and for an
    over-long comment. Answering again replaces the answer; the same answer
    twice changes nothing and writes no second event.
    """
    try:
        state = CheckState(state)
    except ValueError:
        raise ServiceError("Choose approve, change or remove.") from None
    if state not in ANSWERS:
        raise ServiceError("Choose approve, change or remove.")
    comment = comment.strip()
    if len(comment) > COMMENT_LENGTH:
        raise ServiceError(f"Keep the comment under {COMMENT_LENGTH} characters.")
    highlight = (
        Highlight.objects.select_for_update()
        .select_related("review_sheet__story")
        .filter(pk=highlight.pk)
        .first()
    ) or highlight
    if highlight.review_sheet.story.storyteller_id != storyteller.pk:
        raise ServiceError("That quote is not from your story.")
    if storyteller.withdrawn_at is not None:
        raise ServiceError("You withdrew your consent, so there is nothing to check.")
    fingerprint = quote_fingerprint(highlight)
    check, _ = QuoteCheck.objects.get_or_create(highlight=highlight)
    if check.state == state and check.comment == comment and check.words_hash == fingerprint:
        return check
    before = check.state
    check.state = state
    check.comment = comment
    check.words_hash = fingerprint
    check.answered_by = actor
    check.answered_via = via
    check.answered_at = timezone.now()
    check.save()
    record_event(
        actor=actor,
        verb="quote_check.answer",
        target=highlight,
        project_id=storyteller.project_id,
        # No comment here: the audit log outlives the story, and a comment may hold its words.
        data={"from": str(before), "to": str(state), "via": via, "commented": bool(comment)},
    )
    return check
