"""Storytellers, their consent, and the stories they tell.

A story's text lives in versioned Transcripts. What people make of a story
(review sheets, key quotes) belongs to the analysis app, which points here;
this app never reaches back into it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from cohub.apps.core.models import TimeStampedModel
from cohub.apps.jobs.models import Job
from cohub.apps.projects.models import Project
from cohub.apps.stories.scopes import ConsentScope

PSEUDONYM_LENGTH = 120


class StorytellerRole(models.TextChoices):
    LIVED_EXPERIENCE = "lived_experience", "Lived experience"
    FACILITATOR = "facilitator", "Facilitator"
    PROFESSIONAL = "professional", "Involved as part of a job"


class Storyteller(TimeStampedModel):
    """A person who shares an experience, described in their own words."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="storytellers")
    pseudonym = models.CharField(
        max_length=PSEUDONYM_LENGTH, help_text="The name used when quoting anonymously."
    )
    real_name = models.CharField(
        max_length=200, blank=True, help_text="Shown only where consent to quote by name is given."
    )
    self_description = models.TextField(
        blank=True, help_text="How the storyteller describes themselves, in any way they choose."
    )
    age_range = models.CharField(max_length=40, blank=True)
    gender = models.CharField(max_length=80, blank=True)
    ethnicity = models.CharField(max_length=120, blank=True)
    location = models.CharField(max_length=120, blank=True)
    sectors = models.JSONField(default=list, blank=True)
    roles = models.JSONField(default=list, blank=True)
    topics = models.JSONField(default=list, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="storyteller_profiles",
        help_text="Set when the storyteller has their own login and manages their consent.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pseudonym", "id"]
        constraints = [
            # The services refuse a shared name with a clear message, comparing with
            # casefold and tidied spacing (they store the spacing tidied); this is the
            # backstop. Withdrawn storytellers all share one neutral name, so they are
            # left out.
            models.UniqueConstraint(
                "project",
                Lower("pseudonym"),
                condition=models.Q(withdrawn_at__isnull=True),
                name="unique_active_pseudonym_in_project",
                violation_error_message="Another storyteller in this project has that name.",
            )
        ]

    def __str__(self) -> str:
        return self.pseudonym


