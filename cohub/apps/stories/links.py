"""Private links to a storyteller's own page, and the narrow session they open (ADR 0032).

A storyteller owns their story and may check how it is used without an
account or a project role. A facilitator makes a link for one storyteller;
opening it signs the browser into a *storyteller session*: a mark in the
session naming the link, which lets that browser see that storyteller's own
page and nothing else (it is not a login: ``request.user`` stays who it was,
so no project page opens). Every request checks the link again, so revoking
it, a newer link, an expiry or a withdrawal ends the session at once.

Someone with an account linked to a storyteller (``Storyteller.user``) gets
the same page by signing in; that path needs no link.

Only the SHA-256 of the secret is stored; the secret is 32 random bytes, so
guessing is hopeless, and guesses are throttled all the same, on the one
count every private link shares (``core.private_links``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from cohub.apps.accounts.models import User
from cohub.apps.core import private_links
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import record_event
from cohub.apps.stories.models import Storyteller, StorytellerLink

LINK_DAYS = 30
"""How long a new link works unless the facilitator chooses otherwise."""
MAX_LINK_DAYS = 90
SESSION_KEY = "cohub_storyteller"
"""The session entry of a storyteller session: ``{"via": "link", "link": id}`` or an account's."""


@dataclass(frozen=True)
class NewLink:
    """A link just made: the row, and the secret, which is shown once and never stored."""

    link: StorytellerLink
    token: str


def _active(queryset: Any) -> Any:
    return queryset.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


def storyteller_link_current(storyteller: Storyteller) -> StorytellerLink | None:
    """The storyteller's link that works now, if any (there is at most one)."""
    return _active(storyteller.links.all()).first()


@transaction.atomic
def storyteller_link_create(
    *, storyteller: Storyteller, actor: User, days: int = LINK_DAYS
) -> NewLink:
    """Make a new link for ``storyteller``; any earlier link stops working.

    Refused for a withdrawn storyteller (there is nothing left to check) and
    for a lifetime outside 1 to ``MAX_LINK_DAYS`` days.
    """
    storyteller = Storyteller.objects.select_for_update().get(pk=storyteller.pk)
    if storyteller.withdrawn_at is not None:
        raise ServiceError("This storyteller withdrew their consent, so there is nothing to check.")
    if not 1 <= days <= MAX_LINK_DAYS:
        raise ServiceError(f"A link can last from 1 to {MAX_LINK_DAYS} days.")
    now = timezone.now()
    replaced = _active(storyteller.links.all()).update(revoked_at=now, revoked_by=actor)
    token, digest = private_links.new_secret()
    link = StorytellerLink.objects.create(
        storyteller=storyteller,
        token_hash=digest,
        created_by=actor,
        expires_at=now + dt.timedelta(days=days),
    )
    record_event(
        actor=actor,
        verb="storyteller_link.create",
        target=storyteller,
        project_id=storyteller.project_id,
        data={"link": link.pk, "days": days, "replaced": replaced},
    )
    return NewLink(link=link, token=token)


@transaction.atomic
def storyteller_link_revoke(*, storyteller: Storyteller, actor: User) -> int:
    """Stop the storyteller's link working now; returns how many links were stopped (0 or 1)."""
    revoked = _active(storyteller.links.select_for_update()).update(
        revoked_at=timezone.now(), revoked_by=actor
    )
    if revoked:
        record_event(
            actor=actor,
            verb="storyteller_link.revoke",
            target=storyteller,
            project_id=storyteller.project_id,
            data={"links": revoked},
        )
    return revoked


class LinkRefused(ServiceError):
    """A link that opens nothing; ``reason`` says which kind page to show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@transaction.atomic
def storyteller_link_open(*, request: HttpRequest, token: str) -> Storyteller:
    """Open a link: start a storyteller session for its storyteller, and note the use.

    Raises ``LinkRefused`` with reason "unknown", "expired", "revoked" or
    "withdrawn"; each refusal counts towards the address's guesses.
    """
    link = (
        StorytellerLink.objects.select_for_update()
        .select_related("storyteller")
        .filter(token_hash=private_links.digest(token))
        .first()
    )
    reason = ""
    if link is None:
        reason = "unknown"
    elif link.revoked_at is not None:
        reason = "revoked"
    elif link.expires_at <= timezone.now():
        reason = "expired"
    elif link.storyteller.withdrawn_at is not None:
        reason = "withdrawn"
    if link is not None:
        record_event(
            actor=None,
            verb="storyteller_link.open" if not reason else "storyteller_link.refused",
            target=link.storyteller,
            project_id=link.storyteller.project_id,
            data={"link": link.pk, **({"reason": reason} if reason else {})},
        )
    if reason or link is None:
        private_links.count_guess(request)
        raise LinkRefused(reason or "unknown")
    link.last_used_at = timezone.now()
    link.times_used += 1
    link.save(update_fields=["last_used_at", "times_used"])
    # A new session key, so a session id planted before the link was opened gains nothing.
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"via": "link", "link": link.pk}
    return link.storyteller


def account_storytellers(user: Any) -> list[Storyteller]:
    """The storytellers whose account ``user`` is, still taking part."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Storyteller.objects.filter(user=user, withdrawn_at__isnull=True).select_related("project")
    )


def account_choose(*, request: HttpRequest, storyteller_id: int) -> Storyteller:
    """Say which of the signed-in person's storytellers the page is for (they may have several)."""
    for storyteller in account_storytellers(request.user):
        if storyteller.pk == storyteller_id:
            request.session[SESSION_KEY] = {"via": "account", "storyteller": storyteller.pk}
            return storyteller
    raise ServiceError("That is not one of your stories.")


@dataclass(frozen=True)
class StorytellerAccess:
    """Who the storyteller page is for in this request, and how they got in."""

    storyteller: Storyteller
    via: str  # "link" or "account"
    link: StorytellerLink | None = None

    @property
    def actor(self) -> User | None:
        """The account to name in the audit log, when they signed in as themselves."""
        return self.storyteller.user if self.via == "account" else None


def storyteller_access(request: HttpRequest) -> StorytellerAccess | None:
    """The storyteller this request may see the page of, or None.

    A link session is checked against its link every time; a stale one is
    forgotten. Otherwise an account linked to exactly one storyteller (or to
    the one it chose) gets theirs. A withdrawn storyteller's page only says
    that everything was removed.
    """
    held = request.session.get(SESSION_KEY) or {}
    if held.get("via") == "link":
        link = (
            StorytellerLink.objects.select_related("storyteller__project")
            .filter(
                pk=int(held.get("link") or 0),
                revoked_at__isnull=True,
                expires_at__gt=timezone.now(),
            )
            .first()
        )
        if link is not None:
            return StorytellerAccess(storyteller=link.storyteller, via="link", link=link)
        request.session.pop(SESSION_KEY, None)
        return None
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    if held.get("via") == "account":
        chosen = (
            Storyteller.objects.select_related("project")
            .filter(pk=int(held.get("storyteller") or 0), user_id=int(user.pk or 0))
            .first()
        )
        if chosen is not None:
            return StorytellerAccess(storyteller=chosen, via="account")
    mine = account_storytellers(user)
    if len(mine) == 1:
        return StorytellerAccess(storyteller=mine[0], via="account")
    return None


def storyteller_session_end(request: HttpRequest) -> None:
    """Leave the storyteller page: forget the link on this browser (the link still works)."""
    request.session.pop(SESSION_KEY, None)
