"""Undo and redo of board notes and visioning rounds: the coding log's one undo, on the board.

Each undo writes events the feed reports (so other watchers see and hear it),
and each can be redone; who may undo is who may make the change.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from cohub.apps.analysis import services
from cohub.apps.analysis.board import board_changes, board_state
from cohub.apps.analysis.models import BoardNote, CodingAction, VisioningRound
from cohub.apps.core.errors import ServiceError
from cohub.apps.projects.models import ProjectRole
from tests.factories import make_member
from tests.query_counts import new_theme

pytestmark = pytest.mark.django_db


def _open(project, facilitator, prompt="Ten years on, what pleased you?"):
    return services.visioning_round_open(project=project, prompt=prompt, actor=facilitator)


def test_undoing_a_note_takes_it_off_and_redo_puts_it_back_under_its_id(project, facilitator):
    member = make_member(project, ProjectRole.MEMBER)
    housing = new_theme(project, "Housing")
    added = services.board_note_add(
        project=project, text="Said three times", theme=housing, actor=member
    )
    after = board_state(project).last_event_id
    undo = services.coding_event_undo(event=added.event, actor=member)
    assert not BoardNote.objects.filter(pk=added.note.pk).exists()
    assert [e.action for e in undo.events] == [CodingAction.NOTE_REMOVE]

    # Everyone else's board takes it off, and hears that it was an undo.
    changes = board_changes(project, after, viewer=facilitator)
    (gone,) = changes.notes
    assert gone.note_id == added.note.pk and gone.note is None
    assert changes.said == [f"{member} took a note off the board, undoing an earlier change."]

    services.coding_event_redo(event=added.event, actor=member)
    back = BoardNote.objects.get(pk=added.note.pk)
    assert (back.text, back.theme, back.author) == ("Said three times", housing, member)
    assert [n.note.pk for n in board_changes(project, after, viewer=facilitator).notes] == [
        added.note.pk
    ]


def test_undoing_a_removal_puts_the_note_back_as_it_was(project, facilitator):
    member = make_member(project, ProjectRole.MEMBER)
    opened = _open(project, facilitator).visioning_round
    note = services.board_note_add(
        project=project, text="Nobody waits alone", visioning_round=opened, actor=member
    ).note
    BoardNote.objects.filter(pk=note.pk).update(group=2, group_label="waiting")
    note.refresh_from_db()
    note_id = note.pk
    removed = services.board_note_remove(note=note, actor=facilitator)
    services.visioning_round_close(visioning_round=opened, actor=facilitator)
    services.coding_event_undo(event=removed.event, actor=facilitator)
    back = BoardNote.objects.get(pk=note_id)
    # Back in its round even though the round has closed since: nothing new was written.
    assert (back.visioning_round, back.author, back.group, back.group_label) == (
        opened,
        member,
        2,
        "waiting",
    )
    with pytest.raises(ServiceError, match="already been undone"):
        services.coding_event_undo(event=removed.event, actor=facilitator)


def test_undoing_a_round_opening_removes_it_only_while_nobody_wrote_in_it(project, facilitator):
    opened = _open(project, facilitator)
    services.coding_event_undo(event=opened.event, actor=facilitator)
    assert not VisioningRound.objects.filter(pk=opened.visioning_round.pk).exists()
    services.coding_event_redo(event=opened.event, actor=facilitator)
    again = VisioningRound.objects.get(pk=opened.visioning_round.pk)
    assert again.is_open and again.prompt == "Ten years on, what pleased you?"

    services.board_note_add(
        project=project, text="A calm place", visioning_round=again, actor=facilitator
    )
    with pytest.raises(ServiceError, match="written 1 note in this round, so it stays"):
        services.coding_event_undo(event=opened.event, actor=facilitator)
    assert BoardNote.objects.filter(visioning_round=again).count() == 1


def test_redoing_a_round_opening_closes_the_round_open_meanwhile(project, facilitator):
    first = _open(project, facilitator, "One")
    services.coding_event_undo(event=first.event, actor=facilitator)
    second = _open(project, facilitator, "Two").visioning_round
    services.coding_event_redo(event=first.event, actor=facilitator)
    second.refresh_from_db()
    assert not second.is_open
    assert VisioningRound.objects.get(pk=first.visioning_round.pk).is_open


def test_undoing_a_close_opens_the_round_again_unless_another_is_open(project, facilitator):
    opened = _open(project, facilitator, "One").visioning_round
    closed = services.visioning_round_close(visioning_round=opened, actor=facilitator)
    services.coding_event_undo(event=closed.event, actor=facilitator)
    opened.refresh_from_db()
    assert opened.is_open
    services.coding_event_redo(event=closed.event, actor=facilitator)
    opened.refresh_from_db()
    assert not opened.is_open

    services.coding_event_undo(event=closed.event, actor=facilitator)
    services.coding_event_redo(event=closed.event, actor=facilitator)
    _open(project, facilitator, "Two")
    with pytest.raises(ServiceError, match="Another round is open now \\('Two'\\)"):
        services.coding_event_undo(event=closed.event, actor=facilitator)


def test_undoing_a_grouping_puts_the_groups_before_it_back(project, facilitator):
    opened = _open(project, facilitator).visioning_round
    notes = [
        services.board_note_add(
            project=project, text=text, visioning_round=opened, actor=facilitator
        ).note
        for text in ("Short waits", "No waiting", "Peer workers")
    ]
    # The engine's answer, given here: grouping itself is tested in test_board.py.
    first = services._save_grouping(
        visioning_round=opened,
        placed={notes[0].pk: (1, "waits"), notes[1].pk: (1, "waits"), notes[2].pk: (2, "peers")},
        grouped_with={"engine": "test", "seed": 1},
        actor=facilitator,
    )
    second = services._save_grouping(
        visioning_round=opened,
        placed={notes[0].pk: (1, "all"), notes[1].pk: (1, "all"), notes[2].pk: (1, "all")},
        grouped_with={"engine": "test", "seed": 2},
        actor=facilitator,
    )

    def groups():
        return dict(BoardNote.objects.order_by("pk").values_list("text", "group_label"))

    services.coding_event_undo(event=second.event, actor=facilitator)
    assert groups() == {"Short waits": "waits", "No waiting": "waits", "Peer workers": "peers"}
    opened.refresh_from_db()
    assert opened.grouped_with["seed"] == 1
    services.coding_event_redo(event=second.event, actor=facilitator)
    assert set(groups().values()) == {"all"}
    services.coding_event_undo(event=second.event, actor=facilitator)
    services.coding_event_undo(event=first.event, actor=facilitator)
    assert set(groups().values()) == {""}


def _undo_url(project, event):
    return reverse(
        "analysis:coding_event_undo", kwargs={"project_slug": project.slug, "event_id": event.pk}
    )


def test_a_round_is_undone_by_a_facilitator_and_a_note_by_its_writer(client, project, facilitator):
    member = make_member(project, ProjectRole.MEMBER)
    other = make_member(project, ProjectRole.MEMBER)
    opened = _open(project, facilitator)
    note = services.board_note_add(
        project=project, text="Mine", visioning_round=opened.visioning_round, actor=member
    )
    client.force_login(member)
    assert client.post(_undo_url(project, opened.event)).status_code == 403
    client.force_login(other)
    assert client.post(_undo_url(project, note.event)).status_code == 403
    assert BoardNote.objects.filter(pk=note.note.pk).exists()
    client.force_login(member)
    assert client.post(_undo_url(project, note.event)).status_code == 302
    assert not BoardNote.objects.filter(pk=note.note.pk).exists()
    # The coding log offers each person only the undos they may make.
    page = client.get(reverse("analysis:coding_log", kwargs={"project_slug": project.slug}))
    assert _undo_url(project, opened.event) not in page.content.decode()


def test_the_board_offers_undo_after_a_note_with_and_without_the_script(
    client, project, facilitator
):
    member = make_member(project, ProjectRole.MEMBER)
    client.force_login(member)
    url = reverse("analysis:board_note_add", kwargs={"project_slug": project.slug})
    answer = client.post(
        url, {"text": "By script", "theme": "none"}, HTTP_ACCEPT="application/json"
    )
    data = json.loads(answer.content)
    event = BoardNote.objects.get(text="By script")
    assert 'id="undo-button"' in data["offer"] and "data-board-form" in data["offer"]

    # The script sends the Undo form; the answer offers Redo, and focus goes to it.
    action = data["offer"].split('action="')[1].split('"')[0]
    undone = json.loads(client.post(action, HTTP_ACCEPT="application/json").content)
    assert undone["ok"] and undone["focus"] == "redo-button"
    assert undone["said"] == "Undone: Added the board note 'By script'."
    assert not BoardNote.objects.filter(pk=event.pk).exists()

    # Without the script: the board page itself shows the Undo button after the change.
    client.post(url, {"text": "By form", "theme": "none"})
    page = client.get(reverse("analysis:board", kwargs={"project_slug": project.slug}))
    html = page.content.decode()
    assert 'id="undo-button"' in html and "Your note is on the board." in html
