"""Storyteller pages: who they are, what they agreed to, and withdrawing consent.

Consent is never edited in place: changing it adds a version through
``consent_record``, and withdrawing it goes through ``consent_withdraw``,
which removes every story and everything made from them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.accounts.models import User
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.forms import add_service_error
from cohub.apps.projects.access import project_view
from cohub.apps.projects.models import Project, Sector
from cohub.apps.stories import links, services
from cohub.apps.stories.consent import consent_now, current_consent
from cohub.apps.stories.derived import derived_counts
from cohub.apps.stories.forms.storytellers import (
    ConsentForm,
    StorytellerCreateForm,
    StorytellerForm,
    WithdrawConsentForm,
)
from cohub.apps.stories.models import (
    ConsentRecord,
    Storyteller,
    StorytellerRole,
)
from cohub.apps.stories.selectors import storyteller_get, storytellers_for


def _posted(request: HttpRequest) -> QueryDict | None:
    """The POST data on a POST (even an empty one, so the form is bound), else None."""
    return request.POST if request.method == "POST" else None


def consent_record_in_plain_words(record: ConsentRecord | None) -> str:
    """What one consent version agreed to: "Record, transcribe, quote anonymously"."""
    if record is None:
        return "No consent recorded"
    if record.withdrawn:
        return "Withdrawn"
    scopes = [scope.short_label for scope in record.granted_scopes()]
    if not scopes:
        return "Nothing agreed"
    text = ", ".join(scopes)
    return text[0].upper() + text[1:]


def consent_in_plain_words(storyteller: Storyteller) -> str:
    """What the storyteller's consent allows *today*: withdrawal and an expired date win."""
    if storyteller.withdrawn_at is not None:
        return "Withdrawn: nothing may be used"
    record = current_consent(storyteller)
    if record is None or record.withdrawn:
        return consent_record_in_plain_words(record)
    if record.keep_until is not None and record.keep_until < timezone.localdate():
        return f"Ran out on {date_format(record.keep_until, 'j F Y')}: nothing may be used"
    text = consent_record_in_plain_words(record)
    if record.keep_until is not None:
        text += f" (until {date_format(record.keep_until, 'j F Y')})"
    return text


def _labels(values: list[str], choices: list[tuple[str, str]]) -> list[str]:
    mapping = dict(choices)
    return [mapping.get(value, value) for value in values]


@dataclass
class StorytellerRow:
    """One storyteller on the list, with what their consent allows today."""

    storyteller: Storyteller
    consent_summary: str


