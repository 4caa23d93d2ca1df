"""The consent scopes: what a storyteller can agree to, each named and worded once.

A scope's value is the name of its boolean field on ``ConsentRecord``. The
consent checks, services, forms, pages, findings and the ``cohub`` command all
go through ``ConsentScope``, so a scope cannot be misspelt in one place or
worded differently in another. Adding a scope takes a member here, its
wording in ``_WORDING`` and a field on ``ConsentRecord``;
``tests/stories/test_scopes.py`` fails until all three exist.

This module imports no models, so the command line can list the scopes in its
help before Django is set up.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class ScopeWording:
    """How the product says one scope, wherever a person reads it."""

    agreement: str
    """What is agreed, finishing "has not agreed that we ...". ``{them}`` is the storyteller."""
    short: str
    """A few words for lists of scopes: "Record, transcribe, quote anonymously"."""
    question: str
    """The checkbox label on the consent forms."""
    explanation: str
    """The help under that checkbox: what saying yes lets the team do."""


class ConsentScope(models.TextChoices):
    """One thing a storyteller may agree to; the label names the ``ConsentRecord`` field."""

    RECORD = "record", "Record the story"
    TRANSCRIBE = "transcribe", "Transcribe the recording"
    QUOTE_ANONYMOUSLY = "quote_anonymously", "Quote without their name"
    QUOTE_BY_NAME = "quote_by_name", "Quote with their name"
    PUBLISH_IN_LIBRARY = "publish_in_library", "Publish in a public library"

    @classmethod
    def parse(cls, value: str) -> ConsentScope:
        """The scope named ``value``; a ``ValueError`` naming the choices for anything else."""
        try:
            return cls(value)
        except ValueError:
            raise ValueError(
                f"Unknown consent scope {value!r}; choose from {', '.join(cls.values)}."
            ) from None

    @property
    def wording(self) -> ScopeWording:
        return _WORDING[self]

    def agreement(self, them: str = "them") -> str:
        """ "quote them by name", or with ``them="Kit"``, "quote Kit by name"."""
        return self.wording.agreement.format(them=them)

    @property
    def short_label(self) -> str:
        return self.wording.short

    @property
    def question(self) -> str:
        return self.wording.question

    @property
    def explanation(self) -> str:
        return self.wording.explanation


_WORDING: dict[ConsentScope, ScopeWording] = {
    ConsentScope.RECORD: ScopeWording(
        agreement="record their story",
        short="record",
        question="Record their story",
        explanation="We may record their story (sound, video or notes) as they tell it.",
    ),
    ConsentScope.TRANSCRIBE: ScopeWording(
        agreement="transcribe their story",
        short="transcribe",
        question="Write their story out (transcribe it)",
        explanation="We may type up what they said, so the team can read it and pick out "
        "key quotes. Needed, with recording, to add their story.",
    ),
    ConsentScope.QUOTE_ANONYMOUSLY: ScopeWording(
        agreement="quote {them} without their name",
        short="quote anonymously",
        question="Quote them without their name",
        explanation="We may use their words in findings and reports under their pseudonym.",
    ),
    ConsentScope.QUOTE_BY_NAME: ScopeWording(
        agreement="quote {them} by name",
        short="quote by name",
        question="Quote them by name",
        explanation="We may use their words with their real name. "
        "Only if they also agree to be quoted without their name.",
    ),
    ConsentScope.PUBLISH_IN_LIBRARY: ScopeWording(
        agreement="publish their story in a public library",
        short="publish in the library",
        question="Publish their story in a public library",
        explanation="Their story may be shared where anyone can read it.",
    ),
}

# The scopes a storyteller must have agreed to before any story of theirs is stored.
GATHERING_SCOPES = (ConsentScope.RECORD, ConsentScope.TRANSCRIBE)
