"""Forms for coding stories: making key quotes, tagging them, and the codebook.

A key quote can be chosen two ways, and the form accepts either:

* by the mouse (review.js fills ``char_start``/``char_end`` from the selection), or
* by keyboard or without JavaScript: "from part N to part M", optionally narrowed to
  some exact words inside those parts.

Either way the form ends with offsets into one stored transcript version; the
arithmetic for parts and words is ``cohub.pipeline.spans``, and the service
checks the offsets again and stores the quote.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.html import format_html

from cohub.apps.analysis.models import Attribution, ChangeLevel, Theme
from cohub.apps.core.forms import OptionDisabledRadioSelect, PlainForm, offer_loaded
from cohub.apps.projects.models import Sector
from cohub.apps.stories.models import Segment, Transcript
from cohub.pipeline.spans import (
    NoPartChosen,
    Part,
    PartNotFound,
    PartsOutOfOrder,
    WordsNotFound,
    span_from_parts,
)

NOT_SURE = ""
CHANGE_LEVEL_CHOICES = [*ChangeLevel.choices, (NOT_SURE, "Not sure yet")]

WORDS_NOT_FOUND = "We couldn't find those words in the parts you chose."


def segment_label(segment: Segment, length: int = 60) -> str:
    """How a part of the transcript is named in the "from part / to part" lists."""
    words = segment.text if len(segment.text) <= length else segment.text[:length].rstrip() + "…"
    speaker = f"{segment.speaker.display_name}: " if segment.speaker else ""
    return f"Part {segment.index + 1} – {speaker}{words}"


class PartNumberField(forms.IntegerField):
    """A part typed by the number the page shows ("Part 7"), cleaned to its index (6).

    Used instead of a list of parts when a story is too long to list every part in
    the page: a person types the number, and can quote across the whole story even
    though the page shows only some of its parts at a time.
    """

    def __init__(self, *, part_count: int, **kwargs: Any) -> None:
        message = f"Type a part number from 1 to {part_count:,}."
        super().__init__(
            min_value=1,
            max_value=part_count,
            error_messages={"invalid": message, "min_value": message, "max_value": message},
            **kwargs,
        )

    def clean(self, value: Any) -> int | None:
        number = super().clean(value)
        return None if number is None else number - 1

    def prepare_value(self, value: Any) -> Any:
        # An index from ``initial`` is shown as its part number; typed text is kept as typed.
        return value + 1 if isinstance(value, int) else value


class _HighlightDetailsMixin(PlainForm):
    """The fields a key quote has besides its words."""

    change_level = forms.ChoiceField(
        label="What level of change does this quote speak to?",
        choices=CHANGE_LEVEL_CHOICES,
        required=False,
        initial=NOT_SURE,
        widget=forms.RadioSelect,
    )
    sectors = forms.MultipleChoiceField(
        label="Who could act on it?",
        choices=Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why this quote matters, or anything to remember about it.",
    )
    attribution = forms.ChoiceField(
        label="How may we show who said it?",
        choices=Attribution.choices,
        initial=Attribution.ANONYMOUS,
        widget=forms.RadioSelect,
    )

    def setup_attribution(self, *, pseudonym: str, may_name: bool) -> None:
        """Offer "by name" only when consent covers it (the service refuses it anyway)."""
        field = cast(forms.ChoiceField, self.fields["attribution"])
        field.choices = [
            (Attribution.ANONYMOUS, f"Anonymous – shown as '{pseudonym}'"),
            (Attribution.NAMED, "By name"),
        ]
        if may_name:
            field.widget = forms.RadioSelect(choices=field.choices)
            field.help_text = format_html(
                "Findings show the name only if every quote from {} is set to 'By name'.",
                pseudonym,
            )
        else:
            field.widget = OptionDisabledRadioSelect(
                choices=field.choices, disabled_values=[Attribution.NAMED]
            )
            # includes/form.html shows help text unescaped, so escape the user's text here.
            field.help_text = format_html("{} has not agreed to be quoted by name.", pseudonym)

    def highlight_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "change_level": data.get("change_level") or "",
            "sectors": list(data.get("sectors") or []),
            "note": data.get("note") or "",
            "attribution": data.get("attribution") or Attribution.ANONYMOUS,
        }


class HighlightCreateForm(_HighlightDetailsMixin):
    """Make a key quote from a mouse selection or from a range of parts."""

    transcript_id = forms.ModelChoiceField(
        queryset=Transcript.objects.none(), widget=forms.HiddenInput
    )
    char_start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    char_end = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    segment_from = forms.TypedChoiceField(
        label="From part", coerce=int, required=False, empty_value=None
    )
    segment_to = forms.TypedChoiceField(
        label="To part",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="Leave this empty to quote one part only.",
    )
    exact_words = forms.CharField(
        label="Exact words (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=(
            "To quote only some of the words in those parts, type or paste them here. "
            "Leave it empty to quote the whole parts."
        ),
    )
    themes = forms.ModelMultipleChoiceField(
        label="Themes",
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    new_theme = forms.CharField(
        label="Add a new theme (optional)",
        required=False,
        max_length=120,
        help_text="Type a name to start a new theme and tag this quote with it.",
    )

    field_order = [
        "transcript_id",
        "char_start",
        "char_end",
        "segment_from",
        "segment_to",
        "exact_words",
        "themes",
        "new_theme",
        "change_level",
        "sectors",
        "note",
        "attribution",
    ]

    def __init__(
        self,
        *args: Any,
        transcripts: QuerySet[Transcript],
        segments: Sequence[Segment] | None,
        themes: Sequence[Theme],
        part_count: int = 0,
        **kwargs: Any,
    ) -> None:
        """``segments`` lists every part to choose from; None means the story is too long
        to list, and the parts (``part_count`` of them) are chosen by typing their number.
        """
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["transcript_id"]).queryset = transcripts
        if segments is None:
            for name in ("segment_from", "segment_to"):
                listed = self.fields[name]
                self.fields[name] = PartNumberField(
                    part_count=part_count,
                    label=listed.label,
                    required=False,
                    help_text=listed.help_text
                    or f"Type the number shown above the part, from 1 to {part_count:,}.",
                )
        else:
            choices = [("", "Choose a part")] + [(s.index, segment_label(s)) for s in segments]
            cast(forms.ChoiceField, self.fields["segment_from"]).choices = choices
            cast(forms.ChoiceField, self.fields["segment_to"]).choices = choices
        offer_loaded(cast(forms.ModelMultipleChoiceField, self.fields["themes"]), themes)
        if not themes:
            self.fields["themes"].widget = forms.MultipleHiddenInput()
            self.fields["new_theme"].help_text = (
                "There are no themes yet. Type a name to start the first one and tag this "
                "quote with it, or leave it empty and add themes later."
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        transcript: Transcript | None = data.get("transcript_id")
        if transcript is None:
            return data
        start, end = data.get("char_start"), data.get("char_end")
        if start is not None and end is not None:
            if end <= start:
                raise forms.ValidationError(
                    "The selection is empty. Select the words again, or choose the parts below."
                )
            return data
        first: int | None = data.get("segment_from")
        last: int | None = data.get("segment_to")
        wanted = [index for index in (first, last) if index is not None]
        parts = [
            Part(index, char_start, char_end)
            for index, char_start, char_end in transcript.segments.filter(
                index__in=wanted
            ).values_list("index", "char_start", "char_end")
        ]
        try:
            span = span_from_parts(
                transcript.text,
                parts,
                first=first,
                last=last,
                words=data.get("exact_words") or "",
            )
        except NoPartChosen:
            raise forms.ValidationError(
                "Choose the words to quote: select them in the transcript, or choose the "
                "part they are in under 'From part'."
            ) from None
        except PartNotFound as error:
            field = "segment_from" if error.index == first else "segment_to"
            self.add_error(field, "Choose a part of this transcript.")
            return data
        except PartsOutOfOrder as error:
            self.add_error(
                "segment_to",
                f"Part {error.last + 1} comes before part {error.first + 1}. Choose the "
                "earlier part under 'From part' and the later one under 'To part'.",
            )
            return data
        except WordsNotFound:
            self.add_error("exact_words", WORDS_NOT_FOUND)
            return data
        data["char_start"], data["char_end"] = span
        return data


class HighlightEditForm(_HighlightDetailsMixin):
    """Change what is noted about a key quote (its words stay as they are)."""


class HighlightTagForm(PlainForm):
    """Tag a quote with a theme chosen from the codebook."""

    theme_id = forms.ModelChoiceField(
        label="Choose a theme",
        queryset=Theme.objects.none(),
        empty_label="Choose a theme",
        error_messages={"required": "Choose a theme, or type the name of a new one."},
    )

    def __init__(self, *args: Any, themes: Sequence[Theme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_loaded(cast(forms.ModelChoiceField, self.fields["theme_id"]), themes)


class HighlightNewThemeForm(PlainForm):
    """Tag a quote with a theme typed in: that theme in any capitals, or a new one.

    Its own form (and view) because starting a theme needs ``manage_themes``,
    a stronger permission than tagging.
    """

    new_name = forms.CharField(
        label="Or type a new theme",
        max_length=120,
        error_messages={"required": "Type the name of the new theme."},
    )


class ThemeForm(PlainForm):
    """Name (and describe) a theme: used to create and to rename."""

    name = forms.CharField(label="Theme name", max_length=120)
    description = forms.CharField(
        label="What this theme is about (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A sentence helps others use the theme the same way.",
    )


class ThemeMergeForm(PlainForm):
    """Fold one theme into another; its quotes move over."""

    source = forms.ModelChoiceField(
        label="Merge this theme", queryset=Theme.objects.none(), empty_label="Choose a theme"
    )
    target = forms.ModelChoiceField(
        label="into this theme", queryset=Theme.objects.none(), empty_label="Choose a theme"
    )

    def __init__(self, *args: Any, themes: Sequence[Theme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_loaded(cast(forms.ModelChoiceField, self.fields["source"]), themes)
        offer_loaded(cast(forms.ModelChoiceField, self.fields["target"]), themes)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        source, target = data.get("source"), data.get("target")
        if source is not None and source == target:
            raise forms.ValidationError("Choose two different themes to merge.")
        return data


class ReviewSheetForm(PlainForm):
    """The reporter's own notes on a story."""

    ideas = forms.CharField(
        label="Ideas",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Ideas and thoughts that came up while listening or reading.",
    )
    summary = forms.CharField(
        label="Summary",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the story is about, in a few sentences.",
    )


# ---------- The workshop board ----------

UNSORTED = "none"
"""How the board's forms name the "Not sorted yet" column."""


class BoardMoveForm(PlainForm):
    """Move a quote from the column it was seen in to another ("Move to…")."""

    from_theme = forms.CharField(label="From", max_length=20, required=False)
    to_theme = forms.CharField(label="Move to", max_length=20)


class BoardRenameForm(PlainForm):
    name = forms.CharField(label="New name", max_length=120)


class BoardMergeForm(PlainForm):
    into = forms.CharField(label="Merge into", max_length=20)


class BoardThemeForm(PlainForm):
    name = forms.CharField(label="Name of the new theme", max_length=120)


class BoardNoteForm(PlainForm):
    text = forms.CharField(label="Note", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    theme = forms.CharField(label="Theme", max_length=20, required=False)


class RoundOpenForm(PlainForm):
    prompt = forms.CharField(
        label="The question for the round",
        max_length=300,
        initial="Ten years on, what pleased you?",
    )
