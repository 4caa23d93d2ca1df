"""Errors that services raise for a person to read."""

from __future__ import annotations


class ServiceError(Exception):
    """A refusal or a problem with the input, phrased for the person who caused it.

    ``field`` names the input the problem is about (``"pseudonym"``), so a form
    can show it beside that field rather than at the top of the page.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ConsentError(ServiceError):
    """The storyteller's current consent does not cover what was asked."""