@project_view("stories.view_storyteller")
def storyteller_list(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    rows = [
        StorytellerRow(storyteller, consent_in_plain_words(storyteller))
        for storyteller in storytellers_for(project)
    ]
    return render(
        request,
        "stories/storyteller_list.html",
        {"project": project, "storytellers": rows},
    )


@project_view("stories.manage_storyteller")
def storyteller_create(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """One form: who they are and what they agreed to, saved as consent version 1."""
    form = StorytellerCreateForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        profile = form.profile_data()
        pseudonym = profile.pop("pseudonym")
        try:
            storyteller = services.storyteller_create(
                project=project,
                actor=request.user,
                pseudonym=pseudonym,
                consent=form.consent_data(),
                consent_note=form.cleaned_data["note"],
                **profile,
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                f"{storyteller.pseudonym} is added, with what they agreed to saved as version 1.",
            )
            return redirect(
                "stories:storyteller_detail",
                project_slug=project.slug,
                storyteller_id=storyteller.pk,
            )
    return render(request, "stories/storyteller_create.html", {"project": project, "form": form})


@dataclass
class ConsentVersion:
    """One row of the consent history: the record, in plain words, and who recorded it."""

    record: ConsentRecord
    summary: str
    recorder: User | None


@project_view("stories.view_storyteller", load=("storyteller_id", storyteller_get))
def storyteller_detail(
    request: AuthenticatedHttpRequest, project: Project, storyteller: Storyteller
) -> HttpResponse:
    records = list(storyteller.consent_records.all())  # newest first (selector's order)
    recorder_ids = {r.recorded_by_id for r in records if r.recorded_by_id}
    recorders = {user.pk: user for user in get_user_model().objects.filter(pk__in=recorder_ids)}
    history = [
        ConsentVersion(
            record=record,
            summary=consent_record_in_plain_words(record),
            recorder=recorders.get(record.recorded_by_id) if record.recorded_by_id else None,
        )
        for record in records
    ]
    return render(
        request,
        "stories/storyteller_detail.html",
        {
            "project": project,
            "storyteller": storyteller,
            "consent_summary": consent_in_plain_words(storyteller),
            "history": history,
            "stories": storyteller.stories.order_by("-created_at", "-id"),
            "withheld": consent_now(storyteller).words,
            "sector_labels": _labels(storyteller.sectors, Sector.choices),
            "role_labels": _labels(storyteller.roles, StorytellerRole.choices),
        },
    )


def _to_detail(project: Project, storyteller: Storyteller) -> HttpResponse:
    return redirect(
        "stories:storyteller_detail", project_slug=project.slug, storyteller_id=storyteller.pk
    )


@project_view("stories.manage_storyteller", load=("storyteller_id", storyteller_get))
def storyteller_edit(
    request: AuthenticatedHttpRequest, project: Project, storyteller: Storyteller
) -> HttpResponse:
    if storyteller.withdrawn_at is not None:
        messages.error(
            request, "This storyteller has withdrawn; their profile can no longer change."
        )
        return _to_detail(project, storyteller)
    form = StorytellerForm(_posted(request), initial=StorytellerForm.initial_for(storyteller))
    if request.method == "POST" and form.is_valid():
        try:
            services.storyteller_update(
                storyteller=storyteller, actor=request.user, **form.profile_data()
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Your changes are saved.")
            return _to_detail(project, storyteller)
    return render(
        request,
        "stories/storyteller_edit.html",
        {"project": project, "storyteller": storyteller, "form": form},
    )


@project_view("stories.manage_consent", load=("storyteller_id", storyteller_get))
def consent_update(
    request: AuthenticatedHttpRequest, project: Project, storyteller: Storyteller
) -> HttpResponse:
    """Record what they agree to now, as a new version; earlier versions stay in the history."""
    current = current_consent(storyteller)
    form = ConsentForm(_posted(request), initial=ConsentForm.initial_for_record(current))
    if request.method == "POST" and form.is_valid():
        try:
            record = services.consent_record(
                storyteller=storyteller,
                actor=request.user,
                note=form.cleaned_data["note"],
                **form.consent_data(),
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                f"Saved what {storyteller.pseudonym} agrees to now as version {record.version}. "
                "Earlier versions are kept in the history.",
            )
            return _to_detail(project, storyteller)
    return render(
        request,
        "stories/consent_update.html",
        {
            "project": project,
            "storyteller": storyteller,
            "current": current,
            "current_summary": consent_in_plain_words(storyteller),
            "form": form,
        },
    )


@project_view("stories.withdraw_consent", load=("storyteller_id", storyteller_get))
def consent_withdraw(
    request: AuthenticatedHttpRequest, project: Project, storyteller: Storyteller
) -> HttpResponse:
    """Confirm, then withdraw consent and remove every story and everything made from them."""
    if storyteller.withdrawn_at is not None:
        messages.info(
            request, "This storyteller has already withdrawn consent; their stories were removed."
        )
        return _to_detail(project, storyteller)
    form = WithdrawConsentForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        removed = services.consent_withdraw(
            storyteller=storyteller, actor=request.user, note=form.cleaned_data["note"]
        )
        if removed == 0:
            what = "They had no stories, so nothing else needed removing."
        elif removed == 1:
            what = "1 story and everything made from it were removed."
        else:
            what = f"{removed} stories and everything made from them were removed."
        # No name here: the message waits in the session, which outlives the page (ADR 0024).
        messages.success(request, f"Consent withdrawn. {what}")
        return _to_detail(project, storyteller)
    stories = storyteller.stories.all()
    story_ids = list(stories.values_list("pk", flat=True))
    counts = {
        "stories": len(story_ids),
        "derived": [count for count in derived_counts(story_ids) if count.number],
    }
    return render(
        request,
        "stories/consent_withdraw.html",
        {
            "project": project,
            "storyteller": storyteller,
            "stories": stories.order_by("-created_at", "-id"),
            "counts": counts,
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )


@project_view("stories.share_storyteller_link", load=("storyteller_id", storyteller_get))
def storyteller_link(
    request: AuthenticatedHttpRequest, project: Project, storyteller: Storyteller
) -> HttpResponse:
    """Make, replace or stop the storyteller's private link to their own page (ADR 0032).

    A new link is shown once, on this response only: only its hash is kept,
    so it is never put in a message or a redirect that could keep it.
    """
    new: links.NewLink | None = None
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "revoke":
                if links.storyteller_link_revoke(storyteller=storyteller, actor=request.user):
                    messages.success(request, "The link is stopped. It no longer opens anything.")
                return redirect(
                    "stories:storyteller_link",
                    project_slug=project.slug,
                    storyteller_id=storyteller.pk,
                )
            new = links.storyteller_link_create(
                storyteller=storyteller, actor=request.user, days=_link_days(request.POST)
            )
        except ServiceError as exc:
            error = str(exc)
    return render(
        request,
        "stories/storyteller_link.html",
        {
            "project": project,
            "storyteller": storyteller,
            "current": links.storyteller_link_current(storyteller),
            "new": new,
            "new_url": request.build_absolute_uri(
                reverse("my_story:open", kwargs={"link_token": new.token})
            )
            if new
            else "",
            "error": error,
            "default_days": links.LINK_DAYS,
            "max_days": links.MAX_LINK_DAYS,
        },
        status=400 if error else 200,
    )


def _link_days(data: QueryDict) -> int:
    try:
        return int(data.get("days") or links.LINK_DAYS)
    except ValueError:
        raise ServiceError(f"Give the number of days, from 1 to {links.MAX_LINK_DAYS}.") from None
