"""Assessment pages: the rounds, answering one question a screen, results by group, actions.

Every page goes through ``project_view`` with the assessment permission it
needs (``assess.rules``), checked on the round or action the URL names. The
writes are the services'; a view reads the form, calls one service, and shows
its refusal in the person's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.accounts.models import Organisation, User
from cohub.apps.assess import services
from cohub.apps.assess.forms import (
    ActionForm,
    ActionStatusForm,
    AnswerForm,
    AnswersImportForm,
    FrameworkForm,
    FrameworkItemForm,
    RoundOpenForm,
    answer_label,
    closes_at_end_of,
)
from cohub.apps.assess.jobs import ROUND_REPORT_PDF
from cohub.apps.assess.models import (
    AnswerKind,
    AssessmentAction,
    AssessmentItem,
    AssessmentRound,
    ResponseStatus,
)
from cohub.apps.assess.peer_selectors import sent_peer_review_count
from cohub.apps.assess.report import build_round_report, round_report_digest
from cohub.apps.assess.results import TREND_HEADINGS, item_panels
from cohub.apps.assess.scoring import GROUPS
from cohub.apps.assess.selectors import (
    action_get,
    item_choices,
    organisation_frameworks,
    organisation_people,
    own_answers,
    own_framework_get,
    project_actions,
    response_for,
    round_framework_choices,
    round_get,
    round_is_open,
    round_items,
    round_lines,
)
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.forms import add_service_error, first_error
from cohub.apps.jobs.models import Job, JobStatus
from cohub.apps.jobs.services import job_enqueue
from cohub.apps.projects.access import project_view
from cohub.apps.projects.models import Project

# The answer pages' words: plain (the statement) or easy read; kept for the session.
WORDS_KEY = "assess_words"
EASY, PLAIN = "easy", "plain"


@dataclass(frozen=True)
class Place:
    """Where a round lives, for the pages both kinds share: a project, or a whole organisation.

    The answer, check and results pages (and the round list, opening a round,
    making and listing actions) are the same views and templates for both;
    this says which addresses and which page frame they use. A template names
    a page as ``{% url place.round_check place.slug round.pk %}``: the two
    kinds' addresses take the same arguments in the same order.
    """

    namespace: str
    slug: str
    name: str
    base: str
    project: Project | None = None
    organisation: Organisation | None = None

    @classmethod
    def of_project(cls, project: Project) -> Place:
        return cls("assess", project.slug, project.name, "project_base.html", project=project)

    @classmethod
    def of_organisation(cls, organisation: Organisation) -> Place:
        return cls(
            "org_assess",
            organisation.slug,
            organisation.name,
            "organisation_base.html",
            organisation=organisation,
        )

    def url(self, page: str, *args: Any) -> str:
        return reverse(f"{self.namespace}:{page}", args=[self.slug, *args])

    def __getattr__(self, page: str) -> str:
        # place.round_check -> "assess:round_check": the page's name, for {% url %}.
        if page in PLACE_PAGES:
            return f"{self.namespace}:{page}"
        raise AttributeError(page)

    def context(self) -> dict[str, Any]:
        return {"place": self, "project": self.project, "organisation": self.organisation}


PLACE_PAGES = frozenset(
    {
        "round_list",
        "round_open",
        "round_answer_start",
        "round_answer",
        "round_check",
        "round_results",
        # The round report and bringing in paper answers (ADR 0035).
        "round_report",
        "round_report_download",
        "round_report_pdf_start",
        "round_report_pdf_file",
        "round_import",
        "action_create",
        "action_list",
        "action_update",
        # Peer review (ADR 0034): the facilitator's pages, in peer_views.
        "peer_reviews",
        "peer_invite",
        "peer_resend",
        "peer_revoke",
        "peer_evidence_add",
        "peer_evidence_remove",
        "framework_list",
        "framework_detail",
    }
)


def _posted(request: AuthenticatedHttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


def _members(project: Project) -> QuerySet[User]:
    return (
        User.objects.filter(project_memberships__project=project, is_active=True)
        .distinct()
        .order_by("display_name", "email")
    )


def _owners(place: Place) -> QuerySet[User]:
    """Who may own an action: the project's members, or everyone in the organisation."""
    if place.project is not None:
        return _members(place.project)
    assert place.organisation is not None
    return organisation_people(place.organisation)


