"""The shipped questions worded for a whole organisation (ADR 0028).

A framework file may reword its questions for an organisation-wide round in
an ``organisation`` block; loading it makes a second version row of the same
number, and a round of a whole organisation asks that one. The keys, and so
the answers, results and trends, are the same in both wordings.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
from django.urls import reverse

from cohub.apps.assess.models import AssessmentItem, FrameworkVersion
from cohub.apps.assess.selectors import (
    framework_version,
    round_framework_choices,
    round_items,
    shipped_frameworks,
)
from cohub.apps.assess.services import (
    FRAMEWORKS_DIR,
    frameworks_load,
    organisation_round_open,
    round_open,
)
from cohub.apps.core.errors import ServiceError
from cohub.apps.projects.models import ProjectRole
from tests.factories import OrganisationFactory, ProjectFactory, make_member

pytestmark = pytest.mark.django_db

PROJECT_WORD = re.compile(r"\bprojects?\b", re.IGNORECASE)
WORDED = ("title", "statement", "easy_read", "good_looks_like")


@pytest.fixture
def org():
    frameworks_load()
    organisation = OrganisationFactory(name="Northside Council")
    project = ProjectFactory(organisation=organisation)
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    return organisation, project, facilitator


def words_of(items):
    return [getattr(item, field) for item in items for field in WORDED]


def test_an_organisation_round_never_asks_about_this_project(org):
    organisation, _, facilitator = org
    every = shipped_frameworks()
    assessment = organisation_round_open(
        organisation=organisation, title="Across the council", versions=every, actor=facilitator
    )
    asked = round_items(assessment)
    assert {i.key for i in asked} == {
        i.key for i in AssessmentItem.objects.filter(framework_version__in=every)
    }
    said = [w for w in words_of(asked) if PROJECT_WORD.search(w)]
    assert said == []
    summaries = [v.summary for v in assessment.framework_versions.all()]
    assert not [s for s in summaries if PROJECT_WORD.search(s)]
    # The project wording does speak of the project, so the round did change words.
    assert [
        w
        for w in words_of(AssessmentItem.objects.filter(framework_version__in=every))
        if PROJECT_WORD.search(w)
    ]


def test_a_project_round_asks_in_project_words_even_if_given_the_organisation_wording(org):
    organisation, project, facilitator = org
    twin = FrameworkVersion.objects.get(framework__key="principles", for_organisation=True)
    assessment = round_open(project=project, title="Spring", versions=[twin], actor=facilitator)
    [version] = assessment.framework_versions.all()
    assert version.for_organisation is False and version.version == twin.version
    first = round_items(assessment)[0]
    assert first.statement.startswith("This project ")


def test_both_wordings_keep_the_same_keys_answers_and_version_number(org):
    for twin in FrameworkVersion.objects.filter(for_organisation=True):
        plain = FrameworkVersion.objects.get(
            framework=twin.framework, version=twin.version, for_organisation=False
        )
        assert list(twin.items.values_list("key", "position")) == list(
            plain.items.values_list("key", "position")
        )
        assert (twin.answer_kind, twin.choices) == (plain.answer_kind, plain.choices)
    assert FrameworkVersion.objects.filter(for_organisation=True).count() >= 3


def test_people_choose_among_one_wording_of_each_framework(org):
    _, project, _ = org
    keys = [v.framework.key for v in round_framework_choices(project)]
    assert len(keys) == len(set(keys)) == len(list(FRAMEWORKS_DIR.glob("*.json")))
    assert all(not v.for_organisation for v in round_framework_choices(project))
    assert framework_version("ladder").for_organisation is False


def test_loading_again_adds_no_second_organisation_wording(org):
    rows = FrameworkVersion.objects.count(), AssessmentItem.objects.count()
    again = frameworks_load()
    assert again.added == []
    assert (FrameworkVersion.objects.count(), AssessmentItem.objects.count()) == rows


@pytest.mark.parametrize(
    ("block", "said"),
    [
        ({"key": "other"}, "may only reword title, statement, easy_read, good_looks_like"),
        ({"statement": "  "}, "has no words for statement"),
        ([], "must list the words it changes"),
    ],
)
def test_a_bad_organisation_block_is_refused_with_where_it_is(tmp_path, block, said):
    folder = tmp_path / "frameworks"
    shutil.copytree(FRAMEWORKS_DIR, folder)
    path = folder / "principles.json"
    data = json.loads(path.read_text())
    data["items"][1]["organisation"] = block
    path.write_text(json.dumps(data))
    with pytest.raises(ServiceError, match=f"principles.json: item 2's .*{re.escape(said)}"):
        frameworks_load(directory=folder)
    assert not FrameworkVersion.objects.filter(framework__key="principles").exists()


def test_the_answer_page_of_an_organisation_round_shows_the_organisation_words(client, org):
    organisation, project, facilitator = org
    assessment = organisation_round_open(
        organisation=organisation,
        title="Across the council",
        versions=[framework_version("principles")],
        actor=facilitator,
    )
    client.force_login(facilitator)
    page = client.get(
        reverse("org_assess:round_answer", args=[organisation.slug, assessment.pk, 1])
    ).content.decode()
    assert "This organisation treats people who use services" in page
    assert "This project" not in page
    easy = client.get(
        reverse("org_assess:round_answer", args=[organisation.slug, assessment.pk, 2])
        + "?words=easy",
        follow=True,
    ).content.decode()
    assert "This organisation uses what people can already do." in easy


def test_the_round_report_says_which_wording_a_round_asked(client, org):
    organisation, project, facilitator = org
    versions = [framework_version("principles"), framework_version("embedding")]
    whole = organisation_round_open(
        organisation=organisation, title="Across the council", versions=versions, actor=facilitator
    )
    ours = round_open(project=project, title="Spring", versions=versions, actor=facilitator)
    client.force_login(facilitator)
    page = client.get(
        reverse("org_assess:round_report", args=[organisation.slug, whole.pk])
    ).content.decode()
    assert "Six principles of co-production (version 2, worded for an organisation)" in page
    assert "Four issues for embedding co-production (version 1)" in page  # no other words
    page = client.get(reverse("assess:round_report", args=[project.slug, ours.pk])).content.decode()
    assert "worded for an organisation" not in page
