"""The de-identification pages: a story's suggestions to review, and the project's lists.

Every page reads the story through ``story_check``, which asks consent
first; withheld words show the reason instead, and a POST is told why
nothing changed. The writes are services; these views only read forms and
say what happened. After each decision the page comes back focused on the
next suggestion still waiting, so a person can go through them by keyboard
(``static/redaction/review.js`` adds single-key shortcuts).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.core.errors import ServiceError
from cohub.apps.jobs.models import JobStatus
from cohub.apps.projects.access import project_view
from cohub.apps.projects.models import Project
from cohub.apps.redaction import services
from cohub.apps.redaction.forms import DecideForm, DecideKindForm, ListsForm, RunForm, UndoForm
from cohub.apps.redaction.models import (
    FindingStatus,
    ListName,
    RedactionDecision,
    RedactionFinding,
    RedactionRun,
)
from cohub.apps.redaction.selectors import StoryCheck, list_text, story_check
from cohub.apps.stories.consent import Withheld
from cohub.apps.stories.models import Story
from cohub.apps.stories.selectors import story_get

CONTEXT_CHARS = 80


def review_url(project: Project, story: Story, finding: RedactionFinding | None = None) -> str:
    url = reverse("redaction:review", kwargs={"project_slug": project.slug, "story_id": story.pk})
    return f"{url}#finding-{finding.pk}" if finding is not None else url


def _check_or_refuse(
    request: AuthenticatedHttpRequest, project: Project, story: Story
) -> StoryCheck | HttpResponse:
    check = story_check(story)
    if check is None:
        raise Http404("This story has no words.")
    if isinstance(check, Withheld):
        if request.method == "POST":
            messages.error(request, f"Nothing was changed. {check.refusal}")
        return render(
            request,
            "redaction/withheld.html",
            {"project": project, "story": story, "withheld": check},
        )
    return check


def _context(text: str, finding: RedactionFinding) -> dict[str, str]:
    start, end = finding.char_start, finding.char_end
    before = text[max(0, start - CONTEXT_CHARS) : start]
    after = text[end : end + CONTEXT_CHARS]
    if start > CONTEXT_CHARS:
        before = "…" + before.split(" ", 1)[-1] if " " in before else "…" + before
    if end + CONTEXT_CHARS < len(text):
        after = after.rsplit(" ", 1)[0] + "…" if " " in after else after + "…"
    return {"before": before, "words": text[start:end], "after": after}


def _next_waiting(check: StoryCheck, after: RedactionFinding | None) -> RedactionFinding | None:
    waiting = [f for f in check.findings if f.status == FindingStatus.SUGGESTED]
    if not waiting:
        return None
    if after is not None:
        later = [f for f in waiting if f.index > after.index]
        if later:
            return later[0]
    return waiting[0]


@project_view("redaction.review_story", load=("story_id", story_get))
def review(request: AuthenticatedHttpRequest, project: Project, story: Story) -> HttpResponse:
    """The suggestions for one story, each with the words around it, and what to do next."""
    check = _check_or_refuse(request, project, story)
    if isinstance(check, HttpResponse):
        return check
    run = check.run
    text = run.transcript.text if run is not None else ""
    items = [{"finding": f, **_context(text, f), "form_prefix": f"f{f.pk}"} for f in check.findings]
    job_failed = bool(
        run is not None and run.job is not None and run.job.status == JobStatus.FAILED
    )
    context: dict[str, Any] = {
        "project": project,
        "story": story,
        "check": check,
        "run": run,
        "items": items,
        "job_failed": job_failed,
        "next_waiting": _next_waiting(check, None),
        "max_replacement": services.MAX_REPLACEMENT,
        "can_manage_lists": request.user.has_perm("redaction.manage_lists", project),
    }
    return render(request, "redaction/review.html", context)


@project_view("redaction.review_story", load=("story_id", story_get))
@require_POST
def start(request: AuthenticatedHttpRequest, project: Project, story: Story) -> HttpResponse:
    """Queue a check of the newest words (the waiting one, if someone already asked)."""
    check = _check_or_refuse(request, project, story)
    if isinstance(check, HttpResponse):
        return check
    try:
        started = services.redaction_check_start(story=story, actor=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        if started.created:
            messages.success(
                request,
                "The story is being checked for personal details. This page shows the "
                "suggestions when they are ready.",
            )
        else:
            messages.info(request, "This story is already being checked.")
    return HttpResponseRedirect(review_url(project, story))


def _finding(check: StoryCheck, pk: int) -> RedactionFinding:
    for finding in check.findings:
        if finding.pk == pk:
            return finding
    raise Http404("That suggestion is not in this story's newest check.")


@project_view("redaction.review_story", load=("story_id", story_get))
@require_POST
def decide(request: AuthenticatedHttpRequest, project: Project, story: Story) -> HttpResponse:
    """Replace, keep, or replace with other words: one suggestion."""
    check = _check_or_refuse(request, project, story)
    if isinstance(check, HttpResponse):
        return check
    form = DecideForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return HttpResponseRedirect(review_url(project, story))
    data = form.cleaned_data
    finding = _finding(check, data["finding"])
    status = FindingStatus.REJECTED if data["decision"] == "reject" else FindingStatus.ACCEPTED
    typed = " ".join((data["replacement"] or "").split())
    # Enter in the "Put in its place" box presses the form's first button, "Replace":
    # words typed there are what the person meant to put in.
    changed = data["decision"] == "accept" and typed and typed != data["seen_replacement"]
    replacement = data["replacement"] if data["decision"] == "change" or changed else None
    try:
        decided = services.finding_decide(
            finding=finding,
            actor=request.user,
            status=status,
            replacement=replacement,
            seen_status=data["seen_status"],
            seen_replacement=data["seen_replacement"],
        )
    except ServiceError as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(review_url(project, story, finding))
    if decided.decision is not None:
        messages.success(request, f"{decided.decision.summary}.")
    after = story_check(story)
    target = _next_waiting(after, finding) if isinstance(after, StoryCheck) else None
    return HttpResponseRedirect(review_url(project, story, target or finding))


@project_view("redaction.review_story", load=("story_id", story_get))
@require_POST
def decide_kind(request: AuthenticatedHttpRequest, project: Project, story: Story) -> HttpResponse:
    """Replace (or keep) every waiting suggestion of one kind, with Undo."""
    check = _check_or_refuse(request, project, story)
    if isinstance(check, HttpResponse):
        return check
    form = DecideKindForm(request.POST)
    if not form.is_valid() or check.run is None:
        messages.error(request, "Nothing was changed. Reload the page and try again.")
        return HttpResponseRedirect(review_url(project, story))
    status = (
        FindingStatus.REJECTED
        if form.cleaned_data["decision"] == "reject"
        else FindingStatus.ACCEPTED
    )
    try:
        decided = services.findings_decide_kind(
            run=check.run, actor=request.user, kind=form.cleaned_data["kind"], status=status
        )
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        if decided.decision is None:
            messages.info(request, "None of those were waiting for a decision.")
        else:
            messages.success(request, f"{decided.decision.summary}. You can undo this.")
    return HttpResponseRedirect(review_url(project, story))


@project_view("redaction.review_story", load=("story_id", story_get))
@require_POST
def undo(request: AuthenticatedHttpRequest, project: Project, story: Story) -> HttpResponse:
    """Put back what the newest decision changed."""
    check = _check_or_refuse(request, project, story)
    if isinstance(check, HttpResponse):
        return check
    form = UndoForm(request.POST)
    decision = None
    if form.is_valid() and check.run is not None:
        decision = RedactionDecision.objects.filter(
            pk=form.cleaned_data["decision"], run=check.run
        ).first()
    if decision is None:
        messages.error(request, "There is nothing to undo here. Reload the page.")
        return HttpResponseRedirect(review_url(project, story))
    try:
        undone = services.redaction_decision_undo(decision=decision, actor=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        if undone.findings:
            messages.success(request, f"Undone: {decision.summary}.")
        else:
            messages.info(request, "That had already been undone.")
    return HttpResponseRedirect(review_url(project, story))


@project_view("redaction.review_story", load=("story_id", story_get))
@require_POST
def share(request: AuthenticatedHttpRequest, project: Project, story: Story) -> HttpResponse:
    """Write the accepted replacements as the story's shareable version."""
    check = _check_or_refuse(request, project, story)
    if isinstance(check, HttpResponse):
        return check
    form = RunForm(request.POST)
    run = None
    if form.is_valid():
        run = RedactionRun.objects.filter(pk=form.cleaned_data["run"], story=story).first()
    if run is None:
        messages.error(request, "Nothing was changed. Reload the page and try again.")
        return HttpResponseRedirect(review_url(project, story))
    try:
        shared = services.redaction_share(run=run, actor=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(review_url(project, story))
    if shared.revision is None:
        messages.info(request, "The shareable version had already been made.")
    else:
        lost = shared.revision.followed.get("quotes_lost", 0)
        text = (
            f"Version {shared.revision.transcript.version} is the shareable version: "
            f"{shared.replaced} personal detail{'s' if shared.replaced != 1 else ''} replaced."
        )
        if lost:
            text += (
                f" {lost} key quote{'s' if lost != 1 else ''} could not follow the new words."
                " Check them on the review sheet."
            )
        messages.success(request, text)
    return HttpResponseRedirect(review_url(project, story))


@project_view("redaction.manage_lists")
def lists(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """The project's words to always replace and never replace, one a line."""
    initial = {
        "deny": list_text(project, ListName.DENY),
        "allow": list_text(project, ListName.ALLOW),
    }
    form = ListsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.project_lists_update(
                project=project,
                actor=request.user,
                deny_text=form.cleaned_data["deny"],
                allow_text=form.cleaned_data["allow"],
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Saved: {saved.deny} to always replace, {saved.allow} never to replace. "
                "They are used the next time a story is checked.",
            )
            return HttpResponseRedirect(
                reverse("redaction:lists", kwargs={"project_slug": project.slug})
            )
    return render(request, "redaction/lists.html", {"project": project, "form": form})
