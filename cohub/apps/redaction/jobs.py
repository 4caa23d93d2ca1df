"""The job kinds of de-identification: the engine over a story, and a covered recording."""

from __future__ import annotations

from cohub.apps.jobs.models import Job
from cohub.apps.jobs.registry import Outcome, Progress, Provenance, register
from cohub.apps.redaction.audio import COVER_RECORDING, cover_kind, covered_recording_make
from cohub.apps.redaction.services import FIND, redaction_check_run
from cohub.pipeline.redact import ENGINE, SPACY_MODEL, model_version, presidio_version


# The spaCy model is native code, so the check runs in a child the worker can kill
# (ADR 0006). The small model and Presidio use about 300 MB.
@register(
    FIND,
    label="Looking for personal details",
    timeout_s=900,
    isolated=True,
    memory_mb=1536,
    max_attempts=2,
)
def find_personal_details(job: Job, progress: Progress) -> Outcome:
    """Suggest what to replace in one story's words; safe to repeat (see ``services``)."""
    progress(5, "Reading the words")
    result = redaction_check_run(int(job.params["run_id"]))
    progress(100, "The suggestions are ready")
    return Outcome(
        result=result,
        provenance=Provenance(
            engine=f"{ENGINE} (Presidio {presidio_version()})",
            model_name=SPACY_MODEL,
            model_version=model_version(),
            parameters={"run_id": job.params.get("run_id")},
        ),
    )


# ffmpeg does the work in its own process; four hours of sound take it a few minutes.
@register(
    COVER_RECORDING,
    label="Covering replaced words in the recording",
    timeout_s=3600,
    max_attempts=3,
)
def cover_recording(job: Job, progress: Progress) -> Outcome:
    """Make the covered copy the story page plays; safe to repeat (see ``audio``)."""
    progress(5, "Covering the replaced words")
    result = covered_recording_make(int(job.params["story_id"]))
    progress(100, "The covered recording is ready")
    return Outcome(
        result=result,
        provenance=Provenance(engine="ffmpeg", parameters={"cover": cover_kind()}),
    )
