"""Job kinds of the analysis app: computing theme suggestions."""

from __future__ import annotations

from django.urls import reverse

from cohub.apps.analysis.models import SuggestionRun
from cohub.apps.analysis.suggestions import (
    SUGGEST_KIND,
    plain_failure,
    suggestion_run_compute,
    suggestion_run_fail,
)
from cohub.apps.jobs.models import Job
from cohub.apps.jobs.registry import Outcome, Progress, Provenance, register


# Embedding is native model code, so in a child process the worker can kill (ADR 0006).
# e5 needs about 200 MB, MiniLM on torch about 700 MB; 2,000 quotes add little.
@register(
    SUGGEST_KIND,
    label="Suggesting themes",
    timeout_s=30 * 60,
    isolated=True,
    memory_mb=3072,
    max_attempts=2,
)
def suggest_themes(job: Job, progress: Progress) -> Outcome:
    """Compute one run's suggestions; a repeat replaces what the run found before."""
    run = SuggestionRun.objects.select_related("project").get(pk=job.params["run_id"])
    try:
        run = suggestion_run_compute(run=run, progress=progress)
    except Exception as exc:
        # The page gets plain words; the job keeps the technical ones.
        suggestion_run_fail(run=run, error=plain_failure(exc))
        raise
    return Outcome(
        result={
            "run_id": run.pk,
            "themes": run.parameters.get("themes_found", 0),
            "unsorted": run.parameters.get("unsorted", 0),
            "url": reverse(
                "analysis:suggestion_run",
                kwargs={"project_slug": run.project.slug, "run_id": run.pk},
            ),
        },
        provenance=Provenance(
            engine=str(run.parameters.get("algorithm", "")),
            model_name=run.model.partition("@")[0],
            model_version=run.model.partition("@")[2],
            parameters={
                k: run.parameters.get(k)
                for k in ("themes_asked", "seeds", "unsorted_share", "min_themes", "max_themes")
            },
            seed=run.seed,
            input_hash=run.input_hash,
        ),
    )
