"""Peer review pages (ADR 0034): the facilitator's invitations, and the reviewer's own pages.

The facilitator's pages are project pages like any other (``project_view``
with ``assess.manage_peer_review``); an organisation-wide round has the same
pages (``show_peer_*`` through a ``Place``, from ``org_views`` with
``assess.manage_org_peer_review``). The reviewer's pages are not: the
reviewer has no account, and their link opens a narrow session that names
one invitation and nothing else (``PEER_KEY``). Every reviewer page reads
the invitation from that session, checks it again (revoked, past its date,
replaced by a newer link) and shows only that round's questions and the
evidence the project (or the organisation, for its own round) shared. No
hub page reads ``PEER_KEY``, so the session opens nothing else. Someone
signed in to the hub is asked to log out first, so that a peer review is
never answered as, or mixed with, an account.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.assess import peer_services
from cohub.apps.assess.forms import AnswerForm, PeerEvidenceForm, PeerInviteForm
from cohub.apps.assess.models import (
    AnswerKind,
    AssessmentItem,
    AssessmentRound,
    PeerReview,
    PeerReviewState,
)
from cohub.apps.assess.peer_selectors import (
    evidence_get,
    peer_own_answers,
    peer_review_by_token,
    peer_review_get,
    peer_reviews_for,
    round_evidence,
    same_digest,
)
from cohub.apps.assess.selectors import round_get, round_is_open, round_items
from cohub.apps.assess.views import EASY, PLAIN, WORDS_KEY, Place, check_rows
from cohub.apps.core import private_links
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.forms import add_service_error
from cohub.apps.projects.access import project_view
from cohub.apps.projects.models import Project

# The reviewer's session: {"id": the invitation's id, "hash": its token's hash when opened}.
PEER_KEY = "assess_peer_review"
# Links tried that open nothing, per address, before the link page says "wait a while".
NO_REFERRER = "no-referrer"


def _private(response: HttpResponse, *, policy: str = "same-origin") -> HttpResponse:
    """No page of the reviewer's tells another site where it was, nor is indexed.

    The link itself (the only address that holds the token) answers with
    ``no-referrer`` and sends the browser on at once. The pages after it hold
    no secret in their address and say ``same-origin``: ``no-referrer`` there
    makes Chromium send ``Origin: null`` with the page's own forms, which
    Django's CSRF check rightly refuses.
    """
    response["Referrer-Policy"] = policy
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    status: int = 200,
    *,
    policy: str = "same-origin",
) -> HttpResponse:
    return _private(
        render(request, f"assess/peer/{template}", context, status=status), policy=policy
    )


# --- The facilitator's pages -------------------------------------------------------
# Shared by a project's round and an organisation's (``org_views``): each takes the
# ``Place`` its view was reached by, after that view checked its own permission.


def _link(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("peer:open", kwargs={"peer_token": token}))


def _link_page(
    request: AuthenticatedHttpRequest,
    place: Place,
    round: AssessmentRound,
    invited: peer_services.PeerInvited,
    *,
    again: bool,
) -> HttpResponse:
    link = _link(request, invited.token)
    delivery = peer_services.peer_review_email(peer_review=invited.peer_review, link=link)
    return _private(
        render(
            request,
            "assess/peer/link.html",
            {
                **place.context(),
                "round": round,
                "peer_review": invited.peer_review,
                "link": link,
                "again": again,
                "delivery": delivery,
            },
        )
    )


def show_peer_reviews(
    request: AuthenticatedHttpRequest, place: Place, round: AssessmentRound
) -> HttpResponse:
    """The round's peer reviewers and where each has got; what is shared with them."""
    return render(
        request,
        "assess/peer/list.html",
        {
            **place.context(),
            "round": round,
            "reviews": [(review, review.state()) for review in peer_reviews_for(round)],
            "states": PeerReviewState,
            "evidence": round_evidence(round),
            "is_open": round_is_open(round),
            "days": settings.COHUB_PEER_REVIEW_DAYS,
        },
    )


