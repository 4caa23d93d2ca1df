"""What a storyteller's consent allows right now, and why not when it does not.

Every service that uses a story asks here first, so consent is enforced
however the request arrives (web, CLI, API, a job). Every read of a story's
words asks here too, through the selectors (``story_transcript``) and
``ConsentNow.withheld``: a page shows the words, or says in a sentence why it
cannot (see docs/adr/0013-consent-on-every-read.md).

The reason is worked out in one place, ``consent_now``, so a refusal, a
withheld transcript and a withheld quote always say the same thing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from cohub.apps.core.errors import ConsentError
from cohub.apps.stories.models import ConsentRecord, Storyteller
from cohub.apps.stories.scopes import ConsentScope

# The scopes a story's words need before anyone may read them at all: the team
# reads a transcript only while the storyteller agrees that we transcribe it.
READING_SCOPES = (ConsentScope.TRANSCRIBE,)
# And before they may be quoted, in findings and exports.
QUOTING_SCOPES = (ConsentScope.TRANSCRIBE, ConsentScope.QUOTE_ANONYMOUSLY)


def current_consent(storyteller: Storyteller) -> ConsentRecord | None:
    """The latest consent version, or None if none was ever recorded.

    Uses a prefetched ``consent_records`` list when the caller loaded one.
    """
    cache = getattr(storyteller, "_prefetched_objects_cache", {})
    if "consent_records" in cache:
        records = cache["consent_records"]
        return max(records, key=lambda r: r.version) if records else None
    return storyteller.consent_records.order_by("-version").first()


@dataclass(frozen=True)
class Withheld:
    """Why a story's words are not shown: a page prints ``message`` where they would be."""

    pseudonym: str
    reason: str
    """Finishes a sentence about them: "has not agreed that we transcribe their story"."""

    @property
    def message(self) -> str:
        """ "Withheld: Sam has not agreed that we transcribe their story." """
        return f"Withheld: {self.pseudonym} {self.reason}."

    @property
    def refusal(self) -> str:
        """The same reason as a refusal of a write: "Sam has not agreed that we ..." """
        return f"{self.pseudonym} {self.reason}."

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class ConsentNow:
    """What one storyteller's consent allows today, worked out once for a page or a service.

    ``refusals`` holds, for each scope it does not allow, the reason in words;
    withdrawal or a passed keep-until date refuses every scope with that reason.
    """

    pseudonym: str
    record: ConsentRecord | None
    refusals: dict[ConsentScope, str]
    # Set when consent has ended altogether (withdrawn, or the keep-until date passed).
    ending: str | None = None

    @property
    def ended(self) -> Withheld | None:
        """Why nothing of the story may be kept or used any more, or None while it may."""
        return Withheld(self.pseudonym, self.ending) if self.ending else None

    def allows(self, scope: ConsentScope | str) -> bool:
        return ConsentScope.parse(scope) not in self.refusals

    def withheld(self, *scopes: ConsentScope) -> Withheld | None:
        """Why the first of ``scopes`` is not allowed, or None when all of them are."""
        for scope in scopes:
            if scope in self.refusals:
                return Withheld(self.pseudonym, self.refusals[scope])
        return None

    @property
    def words(self) -> Withheld | None:
        """Why nobody may read the story's words now, or None when the team may."""
        return self.withheld(*READING_SCOPES)

    @property
    def quoting(self) -> Withheld | None:
        """Why the story's words may not be quoted in findings and exports, or None."""
        return self.withheld(*QUOTING_SCOPES)

    @property
    def may_name(self) -> bool:
        """Whether a quote may carry the storyteller's name: quoting allowed, and naming."""
        return self.quoting is None and self.allows(ConsentScope.QUOTE_BY_NAME)


def consent_now(storyteller: Storyteller, *, today: dt.date | None = None) -> ConsentNow:
    """The storyteller's consent as it stands today, with a reason for every refusal."""
    record = current_consent(storyteller)
    today = today or timezone.localdate()
    everything: str | None = None
    if storyteller.withdrawn_at is not None or (record is not None and record.withdrawn):
        everything = "has withdrawn their consent"
    elif record is not None and record.keep_until is not None and record.keep_until < today:
        until = record.keep_until
        everything = (
            f"agreed that we keep their story only until {until.day} {until:%B %Y}, "
            "and that date has passed"
        )
    refusals = {
        scope: everything or f"has not agreed that we {scope.agreement()}"
        for scope in ConsentScope
        if everything or record is None or not record.granted(scope)
    }
    return ConsentNow(
        pseudonym=storyteller.pseudonym, record=record, refusals=refusals, ending=everything
    )


def consent_allows(
    storyteller: Storyteller, scope: ConsentScope | str, *, today: dt.date | None = None
) -> bool:
    """True when the current consent grants ``scope`` and has not run out or been withdrawn.

    A scope's string value is accepted too; an unknown one raises ``ValueError``
    rather than quietly answering no, so a misspelt check cannot hide.
    """
    return consent_now(storyteller, today=today).allows(scope)


def require_consent(storyteller: Storyteller, *scopes: ConsentScope | str) -> None:
    """Raise ConsentError naming the first scope the storyteller has not agreed to."""
    now = consent_now(storyteller)
    refused = now.withheld(*map(ConsentScope.parse, scopes))
    if refused is not None:
        raise ConsentError(refused.refusal)