class ConsentRecord(models.Model):
    """One version of what a storyteller agreed to. Never edited: a change adds a version."""

    storyteller = models.ForeignKey(
        Storyteller, on_delete=models.CASCADE, related_name="consent_records"
    )
    version = models.PositiveIntegerField()
    # One field per ConsentScope, named by its value (tests/stories/test_scopes.py checks).
    record = models.BooleanField(ConsentScope.RECORD.label, default=False)
    transcribe = models.BooleanField(ConsentScope.TRANSCRIBE.label, default=False)
    quote_anonymously = models.BooleanField(ConsentScope.QUOTE_ANONYMOUSLY.label, default=False)
    quote_by_name = models.BooleanField(ConsentScope.QUOTE_BY_NAME.label, default=False)
    publish_in_library = models.BooleanField(ConsentScope.PUBLISH_IN_LIBRARY.label, default=False)
    keep_until = models.DateField("Keep until", null=True, blank=True)
    withdrawn = models.BooleanField(default=False)
    note = models.TextField(blank=True, help_text="How and where consent was given or changed.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["storyteller", "-version"]
        get_latest_by = "version"
        constraints = [
            models.UniqueConstraint(
                fields=["storyteller", "version"], name="unique_consent_version"
            )
        ]

    def __str__(self) -> str:
        return f"Consent v{self.version} for {self.storyteller}"

    def granted(self, scope: ConsentScope) -> bool:
        """What this version says about ``scope``, ignoring withdrawal and dates."""
        return bool(getattr(self, ConsentScope(scope).value))

    def granted_scopes(self) -> list[ConsentScope]:
        """The scopes this version says yes to, in the order ``ConsentScope`` lists them."""
        return [scope for scope in ConsentScope if self.granted(scope)]


class StorySource(models.TextChoices):
    TYPED = "typed", "Typed or pasted"
    TRANSCRIPT_FILE = "transcript_file", "Transcript file"
    RECORDING = "recording", "Sound or video recording"


class Story(TimeStampedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stories")
    storyteller = models.ForeignKey(Storyteller, on_delete=models.PROTECT, related_name="stories")
    title = models.CharField(max_length=200)
    source = models.CharField(max_length=30, choices=StorySource.choices)
    source_filename = models.CharField(max_length=255, blank=True)
    content_hash = models.CharField(
        max_length=64, db_index=True, help_text="SHA-256 of the imported content, to spot repeats."
    )
    recorded_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return self.title


class Transcript(models.Model):
    """One stored version of a story's text; ``text`` is the segments joined.

    Versions are never changed or removed while the story lasts: a correction,
    a redaction or a new run of speech-to-text adds one (``transcript_revise``),
    so quotes can be followed from the words they were made on, and an undo
    can bring earlier words back. ``reason`` may name people; it goes with the story.
    """

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="transcripts")
    version = models.PositiveIntegerField(default=1)
    text = models.TextField()
    reason = models.CharField(max_length=200, blank=True, help_text="Why this version was made.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SEPARATOR = "\n\n"

    class Meta:
        ordering = ["story", "-version"]
        get_latest_by = "version"
        constraints = [
            models.UniqueConstraint(fields=["story", "version"], name="unique_transcript_version")
        ]

    def __str__(self) -> str:
        return f"{self.story} v{self.version}"


class SpeakerPart(models.TextChoices):
    """What part a speaker plays in the story: it decides how their words are credited.

    The values match ``cohub.pipeline.speakers.Part``, which guesses them at import.
    """

    STORYTELLER = "storyteller", "The storyteller"
    INTERVIEWER = "interviewer", "Interviewer or community reporter"
    PARTICIPANT = "participant", "Another participant"


class Speaker(models.Model):
    """One person speaking in a story, as the transcript labelled them.

    A speaker belongs to the story, not to one transcript version, so a
    correction or a new version keeps the same people and a rename shows on
    every version. ``label`` stays as imported (video-call exports often use
    real names); people see and change ``display_name``.
    """

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="speakers")
    label = models.CharField(max_length=120, help_text="The name as the transcript gave it.")
    display_name = models.CharField(max_length=120, help_text="The name people see.")
    part = models.CharField(
        max_length=20, choices=SpeakerPart.choices, default=SpeakerPart.PARTICIPANT
    )

    class Meta:
        ordering = ["story", "id"]
        constraints = [
            models.UniqueConstraint(fields=["story", "label"], name="unique_speaker_label"),
            # Consent to be named belongs to one person: the story's storyteller.
            models.UniqueConstraint(
                fields=["story"],
                condition=models.Q(part="storyteller"),
                name="one_storyteller_speaker",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_storyteller(self) -> bool:
        return self.part == SpeakerPart.STORYTELLER

    @property
    def part_word(self) -> str:
        """The part in a word or two, for beside a name: "interviewer"."""
        return _PART_WORDS[self.part]


_PART_WORDS: dict[str, str] = {
    SpeakerPart.STORYTELLER: "storyteller",
    SpeakerPart.INTERVIEWER: "interviewer",
    SpeakerPart.PARTICIPANT: "another participant",
}


class Segment(models.Model):
    """A stretch of speech: who said it, when, and where it sits in the text.

    ``words`` holds when each word was said, one per word of ``text``, in order
    (``cohub.pipeline.words``: ``{"start_ms", "end_ms", "text", "probability"}``).
    Speech-to-text hears them; a subtitle file's cue time is shared out over its
    words; a correction keeps the times of the words it leaves alone. Typed
    parts have none. Read them with ``stories.selectors.segment_words``.
    """

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="segments")
    index = models.PositiveIntegerField()
    speaker = models.ForeignKey(
        Speaker, null=True, blank=True, on_delete=models.SET_NULL, related_name="segments"
    )
    start_ms = models.PositiveIntegerField(null=True, blank=True)
    end_ms = models.PositiveIntegerField(null=True, blank=True)
    text = models.TextField()
    char_start = models.PositiveIntegerField()
    char_end = models.PositiveIntegerField()
    words = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["transcript", "index"]
        constraints = [
            models.UniqueConstraint(fields=["transcript", "index"], name="unique_segment_index")
        ]

    def __str__(self) -> str:
        return f"{self.transcript} #{self.index}"


class StoryEditKind(models.TextChoices):
    DETAILS = "details", "Title and date"
    TEXT = "text", "The words"


class StoryEdit(models.Model):
    """One change to a story's details or words, with what was there before, for undo.

    The audit ``Event`` outlives the story and so never holds its content; this
    row holds the values (titles can name people) and goes with the story.
    For a change of words, ``before``/``after`` hold transcript version numbers.
    """

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="edits")
    kind = models.CharField(max_length=20, choices=StoryEditKind.choices)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.story_id}"


