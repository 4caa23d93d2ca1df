"""Site-wide pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


def home(request: HttpRequest) -> HttpResponse:
    """Logged-in people go straight to their projects; everyone else gets a welcome."""
    if request.user.is_authenticated:
        return redirect("projects:list")
    return render(request, "core/home.html")
