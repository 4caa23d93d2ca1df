"""Every role against every jobs permission, and the selector agrees with the rules."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from cohub.apps.jobs.models import Job
from cohub.apps.jobs.selectors import jobs_visible_to

pytestmark = pytest.mark.django_db

PERMISSIONS = ["jobs.view_job", "jobs.retry_job"]


@pytest.fixture
def job(owner):
    return Job.objects.create(kind="test.succeeds", created_by=owner)


@pytest.fixture
def people(owner, outsider, superuser):
    return {
        "owner": owner,
        "outsider": outsider,
        "superuser": superuser,
        "anonymous": AnonymousUser(),
    }


@pytest.mark.parametrize("perm", PERMISSIONS)
@pytest.mark.parametrize(
    ("role", "allowed"),
    [("owner", True), ("superuser", True), ("outsider", False), ("anonymous", False)],
)
def test_who_may_see_and_retry_a_job(people, job, perm, role, allowed):
    assert people[role].has_perm(perm, job) is allowed


@pytest.mark.parametrize("role", ["owner", "superuser", "outsider", "anonymous"])
def test_the_list_of_visible_jobs_matches_the_rule(people, job, role):
    user = people[role]
    assert (job in jobs_visible_to(user)) is user.has_perm("jobs.view_job", job)


def test_a_job_started_by_nobody_is_only_for_superusers(people):
    orphan = Job.objects.create(kind="test.succeeds", created_by=None)
    assert not people["owner"].has_perm("jobs.view_job", orphan)
    assert people["superuser"].has_perm("jobs.view_job", orphan)


# ---------------------------------------------------------------------------
# A job that belongs to a project answers to that project's rules.

PROJECT_JOB_PEOPLE = {
    # who: (sees the job, how to make them)
    "starter": True,  # a community reporter who started it
    "facilitator": True,  # runs the project: sees every job of it
    "org_admin": True,
    "other_member": False,  # in the project, but did not start it
    "starter_who_left": False,  # started it, then lost their last role
    "outsider": False,
    "superuser": True,
}


@pytest.fixture
def project_job_people(superuser):
    from cohub.apps.projects.models import ProjectMembership, ProjectRole
    from tests.factories import ProjectFactory, make_member, make_org_admin

    project = ProjectFactory()
    starter = make_member(project, ProjectRole.COMMUNITY_REPORTER)
    leaver = make_member(project, ProjectRole.COMMUNITY_REPORTER)
    people = {
        "starter": starter,
        "facilitator": make_member(project, ProjectRole.FACILITATOR),
        "org_admin": make_org_admin(project.organisation),
        "other_member": make_member(project, ProjectRole.MEMBER),
        "starter_who_left": leaver,
        "outsider": make_member(ProjectFactory(), ProjectRole.FACILITATOR),
        "superuser": superuser,
    }
    jobs = {
        "starter": Job.objects.create(
            kind="test.succeeds", project_id=project.pk, created_by=starter
        ),
        "starter_who_left": Job.objects.create(
            kind="test.succeeds", project_id=project.pk, created_by=leaver
        ),
    }
    ProjectMembership.objects.filter(user=leaver).delete()
    return people, jobs


@pytest.mark.parametrize("perm", PERMISSIONS)
@pytest.mark.parametrize(("who", "allowed"), PROJECT_JOB_PEOPLE.items())
def test_who_may_see_and_retry_a_project_job(project_job_people, perm, who, allowed):
    people, jobs = project_job_people
    job = jobs.get(who, jobs["starter"])
    assert people[who].has_perm(perm, job) is allowed


@pytest.mark.parametrize("who", PROJECT_JOB_PEOPLE)
def test_the_list_of_visible_project_jobs_matches_the_rule(project_job_people, who):
    people, jobs = project_job_people
    user = people[who]
    for job in jobs.values():
        assert (job in jobs_visible_to(user)) is user.has_perm("jobs.view_job", job), job
