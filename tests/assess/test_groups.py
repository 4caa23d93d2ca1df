"""Which group a member answers as (cohub/apps/assess/groups.py)."""

import pytest

from cohub.apps.assess.groups import group_for


@pytest.mark.parametrize(
    ("taking_part", "roles", "group"),
    [
        ("lived_experience", {"facilitator"}, "lived_experience"),
        ("lived_experience", {"member"}, "lived_experience"),
        (None, {"decision_maker", "facilitator"}, "decision_maker"),
        (None, {"facilitator"}, "facilitator"),
        ("facilitating", {"member"}, "facilitator"),
        ("professional", {"member"}, "practitioner"),
        ("professional", {"community_reporter"}, "practitioner"),
        (None, {"member"}, None),
    ],
)
def test_group_for(taking_part, roles, group):
    assert group_for(taking_part=taking_part, roles=roles) == group
