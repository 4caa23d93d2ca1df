import pytest

from cohub.apps.core.cleaning import clean_choices, clean_topics
from cohub.apps.core.errors import ServiceError


def test_choices_keep_order_and_drop_repeats():
    assert clean_choices(["policy", "research", "policy"], ["research", "policy"], "sector") == [
        "policy",
        "research",
    ]


def test_an_unoffered_choice_is_refused_with_the_options():
    with pytest.raises(ServiceError, match="Unknown sector 'housing'; choose from research"):
        clean_choices(["housing"], ["research", "policy"], "sector")


def test_topics_are_tidied_and_deduplicated_ignoring_case():
    assert clean_topics(["  Housing ", "housing", "Mental   health", "", "STRASSE", "straße"]) == [
        "Housing",
        "Mental health",
        "STRASSE",
    ]
