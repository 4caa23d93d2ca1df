"""What a group makes of stories: review sheets, key quotes, the codebook and its log.

Review sheets and key quotes belong here, not to stories: this app writes
and shows them, and stories must not depend on what is made from them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from cohub.apps.core.models import TimeStampedModel
from cohub.apps.projects.models import Project
from cohub.apps.stories.models import Speaker, Story, Transcript


class ChangeLevel(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"
    ORGANISATION = "organisation", "Organisation"
    SOCIETY = "society", "Society"


class ReviewSheet(TimeStampedModel):
    """The notes on one story: ideas, a summary, and its key quotes.

    Made the first time someone writes to it, so a story needs none to exist.
    """

    story = models.OneToOneField(Story, on_delete=models.CASCADE, related_name="review_sheet")
    ideas = models.TextField(blank=True, help_text="Ideas and notes from listening to the story.")
    summary = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Review sheet for {self.story}"


class Attribution(models.TextChoices):
    ANONYMOUS = "anonymous", "Anonymous (pseudonym)"
    NAMED = "named", "By name"


class AnchorStatus(models.TextChoices):
    """How a quote came through the last new version of its story's text."""

    PLACED = "placed", "In place"
    UPDATED = "updated", "Words corrected"
    LOST = "lost", "Needs checking"


class Highlight(TimeStampedModel):
    """A key quote: a span of one transcript version, with its times and the snippet copied."""

    review_sheet = models.ForeignKey(
        ReviewSheet, on_delete=models.CASCADE, related_name="highlights"
    )
    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="highlights")
    char_start = models.PositiveIntegerField()
    char_end = models.PositiveIntegerField()
    snippet = models.TextField()
    start_ms = models.PositiveIntegerField(null=True, blank=True)
    end_ms = models.PositiveIntegerField(null=True, blank=True)
    # On a recorded story a quote is also a clip of the recording. People nudge
    # its edges (a breath before, a word's tail after) without changing its
    # words; the nudges are kept apart from the words' times so they survive a
    # correction that moves the words (``clip_start_ms``/``clip_end_ms``).
    clip_start_nudge_ms = models.IntegerField(
        default=0, help_text="How far the clip starts before (negative) or after its first word."
    )
    clip_end_nudge_ms = models.IntegerField(
        default=0, help_text="How far the clip ends before (negative) or after its last word."
    )
    speaker = models.ForeignKey(
        Speaker,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who said most of the words; the quote is credited to them.",
    )
    speakers = models.ManyToManyField(
        Speaker, blank=True, related_name="+", help_text="Everyone whose words are in the quote."
    )
    change_level = models.CharField(max_length=20, choices=ChangeLevel.choices, blank=True)
    sectors = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    attribution = models.CharField(
        max_length=20, choices=Attribution.choices, default=Attribution.ANONYMOUS
    )
    # A quote follows each new version of the text (analysis/anchoring.py); one whose
    # words cannot be found stays on its old version, LOST, until a person fixes it.
    anchor_status = models.CharField(
        max_length=20, choices=AnchorStatus.choices, default=AnchorStatus.PLACED
    )
    anchor_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["review_sheet", "char_start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(char_end__gt=models.F("char_start")),
                name="highlight_span_not_empty",
            )
        ]

    def __str__(self) -> str:
        return self.snippet[:60]

    @property
    def needs_attention(self) -> bool:
        return self.anchor_status == AnchorStatus.LOST

    @property
    def clip_start_ms(self) -> int | None:
        """Where the clip starts in the recording: the first word's start, nudged."""
        if self.start_ms is None:
            return None
        return max(0, self.start_ms + self.clip_start_nudge_ms)

    @property
    def clip_end_ms(self) -> int | None:
        """Where the clip ends: the last word's end, nudged (never before it starts)."""
        if self.end_ms is None or self.start_ms is None:
            return None
        start = self.clip_start_ms or 0
        return max(start + 1, self.end_ms + self.clip_end_nudge_ms)

    @property
    def project(self) -> Project:
        """The story's project, so project rules can be checked on a key quote itself."""
        return self.review_sheet.story.project


class CheckState(models.TextChoices):
    """What a storyteller said about one quote of theirs (ADR 0032)."""

    WAITING = "waiting", "Waiting for the storyteller"
    APPROVED = "approved", "Approved"
    CHANGE = "change", "Asked for a change"
    REMOVE = "remove", "Asked for it to be removed"


