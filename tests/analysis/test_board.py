"""The workshop board: moves, stale moves, notes, the feed, who may read it, who shaped it."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohub.apps.analysis import services
from cohub.apps.analysis.board import board_changes, board_state, contributions
from cohub.apps.analysis.models import BoardNote, CodingAction, HighlightTheme
from cohub.apps.core.errors import ServiceError
from cohub.apps.projects import services as project_services
from cohub.apps.projects.models import ProjectRole, TakingPart
from cohub.apps.stories import services as story_services
from tests.factories import ProjectFactory, make_member
from tests.query_counts import (
    FEW,
    MANY,
    assert_same_count,
    new_theme,
    queries_for,
    quote_part,
    story_with_parts,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(project, facilitator):
    story = story_with_parts(project, 3)
    housing = new_theme(project, "Housing")
    work = new_theme(project, "Work")
    quote = quote_part(story, 0, themes=[housing])
    loose = quote_part(story, 1)
    return {"story": story, "housing": housing, "work": work, "quote": quote, "loose": loose}


def _themes_of(quote) -> set[str]:
    return set(HighlightTheme.objects.filter(highlight=quote).values_list("theme__name", flat=True))


def test_a_move_takes_the_quote_out_of_one_theme_into_another_as_one_event(world, facilitator):
    result = services.highlight_move(
        highlight=world["quote"],
        from_theme=world["housing"],
        to_theme=world["work"],
        actor=facilitator,
    )
    assert _themes_of(world["quote"]) == {"Work"}
    (event,) = result.events
    assert event.action == CodingAction.HIGHLIGHT_MOVE
    assert event.payload["from_name"] == "Housing"


def test_a_stale_move_is_refused_and_says_where_the_quote_is_now(world, facilitator, project):
    other = make_member(project, ProjectRole.MEMBER)
    services.highlight_move(
        highlight=world["quote"], from_theme=world["housing"], to_theme=world["work"], actor=other
    )
    with pytest.raises(ServiceError, match="Someone moved this quote.*'Work' now"):
        services.highlight_move(
            highlight=world["quote"],
            from_theme=world["housing"],
            to_theme=None,
            actor=facilitator,
        )
    assert _themes_of(world["quote"]) == {"Work"}


def test_sorting_an_unsorted_quote_someone_sorted_first_is_refused(world, facilitator):
    services.highlight_move(
        highlight=world["loose"], from_theme=None, to_theme=world["work"], actor=facilitator
    )
    with pytest.raises(ServiceError, match="Someone sorted this quote"):
        services.highlight_move(
            highlight=world["loose"], from_theme=None, to_theme=world["housing"], actor=facilitator
        )
    assert _themes_of(world["loose"]) == {"Work"}


def test_a_move_can_be_undone_and_redone(world, facilitator):
    moved = services.highlight_move(
        highlight=world["quote"],
        from_theme=world["housing"],
        to_theme=world["work"],
        actor=facilitator,
    )
    services.coding_event_undo(event=moved.event, actor=facilitator)
    assert _themes_of(world["quote"]) == {"Housing"}
    services.coding_event_redo(event=moved.event, actor=facilitator)
    assert _themes_of(world["quote"]) == {"Work"}


def test_events_carry_how_their_author_took_part_then(world, project):
    member = make_member(project, ProjectRole.MEMBER)
    project_services.participation_set(
        project=project, user=member, taking_part=TakingPart.LIVED_EXPERIENCE
    )
    first = services.board_note_add(project=project, text="Waiting is the worst", actor=member)
    project_services.participation_set(
        project=project, user=member, taking_part=TakingPart.PROFESSIONAL
    )
    second = services.board_note_add(project=project, text="Second thought", actor=member)
    assert first.event.actor_part == TakingPart.LIVED_EXPERIENCE
    assert second.event.actor_part == TakingPart.PROFESSIONAL


def test_nobody_outside_the_project_can_say_how_they_take_part_in_it(project):
    stranger = make_member(ProjectFactory(), ProjectRole.MEMBER)
    with pytest.raises(ServiceError, match="Only people who take part"):
        project_services.participation_set(
            project=project, user=stranger, taking_part=TakingPart.LIVED_EXPERIENCE
        )


def test_an_empty_or_long_note_is_refused_and_nothing_is_written(project, facilitator):
    with pytest.raises(ServiceError, match="Write something"):
        services.board_note_add(project=project, text="   ", actor=facilitator)
    with pytest.raises(ServiceError, match="up to 500 characters"):
        services.board_note_add(project=project, text="x" * 501, actor=facilitator)
    assert not BoardNote.objects.exists()


def test_the_board_puts_each_quote_in_its_themes_and_the_rest_in_not_sorted_yet(world, project):
    state = board_state(project)
    columns = {c.theme.name if c.theme else None: c for c in state.columns}
    assert [q.highlight.pk for q in columns["Housing"].quotes] == [world["quote"].pk]
    assert [q.highlight.pk for q in columns[None].quotes] == [world["loose"].pk]
    assert columns["Work"].quotes == []


def test_a_quote_whose_consent_went_is_left_off_the_board_and_out_of_the_feed(
    world, project, facilitator
):
    after = board_state(project).last_event_id
    services.highlight_move(
        highlight=world["quote"],
        from_theme=world["housing"],
        to_theme=world["work"],
        actor=facilitator,
    )
    story_services.consent_record(
        storyteller=world["story"].storyteller, actor=facilitator, record=True
    )
    state = board_state(project)
    assert state.withheld == 2
    assert all(not c.quotes for c in state.columns)
    changes = board_changes(project, after, viewer=facilitator)
    (quote,) = changes.quotes
    assert quote.quote is None and quote.columns == []


def test_the_feed_gives_the_state_now_of_what_changed(world, project, facilitator):
    other = make_member(project, ProjectRole.MEMBER)
    after = board_state(project).last_event_id
    services.highlight_move(
        highlight=world["quote"], from_theme=world["housing"], to_theme=world["work"], actor=other
    )
    services.theme_rename(theme=world["work"], name="Jobs", actor=other)
    changes = board_changes(project, after, viewer=facilitator)
    (quote,) = changes.quotes
    assert quote.columns == [world["work"].pk]
    assert changes.changed_themes[world["work"].pk].name == "Jobs"
    assert changes.said == [
        f"{other} moved a quote to 'Work'.",
        f"{other} renamed 'Work' to 'Jobs'.",
    ]
    # Nothing said about your own changes: you know what you did.
    assert board_changes(project, after, viewer=other).said == []


def _feed(client, project, after: int = 0):
    return client.get(
        reverse("analysis:board_feed", kwargs={"project_slug": project.slug}), {"after": after}
    )


def test_the_feed_answers_members_who_code_and_nobody_else(client, world, project, facilitator):
    client.force_login(facilitator)
    response = _feed(client, project)
    assert response.status_code == 200
    assert json.loads(response.content)["last"] > 0

    stranger = make_member(ProjectFactory(), ProjectRole.FACILITATOR)
    client.force_login(stranger)
    assert _feed(client, project).status_code == 403

    decision_maker = make_member(project, ProjectRole.DECISION_MAKER)
    client.force_login(decision_maker)
    assert _feed(client, project).status_code == 403

    client.logout()
    assert _feed(client, project).status_code == 302


def test_the_feed_of_another_project_shows_nothing_of_this_one(client, world, project):
    elsewhere = ProjectFactory()
    someone = make_member(elsewhere, ProjectRole.FACILITATOR)
    client.force_login(someone)
    data = json.loads(_feed(client, elsewhere).content)
    assert data["quotes"] == [] and data["themes"] == [] and data["last"] == 0


def test_the_feed_refuses_an_after_that_is_not_a_number(client, project, facilitator):
    client.force_login(facilitator)
    assert _feed(client, project, "abc").status_code == 400


def test_the_feed_takes_as_many_queries_for_many_changes_as_for_few(client, project, facilitator):
    client.force_login(facilitator)
    story = story_with_parts(project, MANY)
    themes = [new_theme(project, f"Theme {i}") for i in range(3)]
    quotes = [quote_part(story, i, themes=[themes[0]]) for i in range(MANY)]
    url = reverse("analysis:board_feed", kwargs={"project_slug": project.slug})
    after = board_state(project).last_event_id
    for quote in quotes[:FEW]:
        services.highlight_move(
            highlight=quote, from_theme=themes[0], to_theme=themes[1], actor=facilitator
        )
    services.board_note_add(project=project, text="A note", theme=themes[1], actor=facilitator)
    queries_for(client, f"{url}?after={after}")
    few = queries_for(client, f"{url}?after={after}")
    for quote in quotes[FEW:]:
        services.highlight_move(
            highlight=quote, from_theme=themes[0], to_theme=themes[1], actor=facilitator
        )
    services.board_note_add(project=project, text="Another", theme=themes[2], actor=facilitator)
    services.theme_rename(theme=themes[2], name="Renamed", actor=facilitator)
    many = queries_for(client, f"{url}?after={after}")
    data = json.loads(client.get(f"{url}?after={after}").content)
    assert len(data["quotes"]) == MANY
    assert_same_count(few, many)


def test_moving_by_the_menu_without_javascript(client, world, project, facilitator):
    client.force_login(facilitator)
    url = reverse(
        "analysis:board_move",
        kwargs={"project_slug": project.slug, "highlight_id": world["quote"].pk},
    )
    response = client.post(
        url, {"from_theme": world["housing"].pk, "to_theme": world["work"].pk}, follow=True
    )
    assert "Moved to &#x27;Work&#x27;." in response.content.decode()
    assert _themes_of(world["quote"]) == {"Work"}
    # The same form again, from a page that still shows it in Housing: refused, and said.
    response = client.post(
        url,
        {"from_theme": world["housing"].pk, "to_theme": "none"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 409
    assert "Someone moved this quote" in json.loads(response.content)["error"]
    assert _themes_of(world["quote"]) == {"Work"}


def test_only_the_writer_or_a_facilitator_takes_a_note_off(client, project, facilitator):
    writer = make_member(project, ProjectRole.MEMBER)
    other = make_member(project, ProjectRole.MEMBER)
    note = services.board_note_add(project=project, text="Mine", actor=writer).note
    url = reverse(
        "analysis:board_note_remove", kwargs={"project_slug": project.slug, "note_id": note.pk}
    )
    client.force_login(other)
    assert client.post(url).status_code == 403
    client.force_login(writer)
    assert client.post(url).status_code == 302
    assert not BoardNote.objects.filter(pk=note.pk).exists()


def test_the_board_page_escapes_what_people_write(client, world, project, facilitator):
    services.board_note_add(project=project, text="<script>alert(1)</script>", actor=facilitator)
    client.force_login(facilitator)
    html = client.get(reverse("analysis:board", kwargs={"project_slug": project.slug})).content
    assert b"<script>alert(1)" not in html
    assert b"&lt;script&gt;alert(1)" in html


def test_who_shaped_it_counts_decisions_by_group_and_not_undone_ones(world, project):
    lived = make_member(project, ProjectRole.MEMBER)
    project_services.participation_set(
        project=project, user=lived, taking_part=TakingPart.LIVED_EXPERIENCE
    )
    pro = make_member(project, ProjectRole.MEMBER)
    project_services.participation_set(
        project=project, user=pro, taking_part=TakingPart.PROFESSIONAL
    )
    services.highlight_move(
        highlight=world["quote"], from_theme=world["housing"], to_theme=world["work"], actor=lived
    )
    services.board_note_add(project=project, text="Keep it kind", actor=lived)
    undone = services.theme_rename(theme=world["work"], name="Jobs", actor=pro)
    services.coding_event_undo(event=undone.event, actor=pro)
    shares = {p.part: p for p in contributions(project).parts}
    assert shares[TakingPart.LIVED_EXPERIENCE].counts["Moved quotes"] == 1
    assert shares[TakingPart.LIVED_EXPERIENCE].counts["Wrote notes"] == 1
    assert shares[TakingPart.PROFESSIONAL].total == 0
    # The fixture's themes were made by no one in particular: counted as not said.
    assert shares[""].label == "Not said"


def test_who_shaped_it_says_when_one_group_decided(project, facilitator):
    for i in range(4):
        services.theme_create(project=project, name=f"Theme {i}", actor=facilitator)
    summary = contributions(project).summary
    assert summary.startswith("One group made most of the decisions: facilitating")
    assert "lived experience may need more room" in summary


def test_a_storyteller_withdrawing_changes_the_board_epoch(world, project, facilitator):
    before = board_state(project).epoch
    story_services.consent_withdraw(storyteller=world["story"].storyteller, actor=facilitator)
    assert board_state(project).epoch != before


def test_a_visioning_round_takes_notes_while_open_and_keeps_them_after(project, facilitator):
    member = make_member(project, ProjectRole.MEMBER)
    opened = services.visioning_round_open(
        project=project, prompt="Ten years on, what pleased you?", actor=facilitator
    ).visioning_round
    services.board_note_add(
        project=project, text="Nobody waits alone", visioning_round=opened, actor=member
    )
    services.visioning_round_close(visioning_round=opened, actor=facilitator)
    with pytest.raises(ServiceError, match="This round has been closed"):
        services.board_note_add(
            project=project, text="Too late", visioning_round=opened, actor=member
        )
    state = board_state(project)
    assert state.visioning == opened
    assert [n.text for n in state.round_notes] == ["Nobody waits alone"]
    # Round notes are the round's, not a column's.
    assert all(not column.notes for column in state.columns)


def test_opening_a_round_closes_the_one_still_open(project, facilitator):
    first = services.visioning_round_open(project=project, prompt="One", actor=facilitator)
    second = services.visioning_round_open(project=project, prompt="Two", actor=facilitator)
    first.visioning_round.refresh_from_db()
    assert not first.visioning_round.is_open
    assert [e.action for e in second.events] == [CodingAction.ROUND_CLOSE, CodingAction.ROUND_OPEN]


def test_a_round_note_reaches_the_feed_as_the_round(client, project, facilitator):
    member = make_member(project, ProjectRole.MEMBER)
    opened = services.visioning_round_open(
        project=project, prompt="Ten years on?", actor=facilitator
    ).visioning_round
    after = board_state(project).last_event_id
    services.board_note_add(
        project=project, text="A <b>calm</b> place", visioning_round=opened, actor=member
    )
    client.force_login(facilitator)
    data = json.loads(_feed(client, project, after).content)
    assert data["round"]["id"] == opened.pk and data["round"]["open"]
    assert "A &lt;b&gt;calm&lt;/b&gt; place" in data["round"]["notes_html"]
    assert data["notes"] == []


def test_only_facilitators_open_rounds(client, project):
    member = make_member(project, ProjectRole.MEMBER)
    client.force_login(member)
    url = reverse("analysis:board_round_open", kwargs={"project_slug": project.slug})
    assert client.post(url, {"prompt": "Ten years on?"}).status_code == 403


NOTES = [
    "Nobody waits alone in A&E any more",
    "Waiting times are short and people are told how long",
    "Someone texts you while you wait so you are not forgotten",
    "Peer workers with lived experience on every crisis team",
    "People who have been there are paid to support others",
    "Lived experience workers lead the training for staff",
    "Families are asked before discharge",
    "Carers are part of the plan from day one",
]


def test_grouping_a_round_places_every_note_and_gives_the_same_groups_twice(project, facilitator):
    opened = services.visioning_round_open(
        project=project, prompt="Ten years on, what pleased you?", actor=facilitator
    ).visioning_round
    for text in NOTES:
        services.board_note_add(
            project=project, text=text, visioning_round=opened, actor=facilitator
        )
    first = services.visioning_round_group(visioning_round=opened, actor=facilitator)
    groups = dict(BoardNote.objects.values_list("text", "group_label"))
    assert set(groups) == set(NOTES) and all(groups.values())
    assert first.event.action == CodingAction.ROUND_GROUP
    assert len(set(groups.values())) >= 2
    services.visioning_round_group(visioning_round=opened, actor=facilitator)
    assert dict(BoardNote.objects.values_list("text", "group_label")) == groups
    opened.refresh_from_db()
    assert opened.grouped_with["model"]


def test_grouping_one_note_is_refused(project, facilitator):
    opened = services.visioning_round_open(
        project=project, prompt="Ten years on?", actor=facilitator
    ).visioning_round
    services.board_note_add(
        project=project, text="Only me", visioning_round=opened, actor=facilitator
    )
    with pytest.raises(ServiceError, match="at least two notes"):
        services.visioning_round_group(visioning_round=opened, actor=facilitator)


# ---------- "Nothing changed" is a 304 from one query (ADR 0022) ----------


def _poll(client, project, after: int, etag: str = ""):
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    return client.get(
        reverse("analysis:board_feed", kwargs={"project_slug": project.slug}),
        {"after": after},
        **headers,
    )


def test_a_board_that_has_everything_is_told_304_with_no_body(client, world, project):
    member = make_member(project, ProjectRole.MEMBER)
    client.force_login(member)
    state = board_state(project)
    first = _poll(client, project, state.last_event_id, state.etag)
    assert first.status_code == 304 and first.content == b""
    assert first["ETag"] == state.etag
    assert "no-store" in first["Cache-Control"]
    # Without the tag (an old page), the same poll gets the empty answer and the tag.
    plain = _poll(client, project, state.last_event_id)
    assert plain.status_code == 200 and json.loads(plain.content)["quotes"] == []
    assert plain["ETag"] == state.etag


def test_an_idle_poll_costs_the_permission_check_and_one_statement(client, world, project):
    """Pinned: an extra query on every poll of every open board must show up here.

    The nine are the session, the person, their second-step device, whether
    they hold the keys (as a facilitator, as an organisation admin), the
    project, their roles in it and in its organisation, and ``feed_mark``.
    """
    member = make_member(project, ProjectRole.MEMBER)
    client.force_login(member)
    state = board_state(project)
    _poll(client, project, state.last_event_id, state.etag)
    with CaptureQueriesContext(connection) as captured:
        response = _poll(client, project, state.last_event_id, state.etag)
    assert response.status_code == 304
    sql = [query["sql"] for query in captured.captured_queries]
    board_reads = [q for q in sql if "analysis_" in q or "stories_" in q]
    assert len(board_reads) == 1, board_reads
    assert "MAX(id) FROM analysis_codingevent" in board_reads[0]
    assert len(sql) == 9, "\n".join(sql)


def test_a_removed_member_is_refused_not_told_304(client, world, project, facilitator):
    member = make_member(project, ProjectRole.MEMBER)
    client.force_login(member)
    state = board_state(project)
    assert _poll(client, project, state.last_event_id, state.etag).status_code == 304
    project_services.membership_remove(
        project=project, user=member, role=ProjectRole.MEMBER, actor=facilitator
    )
    assert _poll(client, project, state.last_event_id, state.etag).status_code == 403
    client.logout()
    assert _poll(client, project, state.last_event_id, state.etag).status_code == 302


def test_a_change_after_the_tag_is_answered_in_full_with_a_new_tag(client, world, project):
    member = make_member(project, ProjectRole.MEMBER)
    client.force_login(member)
    state = board_state(project)
    services.highlight_move(
        highlight=world["quote"], from_theme=world["housing"], to_theme=world["work"], actor=None
    )
    response = _poll(client, project, state.last_event_id, state.etag)
    assert response.status_code == 200
    data = json.loads(response.content)
    assert [q["id"] for q in data["quotes"]] == [world["quote"].pk]
    assert response["ETag"] != state.etag
    # The page now holds that state: the next poll is a 304 again.
    assert _poll(client, project, data["last"], response["ETag"]).status_code == 304


def test_a_page_that_is_behind_its_tag_is_never_told_304(client, world, project):
    """A full page of events ("more") leaves the page behind the newest id it was tagged with."""
    member = make_member(project, ProjectRole.MEMBER)
    client.force_login(member)
    state = board_state(project)
    response = _poll(client, project, state.last_event_id - 1, state.etag)
    assert response.status_code == 200
    assert json.loads(response.content)["last"] == state.last_event_id


def test_a_consent_change_breaks_the_tag_so_the_board_reloads(client, world, project, facilitator):
    member = make_member(project, ProjectRole.MEMBER)
    client.force_login(member)
    state = board_state(project)
    story_services.consent_withdraw(storyteller=world["story"].storyteller, actor=facilitator)
    response = _poll(client, project, state.last_event_id, state.etag)
    assert response.status_code == 200
    assert json.loads(response.content)["epoch"] != state.epoch
