"""Writes for accounts."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from cohub.apps.accounts.models import User
from cohub.apps.accounts.passwords import password_problems
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import record_event


class AccountExistsError(ServiceError):
    """There is already an account for this email address: the person should log in."""


@transaction.atomic
def user_create(*, email: str, password: str, display_name: str = "") -> User:
    """Make an account that can log in, after Django's password rules (in our words).

    Refuses an address that already has an account, whatever its capitals,
    including one made a moment ago by a second click (the unique email is
    the last word, so two requests at once still make one account).
    """
    email = email.strip().lower()
    display_name = " ".join(display_name.split())
    if User.objects.filter(email__iexact=email).exists():
        raise AccountExistsError(f"There is already a cohub account for {email}.")
    problems = password_problems(password, User(email=email, display_name=display_name))
    if problems:
        raise ServiceError(" ".join(problems))
    try:
        with transaction.atomic():
            user = User.objects.create_user(email, password, display_name=display_name)
    except IntegrityError:
        raise AccountExistsError(f"There is already a cohub account for {email}.") from None
    record_event(actor=user, verb="account.create", target=user)
    return user
