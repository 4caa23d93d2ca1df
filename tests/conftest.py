import pytest

from tests.browser_support import browser, page  # noqa: F401  (shared fixtures)
from tests.factories import ProjectFactory


@pytest.fixture
def project(db):
    return ProjectFactory()