class QuoteCheck(models.Model):
    """The storyteller's answer about one quote, and the words it answered.

    ``words_hash`` fingerprints the words and the clip as they were when the
    storyteller answered: when either changes (a new transcript version, a
    nudged clip) the answer no longer applies and the quote is waiting again
    (``quote_checks.check_state``). A quote with no row is waiting. The
    comment is the storyteller's own and may hold their words, so it goes
    with the quote (and the quote with the story).
    """

    highlight = models.OneToOneField(
        Highlight, on_delete=models.CASCADE, related_name="storyteller_check"
    )
    state = models.CharField(max_length=20, choices=CheckState.choices, default=CheckState.WAITING)
    comment = models.TextField(blank=True)
    words_hash = models.CharField(max_length=64, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # "link" (a private link) or "account" (signed in as themselves).
    answered_via = models.CharField(max_length=20, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["highlight"]

    def __str__(self) -> str:
        return f"{self.get_state_display()} (quote {self.highlight_id})"


class Theme(TimeStampedModel):
    """A theme in a project's codebook. Merged themes stay, pointing at their successor."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = [Lower("name"), "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "project",
                condition=models.Q(merged_into__isnull=True),
                name="unique_active_theme_name",
            )
        ]

    def __str__(self) -> str:
        return self.name


class HighlightTheme(models.Model):
    highlight = models.ForeignKey(Highlight, on_delete=models.CASCADE, related_name="theme_links")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="highlight_links")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["highlight", "theme"], name="unique_highlight_theme")
        ]

    def __str__(self) -> str:
        return f"{self.theme_id} on highlight {self.highlight_id}"


class CodingAction(models.TextChoices):
    HIGHLIGHT_CREATE = "highlight_create", "Made a highlight"
    HIGHLIGHT_UPDATE = "highlight_update", "Changed a highlight"
    HIGHLIGHT_DELETE = "highlight_delete", "Removed a highlight"
    TAG_ADD = "tag_add", "Tagged a highlight"
    TAG_REMOVE = "tag_remove", "Untagged a highlight"
    THEME_CREATE = "theme_create", "Created a theme"
    THEME_RENAME = "theme_rename", "Renamed a theme"
    THEME_MERGE = "theme_merge", "Merged themes"
    HIGHLIGHT_REANCHOR = "highlight_reanchor", "Moved a quote to changed text"
    # Written only by undo, so that taking back a new theme or a merge is in the feed too.
    THEME_DELETE = "theme_delete", "Removed a theme"
    THEME_UNMERGE = "theme_unmerge", "Unmerged themes"
    # The workshop board (ADR 0022).
    HIGHLIGHT_MOVE = "highlight_move", "Moved a quote"
    NOTE_ADD = "note_add", "Added a note"
    NOTE_REMOVE = "note_remove", "Removed a note"
    ROUND_OPEN = "round_open", "Opened a visioning round"
    ROUND_CLOSE = "round_close", "Closed a visioning round"
    ROUND_GROUP = "round_group", "Grouped the notes of a round"
    # Written only by undo (ADR 0022): taking back a round's opening or its closing.
    ROUND_REMOVE = "round_remove", "Removed a visioning round"
    ROUND_REOPEN = "round_reopen", "Opened a visioning round again"
    # Machine suggestions (ADR 0021): asking for them, and each decision a person made.
    SUGGESTION_RUN = "suggestion_run", "Asked for theme suggestions"
    SUGGESTION_ACCEPT = "suggestion_accept", "Accepted a suggested theme"
    SUGGESTION_REJECT = "suggestion_reject", "Rejected a suggested theme"
    SUGGESTION_RENAME = "suggestion_rename", "Renamed a suggested theme"
    SUGGESTION_MERGE = "suggestion_merge", "Merged suggested themes"
    SUGGESTION_SPLIT = "suggestion_split", "Split a suggested theme"


class CodingEvent(models.Model):
    """Who did which coding action, when, with enough detail to undo it.

    ``payload`` holds the state before and after; it never names a storyteller,
    but it may hold a quote snippet, so it goes when the story goes.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="coding_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=30, choices=CodingAction.choices)
    # How the actor took part in the project when they acted (projects.TakingPart, "" if
    # they had not said): "who shaped the findings" counts by it, and a later change of
    # mind does not rewrite who decided what.
    actor_part = models.CharField(max_length=30, blank=True)
    story_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    highlight_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    theme_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # An undo and a redo write ordinary events; these say which change they were about, so a
    # redo can take back exactly what the undo wrote, and the log can say "undoing" or "redoing".
    undo_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="undo_events"
    )
    redo_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="redo_events"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The change feed reads "this project's events after id N" in id order.
            models.Index(fields=["project", "id"], name="coding_event_feed"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor}"


class VisioningRound(TimeStampedModel):
    """A future-visioning round: a facilitator's prompt, and the short notes people write to it.

    Open while ``closed_at`` is empty; notes can be added only then. The
    grouping of its notes (``BoardNote.group``) is made when a facilitator
    asks, by the same engine as the theme suggestions.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="visioning_rounds")
    prompt = models.CharField(max_length=300)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    grouped_with = models.JSONField(
        default=dict, blank=True, help_text="The engine, model and settings of the last grouping."
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.prompt

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class BoardNote(TimeStampedModel):
    """A short note on the workshop board: beside a theme, or written to a visioning round.

    Notes are the group's own words, not a storyteller's, so they need no
    consent and are not purged with a story; they go with the project.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="board_notes")
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="board_notes"
    )
    visioning_round = models.ForeignKey(
        VisioningRound, null=True, blank=True, on_delete=models.CASCADE, related_name="notes"
    )
    text = models.CharField(max_length=500)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The group the engine put the note in, within its round (a label and a number).
    group = models.PositiveIntegerField(null=True, blank=True)
    group_label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


