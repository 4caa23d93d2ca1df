"""Quote vectors: the cache (recompute only what changed) and "more like this".

The vectors are cached per quote and model, keyed by the hash of the words as
embedded, so a corrected quote gets a new vector and an unchanged one is never
embedded twice. Only quotes whose storyteller's consent lets the team read the
story are embedded or compared; a withdrawn story's vectors go with its quotes
(and its purger, below, says so explicitly).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from django.db import transaction
from django.db.models import Count

from cohub.apps.analysis.models import Highlight, QuoteVector
from cohub.apps.analysis.selectors import ShownQuote, _shown
from cohub.apps.projects.models import Project
from cohub.apps.stories.purge import register_purger
from cohub.apps.stories.selectors import consents_for
from cohub.pipeline import embed

SIMILAR_LIMIT = 8


@dataclass(frozen=True)
class VectorResult:
    """Each quote's vector by highlight id, and how many had to be computed now."""

    vectors: dict[int, npt.NDArray[np.float32]]
    model: str
    computed: int
    reused: int


def readable_highlights(project: Project) -> list[Highlight]:
    """The project's quotes whose storyteller lets the team read the story now, in id order."""
    highlights = list(
        Highlight.objects.filter(review_sheet__story__project=project)
        .select_related("review_sheet__story", "speaker")
        .order_by("pk")
    )
    if not highlights:
        return []
    consents = consents_for(project)
    return [h for h in highlights if consents[h.review_sheet.story.storyteller_id].words is None]


@transaction.atomic
def quote_vectors_ensure(
    *, highlights: Sequence[Highlight], engine: embed.Embedder | None = None
) -> VectorResult:
    """The vectors of ``highlights``, embedding only those missing or whose words changed.

    The caller passes quotes it may use (``readable_highlights``); this does
    not check consent again. Safe to repeat: the same words give the same row.
    """
    model = engine or embed.engine()
    wanted = {h.pk: (h, embed.text_hash(h.snippet)) for h in highlights}
    stored = {
        row.highlight_id: row
        for row in QuoteVector.objects.filter(highlight_id__in=list(wanted), model=model.key)
    }
    vectors: dict[int, npt.NDArray[np.float32]] = {}
    todo: list[tuple[Highlight, str]] = []
    for pk, (highlight, digest) in wanted.items():
        row = stored.get(pk)
        if row is not None and row.text_hash == digest and row.dim == model.dim:
            vectors[pk] = embed.from_bytes(row.vector, row.dim)
        else:
            todo.append((highlight, digest))
    if todo:
        fresh = model.embed([h.snippet for h, _ in todo])
        stale = [stored[h.pk].pk for h, _ in todo if h.pk in stored]
        if stale:
            QuoteVector.objects.filter(pk__in=stale).delete()
        QuoteVector.objects.bulk_create(
            QuoteVector(
                highlight=h,
                story_id=h.review_sheet.story_id,
                model=model.key,
                text_hash=digest,
                dim=model.dim,
                vector=embed.to_bytes(vector),
            )
            for (h, digest), vector in zip(todo, fresh, strict=True)
        )
        for (h, _), vector in zip(todo, fresh, strict=True):
            vectors[h.pk] = vector
    return VectorResult(
        vectors=vectors, model=model.key, computed=len(todo), reused=len(wanted) - len(todo)
    )


@dataclass(frozen=True)
class SimilarQuote:
    quote: ShownQuote
    similarity: float

    @property
    def closeness(self) -> str:
        """How alike, in words a person can use."""
        if self.similarity >= 0.9:
            return "Very close"
        if self.similarity >= 0.8:
            return "Close"
        return "Somewhat alike"


def similar_quotes(
    project: Project, highlight: Highlight, *, limit: int = SIMILAR_LIMIT
) -> list[SimilarQuote]:
    """The quotes across the project's stories most like ``highlight``, most alike first.

    Only quotes the team may read now are compared or shown (and none when the
    quote itself is withheld). Vectors come from the cache; the few missing are
    embedded now.
    """
    readable = readable_highlights(project)
    if highlight.pk not in {h.pk for h in readable}:
        return []
    result = quote_vectors_ensure(highlights=readable)
    others = [h for h in readable if h.pk != highlight.pk]
    if not others:
        return []
    target = result.vectors[highlight.pk]
    matrix = np.stack([result.vectors[h.pk] for h in others])
    scores = matrix @ target
    order = sorted(range(len(others)), key=lambda i: (-round(float(scores[i]), 6), others[i].pk))
    consents = consents_for(project)
    found = []
    for i in order[:limit]:
        h = others[i]
        shown = _shown(h, consents[h.review_sheet.story.storyteller_id])
        found.append(SimilarQuote(quote=shown, similarity=round(float(scores[i]), 4)))
    return found


def vector_counts(story_ids: Sequence[int]) -> dict[int, int]:
    """Cached vectors per story, for the story pages' "withdrawal removes" lists."""
    rows = (
        QuoteVector.objects.filter(story_id__in=list(story_ids))
        .values("story_id")
        .annotate(n=Count("pk"))
    )
    return {row["story_id"]: row["n"] for row in rows}


@register_purger
def _purge_quote_vectors(story_ids: list[int]) -> None:
    """A vector can be turned back into words, so it goes with its story (quotes cascade too)."""
    QuoteVector.objects.filter(story_id__in=story_ids).delete()
