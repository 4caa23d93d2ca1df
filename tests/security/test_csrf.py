"""CSRF everywhere: every route refuses a POST that carries no CSRF token.

The routes are read from the URL configuration (tests/routes.py), so a route
added later is checked the day it is added. Django's CSRF check runs before
the view, so even a route that takes only GET answers 403 to a tokenless POST;
a route marked ``csrf_exempt`` would not, and fails here by name.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.auth import VerifiedClient
from tests.routes import site_routes
from tests.test_consent_on_every_page import build_world


@pytest.mark.django_db
def test_every_route_refuses_a_post_without_a_csrf_token():
    world = build_world()
    client = VerifiedClient(enforce_csrf_checks=True)
    client.force_login(world.facilitator)
    accepted = []
    routes = site_routes()
    for route, _ in routes:
        response = client.post(world.url(route), {"name": "x", "text": "x"})
        if response.status_code != 403:
            accepted.append(f"{route.name} answered {response.status_code}")
    assert len(routes) > 40
    assert not accepted, "These took a POST without a CSRF token:\n" + "\n".join(accepted)


@pytest.mark.django_db
def test_an_anonymous_post_to_the_login_form_needs_a_token_too():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "a", "password": "b"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_the_same_post_with_a_token_gets_past_the_check():
    """Without this, a site that refused every POST would pass the tests above."""
    world = build_world()
    client = VerifiedClient(enforce_csrf_checks=True)
    client.force_login(world.facilitator)
    url = world.url(next(r for r, _ in site_routes() if r.name == "analysis:board"))
    page = client.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "the board page has no form with a CSRF token"
    response = client.post(url, {"csrfmiddlewaretoken": token.group(1)})
    assert response.status_code != 403