# --------------------------------------------------------------------------- suggestions (ADR 0021)


class QuoteVector(models.Model):
    """A key quote's words as a vector, cached per model: recomputed only when the words change.

    Keyed by the quote (not only by the text's hash) so that a withdrawn story's
    vectors, which could be turned back into its words, go with its quotes.
    """

    highlight = models.ForeignKey(Highlight, on_delete=models.CASCADE, related_name="vectors")
    story_id = models.BigIntegerField(db_index=True)
    model = models.CharField(max_length=200, help_text="The embedding model's name and version.")
    text_hash = models.CharField(max_length=64)
    dim = models.PositiveSmallIntegerField()
    vector = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["highlight", "model"], name="one_vector_per_model")
        ]

    def __str__(self) -> str:
        return f"vector of highlight {self.highlight_id} ({self.model})"


class SuggestionRunStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Working"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class SuggestionStart(models.TextChoices):
    NOTHING = "", "Nothing: group the quotes freely"
    CODEBOOK = "codebook", "Our own themes (the codebook)"
    CONDITIONS = "conditions", "The conditions of co-production"
    VALUES = "values", "The principles of co-production"


class SuggestionRun(TimeStampedModel):
    """One run of the theme suggester: what was asked, with which model and seed, and what it found.

    The suggestions it found are rows (``Suggestion``); people decide on each.
    Nothing here changes the codebook: only accepting a suggestion does, through
    the same services as a theme made by hand.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="suggestion_runs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    job_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=SuggestionRunStatus.choices, default=SuggestionRunStatus.QUEUED
    )
    themes_asked = models.PositiveSmallIntegerField(null=True, blank=True)
    start_from = models.CharField(
        max_length=20, choices=SuggestionStart.choices, blank=True, default=SuggestionStart.NOTHING
    )
    model = models.CharField(max_length=200, blank=True)
    seed = models.IntegerField(default=0)
    input_hash = models.CharField(max_length=64, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    quote_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Suggestion run {self.pk} ({self.status})"


class SuggestionStatus(models.TextChoices):
    OPEN = "open", "Not decided yet"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    MERGED = "merged", "Merged into another suggestion"
    SPLIT = "split", "Split in two"


class Suggestion(models.Model):
    """One suggested theme: a label in the quotes' own words, how sure, what people decided."""

    run = models.ForeignKey(SuggestionRun, on_delete=models.CASCADE, related_name="suggestions")
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=120)
    suggested_label = models.CharField(max_length=120)
    keywords = models.JSONField(default=list, blank=True)
    confidence = models.FloatField(default=0)
    unsorted = models.BooleanField(default=False)
    seed_key = models.CharField(max_length=100, blank=True)
    existing_theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=SuggestionStatus.choices, default=SuggestionStatus.OPEN
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "unsorted", "number", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def project(self) -> Project:
        return self.run.project

    @property
    def is_open(self) -> bool:
        return self.status == SuggestionStatus.OPEN


class SuggestionQuote(models.Model):
    """A quote placed in a suggestion; ``rank`` 0 is the most central. Goes with its quote."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="quotes")
    highlight = models.ForeignKey(Highlight, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(default=0)
    rank = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["suggestion", "rank", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion", "highlight"], name="one_place_per_suggestion"
            )
        ]

    def __str__(self) -> str:
        return f"highlight {self.highlight_id} in suggestion {self.suggestion_id}"
