"""The storyteller's own page (issue 9, ADR 0032): their story, their quotes, their consent.

Open to no project role: who may see it is decided by ``stories.links``
(a private link's narrow session, or an account linked to the storyteller),
and each view shows that one storyteller only, whatever ids a request names.
No view writes anything itself: answers, consent and withdrawal go through
the same services as the facilitators' pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.analysis import quote_checks
from cohub.apps.analysis.models import Highlight
from cohub.apps.analysis.quote_checks import CheckNow
from cohub.apps.core import audit, private_links
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.forms import add_service_error
from cohub.apps.projects.access import project_view
from cohub.apps.projects.models import Project
from cohub.apps.reports.forms import (
    QuoteAnswerForm,
    YourConsentForm,
    YourWithdrawForm,
    your_scope,
)
from cohub.apps.reports.my_story import my_page, my_quote
from cohub.apps.stories import links
from cohub.apps.stories import services as story_services
from cohub.apps.stories.derived import derived_counts
from cohub.apps.stories.models import Story

StorytellerView = Callable[..., HttpResponse]


def _no_referrer(response: HttpResponse) -> HttpResponse:
    """The link's own address sends no Referer anywhere, so the secret in it cannot leak.

    Only there: the pages after it have no secret in their address, and a
    page under ``no-referrer`` makes Chromium send ``Origin: null`` with its
    forms, which the CSRF check rightly refuses. They keep the site's
    ``same-origin``.
    """
    response["Referrer-Policy"] = "no-referrer"
    return response


def storyteller_page(view: StorytellerView) -> StorytellerView:
    """Give the view the storyteller this browser may see, or show how to get in."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        access = links.storyteller_access(request)
        if access is None:
            return render(
                request,
                "reports/my_story/no_access.html",
                {"choices": links.account_storytellers(request.user)},
            )
        return view(request, access, *args, **kwargs)

    return wrapper


def link_open(request: HttpRequest, link_token: str) -> HttpResponse:
    """Open a private link: start the storyteller's session and go to their page.

    The page is then at an address without the secret, so it is not kept in
    the history or sent on; a link that does not work gets a kind page.
    """
    if private_links.guesses_refused(request):
        return _no_referrer(
            render(request, "reports/my_story/link_refused.html", {"reason": "busy"}, status=429)
        )
    try:
        links.storyteller_link_open(request=request, token=link_token)
    except links.LinkRefused as refused:
        return _no_referrer(
            render(
                request,
                "reports/my_story/link_refused.html",
                {"reason": refused.reason},
                status=404 if refused.reason == "unknown" else 410,
            )
        )
    return _no_referrer(redirect("my_story:page"))


def _page(request: HttpRequest, access: links.StorytellerAccess, *, easy: bool) -> HttpResponse:
    # The storyteller reading their own words is a read like any other (ADR 0026): the log
    # says the storyteller's page showed them, by link or by their account.
    with audit.reading() as reads:
        page = my_page(access.storyteller)
        audit.note_reads(
            part=audit.PART_QUOTES,
            pairs=[
                (quote.highlight.review_sheet.story_id, access.storyteller.pk)
                for quote in page.quotes
            ],
        )
    if reads:
        match = request.resolver_match
        audit.record_read(
            actor=access.actor,
            verb=audit.VIEWED,
            reads=reads,
            project_id=access.storyteller.project_id,
            target=access.storyteller,
            route=match.view_name if match is not None else "my_story:page",
            via=f"storyteller {access.via}",
        )
    answers = [(quote, QuoteAnswerForm(prefix_id=quote.highlight.pk)) for quote in page.quotes]
    granted = (
        page.consent.record.granted_scopes()
        if page.consent.record is not None and page.consent.ended is None
        else []
    )
    return render(
        request,
        "reports/my_story/easy_read.html" if easy else "reports/my_story/page.html",
        {
            "page": page,
            "answers": answers,
            "access": access,
            "granted": [your_scope(scope) for scope in granted],
            "easy": easy,
        },
    )


@storyteller_page
def page(request: HttpRequest, access: links.StorytellerAccess) -> HttpResponse:
    return _page(request, access, easy=False)


@storyteller_page
def easy_read(request: HttpRequest, access: links.StorytellerAccess) -> HttpResponse:
    return _page(request, access, easy=True)


