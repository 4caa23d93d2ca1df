"""The two-step sign-in pages: set up an app, give a code, backup codes, turn it off.

Open to anyone signed in (each person sees only their own); the middleware
decides who must pass which step before other pages. Every write is a call to
``services``; a refusal is shown beside the code box.
"""

from __future__ import annotations

from typing import Any

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp.models import Device

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.core.errors import ServiceError
from cohub.apps.projects.twofactor import services
from cohub.apps.projects.twofactor.forms import AppCodeForm, CodeForm
from cohub.apps.projects.twofactor.middleware import step_url


def safe_next(request: HttpRequest) -> str:
    """Where the person was going, if it is a page of this hub; else empty.

    The address came from the query string, so anyone could have written it:
    only a path on this host (over HTTPS when this request is) is followed.
    """
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _onwards(request: HttpRequest) -> str:
    return safe_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL)


def _passed(request: HttpRequest, device: Device) -> None:
    """Mark this session as past the second step, under a new session key."""
    django_otp.login(request, device)
    # A session id seen before the second step is not the one that holds the keys.
    request.session.cycle_key()


def _form_error(form: Any, exc: ServiceError) -> None:
    form.add_error("code" if exc.field == "code" else None, str(exc))


@login_required
def two_step(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Your two-step sign-in: whether it is on, the app, the backup codes left, what you can do."""
    user = request.user
    return render(
        request,
        "twofactor/overview.html",
        {
            "uses": services.uses_two_step(user),
            "must": services.must_use(user),
            "app": services.app_device(user),
            "codes_left": services.backup_codes_left(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_step_set_up(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Add an authenticator app: scan the QR code (or type the key), then type a code it shows.

    The app counts only once a right code proves it was set up; whoever had no
    backup codes gets ten, shown on the next page once.
    """
    user = request.user
    if services.uses_two_step(user) and not services.is_verified(user):
        return redirect(step_url(user, safe_next(request)))
    device = services.app_setup_begin(user=user)
    form = AppCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            done = services.app_setup_confirm(
                user=user, device=device, code=form.cleaned_data["code"]
            )
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            _passed(request, done.device)
            if done.backup_codes:
                return render(
                    request,
                    "twofactor/backup_codes_made.html",
                    {"codes": done.backup_codes, "onwards": _onwards(request), "first": True},
                )
            messages.success(request, "Your authenticator app is set up. Use it when you log in.")
            return redirect(safe_next(request) or reverse("projects:two_step"))
    return render(
        request,
        "twofactor/set_up.html",
        {
            "form": form,
            "qr_svg": services.qr_svg(device),
            "secret": services.secret_text(device),
            "must": services.must_use(user),
            "replacing": services.app_device(user) is not None,
            "next": safe_next(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_step_code(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The second step after the password: a code from the app, or a backup code."""
    user = request.user
    if services.is_verified(user):
        return redirect(_onwards(request))
    if not services.uses_two_step(user):
        if services.must_use(user):
            return redirect(step_url(user, safe_next(request)))
        return redirect(_onwards(request))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.code_check(user=user, code=form.cleaned_data["code"])
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            _passed(request, device)
            return redirect(_onwards(request))
    return render(
        request,
        "twofactor/code.html",
        {
            "form": form,
            "has_app": services.app_device(user) is not None,
            "next": safe_next(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_step_backup_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """How many backup codes are left, and a new set of ten (which replaces the old) on POST."""
    user = request.user
    if not services.uses_two_step(user):
        return redirect("projects:two_step_set_up")
    if request.method == "POST":
        codes = services.backup_codes_renew(user=user)
        return render(
            request,
            "twofactor/backup_codes_made.html",
            {"codes": codes, "onwards": reverse("projects:two_step"), "first": False},
        )
    return render(
        request, "twofactor/backup_codes.html", {"codes_left": services.backup_codes_left(user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_step_turn_off(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Turn two-step sign-in off, with a current code; not for people whose role needs it."""
    user = request.user
    must = services.must_use(user)
    if not must and not services.uses_two_step(user):
        return redirect("projects:two_step")
    form = CodeForm(request.POST if request.method == "POST" and not must else None)
    if request.method == "POST" and not must and form.is_valid():
        try:
            services.two_step_turn_off(user=user, code=form.cleaned_data["code"])
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request, "Two-step sign-in is off. You log in with your password only."
            )
            return redirect("projects:two_step")
    return render(request, "twofactor/turn_off.html", {"form": form, "must": must})
