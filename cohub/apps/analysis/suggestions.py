"""Machine theme suggestions that never overwrite people (ADR 0021).

A run is asked for (``suggestion_run_request``), computed by a job
(``suggestion_run_compute``: the pure engine in ``cohub/pipeline/cluster.py``
over cached quote vectors), and then decided on, one suggested theme at a
time: accept (it enters the codebook through ``theme_create`` and
``highlight_tag``, exactly like a theme made by hand), rename, merge, split or
reject (which changes nothing in the codebook). Every request and decision is
a coding event with who made it, so the change feed, the board and "who shaped
the findings" see them.

Consent: only quotes the team may read now are used, and a withdrawn story's
quotes leave every run (their placement rows go with the quotes; the purger
below re-describes the suggestions they were in, so no label keeps their words).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils import timezone

from cohub.apps.accounts.models import User
from cohub.apps.analysis.models import (
    CodingAction,
    CodingEvent,
    Highlight,
    HighlightTheme,
    Suggestion,
    SuggestionQuote,
    SuggestionRun,
    SuggestionRunStatus,
    SuggestionStart,
    SuggestionStatus,
    Theme,
)
from cohub.apps.analysis.services import _hold_feed, _log, highlight_tag, theme_create
from cohub.apps.analysis.vectors import quote_vectors_ensure, readable_highlights
from cohub.apps.core.errors import ServiceError
from cohub.apps.jobs.services import job_enqueue
from cohub.apps.projects.models import Project
from cohub.apps.stories.purge import register_purger
from cohub.pipeline import cluster, embed

SUGGEST_KIND = "analysis.suggest_themes"
MIN_QUOTES = 3
MAX_THEMES_ASKED = 40

ProgressFn = Callable[[int, str], None]


@dataclass(frozen=True)
class DecisionResult:
    """A decision on a suggestion: the suggestions it touched, the theme (if any) and its events."""

    suggestion: Suggestion
    events: tuple[CodingEvent, ...]
    theme: Theme | None = None
    made: tuple[Suggestion, ...] = ()


def _decision_event(
    *, suggestion: Suggestion, actor: User | None, action: str, **payload: object
) -> CodingEvent:
    run = suggestion.run
    return _log(
        project=run.project,
        actor=actor,
        action=action,
        theme=suggestion.theme,
        payload={"run": run.pk, "suggestion": suggestion.pk, "label": suggestion.label, **payload},
    )


def suggestion_run_request(
    *, project: Project, actor: User | None, themes: int | None = None, start_from: str = ""
) -> SuggestionRun:
    """Ask for theme suggestions; the work runs as a job. Refuses when there is nothing to group."""
    if start_from not in SuggestionStart.values:
        raise ServiceError("Choose what to start from: nothing, your own themes or a framework.")
    if themes is not None and not 2 <= themes <= MAX_THEMES_ASKED:
        raise ServiceError(
            f"Ask for between 2 and {MAX_THEMES_ASKED} themes, or leave it empty to let us choose."
        )
    available = len(readable_highlights(project))
    if available < MIN_QUOTES:
        raise ServiceError(
            f"There {'is' if available == 1 else 'are'} only {available} key "
            f"{'quote' if available == 1 else 'quotes'} the group may read. Mark at least "
            f"{MIN_QUOTES} key quotes in the stories first."
        )
    if (
        start_from == SuggestionStart.CODEBOOK
        and not Theme.objects.filter(project=project, merged_into__isnull=True).exists()
    ):
        raise ServiceError("The codebook has no themes yet to start from. Start from nothing.")
    with transaction.atomic():
        _hold_feed(project)
        run = SuggestionRun.objects.create(
            project=project,
            requested_by=actor,
            themes_asked=themes,
            start_from=start_from,
            model=embed.configured_engine(),
        )
        _log(
            project=project,
            actor=actor,
            action=CodingAction.SUGGESTION_RUN,
            payload={"run": run.pk, "themes": themes, "start_from": start_from},
        )
        job = job_enqueue(
            kind=SUGGEST_KIND,
            params={"run_id": run.pk},
            project_id=project.pk,
            created_by=actor,
            input_hash=f"run-{run.pk}",
        )
        run.job_id = job.pk
        run.save(update_fields=["job_id"])
    return run


def _seeds(
    run: SuggestionRun, model: embed.Embedder, vectors: dict[int, np.ndarray]
) -> tuple[list[cluster.Seed], dict[str, Theme]]:
    if run.start_from in (SuggestionStart.CONDITIONS, SuggestionStart.VALUES):
        rows = cluster.framework_seed_texts(run.start_from)
        embedded = model.embed([text for _, _, text in rows])
        seeds = [
            cluster.Seed(key=key, label=label, vector=vector)
            for (key, label, _), vector in zip(rows, embedded, strict=True)
        ]
        return seeds, {}
    if run.start_from != SuggestionStart.CODEBOOK:
        return [], {}
    themes = list(
        Theme.objects.filter(project=run.project, merged_into__isnull=True).order_by("pk")
    )
    tagged: dict[int, list[int]] = {}
    for theme_id, highlight_id in HighlightTheme.objects.filter(theme__in=themes).values_list(
        "theme_id", "highlight_id"
    ):
        tagged.setdefault(theme_id, []).append(highlight_id)
    named = model.embed([f"{t.name}. {t.description}".strip() for t in themes])
    seeds = []
    for theme, name_vector in zip(themes, named, strict=True):
        # A theme already used on quotes is best described by those quotes.
        own = [vectors[pk] for pk in tagged.get(theme.pk, []) if pk in vectors]
        vector = np.mean(own, axis=0) + 0.5 * name_vector if own else name_vector
        seeds.append(cluster.Seed(key=f"theme:{theme.pk}", label=theme.name, vector=vector))
    return seeds, {f"theme:{t.pk}": t for t in themes}


def suggestion_run_compute(
    *, run: SuggestionRun, progress: ProgressFn | None = None, engine: embed.Embedder | None = None
) -> SuggestionRun:
    """Compute a run's suggestions; safe to repeat (a run that is ready is left as it is).

    Reads only quotes the team may read now. Called by the job; tests call it directly.
    """
    report = progress or (lambda percent, message: None)
    if run.status == SuggestionRunStatus.READY:
        # Done already (a retried job, or the demo computing it at once): people may
        # have decided on its suggestions since, and a repeat must not undo that.
        report(100, "These suggestions were ready already")
        return run
    run.status = SuggestionRunStatus.RUNNING
    run.save(update_fields=["status", "updated_at"])
    model = engine or embed.engine(run.model or "")
    highlights = readable_highlights(run.project)
    report(10, f"Reading {len(highlights)} quotes")
    vectors = quote_vectors_ensure(highlights=highlights, engine=model)
    report(60, "Grouping the quotes")
    seeds, existing = _seeds(run, model, vectors.vectors)
    texts = [h.snippet for h in highlights]
    matrix = (
        np.stack([vectors.vectors[h.pk] for h in highlights])
        if highlights
        else np.zeros((0, model.dim))
    )
    grouping = cluster.suggest_themes(
        texts, matrix, themes=run.themes_asked, seeds=seeds, seed=run.seed
    )
    digest = hashlib.sha256(model.key.encode())
    for h in highlights:
        digest.update(f"{h.pk}:{embed.text_hash(h.snippet)};".encode())
    with transaction.atomic():
        run = SuggestionRun.objects.select_for_update().get(pk=run.pk)
        run.suggestions.all().delete()
        for theme in grouping.themes:
            suggestion = Suggestion.objects.create(
                run=run,
                number=theme.number,
                label=theme.label[:120],
                suggested_label=theme.label[:120],
                keywords=list(theme.keywords),
                confidence=theme.confidence,
                seed_key=theme.seed_key,
                existing_theme=existing.get(theme.seed_key),
            )
            _place(
                suggestion, [(highlights[i], grouping.placements[i].score) for i in theme.members]
            )
        if grouping.unsorted:
            unsorted = Suggestion.objects.create(
                run=run,
                number=len(grouping.themes) + 1,
                label=cluster.UNSORTED_LABEL,
                suggested_label=cluster.UNSORTED_LABEL,
                unsorted=True,
            )
            _place(unsorted, [(highlights[i], 0.0) for i in grouping.unsorted])
        run.status = SuggestionRunStatus.READY
        run.model = model.key
        run.quote_count = len(highlights)
        run.input_hash = digest.hexdigest()
        run.parameters = grouping.parameters
        run.error = ""
        run.finished_at = timezone.now()
        run.save()
    report(100, f"{len(grouping.themes)} themes suggested")
    return run


def _place(suggestion: Suggestion, members: list[tuple[Highlight, float]]) -> None:
    SuggestionQuote.objects.bulk_create(
        SuggestionQuote(suggestion=suggestion, highlight=h, score=score, rank=rank)
        for rank, (h, score) in enumerate(members)
    )


def plain_failure(exc: BaseException) -> str:
    """What the run's page says when a run fails: our own words, or the engine's plain ones."""
    if isinstance(exc, ServiceError | cluster.ClusterError | embed.EmbedError):
        return str(exc)
    return (
        "something went wrong while grouping the quotes. Ask again; if it happens again, "
        "tell whoever runs the hub."
    )


def suggestion_run_fail(*, run: SuggestionRun, error: str) -> None:
    """Record that a run failed, in words for the page."""
    SuggestionRun.objects.filter(pk=run.pk).update(
        status=SuggestionRunStatus.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def _locked_open(suggestion: Suggestion) -> Suggestion:
    fresh = (
        Suggestion.objects.select_for_update().select_related("run__project").get(pk=suggestion.pk)
    )
    if fresh.status != SuggestionStatus.OPEN:
        raise ServiceError(
            f"The suggestion '{fresh.label}' has already been decided on "
            f"({fresh.get_status_display().lower()})."
        )
    return fresh


def _decide(suggestion: Suggestion, status: str, actor: User | None) -> None:
    suggestion.status = status
    suggestion.decided_by = actor
    suggestion.decided_at = timezone.now()


@transaction.atomic
def suggestion_accept(
    *, suggestion: Suggestion, actor: User | None, name: str = ""
) -> DecisionResult:
    """Put a suggested theme into the codebook with its quotes, via the hand-made theme services.

    A suggestion that grew from an existing theme adds its quotes to that theme;
    otherwise a theme is made under ``name`` (default: the suggestion's label),
    or the existing theme of that name is used. Quotes withheld since the run
    are left out.
    """
    fresh = _locked_open(suggestion)
    project = fresh.run.project
    _hold_feed(project)
    if fresh.unsorted:
        raise ServiceError("The unsorted quotes are not a theme. Move them, or leave them.")
    events: list[CodingEvent] = []
    target = fresh.existing_theme
    if target is not None and target.merged_into_id is not None:
        target = None
    if target is None:
        wanted = " ".join((name or fresh.label).split())
        existing = [
            t
            for t in Theme.objects.filter(project=project, merged_into__isnull=True)
            if t.name.casefold() == wanted.casefold()
        ]
        if existing:
            target = existing[0]
        else:
            made = theme_create(project=project, name=wanted, actor=actor)
            events.extend(made.events)
            target = made.theme
    readable = {h.pk for h in readable_highlights(project)}
    for placed in fresh.quotes.select_related("highlight__review_sheet__story__project"):
        if placed.highlight_id not in readable:
            continue
        tagged = highlight_tag(highlight=placed.highlight, theme=target, actor=actor)
        events.extend(tagged.events)
    fresh.theme = target
    _decide(fresh, SuggestionStatus.ACCEPTED, actor)
    fresh.save(update_fields=["theme", "status", "decided_by", "decided_at"])
    events.append(
        _decision_event(
            suggestion=fresh,
            actor=actor,
            action=CodingAction.SUGGESTION_ACCEPT,
            theme_name=target.name,
            # The theme and tag events this acceptance wrote: one decision, so "who shaped
            # the findings" counts it once, as an accepted suggestion.
            made_events=[event.pk for event in events],
        )
    )
    return DecisionResult(suggestion=fresh, theme=target, events=tuple(events))


@transaction.atomic
def suggestion_reject(*, suggestion: Suggestion, actor: User | None) -> DecisionResult:
    """Turn a suggestion down. The codebook does not change at all."""
    fresh = _locked_open(suggestion)
    _hold_feed(fresh.run.project)
    _decide(fresh, SuggestionStatus.REJECTED, actor)
    fresh.save(update_fields=["status", "decided_by", "decided_at"])
    event = _decision_event(suggestion=fresh, actor=actor, action=CodingAction.SUGGESTION_REJECT)
    return DecisionResult(suggestion=fresh, events=(event,))


@transaction.atomic
def suggestion_rename(*, suggestion: Suggestion, actor: User | None, name: str) -> DecisionResult:
    """Give a suggestion a better name before deciding; the suggested one is kept too."""
    fresh = _locked_open(suggestion)
    _hold_feed(fresh.run.project)
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ServiceError("Give the theme a name.")
    if len(cleaned) > 120:
        raise ServiceError("Theme names can be at most 120 characters.")
    if cleaned == fresh.label:
        return DecisionResult(suggestion=fresh, events=())
    before = fresh.label
    fresh.label = cleaned
    fresh.save(update_fields=["label"])
    event = _decision_event(
        suggestion=fresh, actor=actor, action=CodingAction.SUGGESTION_RENAME, before=before
    )
    return DecisionResult(suggestion=fresh, events=(event,))


@transaction.atomic
def suggestion_merge(
    *, source: Suggestion, target: Suggestion, actor: User | None
) -> DecisionResult:
    """Move every quote of ``source`` into ``target`` (both open, same run)."""
    if source.pk == target.pk:
        raise ServiceError("Choose a different suggestion to merge with.")
    first, second = sorted([source, target], key=lambda s: s.pk)
    locked = {s.pk: _locked_open(s) for s in (first, second)}
    source, target = locked[source.pk], locked[target.pk]
    if source.run_id != target.run_id:
        raise ServiceError("Only suggestions from the same run can be merged.")
    if target.unsorted:
        raise ServiceError("Merge into a theme, not into the unsorted quotes.")
    _hold_feed(source.run.project)
    have = set(target.quotes.values_list("highlight_id", flat=True))
    next_rank = target.quotes.count()
    for placed in source.quotes.order_by("rank", "pk"):
        if placed.highlight_id in have:
            continue
        SuggestionQuote.objects.create(
            suggestion=target, highlight_id=placed.highlight_id, score=placed.score, rank=next_rank
        )
        next_rank += 1
    source.merged_into = target
    _decide(source, SuggestionStatus.MERGED, actor)
    source.save(update_fields=["merged_into", "status", "decided_by", "decided_at"])
    event = _decision_event(
        suggestion=source,
        actor=actor,
        action=CodingAction.SUGGESTION_MERGE,
        into=target.pk,
        into_label=target.label,
    )
    return DecisionResult(suggestion=target, events=(event,))


@transaction.atomic
def suggestion_split(
    *, suggestion: Suggestion, actor: User | None, engine: embed.Embedder | None = None
) -> DecisionResult:
    """Split a suggestion in two with the same engine; the two halves are new open suggestions."""
    fresh = _locked_open(suggestion)
    run = fresh.run
    _hold_feed(run.project)
    readable = {h.pk: h for h in readable_highlights(run.project)}
    members = [
        readable[pk]
        for pk in fresh.quotes.order_by("rank", "pk").values_list("highlight_id", flat=True)
        if pk in readable
    ]
    if len(members) < 2 * cluster.MIN_THEME_SIZE:
        raise ServiceError(
            f"'{fresh.label}' has {len(members)} quotes; it takes at least "
            f"{2 * cluster.MIN_THEME_SIZE} to split in two."
        )
    model = engine or embed.engine(_engine_name(run))
    vectors = quote_vectors_ensure(highlights=members, engine=model).vectors
    halves = cluster.suggest_themes(
        [h.snippet for h in members],
        np.stack([vectors[h.pk] for h in members]),
        themes=2,
        unsorted_share=0,
        min_themes=2,
    )
    number = (run.suggestions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    made: list[Suggestion] = []
    for offset, half in enumerate(halves.themes):
        child = Suggestion.objects.create(
            run=run,
            number=number + offset,
            label=f"{half.label}"[:120],
            suggested_label=f"{half.label}"[:120],
            keywords=list(half.keywords),
            confidence=half.confidence,
        )
        _place(child, [(members[i], halves.placements[i].score) for i in half.members])
        made.append(child)
    _decide(fresh, SuggestionStatus.SPLIT, actor)
    fresh.save(update_fields=["status", "decided_by", "decided_at"])
    event = _decision_event(
        suggestion=fresh,
        actor=actor,
        action=CodingAction.SUGGESTION_SPLIT,
        into=[child.pk for child in made],
        into_labels=[child.label for child in made],
    )
    return DecisionResult(suggestion=fresh, events=(event,), made=tuple(made))


def _engine_name(run: SuggestionRun) -> str:
    """The engine a run used (its ``model`` key starts with the model's name)."""
    for name in embed.ENGINES:
        probe = embed.E5Engine.model_name if name == embed.E5 else embed.MiniLMEngine.model_name
        if run.model.startswith(probe) or run.model == name:
            return name
    return ""


@register_purger
def _purge_from_suggestions(story_ids: list[int]) -> None:
    """Take a withdrawn story's quotes out of every run, and re-word what they shaped.

    The placement rows would go with the quotes anyway; here the suggestions they
    were in get keywords (and, unless a person renamed them, labels) from the
    quotes that remain, and a suggestion left empty goes.
    """
    placed = SuggestionQuote.objects.filter(highlight__review_sheet__story_id__in=story_ids)
    runs = set(placed.values_list("suggestion__run_id", flat=True))
    if not runs:
        return
    touched = set(placed.values_list("suggestion_id", flat=True))
    placed.delete()
    # A suggestion made only of these quotes was worded from them, whatever people decided.
    emptied = Suggestion.objects.filter(pk__in=touched, quotes__isnull=True)
    Suggestion.objects.filter(merged_into__in=emptied).update(merged_into=None)
    emptied.delete()
    for run in SuggestionRun.objects.filter(pk__in=runs):
        _redescribe(run)


def _redescribe(run: SuggestionRun) -> None:
    Suggestion.objects.filter(run=run, quotes__isnull=True, status=SuggestionStatus.OPEN).delete()
    live = [
        s
        for s in run.suggestions.filter(unsorted=False).prefetch_related("quotes__highlight")
        if s.quotes.all()
    ]
    described = cluster.describe([[q.highlight.snippet for q in s.quotes.all()] for s in live])
    for suggestion, (label, keywords) in zip(live, described, strict=True):
        suggestion.keywords = keywords
        if not suggestion.seed_key:
            if suggestion.label == suggestion.suggested_label:
                suggestion.label = label[:120]
            suggestion.suggested_label = label[:120]
        suggestion.save(update_fields=["keywords", "label", "suggested_label"])
    # The decisions' events name the suggestions as they were called; call them as now.
    names = {s.pk: s.label for s in run.suggestions.all()}
    events = CodingEvent.objects.filter(
        project_id=run.project_id, action__startswith="suggestion_", payload__run=run.pk
    )
    for event in events:
        payload = dict(event.payload)
        if "suggestion" in payload:
            payload["label"] = names.get(payload["suggestion"], "a suggested theme")
        for key in ("before", "into_label", "into_labels"):
            payload.pop(key, None)
        event.payload = payload
        event.save(update_fields=["payload"])