@require_POST
@storyteller_page
def quote_answer(
    request: HttpRequest, access: links.StorytellerAccess, quote_id: int
) -> HttpResponse:
    """Keep the storyteller's answer about one of their own quotes; others' are not found."""
    highlight = my_quote(access.storyteller, quote_id)
    if highlight is None:
        raise Http404("Not one of your quotes.")
    form = QuoteAnswerForm(request.POST, prefix_id=highlight.pk)
    back = request.POST.get("back") == "easy-read"
    target = "my_story:easy_read" if back else "my_story:page"
    if form.is_valid():
        try:
            quote_checks.quote_check_answer(
                highlight=highlight,
                storyteller=access.storyteller,
                state=form.cleaned_data["answer"],
                comment=form.cleaned_data["comment"],
                actor=access.actor,
                via=access.via,
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            said = {
                "approved": "Thank you. We may use these words.",
                "change": "Thank you. We will look at changing these words before we use them.",
                "remove": "Thank you. We will not use these words unless you agree.",
            }[form.cleaned_data["answer"]]
            messages.success(request, said)
    else:
        messages.error(request, "Choose one answer for the quote, then send it.")
    response = redirect(target)
    response["Location"] += f"#quote-{highlight.pk}"
    return response


@storyteller_page
def consent(request: HttpRequest, access: links.StorytellerAccess) -> HttpResponse:
    """Take back some of what they agreed to; the new version goes through ``consent_record``."""
    now = my_page(access.storyteller).consent
    granted = now.record.granted_scopes() if now.record and now.ended is None else []
    form = YourConsentForm(request.POST if request.method == "POST" else None, granted=granted)
    if request.method == "POST" and form.is_valid():
        try:
            story_services.consent_narrow(
                storyteller=access.storyteller,
                keep=form.kept(),
                actor=access.actor,
                via=access.via,
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Saved. We will only do what you still agree to.")
            return redirect("my_story:page")
    return render(
        request,
        "reports/my_story/consent.html",
        {"access": access, "form": form, "granted": granted},
        status=400 if form.is_bound else 200,
    )


@storyteller_page
def withdraw(request: HttpRequest, access: links.StorytellerAccess) -> HttpResponse:
    """Confirm, then withdraw: the same service, and so the same purge, as a facilitator's."""
    storyteller = access.storyteller
    if storyteller.withdrawn_at is not None:
        return redirect("my_story:page")
    form = YourWithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        story_services.consent_withdraw(
            storyteller=storyteller,
            actor=access.actor,
            note="Withdrawn by the storyteller on their own page.",
        )
        # No name or title: the message waits in the session (ADR 0024).
        messages.success(request, "Your consent is withdrawn. Your stories are removed.")
        return redirect("my_story:page")
    story_ids = list(storyteller.stories.values_list("pk", flat=True))
    return render(
        request,
        "reports/my_story/withdraw.html",
        {
            "access": access,
            "form": form,
            "stories": storyteller.stories.order_by("created_at", "id"),
            "derived": [count for count in derived_counts(story_ids) if count.number],
        },
        status=400 if form.is_bound else 200,
    )


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    """Forget the storyteller session on this browser (a shared phone, a library computer)."""
    links.storyteller_session_end(request)
    return render(request, "reports/my_story/left.html")


@require_POST
def choose(request: HttpRequest) -> HttpResponse:
    """Someone with an account for several storytellers says which page they want."""
    try:
        links.account_choose(
            request=request, storyteller_id=int(request.POST.get("storyteller") or 0)
        )
    except (ServiceError, ValueError):
        raise Http404("Not one of your stories.") from None
    return redirect("my_story:page")


@dataclass(frozen=True)
class StoryCheckRow:
    """One story on the facilitators' overview: its storyteller, and their answers counted."""

    story: Story
    counts: quote_checks.StoryChecks
    questioned: list[tuple[int, int, CheckNow]]
    """(quote number on the review sheet, quote id, its check) for each questioned quote."""


@project_view("stories.view_story")
def quote_checks_overview(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Which quotes storytellers approved, are waiting for, or questioned, story by story.

    Counts and places only, never words: the words are on each review sheet,
    where consent decides whether they show.
    """
    highlights = list(
        Highlight.objects.filter(review_sheet__story__project=project).order_by(
            "review_sheet__story_id", "char_start", "id"
        )
    )
    states = quote_checks.check_states(highlights)
    by_story: dict[int, list[Highlight]] = {}
    for highlight in highlights:
        by_story.setdefault(highlight.review_sheet.story_id, []).append(highlight)
    stories = Story.objects.filter(pk__in=by_story).select_related("storyteller")
    rows = [
        StoryCheckRow(
            story=story,
            counts=quote_checks.check_counts(states[h.pk] for h in by_story[story.pk]),
            questioned=[
                (number, h.pk, states[h.pk])
                for number, h in enumerate(by_story[story.pk], start=1)
                if states[h.pk].questioned
            ],
        )
        for story in stories.order_by("title", "id")
    ]
    total = quote_checks.check_counts(states.values())
    return render(
        request,
        "reports/quote_checks.html",
        {"project": project, "rows": rows, "total": total},
    )
