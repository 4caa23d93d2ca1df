"""Errors that services raise for a person to read."""

from __future__ import annotations


class ServiceError(Exception):
    """A refusal or a problem with the input, phrased for the person who caused it."""


class ConsentError(ServiceError):
    """The storyteller's current consent does not cover what was asked."""
