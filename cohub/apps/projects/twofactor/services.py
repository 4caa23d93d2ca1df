"""Setting up, checking and turning off two-step sign-in; every write goes through here.

A person's second step is one of two django-otp devices: an authenticator app
(``TOTPDevice``, unconfirmed until they type a right code from it, so a QR
code scanned badly never locks anyone out) and a set of ten single-use backup
codes (``StaticDevice``), for when the phone is lost, and for the demo. Wrong
codes are slowed by django-otp itself, per device (1, 2, 4, 8... seconds
between tries), and each refusal here says in plain words what to do.
"""

from __future__ import annotations

import math
from base64 import b32encode
from dataclasses import dataclass
from typing import Any

import segno
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django_otp import user_has_device, verify_token
from django_otp.models import Device, VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import record_event
from cohub.apps.projects.sessions import holds_keys

BACKUP_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"

# Audit verbs (no code or secret ever goes into an entry).
SET_UP = "two_step.set_up"
TURNED_OFF = "two_step.turned_off"
BACKUP_CODES_MADE = "two_step.backup_codes_made"
RESET = "two_step.reset"

NO_CODE = "Type the 6-number code from your authenticator app, or one of your backup codes."
WRONG_CODE = (
    "That code is not right. Type the 6 numbers your authenticator app shows now "
    "(they change every 30 seconds), or one of your backup codes. "
    "Each backup code works only once."
)
WRONG_APP_CODE = (
    "That code is not right. Type the 6 numbers your authenticator app shows now for "
    "cohub (they change every 30 seconds). If it still fails, check the time on your phone "
    "is set automatically."
)
MUST_KEEP = (
    "Two-step sign-in cannot be turned off for you: facilitators and administrators can "
    "read every story of their projects, so their accounts need it."
)


def must_use(user: Any) -> bool:
    """Whether ``user`` may not use the hub without two-step sign-in (they hold the keys)."""
    return holds_keys(user)


def uses_two_step(user: Any) -> bool:
    """Whether ``user`` has turned two-step sign-in on (has any confirmed device)."""
    return bool(getattr(user, "is_authenticated", False)) and user_has_device(user)


def is_verified(user: Any) -> bool:
    """Whether this request's session passed the second step (set by django-otp's middleware)."""
    return getattr(user, "otp_device", None) is not None


def app_device(user: Any) -> TOTPDevice | None:
    """The person's confirmed authenticator app, if they set one up."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("-pk").first()


def backup_codes_left(user: Any) -> int:
    """How many unused backup codes ``user`` has."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _new_backup_codes(user: Any) -> list[str]:
    """Replace every backup code ``user`` had with ten new ones; returns them (shown once).

    The set is kept in the same device, so a session that passed the second
    step with a backup code stays signed in when the person makes a new set.
    """
    StaticToken.objects.filter(device__user=user).delete()
    device = StaticDevice.objects.filter(user=user, name=BACKUP_DEVICE_NAME).first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def app_setup_begin(*, user: Any) -> TOTPDevice:
    """The authenticator app being set up: one unconfirmed device, the same on each reload.

    Opening the page again keeps the secret already scanned, so a person who
    reloads is not left with an app that shows codes for a key we threw away.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The key in the letters an authenticator app asks for, in groups of four to type in."""
    letters = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(letters[i : i + 4] for i in range(0, len(letters), 4))


def qr_svg(device: TOTPDevice) -> SafeString:
    """The app's set-up link as an inline SVG QR code, drawn here (the key never leaves the hub).

    segno writes presentation attributes (``stroke``, ``fill``), never a
    ``style`` attribute, so the Content Security Policy has nothing to block;
    its size comes from the ``qr-code`` class in our stylesheet.
    """
    code = segno.make(device.config_url, error="m")
    svg = code.svg_inline(
        scale=1,
        border=4,
        omitsize=True,
        svgclass="qr-code__image",
        lineclass=None,
        dark="#000",
        light="#fff",
    )
    # segno's output is made only from the QR matrix and our own arguments.
    return mark_safe(svg)  # noqa: S308  # nosec B308, B703


def _clean(code: str) -> str:
    """What was typed, without the spaces or dashes people put in to read it back."""
    return "".join(code.split()).replace("-", "").lower()


def _wait_words(locked_until: Any) -> str:
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    if seconds <= 90:
        wait = f"{seconds} second{'s' if seconds != 1 else ''}"
    else:
        minutes = math.ceil(seconds / 60)
        wait = f"{minutes} minutes"
    return (
        "Too many codes that were not right, so we have paused for your safety. "
        f"Wait {wait}, then type the code your app shows at that moment."
    )


def _refuse_if_paused(device: Device) -> None:
    allowed, why = device.verify_is_allowed()  # type: ignore[attr-defined]
    if not allowed and why and why.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
        raise ServiceError(_wait_words(why["locked_until"]), field="code")
    if not allowed:
        raise ServiceError(WRONG_CODE, field="code")


