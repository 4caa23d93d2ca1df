"""Forms for projects, invitations and member roles.

Forms only collect and tidy input; the services decide what is allowed and
their ``ServiceError`` messages are shown with the form.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms

from cohub.apps.accounts.models import Organisation
from cohub.apps.projects.models import Project, ProjectRole, Sector


def split_topics(text: str) -> list[str]:
    """``"housing, money ,, care"`` -> ``["housing", "money", "care"]``."""
    return [" ".join(part.split()) for part in text.split(",") if part.strip()]


def join_topics(topics: list[str] | None) -> str:
    return ", ".join(topics or [])


def topics_field() -> forms.CharField:
    """A comma-separated text box; ``clean_topics`` on the form turns it into a list."""
    return forms.CharField(
        label="Topics (optional)",
        help_text="Separate topics with commas, for example: housing, money, mental health.",
        required=False,
        max_length=1000,
    )


class ProjectForm(forms.Form):
    """What a project is for, in the words its members will read on the overview page."""

    name = forms.CharField(
        label="Project name",
        max_length=200,
        error_messages={"required": "Give the project a name."},
    )
    purpose = forms.CharField(
        label="Why this project exists",
        help_text="In plain words: what you hope to change, and for whom.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say in a few words why this project exists."},
    )
    opening_question = forms.CharField(
        label="Opening question",
        help_text="The one question a community reporter opens each story with, "
        "for example: “Tell me about a time when…”.",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Write the question each story starts with."},
    )
    offer_and_control = forms.CharField(
        label="What is on offer, and where control lies (optional)",
        help_text="What people who take part get, and what they decide.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    sectors = forms.MultipleChoiceField(
        label="Sectors (optional)",
        help_text="Which kinds of change this project hopes to make.",
        choices=Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    topics = topics_field()

    def clean_topics(self) -> list[str]:
        return split_topics(self.cleaned_data.get("topics", ""))

    @classmethod
    def initial_for(cls, project: Project) -> dict[str, Any]:
        return {
            "name": project.name,
            "purpose": project.purpose,
            "opening_question": project.opening_question,
            "offer_and_control": project.offer_and_control,
            "sectors": list(project.sectors),
            "topics": join_topics(project.topics),
        }


class ProjectCreateForm(ProjectForm):
    """A new project, in one of the organisations the person administers."""

    organisation = forms.ModelChoiceField(
        label="Organisation",
        help_text="The organisation that runs this project.",
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages={"required": "Choose the organisation that runs this project."},
    )

    field_order = ["organisation", "name"]

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = organisations


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Their email address",
        help_text="They will need to log in with this address to accept.",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the email address of the person you are inviting.",
            "invalid": "Enter an email address like name@example.com.",
        },
    )
    roles = forms.MultipleChoiceField(
        label="Roles",
        help_text="Choose one or more.",
        choices=ProjectRole.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one role for the person you invite."},
    )


class MemberRoleForm(forms.Form):
    """The one role to take away from a member."""

    role = forms.ChoiceField(choices=ProjectRole.choices)
