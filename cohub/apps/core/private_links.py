"""Private links (a storyteller's own page, a peer reviewer's round): their secrets and guesses.

A private link is the only key to what it opens, so the hub keeps only the
SHA-256 of its secret (a leaked database opens nothing) and counts the links
an address tries that open nothing. The count is one per address for every
kind of private link: someone trying links gets one allowance in all, not
one per kind (ADR 0032, ADR 0034).
"""

from __future__ import annotations

import hashlib
import secrets

from django.core.cache import cache
from django.http import HttpRequest

GUESS_LIMIT = 10
"""Links that open nothing one address may try in ``GUESS_WINDOW_S`` before it must wait."""
GUESS_WINDOW_S = 15 * 60


def new_secret() -> tuple[str, str]:
    """A new link secret (32 random bytes, URL-safe) and the digest that is stored instead."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def digest(token: str) -> str:
    """What is stored of a link's secret, and what a link opened is looked up by."""
    return hashlib.sha256(token.encode()).hexdigest()


def _key(request: HttpRequest) -> str:
    # The address is hashed too: the cache is not a place for people's IP addresses.
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    return "cohub:private-link-guesses:" + digest(address)


def guesses_refused(request: HttpRequest) -> bool:
    """Whether this address has tried too many links that opened nothing, lately."""
    return int(cache.get(_key(request), 0)) >= GUESS_LIMIT


def count_guess(request: HttpRequest) -> None:
    """Count a link that opened nothing (unknown, stopped, expired) against this address."""
    key = _key(request)
    if cache.add(key, 1, GUESS_WINDOW_S):
        return
    try:
        cache.incr(key)
    except ValueError:  # it expired between the two calls
        cache.set(key, 1, GUESS_WINDOW_S)
