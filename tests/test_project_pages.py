"""Project pages share one layout: ``cohub/templates/project_base.html``.

The breadcrumbs and the project navigation were once copied into every page;
a copy that drifted lost its ``aria-current`` or its last crumb. These tests
keep the markup in one place and check what a page built on it shows.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template, engines
from django.urls import reverse

from tests.factories import OrganisationFactory, make_org_admin, make_storyteller

ROOT = Path(__file__).resolve().parent.parent / "cohub"


def _templates() -> list[Path]:
    return sorted(p for p in ROOT.rglob("templates/**/*.html"))


BASES = ("project_base.html", "organisation_base.html")


def test_only_the_base_templates_write_breadcrumbs_and_project_navigation():
    copies = [
        str(path.relative_to(ROOT))
        for path in _templates()
        if path.name not in BASES
        and ("includes/project_nav.html" in path.read_text() or "Breadcrumb" in path.read_text())
    ]
    # The account pages are not inside a project and keep their own short trail (the
    # two-step sign-in pages share one, under "Your account"); an organisation's pages
    # have their own frame, organisation_base.html.
    assert copies == [
        "apps/accounts/templates/accounts/password_change.html",
        "apps/projects/templates/twofactor/_crumbs.html",
    ]


def test_every_page_with_a_project_nav_section_extends_project_base():
    for path in _templates():
        text = path.read_text()
        if path.name not in BASES and (
            "{% block section %}" in text or "{% block crumbs %}" in text
        ):
            # A page shared by a project and an organisation extends its place's frame,
            # which is one of the two bases (assess.views.Place).
            assert text.startswith(
                ('{% extends "project_base.html" %}', "{% extends place.base %}")
            ), path


def test_a_block_inside_capture_can_be_overridden_by_a_child():
    engine = engines["django"].engine
    parent = engine.from_string(
        "{% load cohub %}{% capture as where %}{% block where %}{% endblock %}{% endcapture %}"
        "[{{ where }}]"
    )
    child = Template("{% extends parent %}{% block where %}  themes\n{% endblock %}")
    assert child.render(Context({"parent": parent})) == "[themes]"


@pytest.mark.django_db
def test_a_project_page_shows_its_trail_and_marks_its_section(client, project, facilitator):
    storyteller = make_storyteller(project, pseudonym="Robin")
    client.force_login(facilitator)
    url = reverse(
        "stories:consent_update",
        kwargs={"project_slug": project.slug, "storyteller_id": storyteller.pk},
    )
    html = client.get(url).content.decode()

    trail = re.search(r'<nav aria-label="Breadcrumb">(.*?)</nav>', html, re.S)
    assert trail is not None
    assert re.findall(r"<li><a [^>]*>([^<]+)</a></li>", trail.group(1)) == [
        "Projects",
        project.name,
        "Storytellers",
        "Robin",
    ]
    nav = re.search(
        r'<nav class="project-nav" aria-label="Project sections">(.*?)</nav>', html, re.S
    )
    assert nav is not None
    assert nav.group(1).count('aria-current="page"') == 1
    assert 'aria-current="page">Storytellers</a>' in nav.group(1)


@pytest.mark.django_db
def test_the_overview_is_not_its_own_crumb_and_is_the_current_section(client, project, facilitator):
    client.force_login(facilitator)
    html = client.get(reverse("projects:detail", kwargs={"project_slug": project.slug})).content
    trail = re.search(r'<nav aria-label="Breadcrumb">(.*?)</nav>', html.decode(), re.S)
    assert trail is not None
    assert re.findall(r"<li><a [^>]*>([^<]+)</a></li>", trail.group(1)) == ["Projects"]
    assert 'aria-current="page">Overview</a>' in html.decode()


@pytest.mark.django_db
def test_starting_a_project_has_no_project_navigation(client):
    client.force_login(make_org_admin(OrganisationFactory()))
    html = client.get(reverse("projects:create")).content.decode()
    assert 'aria-label="Breadcrumb"' in html
    assert 'aria-label="Project sections"' not in html