# The pages both kinds of round share: each takes the Place its view was reached by.


def show_round_list(
    request: AuthenticatedHttpRequest, place: Place, lines: list[Any], perms: dict[str, bool]
) -> HttpResponse:
    return render(request, "assess/round_list.html", {**place.context(), "lines": lines, **perms})


def show_round_open(
    request: AuthenticatedHttpRequest,
    place: Place,
    choices: list[Any],
    open_round: Any,
    can_frameworks: bool,
) -> HttpResponse:
    """Choose frameworks, a name and (if wanted) a closing day; ``open_round`` opens it."""
    form = RoundOpenForm(_posted(request), versions=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment = open_round(
                title=data["title"],
                versions=list(data["frameworks"]),
                actor=request.user,
                closes_at=closes_at_end_of(data["closes_on"]),
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, f"The round \u201c{assessment.title}\u201d is open for answers."
            )
            return redirect(place.url("round_list"))
    return render(
        request,
        "assess/round_open.html",
        {
            **place.context(),
            "form": form,
            "min_group": settings.COHUB_ASSESS_MIN_GROUP,
            "can_frameworks": can_frameworks,
        },
    )


@project_view("assess.view_results")
@require_GET
def round_list(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """The project's rounds: where the viewer got to in each, and the way to the results."""
    user = request.user
    return show_round_list(
        request,
        Place.of_project(project),
        round_lines(project, user),
        {
            "can_open": user.has_perm("assess.open_round", project),
            "can_answer": user.has_perm("assess.answer_round", project),
            "can_peer": user.has_perm("assess.manage_peer_review", project),
            "can_frameworks": user.has_perm("assess.manage_frameworks", project),
            "can_see_organisation": user.has_perm("assess.view_org_results", project.organisation),
        },
    )


@project_view("assess.open_round")
def round_open(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Choose frameworks, a name and (if wanted) a closing day; the round opens at once."""

    def open_round(**fields: Any) -> AssessmentRound:
        return services.round_open(project=project, **fields)

    return show_round_open(
        request,
        Place.of_project(project),
        round_framework_choices(project),
        open_round,
        request.user.has_perm("assess.manage_frameworks", project),
    )


def _easy_read(request: AuthenticatedHttpRequest) -> bool:
    return request.session.get(WORDS_KEY) == EASY


def _next_to_answer(items: list[AssessmentItem], answered: set[int]) -> int | None:
    for number, item in enumerate(items, start=1):
        if item.pk not in answered:
            return number
    return None


def show_answer_start(
    request: AuthenticatedHttpRequest, place: Place, round: AssessmentRound
) -> HttpResponse:
    """Carry on where you left off: the first question not answered yet, or the check page."""
    items = round_items(round)
    response = response_for(round, request.user)
    number = _next_to_answer(items, set(own_answers(response)))
    if number is None or (response and response.status == ResponseStatus.SUBMITTED):
        return redirect(place.url("round_check", round.pk))
    return redirect(place.url("round_answer", round.pk, number))


def show_answer(
    request: AuthenticatedHttpRequest, place: Place, round: AssessmentRound, number: int
) -> HttpResponse:
    """One question a screen; Next and Back keep the answer, so a person can stop at any time.

    ``?words=easy`` (or ``plain``) switches the words and is remembered for the session.
    """
    items = round_items(round)
    if not 1 <= number <= len(items):
        raise Http404("There is no such question in this round.")
    here = place.url("round_answer", round.pk, number)
    words = request.GET.get("words")
    if request.method == "GET" and words in (EASY, PLAIN):
        request.session[WORDS_KEY] = words
        return redirect(here + ("?then=check" if request.GET.get("then") == "check" else ""))
    item = items[number - 1]
    response = response_for(round, request.user)
    answers = own_answers(response)
    sent = response is not None and response.status == ResponseStatus.SUBMITTED
    is_open = round_is_open(round)
    easy = _easy_read(request)
    saved = answers.get(item.pk)
    initial = {"answer": saved.value, "comment": saved.comment} if saved else {}
    form = AnswerForm(_posted(request), item=item, easy_read=easy, initial=initial)
    then_check = (request.POST if request.method == "POST" else request.GET).get("then") == "check"
    if request.method == "POST" and not sent and is_open:
        going_back = request.POST.get("go") == "back"
        if form.is_valid():
            try:
                services.answer_save(
                    assessment=round,
                    respondent=request.user,
                    item=item,
                    value=form.cleaned_data["answer"],
                    comment=form.cleaned_data["comment"],
                )
            except ServiceError as error:
                add_service_error(form, error)
            else:
                return _after_answer(place, round, number, len(items), going_back, then_check)
        elif going_back:  # nothing chosen yet: going back loses nothing that was kept
            return _after_answer(place, round, number, len(items), True, then_check)
    return render(
        request,
        "assess/round_answer.html",
        {
            **place.context(),
            "round": round,
            "item": item,
            "number": number,
            "total": len(items),
            "form": form,
            "easy_read": easy,
            "sent": sent,
            "response": response,
            "is_open": is_open,
            "then_check": then_check,
            "answered": len(answers),
            "is_choice": item.framework_version.answer_kind != AnswerKind.SCALE,
        },
    )


def _after_answer(
    place: Place,
    round: AssessmentRound,
    number: int,
    total: int,
    going_back: bool,
    then_check: bool,
) -> HttpResponse:
    if then_check and not going_back:
        return redirect(place.url("round_check", round.pk))
    if going_back:
        if number == 1:
            return redirect(place.url("round_list"))
        return redirect(place.url("round_answer", round.pk, number - 1))
    if number == total:
        return redirect(place.url("round_check", round.pk))
    return redirect(place.url("round_answer", round.pk, number + 1))


def check_rows(items: list[AssessmentItem], answers: dict[int, Any], *, easy: bool) -> list[dict]:
    """One row a question for a check-your-answers page (a member's, or a peer reviewer's):
    its number, its words as the person reads them, and their answer and comment so far."""
    rows = []
    for number, item in enumerate(items, start=1):
        answer = answers.get(item.pk)
        rows.append(
            {
                "number": number,
                "item": item,
                "words": item.easy_read if easy else item.statement,
                "answer": answer_label(answer.value) if answer else "",
                "comment": answer.comment if answer else "",
            }
        )
    return rows


def show_check(
    request: AuthenticatedHttpRequest, place: Place, round: AssessmentRound
) -> HttpResponse:
    """Check your answers, change any, then send them; once sent they are locked."""
    items = round_items(round)
    response = response_for(round, request.user)
    sent = response is not None and response.status == ResponseStatus.SUBMITTED
    if request.method == "POST" and not sent:
        try:
            services.response_submit(assessment=round, respondent=request.user)
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                "Thank you: your answers are sent. They are locked now, so the results "
                "stay fair, and they count in the results without your name.",
            )
            return redirect(place.url("round_check", round.pk))
    answers = own_answers(response)
    rows = check_rows(items, answers, easy=_easy_read(request))
    return render(
        request,
        "assess/round_check.html",
        {
            **place.context(),
            "round": round,
            "rows": rows,
            "sent": sent,
            "response": response,
            "is_open": round_is_open(round),
            "unanswered": sum(1 for row in rows if not row["answer"]),
            "first_unanswered": _next_to_answer(items, set(answers)),
        },
    )


def show_results(
    request: AuthenticatedHttpRequest,
    place: Place,
    round: AssessmentRound,
    perms: dict[str, bool],
) -> HttpResponse:
    """Per item, widest gap between groups first: figures by group, charts, tables, comments."""
    return render(
        request,
        "assess/round_results.html",
        {
            **place.context(),
            "round": round,
            "panels": item_panels(round),
            "trend_headings": TREND_HEADINGS,
            "peer_count": sent_peer_review_count(round),
            "min_group": round.min_group_size,
            **perms,
        },
    )


@project_view("assess.answer_round", load=("round_id", round_get))
@require_GET
def round_answer_start(
    request: AuthenticatedHttpRequest, project: Project, round: AssessmentRound
) -> HttpResponse:
    """Carry on where you left off: the first question not answered yet, or the check page."""
    return show_answer_start(request, Place.of_project(project), round)


@project_view("assess.answer_round", load=("round_id", round_get))
def round_answer(
    request: AuthenticatedHttpRequest, project: Project, round: AssessmentRound, number: int
) -> HttpResponse:
    """One question a screen (``show_answer``)."""
    return show_answer(request, Place.of_project(project), round, number)


@project_view("assess.answer_round", load=("round_id", round_get))
def round_check(
    request: AuthenticatedHttpRequest, project: Project, round: AssessmentRound
) -> HttpResponse:
    """Check your answers, change any, then send them; once sent they are locked."""
    return show_check(request, Place.of_project(project), round)


@project_view("assess.view_results", load=("round_id", round_get))
@require_GET
def round_results(
    request: AuthenticatedHttpRequest, project: Project, round: AssessmentRound
) -> HttpResponse:
    """Per item, widest gap between groups first: figures by group, charts, tables, comments."""
    user = request.user
    return show_results(
        request,
        Place.of_project(project),
        round,
        {
            "can_act": user.has_perm("assess.manage_actions", project),
            "can_import": user.has_perm("assess.open_round", project),
            "can_peer": user.has_perm("assess.manage_peer_review", project),
        },
    )


def show_report(
    request: AuthenticatedHttpRequest, place: Place, round: AssessmentRound
) -> HttpResponse:
    """The round's report for people outside it: what the PDF holds, on a page."""
    return render(
        request,
        "assess/round_report.html",
        {**place.context(), "round": round, "report": build_round_report(round)},
    )


def show_report_download(
    request: AuthenticatedHttpRequest, place: Place, round: AssessmentRound
) -> HttpResponse:
    """The round report as a file drawn in the request, with an audit entry.

    ``?format=html`` (the default from the page) is one web page, quick to make;
    a PDF here (the default, for scripts) is drawn in the request, while the
    page's button makes it as a job (``show_report_pdf_start``).
    """
    fmt = request.GET.get("format", "pdf")
    made = services.round_report_export(
        assessment=round,
        actor=request.user,
        fmt=fmt if fmt in services.ROUND_REPORT_FORMATS else "pdf",
    )
    response = HttpResponse(made.content, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _report_jobs(place: Place) -> QuerySet[Job]:
    """The report PDF jobs of the place: a project's own, or (belonging to no project) the
    organisation's, which name it in their params (``jobs.round_report_pdf``)."""
    jobs = Job.objects.filter(kind=ROUND_REPORT_PDF)
    if place.project is not None:
        return jobs.filter(project_id=place.project.pk)
    assert place.organisation is not None
    return jobs.filter(project_id=None, params__organisation=place.organisation.pk)


def show_report_pdf_start(
    request: AuthenticatedHttpRequest, place: Place, round: AssessmentRound
) -> HttpResponse:
    """Start drawing the report's PDF (a job: a round of many questions takes a while).

    An organisation's job belongs to no project, so (``jobs.rules``) only its
    starter follows it; the file itself is for whoever reads the results.
    """
    params: dict[str, Any] = {"round": round.pk}
    if place.project is None:
        assert place.organisation is not None
        params["organisation"] = place.organisation.pk
    job = job_enqueue(
        kind=ROUND_REPORT_PDF,
        params=params,
        project_id=place.project.pk if place.project is not None else None,
        created_by=request.user,
    )
    return redirect("jobs:detail", job_id=job.pk)


def show_report_pdf_file(
    request: AuthenticatedHttpRequest, place: Place, round: AssessmentRound, job_id: int
) -> HttpResponse:
    """The finished PDF, only while the report would still be drawn the same."""
    job = get_object_or_404(_report_jobs(place), pk=job_id, status=JobStatus.SUCCEEDED)
    if (job.params or {}).get("round") != round.pk:
        raise Http404("That PDF is of another round.")
    result = job.result or {}
    digest = str(result.get("digest", ""))
    name = services.round_report_pdf_name(round.pk, job.pk, digest)
    if digest != round_report_digest(build_round_report(round)) or not default_storage.exists(name):
        messages.error(
            request,
            "The round has changed since that PDF was drawn (answers sent, an action moved "
            "on, or a new day), so it is no longer offered. Make the PDF again.",
        )
        return redirect(place.url("round_report", round.pk))
    response = FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=True,
        filename=str(result.get("filename") or "round-report.pdf"),
        content_type="application/pdf",
    )
    response["Cache-Control"] = "no-store"
    return response  # type: ignore[return-value]  # a streamed file; the decorator passes it on


MAX_IMPORT_BYTES = 2 * 1024 * 1024


def show_import(
    request: AuthenticatedHttpRequest, place: Place, round: AssessmentRound
) -> HttpResponse:
    """Bring in answers given on paper or in another survey tool; they count as sent.

    Each paper respondent's group is the file's (no account to read it from),
    for a project's round and an organisation's alike.
    """
    form = AnswersImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        text = None
        if upload.size > MAX_IMPORT_BYTES:
            form.add_error("file", "The file is over 2 MB. Split it into smaller files.")
        else:
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                form.add_error("file", "Save the file as CSV in UTF-8 and try again.")
        if text is not None:
            try:
                result = services.answers_import(assessment=round, text=text, actor=request.user)
            except ServiceError as error:
                form.add_error("file", str(error))
            else:
                messages.success(
                    request,
                    f"Imported {result.answers} answers from {result.respondents} people.",
                )
                return redirect(place.url("round_results", round.pk))
    items = round_items(round)
    return render(
        request,
        "assess/round_import.html",
        {
            **place.context(),
            "round": round,
            "form": form,
            "items": [(item, item_choices(item)) for item in items],
            "groups": GROUPS,
        },
    )


@project_view("assess.view_results", load=("round_id", round_get))
@require_GET
def round_report(
    request: AuthenticatedHttpRequest, project: Project, round: AssessmentRound
) -> HttpResponse:
    """The round's report for people outside the project: what the PDF holds, on a page."""
    return show_report(request, Place.of_project(project), round)


@project_view("assess.view_results", load=("round_id", round_get))
@require_GET
def round_report_download(
    request: AuthenticatedHttpRequest, project: Project, round: AssessmentRound
) -> HttpResponse:
    """The round report as a file drawn in the request (``show_report_download``)."""
    return show_report_download(request, Place.of_project(project), round)


@project_view("assess.view_results", load=("round_id", round_get))
@require_POST
def round_report_pdf_start(
    request: AuthenticatedHttpRequest, project: Project, round: AssessmentRound
) -> HttpResponse:
    """Start drawing the report's PDF as a job of the project."""
    return show_report_pdf_start(request, Place.of_project(project), round)


@project_view("assess.view_results", load=("round_id", round_get))
@require_GET
def round_report_pdf_file(
    request: AuthenticatedHttpRequest, project: Project, round: AssessmentRound, job_id: int
) -> HttpResponse:
    """The finished PDF, only while the report would still be drawn the same."""
    return show_report_pdf_file(request, Place.of_project(project), round, job_id)


@project_view("assess.open_round", load=("round_id", round_get))
def round_import(
    request: AuthenticatedHttpRequest, project: Project, round: AssessmentRound
) -> HttpResponse:
    """Bring in answers given on paper or in another survey tool; they count as sent."""
    return show_import(request, Place.of_project(project), round)


def show_action_create(
    request: AuthenticatedHttpRequest, place: Place, round: AssessmentRound, item_id: int
) -> HttpResponse:
    """Make an item of the round an action on the list (the project's, or the organisation's)."""
    item = next((i for i in round_items(round) if i.pk == item_id), None)
    if item is None:
        raise Http404("That question is not part of this round.")
    form = ActionForm(
        _posted(request),
        members=_owners(place),
        initial={"description": f"{item.title}: "},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.action_create(
                assessment=round,
                item=item,
                description=data["description"],
                owner=data["owner"],
                due=data["due"],
                actor=request.user,
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"\u201c{item.title}\u201d is on the action list.")
            return redirect(place.url("action_list"))
    return render(
        request,
        "assess/action_form.html",
        {**place.context(), "round": round, "item": item, "form": form},
    )


def show_action_list(
    request: AuthenticatedHttpRequest,
    place: Place,
    actions: list[AssessmentAction],
    can_manage: bool,
) -> HttpResponse:
    rows = [
        (
            action,
            ActionStatusForm(initial={"status": action.status}, auto_id=f"action{action.pk}_%s")
            if can_manage
            else None,
        )
        for action in actions
    ]
    return render(
        request,
        "assess/action_list.html",
        {**place.context(), "rows": rows, "can_manage": can_manage},
    )


def show_action_update(
    request: AuthenticatedHttpRequest, place: Place, action: AssessmentAction
) -> HttpResponse:
    """Move an action on (to do, under way, done) from the action list."""
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        try:
            services.action_update(
                action=action, actor=request.user, status=form.cleaned_data["status"]
            )
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"\u201c{action.description[:60]}\u201d is now: {action.get_status_display()}.",
            )
    else:
        messages.error(request, first_error(form))
    return redirect(place.url("action_list"))


@project_view("assess.manage_actions", load=("round_id", round_get))
def action_create(
    request: AuthenticatedHttpRequest, project: Project, round: AssessmentRound, item_id: int
) -> HttpResponse:
    """Make an item of the round an action on the project's list."""
    return show_action_create(request, Place.of_project(project), round, item_id)


@project_view("assess.view_results")
@require_GET
def action_list(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """What the project said it would do about its assessments, and how far each has got."""
    return show_action_list(
        request,
        Place.of_project(project),
        list(project_actions(project)),
        request.user.has_perm("assess.manage_actions", project),
    )


@project_view("assess.manage_actions", load=("action_id", action_get))
@require_POST
def action_update(
    request: AuthenticatedHttpRequest, project: Project, action: AssessmentAction
) -> HttpResponse:
    """Move an action on (to do, under way, done) from the action list."""
    return show_action_update(request, Place.of_project(project), action)


def show_framework_list(
    request: AuthenticatedHttpRequest, place: Place, organisation: Organisation
) -> HttpResponse:
    """The organisation's own frameworks, and starting one (from a project's page or its own)."""
    form = FrameworkForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            version = services.framework_create(
                organisation=organisation,
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
                actor=request.user,
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, f"\u201c{version.title}\u201d is made. Now add its first question."
            )
            return redirect(place.url("framework_detail", version.framework_id))
    return render(
        request,
        "assess/framework_list.html",
        {
            **place.context(),
            "owner": organisation,
            "frameworks": organisation_frameworks(organisation),
            "form": form,
        },
    )


def show_framework_detail(
    request: AuthenticatedHttpRequest, place: Place, organisation: Organisation, framework_id: int
) -> HttpResponse:
    """One of the organisation's frameworks: its questions, and adding one.

    Once a round has used the newest version, adding makes a new version, so
    that round keeps the words its members answered (``services.framework_item_add``).
    """
    framework = own_framework_get(organisation, framework_id)
    form = FrameworkItemForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        before = framework.latest_version()
        try:
            version = services.framework_item_add(
                framework=framework,
                key=data["key"],
                title=data["title"],
                statement=data["statement"],
                easy_read=data["easy_read"],
                good_looks_like=data["good_looks_like"],
                actor=request.user,
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            said = f"\u201c{data['title']}\u201d is added."
            if before is not None and version.pk != before.pk:
                said += (
                    f" This is version {version.version}: rounds that used version "
                    f"{before.version} keep its words."
                )
            messages.success(request, said)
            return redirect(place.url("framework_detail", framework.pk))
    latest = framework.latest_version()
    return render(
        request,
        "assess/framework_detail.html",
        {
            **place.context(),
            "owner": organisation,
            "framework": framework,
            "version": latest,
            "items": list(latest.items.order_by("position")) if latest else [],
            "rounds": latest.rounds.count() if latest else 0,
            "form": form,
        },
    )


@project_view("assess.manage_frameworks")
def framework_list(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """The organisation's own frameworks, and starting a new one."""
    return show_framework_list(request, Place.of_project(project), project.organisation)


@project_view("assess.manage_frameworks")
def framework_detail(
    request: AuthenticatedHttpRequest, project: Project, framework_id: int
) -> HttpResponse:
    """One of the organisation's own frameworks: its questions, and adding one."""
    return show_framework_detail(
        request, Place.of_project(project), project.organisation, framework_id
    )