def _check(user: Any, device: Device, code: str, wrong: str) -> Device:
    _refuse_if_paused(device)
    verified = verify_token(user, device.persistent_id, code)
    if verified is None:
        raise ServiceError(wrong, field="code")
    return verified


def code_check(*, user: Any, code: str) -> Device:
    """The device that accepts ``code`` for ``user``; a refusal says what to do.

    Six digits are checked against the authenticator app, anything else
    against the backup codes (which are letters and digits), so a typo counts
    once against one device and django-otp's pause is per device. A backup
    code is used up by being accepted.
    """
    typed = _clean(code)
    if not typed:
        raise ServiceError(NO_CODE, field="code")
    apps: list[Device] = list(TOTPDevice.objects.devices_for_user(user, confirmed=True))
    # The set that holds the codes (a person has one; an emptied extra set is passed over).
    backups: list[Device] = list(
        StaticDevice.objects.devices_for_user(user, confirmed=True)
        .annotate(codes=Count("token_set"))
        .order_by("-codes", "pk")
    )
    if not apps and not backups:
        raise ServiceError("Two-step sign-in is not set up for this account.", field="code")
    looks_like_app = typed.isdigit() and len(typed) in (6, 8)
    use = apps if (looks_like_app and apps) or not backups else backups
    return _check(user, use[0], typed, WRONG_CODE)


@dataclass(frozen=True)
class SetUpDone:
    """A confirmed authenticator app, and the backup codes to show once (none if kept)."""

    device: TOTPDevice
    backup_codes: list[str]


def app_setup_confirm(*, user: Any, device: TOTPDevice, code: str) -> SetUpDone:
    """Confirm the app being set up with a code it shows; it replaces any app set up before.

    Whoever has no backup codes yet gets ten, returned here to be shown once.
    The code is checked before the transaction that confirms the app, so a
    wrong one still counts towards django-otp's pause.
    """
    if device.user_id != user.pk or device.confirmed:
        raise ServiceError("This set-up has already finished. Open the page again.")
    typed = _clean(code)
    if not typed:
        raise ServiceError("Type the 6-number code your authenticator app shows.", field="code")
    if not typed.isdigit() or len(typed) != device.digits:
        raise ServiceError(
            "The code is 6 numbers, shown by your authenticator app after you add cohub to it.",
            field="code",
        )
    _refuse_if_paused(device)
    # django-otp's own check, which also counts a wrong code; the device stays
    # unconfirmed until it passes, so a badly scanned code locks nobody out.
    with transaction.atomic():
        right = device.verify_token(typed)
    if not right:
        raise ServiceError(WRONG_APP_CODE, field="code")
    return _confirm(user=user, device=device)


@transaction.atomic
def _confirm(*, user: Any, device: TOTPDevice) -> SetUpDone:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = [] if backup_codes_left(user) else _new_backup_codes(user)
    record_event(actor=user, verb=SET_UP, target=user, data={"backup_codes": bool(codes)})
    return SetUpDone(device=device, backup_codes=codes)


@transaction.atomic
def backup_codes_renew(*, user: Any) -> list[str]:
    """Ten new backup codes, which replace every one ``user`` had; shown once."""
    codes = _new_backup_codes(user)
    record_event(actor=user, verb=BACKUP_CODES_MADE, target=user)
    return codes


@transaction.atomic
def backup_codes_ensure(*, user: Any, name: str = BACKUP_DEVICE_NAME) -> str:
    """One unused backup code of ``user``'s, making a set only when none is left.

    For the demo, which prints a working code on every run without piling up
    devices or codes.
    """
    token = StaticToken.objects.filter(device__user=user, device__confirmed=True).first()
    if token is not None:
        return token.token
    return _new_backup_codes(user)[0]


def two_step_turn_off(*, user: Any, code: str) -> None:
    """Remove every device of ``user``, after a current code, unless their role needs them.

    The code is checked first, outside the removal's transaction, so a wrong
    one still counts towards django-otp's pause.
    """
    if must_use(user):
        raise ServiceError(MUST_KEEP)
    code_check(user=user, code=code)
    _remove_devices(user=user)


@transaction.atomic
def _remove_devices(*, user: Any, actor: Any = None, verb: str = TURNED_OFF) -> int:
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    record_event(actor=actor if actor is not None else user, verb=verb, target=user)
    return removed


def two_step_reset(*, user: Any, actor: Any = None) -> bool:
    """Remove the app and backup codes of someone who lost both (``cohub reset-two-step``).

    Whoever runs the server does this after checking who is asking. At their
    next login the person sets two-step sign-in up again (facilitators and
    admins must). Returns whether there was anything to remove.
    """
    if not StaticDevice.objects.filter(user=user).exists() and not (
        TOTPDevice.objects.filter(user=user).exists()
    ):
        return False
    _remove_devices(user=user, actor=actor, verb=RESET)
    return True
