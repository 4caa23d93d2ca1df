"""Load the demo's data files into the database through the services the web uses.

Only the organisation, the users and the organisation membership, which have no
service, are written directly; everything else goes through the same services
as a person using the hub, so the demo also shows those services working
together.

``demo_load`` is safe to run again: each thing is keyed by its slug or email
and made only when absent, and what belongs to the demo project (storytellers,
stories, themes, quotes) is made only together with the project. A second run
therefore adds nothing, and never deletes or overwrites what someone changed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

# Every name the loader takes from the apps, in one place: they move between apps now
# and then, and this is the only block to follow them.
from cohub.apps.accounts.models import (
    Organisation,
    OrganisationMembership,
    OrganisationRole,
    User,
)
from cohub.apps.analysis.models import Highlight
from cohub.apps.analysis.quote_checks import quote_check_answer
from cohub.apps.analysis.selectors import story_quotes
from cohub.apps.analysis.services import (
    board_note_add,
    grouping_available,
    highlight_create,
    highlight_move,
    review_sheet_update,
    theme_create,
    visioning_round_group,
    visioning_round_open,
)
from cohub.apps.analysis.suggestions import (
    MIN_QUOTES,
    suggestion_accept,
    suggestion_reject,
    suggestion_run_compute,
    suggestion_run_request,
)
from cohub.apps.analysis.vectors import readable_highlights
from cohub.apps.assess.models import AssessmentItem, AssessmentRound, PeerReview
from cohub.apps.assess.peer_services import (
    peer_answer_save,
    peer_evidence_add,
    peer_review_invite,
    peer_review_submit,
)
from cohub.apps.assess.selectors import framework_version
from cohub.apps.assess.services import (
    action_create,
    answer_save,
    frameworks_load,
    organisation_round_open,
    response_submit,
    round_open,
)
from cohub.apps.core import audit
from cohub.apps.core.errors import ServiceError
from cohub.apps.projects.models import Participation, Project, ProjectRole
from cohub.apps.projects.services import membership_add, participation_set, project_create
from cohub.apps.projects.sessions import holds_keys
from cohub.apps.projects.twofactor.services import backup_codes_ensure
from cohub.apps.redaction.services import (
    findings_decide_kind,
    project_lists_update,
    redaction_check_run,
    redaction_check_start,
)
from cohub.apps.reports.changes import change_create, theme_quotes
from cohub.apps.reports.public_changes import changes_publish
from cohub.apps.reports.services import findings_export_csv, report_version_create
from cohub.apps.stories.links import storyteller_link_create
from cohub.apps.stories.models import Recording, Speaker, Story, Storyteller, Transcript
from cohub.apps.stories.recordings import story_add_recording, transcript_write_recognised
from cohub.apps.stories.scopes import ConsentScope
from cohub.apps.stories.selectors import story_transcript
from cohub.apps.stories.services import (
    speaker_update,
    story_create_from_text,
    story_import_transcript,
    storyteller_create,
    transcript_revise_part,
)
from cohub.demo import assessment as assess_data
from cohub.demo.manifest import (
    DATA_DIR,
    Demo,
    DemoDataError,
    StorySpec,
    StorytellerSpec,
    find_quote,
    heard_segments,
    read_demo,
)
from cohub.pipeline.formats import TranscriptFormatError


@dataclass(frozen=True)
class DemoInfo:
    """How to log in to the demo, and whether this run made the demo project."""

    email: str
    password: str
    project_slug: str
    created: bool
    accounts: tuple[tuple[str, str], ...] = field(default=())
    # A working backup code (the second step after the password, docs/adr/0025) for each
    # demo account that must use two-step sign-in: (email, code).
    backup_codes: tuple[tuple[str, str], ...] = field(default=())

    def backup_code(self, email: str) -> str:
        """The backup code printed for ``email``, or empty if that account needs none."""
        return dict(self.backup_codes).get(email, "")


@contextmanager
def _blame(where: str) -> Iterator[None]:
    """Name the data entry when a service refuses it, so the fix is easy to find."""
    try:
        yield
    except (ServiceError, TranscriptFormatError) as exc:
        raise DemoDataError(f"{where}: {exc}") from exc


def _ensure_user(email: str, display_name: str, password: str) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email, password, display_name=display_name)
    return user


def _ensure_organisation(demo: Demo, users: dict[str, User]) -> Organisation:
    organisation = Organisation.objects.filter(slug=demo.organisation_slug).first()
    if organisation is None:
        organisation = Organisation.objects.create(
            slug=demo.organisation_slug, name=demo.organisation_name
        )
        for person in demo.people:
            if not person.organisation_role:
                continue
            if person.organisation_role not in OrganisationRole.values:
                raise DemoDataError(
                    f"{demo.manifest}: [[people]] {person.email!r}: unknown organisation role "
                    f"{person.organisation_role!r}."
                )
            OrganisationMembership.objects.create(
                organisation=organisation, user=users[person.email], role=person.organisation_role
            )
    return organisation


def _consent(demo: Demo, spec: StorytellerSpec) -> dict[str, Any]:
    """What ``storyteller_create`` records as consent version 1.

    A storage limit is written in days so that the demo, loaded on any date, keeps
    the recording for the same time from then.
    """
    unknown = sorted(set(spec.consent) - set(ConsentScope.values))
    if unknown:
        raise DemoDataError(
            f"{demo.manifest}: [[storytellers]] {spec.pseudonym!r}: "
            f"unknown consent scopes {', '.join(unknown)}."
        )
    consent: dict[str, Any] = dict(spec.consent)
    if spec.keep_for_days is not None:
        consent["keep_until"] = timezone.localdate() + dt.timedelta(days=spec.keep_for_days)
    return consent


def _fill_project(demo: Demo, project: Project, users: dict[str, User]) -> None:
    """Storytellers, stories, themes and quotes for a freshly made demo project."""
    facilitator = users[demo.email_for(project_role=ProjectRole.FACILITATOR)]
    for person in demo.people:
        if person.project_role and person.project_role != ProjectRole.FACILITATOR:
            with _blame(f"{demo.manifest}: [[people]] {person.email!r}"):
                membership_add(
                    project=project,
                    user=users[person.email],
                    roles=[person.project_role],
                    actor=facilitator,
                )

    storytellers: dict[str, Storyteller] = {}
    for teller in demo.storytellers:
        with _blame(f"{demo.manifest}: [[storytellers]] {teller.pseudonym!r}"):
            storytellers[teller.pseudonym] = storyteller_create(
                project=project,
                actor=facilitator,
                pseudonym=teller.pseudonym,
                consent=_consent(demo, teller),
                consent_note=teller.consent_note,
                **teller.profile,
            )

    themes = {}
    for name, description in demo.themes:
        with _blame(f"{demo.manifest}: [[themes]] {name!r}"):
            themes[name] = theme_create(
                project=project, name=name, description=description, actor=facilitator
            ).theme

    checked = False
    for spec in demo.stories:
        with _blame(str(spec.transcript)):
            story = _add_story(spec, project, storytellers[spec.storyteller], users)
        transcript = story_transcript(story)
        if not isinstance(transcript, Transcript):
            raise DemoDataError(
                f"{spec.transcript}: the story {spec.title!r} has no transcript to quote from"
                + (f" ({transcript.refusal})" if transcript else ".")
            )
        for quote in spec.quotes:
            char_start, char_end = find_quote(
                transcript.text, quote.words, source=str(spec.transcript)
            )
            with _blame(f"{spec.transcript}: the key quote {quote.words[:40]!r}…"):
                highlight_create(
                    story=story,
                    transcript=transcript,
                    char_start=char_start,
                    char_end=char_end,
                    actor=users[quote.coder],
                    themes=[themes[name] for name in quote.themes],
                    change_level=quote.change_level,
                    sectors=list(quote.sectors),
                    note=quote.note,
                    attribution=quote.attribution,
                )
        if not checked and spec.source == "typed":
            _check_personal_details(project, story, facilitator)
            checked = True


def _check_personal_details(project: Project, story: Story, facilitator: User) -> None:
    """The first typed story, checked for personal details, its people's names accepted.

    The rest wait on its "Personal details" page for someone to decide, so the
    demo shows suggestions of every state; the check runs here, not on the
    worker, so the page has them as soon as the demo is loaded.
    """
    project_lists_update(
        project=project,
        actor=facilitator,
        deny_text="organisation: the Harbour Project",
        allow_text="A&E",
    )
    run = redaction_check_start(story=story, actor=facilitator).run
    redaction_check_run(run.pk)
    run.refresh_from_db()
    findings_decide_kind(run=run, actor=facilitator, kind="person", status="accepted")


def _fill_board(demo: Demo, project: Project, users: dict[str, User]) -> None:
    """How people take part, and a few changes to the workshop board by different groups."""
    themes = {theme.name: theme for theme in project.themes.all()}
    for email, taking_part in demo.board.taking_part.items():
        with _blame(f"{demo.manifest}: [board] taking_part {email!r}"):
            participation_set(project=project, user=users[email], taking_part=taking_part)
    for move in demo.board.moves:
        where = f"{demo.manifest}: [[board.moves]] {move.quote!r}"
        quote = Highlight.objects.filter(
            review_sheet__story__project=project, snippet__startswith=move.quote
        ).first()
        if quote is None:
            raise DemoDataError(f"{where}: no key quote starts with these words.")
        first = quote.theme_links.select_related("theme").order_by("theme__pk").first()
        with _blame(where):
            highlight_move(
                highlight=quote,
                from_theme=first.theme if first else None,
                to_theme=themes[move.to],
                actor=users[move.by],
            )
    for note in demo.board.notes:
        with _blame(f"{demo.manifest}: [[board.notes]] {note.text[:30]!r}"):
            board_note_add(
                project=project,
                text=note.text,
                theme=themes[note.theme] if note.theme else None,
                actor=users[note.by],
            )


def _visioning_round(demo: Demo, project: Project, users: dict[str, User]) -> None:
    """The future-visioning round: opened by the facilitator, people's notes, then grouped.

    Grouped here with the same engine as "Group the notes" (and the theme
    suggestions), so the demo shows grouped notes at once; left open, so a
    visitor can add a note of their own and group again.
    """
    spec = demo.board.visioning
    if spec is None:
        return
    facilitator = users[demo.email_for(project_role=ProjectRole.FACILITATOR)]
    with _blame(f"{demo.manifest}: [board.visioning]"):
        opened = visioning_round_open(
            project=project, prompt=spec.prompt, actor=facilitator
        ).visioning_round
    for note in spec.notes:
        with _blame(f"{demo.manifest}: [[board.visioning.notes]] {note.text[:30]!r}"):
            board_note_add(
                project=project, text=note.text, visioning_round=opened, actor=users[note.by]
            )
    if grouping_available() and len(spec.notes) >= 2:
        visioning_round_group(visioning_round=opened, actor=facilitator)


def _suggest_themes(project: Project, facilitator: User) -> None:
    """A run of theme suggestions from the codebook: those that fit a theme accepted, one rejected.

    Computed here rather than waiting for the worker, so the demo shows it at once;
    the queued job then finds the run done and leaves it (and the decisions) alone.
    A demo with too few quotes to group gets no run.
    """
    if len(readable_highlights(project)) < MIN_QUOTES:
        return
    run = suggestion_run_request(project=project, actor=facilitator, start_from="codebook")
    run = suggestion_run_compute(run=run)
    suggested = list(run.suggestions.filter(unsorted=False).order_by("number"))
    fitting = [s for s in suggested if s.existing_theme_id is not None]
    # Keep some quotes "not yet themed", so the findings show what that looks like.
    untagged = set(
        Highlight.objects.filter(
            review_sheet__story__project=project, theme_links__isnull=True
        ).values_list("pk", flat=True)
    )
    accepted = 0
    for suggestion in fitting:
        members = set(suggestion.quotes.values_list("highlight_id", flat=True))
        if accepted == 2 or not untagged - members:
            continue
        suggestion_accept(suggestion=suggestion, actor=facilitator)
        untagged -= members
        accepted += 1
    new = [s for s in suggested if s.existing_theme_id is None]
    if new:
        suggestion_reject(suggestion=new[-1], actor=facilitator)


def _add_story(
    spec: StorySpec, project: Project, storyteller: Storyteller, users: dict[str, User]
) -> Story:
    """One story, arriving the way its source says: an imported file or typed notes."""
    reporter = users[spec.reporter]
    if spec.source == "recording":
        story = _add_recording(spec, project, storyteller, reporter)
    elif spec.source == "typed":
        story = story_create_from_text(
            project=project,
            storyteller=storyteller,
            actor=reporter,
            title=spec.title,
            text=spec.text,
            recorded_on=spec.recorded_on,
        )
    else:
        story = story_import_transcript(
            project=project,
            storyteller=storyteller,
            actor=reporter,
            title=spec.title,
            data=spec.data,
            filename=spec.transcript.name,
            recorded_on=spec.recorded_on,
        )
    if spec.ideas or spec.summary:
        review_sheet_update(story=story, actor=reporter, ideas=spec.ideas, summary=spec.summary)
    return story


def _add_recording(
    spec: StorySpec, project: Project, storyteller: Storyteller, reporter: User
) -> Story:
    """A recording kept as an upload is, with the words cohub's speech-to-text heard in it.

    Nothing is transcribed here: the words were made once by the same pipeline
    (``scripts/make-demo-recording.py``) and are written the way the job writes
    them. Then the speakers are named and a mishearing corrected, as a team would.
    """
    assert spec.recording is not None  # the manifest insists on one for this source
    added = story_add_recording(
        project=project,
        storyteller=storyteller,
        actor=reporter,
        path=spec.recording,
        filename=spec.recording.name,
        title=spec.title,
        recorded_on=spec.recorded_on,
        transcribe=False,
    )
    made_by = json.loads(spec.text).get("made_by", {})
    transcript_write_recognised(
        recording=Recording.objects.get(pk=added.recording.pk),
        key="demo",
        segments=heard_segments(spec),
        reason=f"Speech-to-text ({made_by.get('engine', '')}, {made_by.get('model_name', '')})",
        provenance=made_by,
    )
    story = added.story
    # The storyteller last: only one speaker may be the storyteller at a time.
    for label, (name, part) in sorted(
        spec.speakers.items(), key=lambda s: s[1][1] == "storyteller"
    ):
        speaker = Speaker.objects.get(story=story, label=label)
        speaker_update(speaker=speaker, actor=reporter, display_name=name, part=part)
    for number, words in spec.corrections:
        newest = Transcript.objects.filter(story=story).order_by("-version").first()
        assert newest is not None  # just written above
        row = newest.segments.get(index=number - 1)
        transcript_revise_part(
            story=story,
            actor=reporter,
            index=number - 1,
            text=words,
            speaker=row.speaker,
            reason="Misheard by speech-to-text",
        )
    return story


def _read_some_stories(demo: Demo, project: Project, users: dict[str, User]) -> None:
    """A few lines in the audit log: two people read stories, and the findings are exported.

    Read through the same selectors, and recorded by the same function, as the
    story pages, so the demo's audit log shows what a real one holds.
    """
    roles = (ProjectRole.FACILITATOR, ProjectRole.COMMUNITY_REPORTER)
    readers = [users[p.email] for role in roles for p in demo.people if p.project_role == role][:2]
    stories = list(Story.objects.filter(project=project).order_by("pk")[:2])
    for reader in readers:
        for story in stories:
            with audit.reading() as reads:
                story_transcript(story)
                story_quotes(story)
            audit.record_read(
                actor=reader,
                verb=audit.VIEWED,
                reads=reads,
                project_id=project.pk,
                route="analysis:review_sheet",
            )
    if readers:
        findings_export_csv(project=project, actor=readers[0])


def _assess(demo: Demo, project: Project, users: dict[str, User]) -> None:
    """One assessment round with answers from two groups large enough to show, and an action.

    The frameworks are loaded first (safe to repeat). Made once: a project that
    already has a round is left as it is.
    """
    frameworks_load()
    if AssessmentRound.objects.filter(project=project).exists():
        return
    facilitator = users[demo.email_for(project_role=ProjectRole.FACILITATOR)]
    people: dict[str, User] = {}
    for respondent in assess_data.RESPONDENTS:
        with _blame(f"cohub/demo/assessment.py: {respondent.email!r}"):
            if respondent.name:
                person = _ensure_user(respondent.email, respondent.name, demo.password)
                if not project.memberships.filter(user=person).exists():
                    membership_add(
                        project=project, user=person, roles=[respondent.role], actor=facilitator
                    )
            else:
                try:
                    person = users[demo.email_for(project_role=respondent.role)]
                except DemoDataError:  # a demo without anyone in that role
                    continue
            if not Participation.objects.filter(project=project, user=person).exists():
                participation_set(project=project, user=person, taking_part=respondent.taking_part)
        people[respondent.email] = person
    versions = [framework_version(key) for key in assess_data.FRAMEWORKS]
    if any(version is None for version in versions):
        raise DemoDataError("cohub/demo/assessment.py: a framework it names is not shipped.")
    assessment = round_open(
        project=project,
        title=assess_data.ROUND_TITLE,
        versions=[v for v in versions if v is not None],
        actor=facilitator,
    )
    items = {
        item.key: item
        for item in AssessmentItem.objects.filter(framework_version__in=[v for v in versions if v])
    }
    for email, answers in assess_data.ANSWERS.items():
        if email not in people:
            continue
        for key, (value, comment) in answers.items():
            with _blame(f"cohub/demo/assessment.py: {email!r} answering {key!r}"):
                answer_save(
                    assessment=assessment,
                    respondent=people[email],
                    item=items[key],
                    value=value,
                    comment=comment,
                )
        response_submit(assessment=assessment, respondent=people[email])
    action_create(
        assessment=assessment,
        item=items[assess_data.ACTION_ITEM],
        description=assess_data.ACTION_TEXT,
        owner=facilitator,
        due=timezone.localdate() + dt.timedelta(days=assess_data.ACTION_DUE_DAYS),
        actor=facilitator,
    )


def _assess_organisation(
    demo: Demo, organisation: Organisation, project: Project, users: dict[str, User]
) -> None:
    """One round for the whole organisation, answered by the project round's people; made once.

    Run after ``_assess``, which makes those people and says how each takes part.
    """
    if AssessmentRound.objects.filter(organisation=organisation, project=None).exists():
        return
    facilitator = users[demo.email_for(project_role=ProjectRole.FACILITATOR)]
    versions = [framework_version(key) for key in assess_data.ORG_FRAMEWORKS]
    if any(version is None for version in versions):
        raise DemoDataError("cohub/demo/assessment.py: ORG_FRAMEWORKS names one not shipped.")
    assessment = organisation_round_open(
        organisation=organisation,
        title=assess_data.ORG_ROUND_TITLE,
        versions=[v for v in versions if v is not None],
        actor=facilitator,
    )
    # The round's own items: worded for an organisation, not the versions chosen above.
    items = {
        item.key: item
        for item in AssessmentItem.objects.filter(framework_version__rounds=assessment)
    }
    people = {r.email: r for r in assess_data.RESPONDENTS}
    for email, values in assess_data.ORG_ANSWERS.items():
        respondent = people.get(email)
        if respondent is None:
            raise DemoDataError(f"cohub/demo/assessment.py: ORG_ANSWERS names {email!r}.")
        if respondent.name:
            person = User.objects.get(email=email)
        else:
            try:
                person = users[demo.email_for(project_role=respondent.role)]
            except DemoDataError:
                continue
        if not project.memberships.filter(user=person).exists():
            continue
        answered = False
        for key, value in zip(assess_data.ORG_ITEMS, values, strict=True):
            if not value:
                continue
            with _blame(f"cohub/demo/assessment.py: ORG_ANSWERS {email!r} {key!r}"):
                answer_save(
                    assessment=assessment,
                    respondent=person,
                    item=items[key],
                    value=value,
                    comment=assess_data.ORG_COMMENTS.get((email, key), ""),
                )
            answered = True
        if answered:
            response_submit(assessment=assessment, respondent=person)
    action_create(
        assessment=assessment,
        item=items[assess_data.ORG_ACTION_ITEM],
        description=assess_data.ORG_ACTION_TEXT,
        owner=facilitator,
        due=timezone.localdate() + dt.timedelta(days=assess_data.ORG_ACTION_DUE_DAYS),
        actor=facilitator,
    )


def _peer_review(demo: Demo, project: Project, users: dict[str, User]) -> None:
    """The demo round's sent peer review and the evidence its reviewer read; made once.

    The link's token is not kept (only its hash ever is), so the demo shows the
    review as sent; a new invitation on the peer review page shows a working link.
    """
    assessment = AssessmentRound.objects.filter(
        project=project, title=assess_data.ROUND_TITLE
    ).first()
    if assessment is None or PeerReview.objects.filter(round=assessment).exists():
        return
    facilitator = users[demo.email_for(project_role=ProjectRole.FACILITATOR)]
    items = {
        item.key: item
        for item in AssessmentItem.objects.filter(framework_version__rounds=assessment)
    }
    with _blame("cohub/demo/assessment.py: PEER_EVIDENCE"):
        for title, text, keys in assess_data.PEER_EVIDENCE:
            peer_evidence_add(
                assessment=assessment,
                title=title,
                text=text,
                items=[items[key] for key in keys],
                actor=facilitator,
            )
    name, organisation = assess_data.PEER_REVIEWER
    review = peer_review_invite(
        assessment=assessment, name=name, organisation=organisation, actor=facilitator
    ).peer_review
    for key, (value, comment) in assess_data.PEER_ANSWERS.items():
        with _blame(f"cohub/demo/assessment.py: PEER_ANSWERS {key!r}"):
            peer_answer_save(peer_review=review, item=items[key], value=value, comment=comment)
    peer_review_submit(peer_review=review)


def _save_report_versions(demo: Demo, project: Project, facilitator: User) -> None:
    """The report versions the demo's facilitator tailored for one audience each."""
    themes = {theme.name: theme for theme in project.themes.all()}
    for spec in demo.report_versions:
        with _blame(f"{demo.manifest}: [[report_versions]] {spec.title!r}"):
            report_version_create(
                project=project,
                actor=facilitator,
                title=spec.title,
                for_you=spec.for_you,
                themes=[themes[name] for name in spec.themes],
                sectors=list(spec.sectors),
            )


