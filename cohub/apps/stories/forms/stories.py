"""Forms for adding stories: typed, pasted or imported."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from cohub.apps.core import dates
from cohub.apps.core.forms import (
    MultipleFileField,
    MultipleFileInput,
    PlainForm,
    optional_date_field,
)
from cohub.apps.stories.models import Speaker, SpeakerPart, Storyteller
from cohub.pipeline.formats import SUPPORTED_EXTENSIONS


def told_on_field() -> forms.DateField:
    """The day a story was told: optional, and never after today."""
    return optional_date_field("When was it told? (optional)", not_after_today=dates.TOLD_ON)


SPEAKER_HINT = (
    "Start a line with a name and a colon, like 'Sam: ...', to show who is speaking. "
    "Leave a blank line between paragraphs."
)


class StorytellerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Storyteller) -> str:
        return obj.pseudonym


class _StorytellerFormMixin(PlainForm):
    storyteller = StorytellerChoiceField(
        label="Whose story is it?",
        queryset=Storyteller.objects.none(),
        empty_label="Choose a storyteller",
        error_messages={"required": "Choose whose story this is."},
    )

    def __init__(self, *args: Any, storytellers: QuerySet[Storyteller], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["storyteller"]).queryset = storytellers


class StoryTextForm(_StorytellerFormMixin):
    """A story typed in, or pasted from somewhere else."""

    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="A few words so people can find it, like 'Getting help after the flood'.",
        error_messages={"required": "Give the story a title."},
    )
    recorded_on = told_on_field()
    text = forms.CharField(
        label="The story",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=SPEAKER_HINT,
        error_messages={"required": "Type or paste the story."},
    )


class StoryImportForm(_StorytellerFormMixin):
    """One or more transcript files from the same storyteller."""

    # The form metaclass moves declared fields into ``base_fields``, so this never hides
    # ``BaseForm.files`` (the uploads); the stubs cannot see that.
    files = MultipleFileField(  # type: ignore[assignment]
        label="Transcript files",
        help_text=(
            f"Choose one or more files ({', '.join(SUPPORTED_EXTENSIONS)}). "
            "Zoom and Teams transcripts (.vtt) keep who spoke and when. "
            "Each file becomes its own story. More than five files, or more than a "
            "megabyte, are imported in the background while a page shows how far it has got."
        ),
        error_messages={"required": "Choose a transcript file to import."},
        widget=MultipleFileInput(attrs={"accept": ",".join(SUPPORTED_EXTENSIONS)}),
        # Empty files are let through: refusing one here would refuse the whole form,
        # and with it the good files chosen beside it. The import service reports an
        # empty file by its name, as it does any other file it cannot use.
        allow_empty_file=True,
    )
    title = forms.CharField(
        label="Title (optional)",
        max_length=200,
        required=False,
        help_text=(
            "If you leave this empty, the story is named after its file. "
            "With several files, each story is named after its file."
        ),
    )
    recorded_on = told_on_field()

    def clean(self) -> dict[str, Any]:
        """With several files the title is left out, as the help text promises."""
        cleaned = super().clean() or self.cleaned_data
        if len(cleaned.get("files") or []) > 1:
            cleaned["title"] = ""
        return cleaned


class SpeakerForm(PlainForm):
    """A speaker's name as people see it, and the part they play in the story."""

    display_name = forms.CharField(
        label="Name to show",
        max_length=120,
        help_text="Change it if the transcript used a full name or a label like 'Speaker 2'.",
        error_messages={"required": "Give the speaker a name people will know them by."},
    )
    part = forms.ChoiceField(
        label="Who are they in this story?",
        choices=SpeakerPart.choices,
        widget=forms.RadioSelect,
        help_text=(
            "Only the storyteller's words can ever be shown with their name, "
            "and only if they agreed to it."
        ),
    )


REASON_FIELD_HELP = (
    "A few words for the history, like 'fixed a misheard word'. You can leave it empty."
)


class StoryDetailsForm(PlainForm):
    """A story's title and the date it was told."""

    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Give the story a title."}
    )
    recorded_on = told_on_field()


class StoryTextEditForm(PlainForm):
    """All of a story's words at once, with ``Name: words`` lines."""

    based_on = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        label="The story",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 20}),
        help_text=SPEAKER_HINT,
        error_messages={"required": "The story needs some words."},
    )
    reason = forms.CharField(
        label="What did you change? (optional)",
        max_length=200,
        required=False,
        help_text=REASON_FIELD_HELP,
    )


def _speaker_choice(speaker: Speaker) -> str:
    return f"{speaker.display_name} ({speaker.part_word})"


class StoryPartEditForm(PlainForm):
    """One part of a story: its words and who says them."""

    based_on = forms.IntegerField(widget=forms.HiddenInput)
    speaker = forms.ModelChoiceField(
        label="Who says this part?",
        queryset=Speaker.objects.none(),
        required=False,
        empty_label="Nobody named",
    )
    text = forms.CharField(
        label="The words",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "A part needs some words."},
    )
    reason = forms.CharField(
        label="What did you change? (optional)",
        max_length=200,
        required=False,
        help_text=REASON_FIELD_HELP,
    )

    def __init__(self, *args: Any, speakers: QuerySet[Speaker], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["speaker"])
        field.queryset = speakers
        field.label_from_instance = _speaker_choice  # type: ignore[method-assign,assignment]


class RecordingForm(_StorytellerFormMixin):
    """One sound or video recording; the hub checks it by what is inside, not its name."""

    recording = forms.FileField(
        label="Recording",
        help_text=(
            "A sound or video file from a phone, a recorder or a video call "
            "(for example MP3, M4A, WAV, OGG, WebM or MP4)."
        ),
        error_messages={"required": "Choose the recording to add."},
        widget=forms.ClearableFileInput(attrs={"accept": "audio/*,video/*"}),
        # An empty file is reported by name, with the reason, by the service.
        allow_empty_file=True,
        # Not needed when the page's script already sent the file in pieces (``upload``).
        required=False,
    )
    # The token of a recording the page's script sent in pieces (tus, ADR 0019): the
    # form then carries only the details, and a mistake in them sends nothing again.
    upload = forms.CharField(widget=forms.HiddenInput, required=False, max_length=32)
    title = forms.CharField(
        label="Title (optional)",
        max_length=200,
        required=False,
        help_text="If you leave this empty, the story is named after its file.",
    )
    recorded_on = optional_date_field("When was it recorded? (optional)")

    def clean(self) -> dict[str, Any]:
        """A file chosen here, or one already sent in pieces: one of the two is needed."""
        cleaned = super().clean() or self.cleaned_data
        if not cleaned.get("recording") and not cleaned.get("upload"):
            self.add_error("recording", "Choose the recording to add.")
        return cleaned


class RecorderForm(_StorytellerFormMixin):
    """The details of a story recorded on this page; the sound itself is sent in pieces."""

    upload = forms.CharField(
        widget=forms.HiddenInput,
        max_length=32,
        error_messages={"required": "Record the story and send it before saving."},
    )
    title = forms.CharField(
        label="Title (optional)",
        max_length=200,
        required=False,
        help_text="A few words so people can find it. If you leave this empty, it is named "
        "after the day it was recorded.",
    )
