"""Forms for projects, invitations and member roles.

Forms only collect and tidy input; the services decide what is allowed and
their ``ServiceError`` messages are shown with the form.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms

from cohub.apps.accounts import passwords
from cohub.apps.accounts.forms import PlainPasswordRulesMixin
from cohub.apps.accounts.models import Organisation, User
from cohub.apps.core.forms import PlainForm
from cohub.apps.projects.models import Project, ProjectRole, Sector, TakingPart


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


class ProjectForm(PlainForm):
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
        error_messages={
            "required": "Choose the organisation that runs this project.",
            "invalid_choice": "Choose one of the organisations in the list: "
            "those are the ones you may start projects in.",
        },
    )

    field_order = ["organisation", "name"]

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = organisations


class InvitationForm(PlainForm):
    email = forms.EmailField(
        label="Their email address",
        help_text="They join with this address: they choose a password, or log in if they "
        "already have a cohub account.",
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


class JoinForm(PlainPasswordRulesMixin, PlainForm):
    """A new person's name and password, on the invitation page; the address is the invitation's.

    The address is shown in a read-only box so that password managers save
    the new password with it; what is typed there is never used.
    """

    email = forms.CharField(
        label="Your email address",
        help_text="You will log in with this address.",
        required=False,
        widget=forms.EmailInput(attrs={"readonly": True, "autocomplete": "username"}),
    )
    display_name = forms.CharField(
        label="Your name",
        help_text="Other people in the project see this name. Your first name is fine.",
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={
            "required": "Enter the name you would like other people to see.",
            "max_length": "Your name can be up to 120 characters long.",
        },
    )
    new_password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Choose a password."},
    )
    new_password2 = forms.CharField(
        label="Type the password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Type the password again."},
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invited_email = email
        self.fields["email"].initial = email
        self.fields["new_password1"].help_text = passwords.help_text()

    def clean_email(self) -> str:
        return self.invited_email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", passwords.PASSWORD_MISMATCH)
        candidate = User(email=self.invited_email, display_name=cleaned.get("display_name", ""))
        self.validate_password_for_user(candidate)
        return cleaned


class MemberRoleForm(PlainForm):
    """The one role to take away from a member."""

    role = forms.ChoiceField(choices=ProjectRole.choices)


TAKING_PART_CHOICES = [
    (TakingPart.LIVED_EXPERIENCE, "From my own lived experience"),
    (TakingPart.PROFESSIONAL, "As part of my job"),
    (TakingPart.FACILITATING, "Facilitating the group"),
]


class ParticipationForm(PlainForm):
    """How someone takes part in a project, said by them (see ``Participation``)."""

    taking_part = forms.ChoiceField(
        label="How do you take part in this project?",
        choices=TAKING_PART_CHOICES,
        widget=forms.RadioSelect,
        help_text=(
            "The board counts decisions by group, never by name, to show whether "
            "everyone shaped the findings. Only you can set this, and you can change it."
        ),
    )
