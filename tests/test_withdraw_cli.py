"""``cohub withdraw``: the same withdrawal as the page, and nothing without ``--yes``."""

from __future__ import annotations

import pytest

from cohub import cli
from cohub.apps.analysis.models import Highlight
from cohub.apps.analysis.services import highlight_create
from cohub.apps.core.models import Event
from cohub.apps.projects.models import ProjectRole
from cohub.apps.stories.models import Story, Storyteller
from tests.factories import make_member, make_story, make_storyteller

pytestmark = pytest.mark.django_db


@pytest.fixture
def kit(project):
    teller = make_storyteller(project, pseudonym="Kit", real_name="Priya Sharma")
    story = make_story(project, storyteller=teller, text="Kit: I lost my flat in the winter.")
    highlight_create(
        story=story, transcript=story.transcripts.get(), char_start=5, char_end=20, actor=None
    )
    return teller


def test_without_yes_it_says_what_would_go_and_changes_nothing(project, kit, capsys):
    assert cli.main(["withdraw", "--project", project.slug, "--storyteller", "kit"]) == 1
    out = capsys.readouterr().out
    assert "Withdrawing consent for Kit" in out
    assert "1 story" in out and "1 key quote" in out
    assert "Nothing was changed" in out and "--yes" in out
    assert Story.objects.filter(storyteller=kit).exists()
    assert not Event.objects.filter(verb="consent.withdraw").exists()


def test_with_yes_it_withdraws_by_pseudonym_or_real_name(project, kit, capsys):
    code = cli.main(
        ["withdraw", "--project", project.slug, "--storyteller", "Priya Sharma", "--yes"]
    )
    assert code == 0
    assert "Consent withdrawn. 1 story" in capsys.readouterr().out
    kit.refresh_from_db()
    assert kit.withdrawn_at is not None and kit.real_name == ""
    assert not Story.objects.filter(storyteller=kit).exists()
    assert not Highlight.objects.exists()
    event = Event.objects.get(verb="consent.withdraw")
    assert (event.actor, event.data) == (None, {"stories_removed": 1})


def test_an_unknown_or_withdrawn_storyteller_is_named_in_the_error(project, kit, capsys):
    args = ["withdraw", "--project", project.slug, "--storyteller", "Sam", "--yes"]
    assert cli.main(args) == 2
    assert "no storyteller called 'Sam'" in capsys.readouterr().err
    assert cli.main(["withdraw", "--project", project.slug, "--storyteller", "Kit", "--yes"]) == 0
    assert cli.main(["withdraw", "--project", project.slug, "--storyteller", "Kit", "--yes"]) == 2
    assert Storyteller.objects.get(pk=kit.pk).withdrawn_at is not None


def test_as_a_member_who_may_not_it_is_refused(project, kit, capsys):
    member = make_member(project, ProjectRole.MEMBER)
    args = ["withdraw", "--project", project.slug, "--storyteller", "Kit", "--yes"]
    assert cli.main([*args, "--as", member.email]) == 1
    assert "may not withdraw consent" in capsys.readouterr().err
    assert Story.objects.filter(storyteller=kit).exists()


def test_a_shared_real_name_is_refused_with_numbers_and_the_number_works(project, kit, capsys):
    other = make_storyteller(project, pseudonym="Jo", real_name="priya  SHARMA")
    args = ["withdraw", "--project", project.slug, "--yes", "--storyteller"]
    assert cli.main([*args, "Priya Sharma"]) == 2
    err = capsys.readouterr().err
    assert f"numbers {kit.pk}, {other.pk}" in err and "give the number" in err
    assert Storyteller.objects.filter(withdrawn_at__isnull=True).count() == 2
    assert cli.main([*args, str(other.pk)]) == 0
    assert Storyteller.objects.get(pk=other.pk).withdrawn_at is not None
    assert Storyteller.objects.get(pk=kit.pk).withdrawn_at is None
