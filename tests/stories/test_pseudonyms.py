"""Two storytellers in one project may not share a name; one who withdrew is named by nobody.

Names are compared ignoring capitals and spacing. The services refuse with a
message for the pseudonym field and the command line; the database refuses as
a backstop. Withdrawn storytellers all become "Withdrawn storyteller", never a
number, and leave their old name free.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cohub.apps.core.errors import ServiceError
from cohub.apps.projects.models import ProjectRole
from cohub.apps.stories import services
from cohub.apps.stories.models import Storyteller
from tests.factories import GATHER_ONLY, ProjectFactory, make_member, make_storyteller

pytestmark = pytest.mark.django_db


def _url(name, project, **kwargs):
    return reverse(f"stories:{name}", kwargs={"project_slug": project.slug, **kwargs})


# --- The service -----------------------------------------------------------------------------


@pytest.mark.parametrize("again", ["Robin", "robin", "  ROBIN ", "Robin\t"])
def test_a_second_storyteller_with_the_same_name_is_refused(project, again):
    make_storyteller(project, pseudonym="Robin")
    with pytest.raises(ServiceError, match="already called 'Robin'") as refused:
        services.storyteller_create(project=project, actor=None, pseudonym=again)
    assert refused.value.field == "pseudonym"
    assert Storyteller.objects.count() == 1


def test_spacing_inside_a_name_counts_as_one_space(project):
    first = make_storyteller(project, pseudonym="  Robin   B  ")
    assert first.pseudonym == "Robin B"
    with pytest.raises(ServiceError, match="already called 'Robin B'"):
        services.storyteller_create(project=project, actor=None, pseudonym="robin b")


def test_the_same_name_in_another_project_is_fine(project):
    make_storyteller(project, pseudonym="Robin")
    elsewhere = make_storyteller(ProjectFactory(), pseudonym="Robin")
    assert elsewhere.pseudonym == "Robin"


def test_renaming_to_someone_elses_name_is_refused_and_to_ones_own_is_fine(project):
    robin = make_storyteller(project, pseudonym="Robin")
    sam = make_storyteller(project, pseudonym="Sam")
    with pytest.raises(ServiceError, match="already called 'Robin'"):
        services.storyteller_update(storyteller=sam, actor=None, pseudonym="ROBIN")
    sam.refresh_from_db()
    assert sam.pseudonym == "Sam"
    services.storyteller_update(storyteller=robin, actor=None, pseudonym="ROBIN")
    robin.refresh_from_db()
    assert robin.pseudonym == "ROBIN"


def test_a_withdrawn_storyteller_is_named_by_nobody_and_frees_their_name(project):
    robin = make_storyteller(project, pseudonym="Robin")
    other = make_storyteller(project, pseudonym="Sam")
    services.consent_withdraw(storyteller=robin, actor=None)
    services.consent_withdraw(storyteller=other, actor=None)
    robin.refresh_from_db()
    other.refresh_from_db()
    assert robin.pseudonym == other.pseudonym == "Withdrawn storyteller"
    assert not any(ch.isdigit() for ch in robin.pseudonym)
    again = make_storyteller(project, pseudonym="Robin")  # the name is free again
    assert again.pk != robin.pk


@pytest.mark.parametrize("name", ["Withdrawn storyteller", "withdrawn  STORYTELLER"])
def test_no_one_active_may_take_the_withdrawn_name(project, name):
    with pytest.raises(ServiceError, match="is how cohub shows people who have withdrawn"):
        services.storyteller_create(project=project, actor=None, pseudonym=name)
    sam = make_storyteller(project, pseudonym="Sam")
    with pytest.raises(ServiceError, match="is how cohub shows people who have withdrawn"):
        services.storyteller_update(storyteller=sam, actor=None, pseudonym=name)


def test_the_database_refuses_a_shared_name_written_around_the_service(project):
    Storyteller.objects.create(project=project, pseudonym="Robin")
    with pytest.raises(IntegrityError), transaction.atomic():
        Storyteller.objects.create(project=project, pseudonym="robin")
    # Withdrawn rows all share one name, so they are left out of the rule.
    for _ in range(2):
        Storyteller.objects.create(
            project=project, pseudonym="Withdrawn storyteller", withdrawn_at=timezone.now()
        )


def test_files_named_alike_get_storytellers_told_apart(project):
    result = services.stories_import_batch(
        project=project,
        actor=None,
        consent_for_new=GATHER_ONLY,
        files=[
            SimpleUploadedFile("notes.txt", b"Sam: The first time."),
            SimpleUploadedFile("Notes.docx.txt", b"Sam: The second time."),
            SimpleUploadedFile("notes.txt", b"Sam: The third time."),
        ],
    )
    assert not result.failed, [item.error for item in result.failed]
    names = [item.story.storyteller.pseudonym for item in result.files]
    assert names == ["notes", "Notes.docx", "notes (2)"]


def test_a_file_named_like_the_withdrawn_label_gets_another_name(project):
    result = services.stories_import_batch(
        project=project,
        actor=None,
        consent_for_new=GATHER_ONLY,
        files=[SimpleUploadedFile("Withdrawn storyteller.txt", b"Sam: Hello.")],
    )
    assert result.files[0].story.storyteller.pseudonym == "Withdrawn storyteller (2)"


# --- Pages -----------------------------------------------------------------------------------


def _profile(**overrides):
    data = {"pseudonym": "robin", "record": "on", "transcribe": "on", "topics": ""}
    data.update(overrides)
    return data


def test_the_create_page_shows_the_refusal_beside_the_pseudonym(client, project):
    make_storyteller(project, pseudonym="Robin")
    client.force_login(make_member(project, ProjectRole.COMMUNITY_REPORTER))
    response = client.post(
        _url("storyteller_create", project), _profile(self_description="Loves buses.")
    )
    page = response.content.decode()
    assert response.status_code == 200
    error_box = page[page.index('id="id_pseudonym_error"') :]
    assert "already called &#x27;Robin&#x27;" in error_box[:600]
    assert "Loves buses." in page  # nothing typed is lost
    assert Storyteller.objects.count() == 1


def test_the_edit_page_shows_the_refusal_beside_the_pseudonym(client, project):
    make_storyteller(project, pseudonym="Robin")
    sam = make_storyteller(project, pseudonym="Sam")
    client.force_login(make_member(project, ProjectRole.FACILITATOR))
    response = client.post(
        _url("storyteller_edit", project, storyteller_id=sam.pk), _profile(pseudonym="ROBIN")
    )
    page = response.content.decode()
    error_box = page[page.index('id="id_pseudonym_error"') :]
    assert "already called &#x27;Robin&#x27;" in error_box[:600]
    sam.refresh_from_db()
    assert sam.pseudonym == "Sam"


def test_pages_name_a_withdrawn_storyteller_without_a_number(client, project):
    robin = make_storyteller(project, pseudonym="Robin")
    services.consent_withdraw(storyteller=robin, actor=None)
    client.force_login(make_member(project, ProjectRole.FACILITATOR))
    for page in (
        client.get(_url("storyteller_list", project)),
        client.get(_url("storyteller_detail", project, storyteller_id=robin.pk)),
        client.get(_url("consent_withdraw", project, storyteller_id=robin.pk), follow=True),
    ):
        html = page.content.decode()
        assert "Withdrawn storyteller" in html
        assert f"storyteller {robin.pk}" not in html.lower()
        assert "Robin" not in html