class Recording(models.Model):
    """A story's sound or video, kept in Django's default storage as it was uploaded.

    The story's words come from it by speech-to-text, a job on the queue
    (``stories.transcribe``). ``transcript`` is the version that job wrote and
    ``transcript_key`` says which run wrote it, so a retried run (its worker
    was killed after writing) finds its transcript there and writes nothing
    twice. ``sha256`` is also the story's ``content_hash``, so the same
    recording is not added to a project twice. The file goes with the story:
    deletion and withdrawal remove it (``recordings.recordings_purge``).
    """

    story = models.OneToOneField(Story, on_delete=models.CASCADE, related_name="recording")
    file = models.FileField(max_length=255, help_text="Where the recording is in storage.")
    sha256 = models.CharField(max_length=64, db_index=True)
    size_bytes = models.PositiveBigIntegerField()
    duration_ms = models.PositiveIntegerField()
    container = models.CharField(max_length=100, blank=True, help_text="As ffprobe names it.")
    audio_codec = models.CharField(max_length=50, blank=True)
    has_video = models.BooleanField(default=False)
    transcription_job = models.ForeignKey(
        Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    transcript = models.OneToOneField(
        Transcript, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    transcript_key = models.CharField(max_length=100, blank=True)
    provenance = models.JSONField(
        default=dict, blank=True, help_text="What made the transcript: engine, model, settings."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Recording of {self.story}"

    @property
    def duration_words(self) -> str:
        """ "3 minutes", "1 hour 5 minutes": the length as people say it."""
        from cohub.pipeline.media import describe_duration

        return describe_duration(self.duration_ms / 1000)


class RecordingUpload(models.Model):
    """A recording on its way in, a piece at a time, by the tus protocol (ADR 0019).

    Phones lose their connection, and a recording can be a gigabyte, so the
    browser sends it in pieces and, after a cut, asks how much arrived and
    goes on from there. The bytes are appended to a file on the hub's own disk
    (``COHUB_UPLOADS_DIR``, named by ``token``); the file's size is how much
    has arrived, so there is one answer to "how far did it get". Once every
    byte is in, the form that started it adds the recording through
    ``story_add_recording``, the one path every recording takes, and this row
    and its file go. Only the person who started an upload may continue it;
    one left unfinished is removed after a day by a periodic job.
    """

    token = models.CharField(max_length=32, unique=True, help_text="Names the upload in its URL.")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    storyteller = models.ForeignKey(
        Storyteller, on_delete=models.CASCADE, related_name="recording_uploads"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(max_length=255, help_text="The name the person's file had.")
    filetype = models.CharField(max_length=100, blank=True)
    length = models.PositiveBigIntegerField(help_text="How many bytes the whole file has.")
    metadata = models.CharField(
        max_length=4000, blank=True, help_text="Upload-Metadata as the client sent it."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Upload of {self.filename}"


class FileDeletion(models.Model):
    """A file that must go because its story went, until it has gone.

    A purge deletes rows in one transaction, but files are not in it: they are
    deleted once it commits (deleting first would lose them on a rollback). A
    process killed between the two, or a storage that refused, would leave a
    withdrawn person's voice on disk. So the purge writes one of these per file
    in its transaction, deletes the file after the commit and this row with it;
    whatever is left is tried again by the periodic ``stories.delete_files`` job.
    """

    # "storage": a name in Django's default storage; "path": a file on the hub's own disk.
    where = models.CharField(max_length=10)
    name = models.CharField(max_length=1000)
    attempts = models.PositiveIntegerField(default=0)
    # The kind of error only (say "PermissionError"): the message could hold the path.
    last_error = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    tried_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"File deletion {self.pk} ({self.attempts} attempts)"


class KeepUntilNotice(models.Model):
    """Facilitators were told that this story's keep-until date is near.

    One per story and date: the warning job runs several times a day and must
    say it once. A new, later date (consent renewed) is a new window and is
    told again. Holds no words; goes with its story.
    """

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="keep_until_notices")
    keep_until = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    emailed = models.PositiveIntegerField(default=0, help_text="How many people were emailed.")

    class Meta:
        ordering = ["keep_until", "id"]
        constraints = [
            models.UniqueConstraint(fields=["story", "keep_until"], name="one_notice_per_window")
        ]

    def __str__(self) -> str:
        return f"Keep-until notice for story {self.story_id} ({self.keep_until})"


class StorytellerLink(models.Model):
    """A private link a facilitator made so one storyteller can open their own page (ADR 0032).

    Only a hash of the link's secret is kept: the link itself is shown once,
    to the facilitator who made it, so a copy of the database opens nothing.
    A storyteller has at most one link that works: making a new one revokes
    the old. Opening it gives a session for that storyteller's page only, never
    a project role; each page checks the link again, so a revoked or expired
    link stops working at once. Holds nothing personal; goes with the storyteller.
    """

    storyteller = models.ForeignKey(Storyteller, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    times_used = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Link {self.pk} for storyteller {self.storyteller_id}"
