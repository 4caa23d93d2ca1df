"""Every role tried against each assessment permission."""

import pytest

from tests.factories import ProjectFactory, user_for_role

ROLES = ["facilitator", "community_reporter", "member", "decision_maker", "org_admin", "outsider"]
ALLOWED = {
    "assess.open_round": {"facilitator", "org_admin"},
    "assess.answer_round": {"facilitator", "community_reporter", "member", "decision_maker"},
    "assess.view_results": {
        "facilitator",
        "community_reporter",
        "member",
        "decision_maker",
        "org_admin",
    },
    "assess.manage_actions": {"facilitator", "org_admin"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("perm", sorted(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_each_role(perm, role):
    project = ProjectFactory()
    user = user_for_role(project, role)
    assert user.has_perm(perm, project) == (role in ALLOWED[perm])
