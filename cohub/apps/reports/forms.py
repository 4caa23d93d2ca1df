"""The form for a version of the report tailored for one audience.

It only collects the choices; ``services.report_version_create`` decides
whether they are allowed, and its refusals are shown with the form.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms

from cohub.apps.analysis.models import CheckState, Theme
from cohub.apps.core.forms import PlainForm
from cohub.apps.projects.models import Project, Sector
from cohub.apps.reports.models import ChangeStatus
from cohub.apps.stories.scopes import ConsentScope


class ReportVersionForm(PlainForm):
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="Who it is for, as its readers will see it: “For the adult social care team”.",
    )
    for_you = forms.CharField(
        label="What is in it for them (optional)",
        required=False,
        help_text="A few sentences at the top of this version: why these findings matter to "
        "its readers and what they could do.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    themes = forms.ModelMultipleChoiceField(
        label="Themes (optional)",
        required=False,
        queryset=Theme.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Only these themes. Choose none to keep every theme.",
    )
    sectors = forms.MultipleChoiceField(
        label="Who could act on it (optional)",
        required=False,
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only quotes coded for these sectors. Choose none to keep every quote.",
    )
    approved_only = forms.BooleanField(
        label="Only quotes their storytellers have approved",
        required=False,
        help_text="Shows only the quotes whose storytellers said “yes, you may use these "
        "words” on their own page. Quotes still waiting for an answer, or that a storyteller "
        "asked us to change or remove, are counted but not shown. A quote whose words changed "
        "after it was approved waits for a new answer.",
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["themes"])
        field.queryset = Theme.objects.filter(project=project, merged_into__isnull=True).order_by(
            "name"
        )


class ChangeForm(PlainForm):
    """What will change, who owns it, by when, its status, and the themes it answers."""

    title = forms.CharField(
        label="What will change",
        max_length=300,
        help_text="In plain words, for example “Call people back within a week of a referral”.",
    )
    owner = forms.CharField(
        label="Who owns it (optional)",
        max_length=200,
        required=False,
        help_text="A team or a person, for example “Adult social care team”.",
    )
    due = forms.DateField(
        label="By when (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="For example 2027-03-31.",
    )
    status = forms.ChoiceField(
        label="Status", choices=ChangeStatus.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="Why it is not being done",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when the status is “Not doing”: people deserve to know why.",
    )
    what_was_done = forms.CharField(
        label="What was done (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Fill this in when it is done.",
    )
    themes = forms.ModelMultipleChoiceField(
        label="Themes it answers (optional)",
        required=False,
        queryset=Theme.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["themes"])
        field.queryset = Theme.objects.filter(project=project, merged_into__isnull=True).order_by(
            "name"
        )


class PublishChangesForm(PlainForm):
    """The ticked confirmation before "You said, we did" goes public (ADR 0033)."""

    confirm = forms.BooleanField(
        label="I have read the preview above. Anyone may read this page, without logging in.",
        error_messages={"required": "Tick the box to say you have read the preview, then publish."},
    )


# --- The storyteller's own page (ADR 0032) ------------------------------------------------

# Each scope as the storyteller reads it about themselves, in short plain words.
YOUR_SCOPES: dict[ConsentScope, str] = {
    ConsentScope.RECORD: "We may record your story.",
    ConsentScope.TRANSCRIBE: "We may write your story down.",
    ConsentScope.QUOTE_ANONYMOUSLY: "We may use your words, without your name.",
    ConsentScope.QUOTE_BY_NAME: "We may use your words with your name.",
    ConsentScope.PUBLISH_IN_LIBRARY: "We may put your story where anyone can read it.",
}


def your_scope(scope: ConsentScope) -> str:
    """One scope in the storyteller's own words ("We may write your story down.")."""
    return YOUR_SCOPES.get(scope, scope.question)


class QuoteAnswerForm(PlainForm):
    """What a storyteller says about one quote: it may be used, changed or taken out."""

    answer = forms.ChoiceField(
        label="What do you think?",
        choices=[
            (CheckState.APPROVED.value, "Yes, you may use these words"),
            (CheckState.CHANGE.value, "Please change them"),
            (CheckState.REMOVE.value, "Please do not use them"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose one answer."},
    )
    comment = forms.CharField(
        label="Anything you want to tell us? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, prefix_id: int, **kwargs: Any) -> None:
        # One form per quote on the page: ids must differ.
        kwargs["prefix"] = f"q{prefix_id}"
        super().__init__(*args, **kwargs)


class YourConsentForm(PlainForm):
    """What the storyteller still agrees to: only what they agreed to before is offered."""

    def __init__(self, *args: Any, granted: list[ConsentScope], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for scope in granted:
            self.fields[scope.value] = forms.BooleanField(
                label=your_scope(scope), required=False, initial=True
            )

    def kept(self) -> list[ConsentScope]:
        return [ConsentScope(name) for name, yes in self.cleaned_data.items() if yes]


class YourWithdrawForm(PlainForm):
    confirm = forms.BooleanField(
        label="I understand. This removes my stories for good. It cannot be undone.",
        error_messages={"required": "Tick the box to say you understand this cannot be undone."},
    )
