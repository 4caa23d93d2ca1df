"""Every kind of private link shares one count of guesses per address."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cohub.apps.core import private_links

pytestmark = pytest.mark.django_db


def test_guessing_at_one_kind_of_link_uses_up_the_allowance_for_the_other():
    guesser = Client()
    half = private_links.GUESS_LIMIT // 2
    for number in range(half):
        assert guesser.get(reverse("my_story:open", args=[f"guess-{number}"])).status_code == 404
    for number in range(private_links.GUESS_LIMIT - half):
        wrong = guesser.get(reverse("peer:open", kwargs={"peer_token": f"guess-{number}"}))
        assert wrong.status_code == 404
    assert guesser.get(reverse("peer:open", kwargs={"peer_token": "one-more"})).status_code == 429
    assert guesser.get(reverse("my_story:open", args=["one-more"])).status_code == 429
    # Another address still has its own allowance.
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert other.get(reverse("my_story:open", args=["first-try"])).status_code == 404


def test_only_the_digest_of_a_secret_is_kept_and_it_is_new_each_time():
    token, digest = private_links.new_secret()
    again, _ = private_links.new_secret()
    assert token != again and len(token) >= 43
    assert digest == private_links.digest(token) and token not in digest