def _check_quotes(demo: Demo, project: Project, facilitator: User) -> None:
    """Storytellers' answers about their quotes, given by the private link they were sent.

    The link's secret is not kept (only its hash ever is), so the demo shows
    it as sent; "Their private link" on the storyteller's page makes a new one.
    """
    linked: set[str] = set()
    for spec in demo.quote_checks:
        where = f"{demo.manifest}: [[quote_checks]] {spec.storyteller!r} {spec.quote!r}"
        storyteller = Storyteller.objects.get(project=project, pseudonym=spec.storyteller)
        if spec.storyteller not in linked:
            storyteller_link_create(storyteller=storyteller, actor=facilitator)
            linked.add(spec.storyteller)
        quote = Highlight.objects.filter(
            review_sheet__story__storyteller=storyteller, snippet__startswith=spec.quote
        ).first()
        if quote is None:
            raise DemoDataError(f"{where}: no key quote of theirs starts with these words.")
        with _blame(where):
            quote_check_answer(
                highlight=quote,
                storyteller=storyteller,
                state=spec.answer,
                comment=spec.comment,
                actor=None,
                via="link",
            )


def _you_said_we_did(demo: Demo, project: Project, facilitator: User) -> None:
    """The changes the findings led to, each answering its themes' quotes, then published."""
    themes = {theme.name: theme for theme in project.themes.all()}
    for spec in demo.changes:
        chosen = [themes[name] for name in spec.themes]
        with _blame(f"{demo.manifest}: [[changes]] {spec.title!r}"):
            change_create(
                project=project,
                actor=facilitator,
                title=spec.title,
                owner=spec.owner,
                due=spec.due,
                status=spec.status,
                reason=spec.reason,
                what_was_done=spec.what_was_done,
                themes=chosen,
                quotes=theme_quotes(project, chosen),
            )
    if demo.changes:
        changes_publish(project=project, actor=facilitator)