def show_peer_invite(
    request: AuthenticatedHttpRequest, place: Place, round: AssessmentRound
) -> HttpResponse:
    """Invite a reviewer; the page that follows shows their link once, to copy."""
    form = PeerInviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invited = peer_services.peer_review_invite(
                assessment=round,
                name=data["name"],
                organisation=data["organisation"],
                email=data["email"],
                actor=request.user,
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            return _link_page(request, place, round, invited, again=False)
    return render(
        request,
        "assess/peer/invite.html",
        {
            **place.context(),
            "round": round,
            "form": form,
            "is_open": round_is_open(round),
            "days": settings.COHUB_PEER_REVIEW_DAYS,
        },
        status=400 if form.errors else 200,
    )


def show_peer_resend(
    request: AuthenticatedHttpRequest, place: Place, round: AssessmentRound, peer_review_id: int
) -> HttpResponse:
    """A new link for a reviewer: the old one stops working."""
    review = peer_review_get(round, peer_review_id)
    try:
        invited = peer_services.peer_review_resend(peer_review=review, actor=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
        return redirect(place.url("peer_reviews", round.pk))
    return _link_page(request, place, round, invited, again=True)


def show_peer_revoke(
    request: AuthenticatedHttpRequest, place: Place, round: AssessmentRound, peer_review_id: int
) -> HttpResponse:
    """Stop a reviewer's link working at once."""
    review = peer_review_get(round, peer_review_id)
    peer_services.peer_review_revoke(peer_review=review, actor=request.user)
    messages.success(
        request,
        f"The link for {review.reviewer_name} ({review.reviewer_organisation}) no longer works."
        + (" Their answers are no longer in the results." if review.submitted_at else ""),
    )
    return redirect(place.url("peer_reviews", round.pk))


def show_peer_evidence_add(
    request: AuthenticatedHttpRequest, place: Place, round: AssessmentRound
) -> HttpResponse:
    """Write something for the reviewers to read, for the round or for chosen questions."""
    items = round_items(round)
    form = PeerEvidenceForm(request.POST if request.method == "POST" else None, items=items)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            peer_services.peer_evidence_add(
                assessment=round,
                title=data["title"],
                text=data["text"],
                items=list(data["items"]),
                actor=request.user,
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, f"\u201c{data['title'].strip()}\u201d is shared with the reviewers."
            )
            return redirect(place.url("peer_reviews", round.pk))
    return render(
        request,
        "assess/peer/evidence_form.html",
        {**place.context(), "round": round, "form": form},
        status=400 if form.errors else 200,
    )


def show_peer_evidence_remove(
    request: AuthenticatedHttpRequest, place: Place, round: AssessmentRound, evidence_id: int
) -> HttpResponse:
    """Stop sharing a piece of evidence."""
    evidence = evidence_get(round, evidence_id)
    peer_services.peer_evidence_remove(evidence=evidence, actor=request.user)
    messages.success(request, f"\u201c{evidence.title}\u201d is no longer shared.")
    return redirect(place.url("peer_reviews", round.pk))


@project_view("assess.manage_peer_review", load=("round_id", round_get))
@require_GET
def peer_reviews(
    request: AuthenticatedHttpRequest, project: Project, round: AssessmentRound
) -> HttpResponse:
    """The round's peer reviewers and where each has got; what is shared with them."""
    return show_peer_reviews(request, Place.of_project(project), round)


@project_view("assess.manage_peer_review", load=("round_id", round_get))
def peer_invite(
    request: AuthenticatedHttpRequest, project: Project, round: AssessmentRound
) -> HttpResponse:
    """Invite a reviewer; the page that follows shows their link once, to copy."""
    return show_peer_invite(request, Place.of_project(project), round)


@project_view("assess.manage_peer_review", load=("round_id", round_get))
@require_POST
def peer_resend(
    request: AuthenticatedHttpRequest, project: Project, round: AssessmentRound, peer_review_id: int
) -> HttpResponse:
    """A new link for a reviewer: the old one stops working."""
    return show_peer_resend(request, Place.of_project(project), round, peer_review_id)


@project_view("assess.manage_peer_review", load=("round_id", round_get))
@require_POST
def peer_revoke(
    request: AuthenticatedHttpRequest, project: Project, round: AssessmentRound, peer_review_id: int
) -> HttpResponse:
    """Stop a reviewer's link working at once."""
    return show_peer_revoke(request, Place.of_project(project), round, peer_review_id)


@project_view("assess.manage_peer_review", load=("round_id", round_get))
def peer_evidence_add(
    request: AuthenticatedHttpRequest, project: Project, round: AssessmentRound
) -> HttpResponse:
    """Write something for the reviewers to read, for the round or for chosen questions."""
    return show_peer_evidence_add(request, Place.of_project(project), round)


@project_view("assess.manage_peer_review", load=("round_id", round_get))
@require_POST
def peer_evidence_remove(
    request: AuthenticatedHttpRequest, project: Project, round: AssessmentRound, evidence_id: int
) -> HttpResponse:
    """Stop sharing a piece of evidence."""
    return show_peer_evidence_remove(request, Place.of_project(project), round, evidence_id)


# --- The reviewer's pages ------------------------------------------------------------


def _signed_in_page(request: HttpRequest) -> HttpResponse:
    return _page(request, "signed_in.html", {})


@require_GET
def peer_open(request: HttpRequest, peer_token: str) -> HttpResponse:
    """The reviewer's link: opens a session for this one invitation, then their review.

    Open to anyone: the unguessable token is the permission. Links that open
    nothing are counted per address, on the count all private links share
    (``core.private_links``), and past its limit the page asks them to wait,
    whatever the link.
    """
    if request.user.is_authenticated:
        return _private(_signed_in_page(request), policy=NO_REFERRER)
    if private_links.guesses_refused(request):
        return _page(request, "closed.html", {"state": "guesses"}, 429, policy=NO_REFERRER)
    review = peer_review_by_token(peer_token)
    if review is None:
        private_links.count_guess(request)
        return _page(request, "closed.html", {"state": "unknown"}, 404, policy=NO_REFERRER)
    try:
        peer_services.peer_link_open(peer_review=review)
    except peer_services.PeerLinkClosedError as closed:
        return _page(
            request,
            "closed.html",
            {
                "state": closed.state,
                "reason": str(closed),
                "review": review,
                "asker": _asker(review),
            },
            410,
            policy=NO_REFERRER,
        )
    # A fresh session that knows only this invitation: nothing from before comes along.
    request.session.flush()
    request.session[PEER_KEY] = {"id": review.pk, "hash": review.token_hash}
    return _private(redirect("peer:start"), policy=NO_REFERRER)


PeerView = Callable[..., HttpResponse]


def peer_page(view: PeerView) -> Callable[..., HttpResponse]:
    """Give ``view`` the invitation this session was opened for, checked again on every request.

    No session for one: the page says to open the link again. Revoked, past its
    date, or replaced by a newer link (the stored hash changed): a kind page
    that says so, and the session forgets the invitation.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return _signed_in_page(request)
        held = request.session.get(PEER_KEY)
        held_id = held.get("id") if isinstance(held, dict) else None
        held_hash = str(held.get("hash", "")) if isinstance(held, dict) else ""
        review = None
        if isinstance(held_id, int):
            review = (
                PeerReview.objects.select_related(
                    "round__project", "round__organisation", "created_by"
                )
                .filter(pk=held_id)
                .first()
            )
        if review is None:
            return _page(request, "no_session.html", {})
        if not same_digest(review.token_hash, held_hash):
            request.session.pop(PEER_KEY, None)
            return _page(
                request,
                "closed.html",
                {"state": "replaced", "review": review, "asker": _asker(review)},
                410,
            )
        state, reason = peer_services.closed_reason(review)
        if state in ("revoked", "expired"):
            request.session.pop(PEER_KEY, None)
            return _page(
                request,
                "closed.html",
                {"state": state, "reason": reason, "review": review, "asker": _asker(review)},
                410,
            )
        return _private(view(request, review, *args, **kwargs))

    return wrapper


def _easy(request: HttpRequest) -> bool:
    return request.session.get(WORDS_KEY) == EASY


def _first_unanswered(items: list[AssessmentItem], answered: set[int]) -> int | None:
    for number, item in enumerate(items, start=1):
        if item.pk not in answered:
            return number
    return None


def _asker(review: PeerReview) -> str:
    """Who asks, in the reviewer's pages: "project", or "organisation" for a round of a whole
    organisation, which chose what they read (there is no project to name)."""
    return "project" if review.round.project_id else "organisation"


def _about(review: PeerReview) -> dict[str, Any]:
    round = review.round
    return {
        "review": review,
        "round": round,
        "project_name": round.project.name if round.project else round.organisation.name,
        "organisation": round.organisation,
        "asker": _asker(review),
        "sent": review.submitted_at is not None,
        "is_open": round_is_open(round),
    }


@peer_page
@require_GET
def peer_start(request: HttpRequest, review: PeerReview) -> HttpResponse:
    """Who asks, what for, how the answers are used, what the project shares; then start."""
    items = round_items(review.round)
    answers = peer_own_answers(review)
    evidence = round_evidence(review.round)
    return render(
        request,
        "assess/peer/start.html",
        {
            **_about(review),
            "total": len(items),
            "answered": len(answers),
            "next_number": _first_unanswered(items, set(answers)),
            "evidence": evidence,
            "frameworks": list(review.round.framework_versions.all()),
        },
    )


@peer_page
def peer_answer(request: HttpRequest, review: PeerReview, number: int) -> HttpResponse:
    """One question a screen, as members answer it, with the evidence shared for it."""
    items = round_items(review.round)
    if not 1 <= number <= len(items):
        raise Http404("There is no such question in this review.")
    here = reverse("peer:answer", kwargs={"number": number})
    words = request.GET.get("words")
    then_check = (request.POST if request.method == "POST" else request.GET).get("then") == "check"
    if request.method == "GET" and words in (EASY, PLAIN):
        request.session[WORDS_KEY] = words
        return redirect(here + ("?then=check" if then_check else ""))
    item = items[number - 1]
    answers = peer_own_answers(review)
    saved = answers.get(item.pk)
    easy = _easy(request)
    form = AnswerForm(
        request.POST if request.method == "POST" else None,
        item=item,
        easy_read=easy,
        initial={"answer": saved.value, "comment": saved.comment} if saved else {},
    )
    about = _about(review)
    form.fields["comment"].help_text = COMMENT_HELP.format(asker=about["asker"])
    if request.method == "POST" and not about["sent"] and about["is_open"]:
        going_back = request.POST.get("go") == "back"
        if form.is_valid():
            try:
                peer_services.peer_answer_save(
                    peer_review=review,
                    item=item,
                    value=form.cleaned_data["answer"],
                    comment=form.cleaned_data["comment"],
                )
            except ServiceError as error:
                add_service_error(form, error)
            else:
                return _after(number, len(items), going_back, then_check)
        elif going_back:
            return _after(number, len(items), True, then_check)
    evidence = [e for e in round_evidence(review.round) if item in e.items.all()]
    return render(
        request,
        "assess/peer/answer.html",
        {
            **about,
            "item": item,
            "number": number,
            "total": len(items),
            "form": form,
            "easy_read": easy,
            "then_check": then_check,
            "evidence": evidence,
            "is_choice": item.framework_version.answer_kind != AnswerKind.SCALE,
        },
        status=400 if form.errors else 200,
    )


COMMENT_HELP = "The {asker} reads it under this question as a peer comment, without your name."


def _after(number: int, total: int, going_back: bool, then_check: bool) -> HttpResponse:
    if then_check and not going_back:
        return redirect("peer:check")
    if going_back:
        return redirect("peer:start") if number == 1 else redirect("peer:answer", number - 1)
    return redirect("peer:check") if number == total else redirect("peer:answer", number + 1)


@peer_page
def peer_check(request: HttpRequest, review: PeerReview) -> HttpResponse:
    """Check the answers, change any, send; once sent they are locked."""
    about = _about(review)
    if request.method == "POST" and not about["sent"]:
        try:
            peer_services.peer_review_submit(peer_review=review)
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"Thank you: your review is sent. The {about['asker']} now sees it beside "
                "its own answers.",
            )
            return redirect("peer:check")
    items = round_items(review.round)
    answers = peer_own_answers(review)
    rows = check_rows(items, answers, easy=_easy(request))
    return render(
        request,
        "assess/peer/check.html",
        {
            **about,
            "rows": rows,
            "unanswered": sum(1 for row in rows if not row["answer"]),
            "first_unanswered": _first_unanswered(items, set(answers)),
        },
    )


@require_POST
def peer_leave(request: HttpRequest) -> HttpResponse:
    """End the reviewer's session on this device (a shared computer); the link still works."""
    if request.user.is_authenticated:
        return _signed_in_page(request)
    request.session.flush()
    return _page(request, "left.html", {})
