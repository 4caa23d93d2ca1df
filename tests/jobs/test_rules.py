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
