"""Logging in and out, and the "your account" page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render, resolve_url
from django.urls import reverse_lazy
from django.views.generic import TemplateView

from cohub.apps.accounts.forms import (
    EmailAuthenticationForm,
    PlainPasswordChangeForm,
    PlainPasswordResetForm,
    PlainSetPasswordForm,
)
from cohub.apps.accounts.http import AuthenticatedHttpRequest


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django refuses GET), then back to the login page with a note."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        was_logged_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_logged_in:
            messages.success(request, "You have logged out.")
        return response


class ProfileView(LoginRequiredMixin, TemplateView):
    """Who you are signed in as, and where you belong, with your role names."""

    template_name = "accounts/profile.html"
    request: AuthenticatedHttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["organisation_memberships"] = _group_roles(
            user.organisation_memberships.select_related("organisation").order_by(
                "organisation__name", "role"
            ),
            "organisation",
        )
        # The page is the projects app's (who must use it is a project role), named by setting.
        context["two_step_url"] = resolve_url(settings.COHUB_TWO_STEP_URL)
        return context


def _group_roles(memberships: Any, attribute: str) -> list[dict[str, Any]]:
    """One entry per organisation or project, with every role held there, in order."""
    grouped: dict[int, dict[str, Any]] = {}
    for membership in memberships:
        target = getattr(membership, attribute)
        entry = grouped.setdefault(target.pk, {attribute: target, "roles": []})
        entry["roles"].append(membership.get_role_display())
    return list(grouped.values())


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = PlainPasswordChangeForm
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


# The only backend that checks passwords; rules' backend answers permissions only.
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by email; on a hub that sends no email, say who can help instead.

    The form never says whether an account exists for the address, so it
    cannot be used to find out who is on the hub.
    """

    template_name = "accounts/password_reset.html"
    form_class = PlainPasswordResetForm
    subject_template_name = "accounts/email/password_reset_subject.txt"
    email_template_name = "accounts/email/password_reset.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    extra_email_context = {"valid_days": settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60)}

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not settings.COHUB_EMAIL_ENABLED:
            return render(request, "accounts/password_reset_unavailable.html")
        return super().dispatch(request, *args, **kwargs)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"
    extra_context = {"valid_days": settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60)}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password from the emailed link, then be logged in at once."""

    template_name = "accounts/password_reset_confirm.html"
    form_class = PlainSetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = True
    post_reset_login_backend = LOGIN_BACKEND


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # Where logging in leads; accounts may not name the later apps' pages.
        context["continue_url"] = resolve_url(settings.LOGIN_REDIRECT_URL)
        return context
