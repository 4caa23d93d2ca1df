import pytest

from cohub.apps.projects.models import ProjectRole
from tests.auth import VerifiedClient
from tests.browser_support import browser, page  # noqa: F401  (shared fixtures)
from tests.factories import ProjectFactory, make_member, make_story, make_storyteller


@pytest.fixture(autouse=True)
def _a_fresh_cache():
    """Each test starts with an empty cache.

    Counts kept there outlive a test otherwise: links that opened nothing are one
    count per address for every kind of private link (core.private_links), so
    the guesses of one test paused the links of the next in the same process.
    """
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def client():
    """pytest-django's client, whose ``force_login`` also passes two-step sign-in (tests/auth.py).

    So the two-step middleware stays on in every test; a test of the second step
    itself makes a plain ``django.test.Client``.
    """
    return VerifiedClient()


@pytest.fixture
def project(db):
    return ProjectFactory()


@pytest.fixture
def facilitator(project):
    return make_member(project, ProjectRole.FACILITATOR)


@pytest.fixture
def storyteller(project):
    return make_storyteller(project)


@pytest.fixture
def story(project, storyteller):
    return make_story(project, storyteller=storyteller)