@transaction.atomic
def demo_load(data_dir: Path = DATA_DIR) -> DemoInfo:
    """Make the demo organisation, people and project where they are missing.

    The data files are read and checked (every reference, every quote's words)
    before anything is written, and the whole load is one transaction, so data
    that a service refuses part-way also leaves nothing half-made. Raises
    ``DemoDataError`` naming the file and entry at fault.
    """
    demo = read_demo(data_dir)
    users = {
        person.email: _ensure_user(person.email, person.name, demo.password)
        for person in demo.people
    }
    organisation = _ensure_organisation(demo, users)
    facilitator = demo.email_for(project_role=ProjectRole.FACILITATOR)
    created = False
    if not Project.objects.filter(slug=demo.project_slug).exists():
        with _blame(f"{demo.manifest}: [project]"):
            project = project_create(
                organisation=organisation, actor=users[facilitator], **demo.project
            )
        _fill_project(demo, project, users)
        _fill_board(demo, project, users)
        _visioning_round(demo, project, users)
        _suggest_themes(project, users[facilitator])
        _read_some_stories(demo, project, users)
        _save_report_versions(demo, project, users[facilitator])
        _check_quotes(demo, project, users[facilitator])
        _you_said_we_did(demo, project, users[facilitator])
        created = True
    else:
        project = Project.objects.get(slug=demo.project_slug)
    _assess(demo, project, users)
    _assess_organisation(demo, project.organisation, project, users)
    _peer_review(demo, project, users)
    # The facilitator and the admin must use two-step sign-in: they get backup codes (one
    # set each, however often the demo is loaded), and a code not yet used is printed.
    backup_codes = tuple(
        (person.email, backup_codes_ensure(user=users[person.email]))
        for person in demo.people
        if holds_keys(users[person.email])
    )
    return DemoInfo(
        email=facilitator,
        password=demo.password,
        project_slug=demo.project_slug,
        created=created,
        accounts=tuple((person.email, person.does) for person in demo.people),
        backup_codes=backup_codes,
    )
