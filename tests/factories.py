"""Factories and role helpers shared by the test suite.

Stories and storytellers are made through the services, so tests exercise
the same write path the product uses.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

import factory

from cohub.apps.accounts.models import Organisation, OrganisationMembership, OrganisationRole, User
from cohub.apps.projects.models import Project, ProjectMembership, ProjectRole
from cohub.apps.stories import services as story_services
from cohub.apps.stories.models import Story, Storyteller

PASSWORD = "correct horse battery staple"  # noqa: S105

ALL_SCOPES = {
    "record": True,
    "transcribe": True,
    "quote_anonymously": True,
    "quote_by_name": True,
    "publish_in_library": True,
}
GATHER_ONLY = {"record": True, "transcribe": True}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Project {n}")
    slug = factory.Sequence(lambda n: f"project-{n}")
    purpose = "Understand what helps people after a crisis."
    opening_question = "Tell me about a time you needed support."
    offer_and_control = "We pay for your time. You decide what is shared."
    sectors = ["services"]
    topics = ["health and social care"]


def make_member(project: Project, *roles: str, user: User | None = None) -> User:
    """A user holding ``roles`` in ``project`` (a new user unless one is given)."""
    user = user or UserFactory()
    for role in roles:
        ProjectMembership.objects.get_or_create(project=project, user=user, role=role)
    return user


def make_org_admin(organisation: Organisation, user: User | None = None) -> User:
    user = user or UserFactory()
    OrganisationMembership.objects.get_or_create(
        organisation=organisation, user=user, role=OrganisationRole.ADMIN
    )
    return user


def make_storyteller(
    project: Project,
    *,
    consent: dict[str, Any] | None = None,
    pseudonym: str | None = None,
    actor: User | None = None,
    **profile: Any,
) -> Storyteller:
    """A storyteller registered by the service; "Robin" unless asked, then "Robin 2"...

    Two active storytellers in a project may not share a name, so a test that
    needs several without caring what they are called gets them numbered.
    """
    if pseudonym is None:
        taken = set(
            Storyteller.objects.filter(project=project, withdrawn_at__isnull=True).values_list(
                "pseudonym", flat=True
            )
        )
        pseudonym, number = "Robin", 1
        while pseudonym in taken:
            number += 1
            pseudonym = f"Robin {number}"
    return story_services.storyteller_create(
        project=project,
        actor=actor,
        pseudonym=pseudonym,
        consent=ALL_SCOPES if consent is None else consent,
        **profile,
    )


def make_story(
    project: Project,
    *,
    storyteller: Storyteller | None = None,
    text: str = "Sam: How did it start?\n\nRobin: I lost my job and then my flat.",
    title: str = "A story",
    actor: User | None = None,
) -> Story:
    storyteller = storyteller or make_storyteller(project)
    return story_services.story_create_from_text(
        project=project, storyteller=storyteller, actor=actor, title=title, text=text
    )


ROLE_NAMES = {
    "facilitator": ProjectRole.FACILITATOR,
    "community_reporter": ProjectRole.COMMUNITY_REPORTER,
    "member": ProjectRole.MEMBER,
    "decision_maker": ProjectRole.DECISION_MAKER,
}


def user_for_role(project: Project, role: str) -> User | None:
    """A user in ``role``: a project role, 'org_admin', 'outsider' or 'anonymous'."""
    if role == "anonymous":
        return None
    if role == "org_admin":
        return make_org_admin(project.organisation)
    if role == "outsider":
        other = ProjectFactory()
        return make_member(other, ProjectRole.FACILITATOR)
    return make_member(project, ROLE_NAMES[role])


ALL_ROLES = (
    "facilitator",
    "community_reporter",
    "member",
    "decision_maker",
    "org_admin",
    "outsider",
    "anonymous",
)


def log_in_as_role(client: Any, project: Project, role: str) -> User | None:
    """Log the test client in as a new user holding ``role`` (nobody, for 'anonymous')."""
    user = user_for_role(project, role)
    if user is not None:
        client.force_login(user)
    return user


def assert_role_access(
    response: Any, role: str, allowed: Iterable[str], *, ok: tuple[int, ...] = (200, 302)
) -> None:
    """Anonymous visitors go to log in, allowed roles get ``ok``, everyone else a 403."""
    from django.urls import reverse

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    elif role in allowed:
        assert response.status_code in ok, response.content[:500]
    else:
        assert response.status_code == 403


TWO_SPEAKER_VTT = b"""WEBVTT

1
00:00:01.000 --> 00:00:04.500
<v Sam>How did it start?</v>

2
00:00:05.000 --> 00:00:09.000
<v Robin>I lost my job, and then my flat.</v>

3
00:00:09.500 --> 00:00:12.000
<v Robin>The council helped in the end.</v>
"""


def import_vtt_story(project: Project, storyteller: Storyteller) -> Story:
    """A story imported from ``TWO_SPEAKER_VTT``, with speakers and times."""
    return story_services.story_import_transcript(
        project=project,
        storyteller=storyteller,
        actor=None,
        data=TWO_SPEAKER_VTT,
        filename="interview.vtt",
    )


def make_upload(project: Project, storyteller: Storyteller, user: User, length: int = 1000) -> Any:
    """An unfinished resumable upload of a recording, started by ``user``."""
    from cohub.apps.stories.resumable import upload_create

    return upload_create(
        project=project,
        actor=user,
        length=length,
        metadata=f"filename {base64.b64encode(b'walk.webm').decode()},"
        f"storyteller {base64.b64encode(str(storyteller.pk).encode()).decode()}",
    )
