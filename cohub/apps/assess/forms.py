"""Forms for assessment pages: opening a round, one answer, an action and its progress."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Count
from django.utils import timezone

from cohub.apps.accounts.models import User
from cohub.apps.assess import scoring
from cohub.apps.assess.models import (
    ActionStatus,
    AnswerKind,
    AssessmentItem,
    FrameworkVersion,
)
from cohub.apps.assess.selectors import item_choices
from cohub.apps.core.forms import PlainForm, optional_date_field

DONT_KNOW_LABEL = "Don't know"


def closes_at_end_of(day: dt.date | None) -> dt.datetime | None:
    """A closing day as the moment it ends: answers are taken all that day."""
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


class VersionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        version: FrameworkVersion = obj
        count = getattr(version, "item_count", None)
        return version.title if count is None else f"{version.title} ({count} questions)"


class RoundOpenForm(PlainForm):
    """What a facilitator chooses when opening a round."""

    title = forms.CharField(
        label="Name of the round",
        max_length=200,
        help_text="For example: Spring 2027 check-in.",
    )
    frameworks = VersionChoiceField(
        label="Frameworks to ask about",
        queryset=FrameworkVersion.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Each member answers every question of the frameworks you choose.",
        error_messages={"required": "Choose at least one framework to ask about."},
    )
    closes_on = optional_date_field(
        "Closes on (optional)",
        not_before_today="The closing day",
        help_text="Answers are taken until the end of this day. Leave it empty to keep it open.",
    )

    def __init__(self, *args: Any, versions: list[FrameworkVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["frameworks"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = FrameworkVersion.objects.filter(pk__in=[v.pk for v in versions]).annotate(
            item_count=Count("items")
        )


def answer_label(value: str) -> str:
    """An answer as a person reads it: "Strongly agree", "Co-producing"."""
    if value == scoring.DONT_KNOW:
        return DONT_KNOW_LABEL
    return value[:1].upper() + value[1:].replace("/", " / ")


class AnswerForm(PlainForm):
    """One item: a single choice (with "don't know") and a comment, or "why" for a choice."""

    answer = forms.ChoiceField(widget=forms.RadioSelect)
    comment = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(
        self, *args: Any, item: AssessmentItem, easy_read: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        kind = item.framework_version.answer_kind
        answer = self.fields["answer"]
        assert isinstance(answer, forms.ChoiceField)
        answer.choices = [
            *((value, answer_label(value)) for value in item_choices(item)),
            (scoring.DONT_KNOW, DONT_KNOW_LABEL),
        ]
        answer.label = item.easy_read if easy_read else item.statement
        answer.error_messages["required"] = "Choose an answer, or \u201cDon't know\u201d, to go on."
        comment = self.fields["comment"]
        if kind == AnswerKind.SCALE:
            comment.label = "Comment (optional)"
            comment.help_text = (
                "Say what you have seen, if you like. Comments are shown without your name."
            )
        else:
            comment.label = "Why? (optional)"
            comment.help_text = "What makes you choose this? It is shown without your name."


class ActionForm(PlainForm):
    """Make an item an action: what will be done, who owns it, by when."""

    description = forms.CharField(
        label="What will be done",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    owner = forms.ModelChoiceField(
        label="Who owns it (optional)",
        queryset=User.objects.none(),
        required=False,
        empty_label="No one yet",
    )
    due = optional_date_field("Due by (optional)")

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = members


class ActionStatusForm(PlainForm):
    """Move an action on."""

    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices)


class AnswersImportForm(PlainForm):
    """A CSV of answers gathered on paper or in another survey tool."""

    file = forms.FileField(
        label="Answers file (CSV)",
        help_text=(
            "One answer a line, with the columns respondent,group,item,answer. "
            "The respondent is a number or code, never a name."
        ),
    )


class PeerInviteForm(PlainForm):
    """Who is invited to review the round, from which organisation."""

    name = forms.CharField(label="Reviewer's name", max_length=120)
    organisation = forms.CharField(
        label="Their organisation",
        max_length=200,
        help_text="Another organisation than the one this round is for: a peer, not a member.",
    )
    email = forms.EmailField(
        label="Their email address (optional)",
        required=False,
        help_text="Kept with the invitation, so you know where you sent the link.",
    )


def _item_title(item: AssessmentItem) -> str:
    return item.title


class PeerEvidenceForm(PlainForm):
    """An account, in the project's (or the organisation's) own words, for the round's reviewers."""

    title = forms.CharField(
        label="Title", max_length=200, help_text="For example: Who chairs the steering group."
    )
    text = forms.CharField(
        label="What you want reviewers to read",
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=(
            "Write it for someone from outside. Leave out names and anything from people's "
            "stories: reviewers see exactly these words."
        ),
    )
    items = forms.ModelMultipleChoiceField(
        label="Which questions it is about (optional)",
        queryset=AssessmentItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Reviewers see it beside these questions. Choose none to show it at the start.",
    )

    def __init__(self, *args: Any, items: list[AssessmentItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["items"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = AssessmentItem.objects.filter(pk__in=[i.pk for i in items]).order_by(
            "framework_version__framework__key", "position"
        )
        field.label_from_instance = _item_title  # type: ignore[assignment,method-assign]


class FrameworkForm(PlainForm):
    """Starting an organisation's own framework."""

    title = forms.CharField(
        label="Name of the framework",
        max_length=200,
        help_text="For example: How we work with families.",
    )
    summary = forms.CharField(
        label="What it is about (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One or two sentences, shown when someone opens a round.",
    )


class FrameworkItemForm(PlainForm):
    """One question of an organisation's own framework, answered on the agreement scale."""

    title = forms.CharField(
        label="Short title",
        max_length=200,
        help_text="A few words, shown in the results. For example: Paid for their time.",
    )
    statement = forms.CharField(
        label="Statement",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What people agree or disagree with. For example: People who take part "
        "are paid for their time, on the day.",
    )
    easy_read = forms.CharField(
        label="Easy-read statement",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The same in short, everyday words. For example: We pay you for your time.",
    )
    good_looks_like = forms.CharField(
        label="What good looks like",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Guidance for people answering and for whoever acts on the results.",
    )
    key = forms.CharField(
        label="Key (optional)",
        max_length=80,
        required=False,
        help_text="A short name that stays the same in every version, so results can be "
        "compared over time. Made from the title if you leave it empty.",
    )
