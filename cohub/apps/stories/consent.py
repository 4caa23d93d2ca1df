"""What a storyteller's consent allows right now.

Every service that uses a story asks here first, so consent is enforced
however the request arrives (web, CLI, API, a job).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cohub.apps.core.errors import ConsentError
from cohub.apps.stories.models import ConsentRecord, Storyteller
from cohub.apps.stories.scopes import ConsentScope


def current_consent(storyteller: Storyteller) -> ConsentRecord | None:
    """The latest consent version, or None if none was ever recorded.

    Uses a prefetched ``consent_records`` list when the caller loaded one.
    """
    cache = getattr(storyteller, "_prefetched_objects_cache", {})
    if "consent_records" in cache:
        records = cache["consent_records"]
        return max(records, key=lambda r: r.version) if records else None
    return storyteller.consent_records.order_by("-version").first()


def consent_allows(
    storyteller: Storyteller, scope: ConsentScope | str, *, today: dt.date | None = None
) -> bool:
    """True when the current consent grants ``scope`` and has not run out or been withdrawn.

    A scope's string value is accepted too; an unknown one raises ``ValueError``
    rather than quietly answering no, so a misspelt check cannot hide.
    """
    scope = ConsentScope.parse(scope)
    if storyteller.withdrawn_at is not None:
        return False
    record = current_consent(storyteller)
    if record is None or record.withdrawn:
        return False
    today = today or timezone.localdate()
    if record.keep_until is not None and record.keep_until < today:
        return False
    return record.granted(scope)


def require_consent(storyteller: Storyteller, *scopes: ConsentScope | str) -> None:
    """Raise ConsentError naming the first scope the storyteller has not agreed to."""
    for scope in map(ConsentScope.parse, scopes):
        if not consent_allows(storyteller, scope):
            record = current_consent(storyteller)
            if storyteller.withdrawn_at is not None or (record and record.withdrawn):
                reason = "has withdrawn consent"
            elif record and record.keep_until and record.keep_until < timezone.localdate():
                reason = f"agreed to keep their story only until {record.keep_until:%d %B %Y}"
            else:
                reason = f"has not agreed that we {scope.agreement()}"
            raise ConsentError(f"{storyteller.pseudonym} {reason}.")
