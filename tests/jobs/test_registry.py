from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from cohub.apps.jobs import registry


def test_kinds_from_apps_jobs_modules_are_discovered():
    assert "jobs.selfcheck" in registry.registered_kinds()
    assert registry.label_for("jobs.selfcheck") == "Checking the job worker"


def test_a_kind_keeps_its_settings():
    kind = registry.get("test.slow")
    assert (kind.max_attempts, kind.timeout_s, kind.label) == (1, 0.2, "test.slow")


def test_an_unregistered_kind_is_shown_as_itself():
    assert registry.label_for("nobody.knows") == "nobody.knows"
    with pytest.raises(registry.UnknownJobKind):
        registry.get("nobody.knows")


def test_one_kind_cannot_have_two_handlers():
    with pytest.raises(ImproperlyConfigured, match="already registered"):

        @registry.register("test.succeeds")
        def another(job, progress):
            return {}


@pytest.mark.parametrize("options", [{"max_attempts": 0}, {"timeout_s": 0}, {"timeout_s": -1}])
def test_nonsense_settings_are_refused(options):
    with pytest.raises(ImproperlyConfigured):
        registry.register("test.nonsense", **options)


@pytest.mark.parametrize(
    "options",
    [
        {"memory_mb": 512},  # a memory limit needs a child process
        {"isolated": True, "memory_mb": 0},
        {"every": timedelta(seconds=10)},
    ],
)
def test_limits_that_cannot_be_kept_are_refused(options):
    with pytest.raises(ImproperlyConfigured):
        registry.register("test.nonsense", **options)


def test_an_isolated_kind_gets_longer_before_it_counts_as_abandoned():
    plain, isolated = registry.get("test.succeeds"), registry.get("test.isolated")
    assert isolated.isolated and not plain.isolated
    assert isolated.lease_s - isolated.timeout_s > plain.lease_s - plain.timeout_s
