"""Organisation-level role predicates for the ``rules`` package."""

from __future__ import annotations

from typing import Any

import rules

from cohub.apps.accounts.models import OrganisationMembership, OrganisationRole


def organisation_roles(user: Any, organisation_id: int) -> frozenset[str]:
    """The roles ``user`` holds in an organisation, cached on the user object.

    The cache lives only as long as the request's user object, so a role
    change is seen on the next request.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cache: dict[int, frozenset[str]] = user.__dict__.setdefault("_cohub_org_roles", {})
    if organisation_id not in cache:
        cache[organisation_id] = frozenset(
            OrganisationMembership.objects.filter(
                user=user, organisation_id=organisation_id
            ).values_list("role", flat=True)
        )
    return cache[organisation_id]


@rules.predicate
def is_organisation_admin(user: Any, organisation: Any) -> bool:
    if organisation is None:
        return False
    return OrganisationRole.ADMIN in organisation_roles(user, organisation.pk)
