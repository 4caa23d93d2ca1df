from __future__ import annotations

import pytest

from tests.jobs import kinds  # noqa: F401  (registers the test job kinds)


@pytest.fixture
def owner(django_user_model):
    return django_user_model.objects.create_user("owner@example.org", "pw-owner-123")


@pytest.fixture
def outsider(django_user_model):
    return django_user_model.objects.create_user("outsider@example.org", "pw-outsider-123")


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("admin@example.org", "pw-admin-123")


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Run on-commit work (the enqueue, hence the job) when the block ends.

    Tests sit inside a transaction that never commits, so without this a job
    would be created but never queued.
    """
    return lambda: django_capture_on_commit_callbacks(execute=True)
