"""The audit log's filter: who, which action, which kind of record, between which days."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from cohub.apps.audit.selectors import LogFilter, log_actions, log_kinds, log_people
from cohub.apps.core.forms import PlainForm, optional_date_field
from cohub.apps.core.models import Event

SYSTEM = "system"


class LogFilterForm(PlainForm):
    person = forms.ChoiceField(label="Who", required=False)
    action = forms.ChoiceField(label="What they did", required=False)
    kind = forms.ChoiceField(label="What it was about", required=False)
    since = optional_date_field("From (the day itself included)")
    until = optional_date_field("Until (the day itself included)")

    def __init__(self, *args: Any, events: QuerySet[Event], **kwargs: Any) -> None:
        """``events``: the whole log the page reads (a project's, or an organisation's own)."""
        super().__init__(*args, **kwargs)
        self.people = {str(user.pk): user for user in log_people(events)}
        cast(forms.ChoiceField, self.fields["person"]).choices = [
            ("", "Anyone"),
            *((pk, str(user)) for pk, user in self.people.items()),
            (SYSTEM, "The hub itself or the command line"),
        ]
        cast(forms.ChoiceField, self.fields["action"]).choices = [
            ("", "Anything"),
            *log_actions(events),
        ]
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            ("", "Anything"),
            *log_kinds(events),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error(
                "until",
                "'Until' is before 'From'. Choose an 'Until' day on or after the 'From' day.",
            )
        return data

    def narrow(self) -> LogFilter:
        """The filter the answers ask for (answers that are wrong narrow nothing)."""
        data = self.cleaned_data if self.is_valid() else {}
        person = data.get("person", "")
        return LogFilter(
            person=self.people.get(person),
            system=person == SYSTEM,
            action=data.get("action", ""),
            kind=data.get("kind", ""),
            since=data.get("since"),
            until=data.get("until"),
        )
