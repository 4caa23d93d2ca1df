"""Theme suggestions for small sets of quotes: pure, deterministic, every quote placed.

Plain functions over arrays and strings, no Django (STYLE.md, "pure maths,
thin runner"). The suggestion job, the workshop board (:func:`group_texts`),
``cohub themes suggest`` and ``bench/themes.py`` all call
:func:`suggest_themes`, so they agree.

Why not a topic-modelling library: projects have 50-2,000 quotes, where
density clustering marks half of them as outliers and finds no topics on small
sets, and a random projection gives a different answer each run. Here:

0. The vectors are centred on their mean and made unit length again
   (not when starting from seeds).
1. Ward's agglomerative clustering (at most :data:`SAMPLE_MAX` of the unit
   vectors, a seeded sample beyond that) gives a tree; each vector is first
   blended with the mean of its :data:`TREE_NEIGHBOURS` nearest neighbours, so
   the tree follows the neighbourhoods quotes sit in rather than one quote's
   wording. The number of themes is the one asked for, or the cut in ``[5, 40]``
   with the best silhouette (cosine), read from the same tree.
2. Spherical k-means steps from those groups place every quote with the
   nearest theme centre (so 20,000 quotes cost a few matrix products).
3. Themes smaller than :data:`MIN_THEME_SIZE` are dissolved; their quotes go
   to the nearest theme unless they fit none, and then to one small group
   labelled "Unsorted" (at most ``unsorted_share`` of the quotes).
4. Each theme is labelled with its own words (class-based TF-IDF keywords:
   frequent in this theme, rare in the others) and its most central quote.

With ``seeds`` (framework themes, or a codebook's themes) quotes that clearly
fit a seed start there, the rest are grouped freely, and then both settle
together; a theme that grew from a seed says which.

The same texts, vectors and settings give the same result, to the last digit
(scores are rounded).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]

MIN_THEMES = 5
MAX_THEMES = 40
MIN_THEME_SIZE = 2
UNSORTED_SHARE = 0.05
SAMPLE_MAX = 3000
REFINE_STEPS = 8
SEED_FIT_Z = 1.0  # a quote starts in a seed's theme when it is this many deviations above typical
SEED_ANCHOR = 0.5  # how strongly a seeded theme stays near its seed as quotes join it
UNSORTED_LABEL = "Unsorted"
TREE_NEIGHBOURS = 10  # raised AMI on both labelled sets, for both models (docs/adr/0021)
ALGORITHM = "cohub-ward-spherical-3"
CENTRE_FROM = 10  # below this many quotes their mean is not a "typical quote" to take away


class ClusterError(ValueError):
    """Input that cannot be grouped as given; ``str()`` says what to change."""


@dataclass(frozen=True)
class Seed:
    """A theme to start from; ``key`` says where from (``theme:12``, ``conditions:money``)."""

    key: str
    label: str
    vector: npt.NDArray[np.floating]


@dataclass(frozen=True)
class Placement:
    """Where one input text went: ``theme`` is a theme number, or 0 for unsorted."""

    index: int
    theme: int
    score: float


@dataclass(frozen=True)
class SuggestedTheme:
    number: int
    label: str
    keywords: tuple[str, ...]
    members: tuple[int, ...]  # input indices, most central first
    representatives: tuple[int, ...]  # up to three, most central first
    confidence: float
    seed_key: str = ""
    seed_label: str = ""

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class Grouping:
    themes: tuple[SuggestedTheme, ...]
    unsorted: tuple[int, ...]
    placements: tuple[Placement, ...]  # one per input, in input order
    parameters: dict[str, Any] = field(default_factory=dict)

    def label_of(self, index: int) -> str:
        """The label of the theme the input ``index`` was placed in."""
        number = self.placements[index].theme
        return UNSORTED_LABEL if number == 0 else self.themes[number - 1].label

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (lists, not tuples), for storing a run's result."""
        return {
            "themes": [
                {**asdict(theme), "size": theme.size}
                | {
                    "keywords": list(theme.keywords),
                    "members": list(theme.members),
                    "representatives": list(theme.representatives),
                }
                for theme in self.themes
            ],
            "unsorted": list(self.unsorted),
            "placements": [asdict(p) for p in self.placements],
            "parameters": dict(self.parameters),
        }


# --------------------------------------------------------------------------- the entry point


def suggest_themes(
    texts: Sequence[str],
    vectors: npt.NDArray[np.floating],
    *,
    themes: int | None = None,
    seeds: Sequence[Seed] = (),
    seed: int = 0,
    unsorted_share: float = UNSORTED_SHARE,
    min_themes: int = MIN_THEMES,
    max_themes: int = MAX_THEMES,
) -> Grouping:
    """Group ``texts`` (one row of ``vectors`` each) into themes; see the module docstring.

    ``themes`` asks for that many (seeded themes count); ``None`` chooses.
    ``seed`` only picks the sample when there are more than :data:`SAMPLE_MAX`.
    """
    n = len(texts)
    x = _unit(vectors)
    if x.shape[0] != n:
        raise ClusterError(f"There are {n} texts but {x.shape[0]} vectors; they must match.")
    if themes is not None and themes < 1:
        raise ClusterError("The number of themes must be 1 or more.")
    if not 0 <= unsorted_share < 1:
        raise ClusterError("The unsorted share must be at least 0 and below 1.")
    parameters: dict[str, Any] = {
        "algorithm": ALGORITHM,
        "themes_asked": themes,
        "seeds": [s.key for s in seeds],
        "seed": seed,
        "unsorted_share": unsorted_share,
        "min_themes": min_themes,
        "max_themes": max_themes,
    }
    if n == 0:
        return Grouping(themes=(), unsorted=(), placements=(), parameters=parameters)

    seed_vectors = _unit(np.stack([np.asarray(s.vector) for s in seeds])) if seeds else None
    centred = n >= CENTRE_FROM and seed_vectors is None
    if centred:
        # Sentence embeddings share one strong direction (every quote is "someone
        # talking about a service"), so raw cosines all sit close together; taking
        # the corpus mean away leaves what tells the quotes apart. On the bench's
        # labelled quotes this raised agreement with people (AMI) for both models.
        # Not when starting from seeds: a framework's descriptions are not quotes,
        # and taking the quotes' mean from them moved quotes away from their seeds.
        x = _unit(x - x.mean(axis=0))
    parameters["centred"] = centred
    labels, centres, anchors, seed_index = _initial_groups(
        x,
        themes=themes,
        seed_vectors=seed_vectors,
        seed=seed,
        min_themes=min_themes,
        max_themes=max_themes,
    )
    labels, centres = _refine(x, labels, centres, anchors)
    labels, unsorted = _dissolve_small(x, labels, centres, anchors, unsorted_share)
    return _describe(
        texts, x, labels, unsorted, anchors.shape[0], [seeds[j] for j in seed_index], parameters
    )


def group_texts(
    texts: Sequence[str],
    *,
    themes: int | None = None,
    seeds: Sequence[tuple[str, str]] = (),
    framework: str = "",
    engine: str = "",
) -> Grouping:
    """Embed and group short texts (workshop notes, quotes) with the configured model.

    ``seeds`` are ``(key, text)`` pairs to start from (e.g. existing themes'
    names), embedded with the same engine; ``framework`` (``conditions`` or
    ``values``, see :mod:`cohub.pipeline.frameworks`) adds that framework's
    themes. Loads the engine once per process (:func:`cohub.pipeline.embed.engine`).
    """
    from cohub.pipeline import embed

    model = embed.engine(engine)
    pairs = [(key, text, text) for key, text in seeds] + framework_seed_texts(framework)
    vectors = model.embed(list(texts))
    seed_vectors = model.embed([text for _, _, text in pairs])
    seed_rows = [
        Seed(key=key, label=label, vector=vector)
        for (key, label, _), vector in zip(pairs, seed_vectors, strict=True)
    ]
    grouping = suggest_themes(texts, vectors, themes=themes, seeds=seed_rows)
    grouping.parameters["model"] = model.key
    grouping.parameters["framework"] = framework
    return grouping


def framework_seed_texts(framework: str) -> list[tuple[str, str, str]]:
    """``(key, label, text to embed)`` for each theme of the named framework ('' for none)."""
    from cohub.pipeline.frameworks import FRAMEWORKS

    if not framework:
        return []
    try:
        chosen = FRAMEWORKS[framework]
    except KeyError:
        raise ClusterError(
            f"There is no framework called {framework!r}. Choose one of: "
            f"{', '.join(sorted(FRAMEWORKS))}."
        ) from None
    return [(f"{chosen.key}:{t.key}", t.name, t.text) for t in chosen.themes]


def describe(groups: Sequence[Sequence[str]]) -> list[tuple[str, list[str]]]:
    """A label and keywords for each group of texts (most central first), as a run gives them.

    For re-describing suggestions after some of their quotes have gone (a
    withdrawal), so no label keeps words only the withdrawn quotes used.
    """
    keywords = _keywords([[_tokens(text) for text in group] for group in groups])
    taken: set[str] = set()
    described = []
    for group, words in zip(groups, keywords, strict=True):
        label = _label("", words, group[0] if group else "", taken)
        taken.add(label.casefold())
        described.append((label, words[:5]))
    return described


# --------------------------------------------------------------------------- steps


def _unit(vectors: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
    x = np.asarray(vectors, dtype=np.float64)
    if x.ndim == 1:
        x = x.reshape(0 if x.size == 0 else 1, -1)
    if x.ndim != 2:
        raise ClusterError("Vectors must be a table: one row per text.")
    if not np.all(np.isfinite(x)):
        raise ClusterError("A vector holds a value that is not a number.")
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (x / norms).astype(np.float64)


def _normalise_rows(m: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return m / norms


def _theme_range(n: int, min_themes: int, max_themes: int) -> tuple[int, int]:
    """How many themes to choose between for ``n`` quotes.

    Never more than a third of the quotes, nor much more than the square root of
    their number: on quotes with little structure the silhouette keeps rising with
    more themes, and forty themes for two hundred quotes is no help to a group.
    """
    low = min(min_themes, max(1, n // 3))
    high = min(max_themes, n // 3, int(np.ceil(1.5 * np.sqrt(n))))
    return low, max(low, high)


def _sample(n: int, seed: int) -> npt.NDArray[np.intp]:
    if n <= SAMPLE_MAX:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, size=SAMPLE_MAX, replace=False))


def _free_groups(
    x: npt.NDArray[np.float64], k: int | None, seed: int, min_themes: int, max_themes: int
) -> npt.NDArray[np.float64]:
    """Centres of ``k`` (or a chosen number of) groups of the rows of ``x``."""
    from scipy.cluster.hierarchy import linkage

    n = x.shape[0]
    if n == 0 or k == 0:
        return np.zeros((0, x.shape[1]))
    if n == 1:
        return x.copy()
    rows = x[_sample(n, seed)]
    tree_rows = neighbourhood_smooth(rows, TREE_NEIGHBOURS)
    tree = linkage(tree_rows, method="ward")
    if k is None:
        k = _best_cut(tree_rows, tree, *_theme_range(rows.shape[0], min_themes, max_themes))
    k = max(1, min(k, rows.shape[0]))
    cut = _cut(tree, rows.shape[0], k)
    return _centres(rows, cut, int(cut.max()) + 1)


def neighbourhood_smooth(rows: npt.NDArray[np.float64], neighbours: int) -> npt.NDArray[np.float64]:
    """Each unit row blended with the similarity-weighted mean of its nearest rows.

    Why: one quote's own wording is noisy; the quotes it sits among say more
    about what it is about. Building the tree on these blends raised agreement
    with people's grouping (AMI) for both embedding models, also on label sets
    held out from the choice of ``neighbours`` (ADR 0021). Only the tree and the
    choice of the number of themes see the blends; quotes are then placed by
    their own vectors. The neighbours are a symmetric graph (a quote counts for
    its neighbour too), ties broken by position, so the result is deterministic.
    Fewer than ``2 * neighbours + 1`` rows, or ``neighbours`` 0: the rows as given.
    """
    n = rows.shape[0]
    if neighbours <= 0 or n <= 2 * neighbours:
        return rows
    sims = rows @ rows.T
    np.fill_diagonal(sims, -np.inf)
    nearest = np.argsort(-sims, axis=1, kind="stable")[:, :neighbours]
    at = np.arange(n)[:, None]
    weights = np.zeros_like(sims)
    weights[at, nearest] = np.maximum(sims[at, nearest], 0.0)
    del sims
    weights = np.maximum(weights, weights.T)
    totals = weights.sum(axis=1, keepdims=True)
    totals[totals == 0] = 1.0
    return _normalise_rows(rows + (weights @ rows) / totals)


def _cut(tree: npt.NDArray[np.float64], n: int, k: int) -> npt.NDArray[np.intp]:
    """Exactly ``k`` groups from the tree: undo its last ``k - 1`` merges.

    (scipy's ``fcluster`` cuts at a height, and gives fewer groups when merges tie.)
    Groups are numbered in order of their first row.
    """
    parent = np.arange(2 * n - 1)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    for step in range(n - k):
        a, b = int(tree[step, 0]), int(tree[step, 1])
        parent[root(a)] = n + step
        parent[root(b)] = n + step
    labels = np.empty(n, dtype=np.intp)
    number: dict[int, int] = {}
    for i in range(n):
        labels[i] = number.setdefault(root(i), len(number))
    return labels


def _best_cut(
    rows: npt.NDArray[np.float64], tree: npt.NDArray[np.float64], low: int, high: int
) -> int:
    """The number of groups in ``[low, high]`` whose cut of the tree has the best silhouette."""
    if high <= low or rows.shape[0] < 3:
        return low
    distance = np.clip(1.0 - rows @ rows.T, 0.0, 2.0)
    best_k, best_score = low, -np.inf
    for k in range(max(2, low), high + 1):
        cut = _cut(tree, rows.shape[0], k)
        score = _silhouette(distance, cut)
        # Ties and near-ties (within a thousandth) go to fewer themes: easier for a group.
        if score > best_score + 1e-3:
            best_k, best_score = k, score
    return best_k


def _silhouette(distance: npt.NDArray[np.float64], labels: npt.NDArray[np.intp]) -> float:
    groups = int(labels.max()) + 1
    if groups < 2:
        return -1.0
    onehot = np.zeros((labels.shape[0], groups))
    onehot[np.arange(labels.shape[0]), labels] = 1.0
    sizes = onehot.sum(axis=0)
    sums = distance @ onehot  # each row's total distance to each group
    own = sizes[labels]
    a = np.where(own > 1, sums[np.arange(labels.shape[0]), labels] / np.maximum(own - 1, 1), 0.0)
    mean = sums / np.maximum(sizes, 1)
    mean[np.arange(labels.shape[0]), labels] = np.inf
    b = mean.min(axis=1)
    s = np.where(own > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(s.mean())


def _centres(
    x: npt.NDArray[np.float64], labels: npt.NDArray[np.intp], k: int
) -> npt.NDArray[np.float64]:
    sums = np.zeros((k, x.shape[1]))
    np.add.at(sums, labels, x)
    return _normalise_rows(sums)


def _initial_groups(
    x: npt.NDArray[np.float64],
    *,
    themes: int | None,
    seed_vectors: npt.NDArray[np.float64] | None,
    seed: int,
    min_themes: int,
    max_themes: int,
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64], npt.NDArray[np.float64], list[int]]:
    """First labels and centres.

    Seeded themes come first: ``anchors`` holds their seed vectors, row for row, and the
    returned list says which of the given seeds each one grew from.
    """
    n, dim = x.shape
    anchors = np.zeros((0, dim))
    used: list[int] = []
    if seed_vectors is None or seed_vectors.shape[0] == 0:
        centres = _free_groups(x, themes, seed, min_themes, max_themes)
    else:
        sims = x @ seed_vectors.T
        spread = sims.std(axis=0)
        spread[spread == 0] = 1.0
        z = (sims - sims.mean(axis=0)) / spread
        best = np.argmax(z, axis=1)
        fits = z[np.arange(n), best] >= SEED_FIT_Z
        used = sorted(set(best[fits].tolist()))
        parts = []
        if used:
            seeded = [
                x[fits & (best == j)].mean(axis=0) + SEED_ANCHOR * seed_vectors[j] for j in used
            ]
            parts.append(_normalise_rows(np.array(seeded)))
            anchors = seed_vectors[used]
        rest = x[~fits]
        if themes is None:
            low, high = _theme_range(rest.shape[0], max(1, min_themes - len(used)), max_themes)
            high = max(0, min(high, max_themes - len(used)))
            if rest.shape[0] >= 2 * MIN_THEME_SIZE and high > 0:
                parts.append(_free_groups(rest, None, seed, low, high))
        elif themes > len(used):
            parts.append(_free_groups(rest, themes - len(used), seed, min_themes, max_themes))
        if not parts:
            parts.append(_free_groups(x, 1, seed, 1, 1))
        centres = np.vstack(parts)
    labels = np.argmax(x @ centres.T, axis=1)
    return labels, centres, anchors, used


def _refine(
    x: npt.NDArray[np.float64],
    labels: npt.NDArray[np.intp],
    centres: npt.NDArray[np.float64],
    anchors: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
    """Spherical k-means steps: move each centre to its quotes, each quote to its centre."""
    k = centres.shape[0]
    for _ in range(REFINE_STEPS):
        sums = np.zeros_like(centres)
        np.add.at(sums, labels, x)
        counts = np.bincount(labels, minlength=k)
        sums[: anchors.shape[0]] += (
            SEED_ANCHOR * anchors * np.maximum(counts[: anchors.shape[0], None], 1)
        )
        empty = counts == 0
        sums[empty] = centres[empty]  # an empty theme keeps its place (it is dissolved later)
        new_centres = _normalise_rows(sums)
        new_labels = np.argmax(x @ new_centres.T, axis=1)
        centres = new_centres
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
    return labels, centres


def _dissolve_small(
    x: npt.NDArray[np.float64],
    labels: npt.NDArray[np.intp],
    centres: npt.NDArray[np.float64],
    anchors: npt.NDArray[np.float64],
    unsorted_share: float,
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Move quotes out of too-small themes; those that fit nowhere become "unsorted".

    Returns labels (``-1`` for unsorted) and the unsorted indices.
    """
    n = x.shape[0]
    k = centres.shape[0]
    min_size = MIN_THEME_SIZE if n >= 4 * MIN_THEME_SIZE else 1
    counts = np.bincount(labels, minlength=k)
    keep = counts >= min_size
    if not keep.any():
        keep[np.argmax(counts)] = True
    sims = x @ centres.T
    sims[:, ~keep] = -np.inf
    nearest = np.argmax(sims, axis=1)
    moved = ~keep[labels]
    new_labels = np.where(moved, nearest, labels)
    # A moved quote that fits its new theme less well than almost all of that theme's own
    # quotes is unsorted, up to the allowed share; the worst fits go first.
    best = sims[np.arange(n), new_labels]
    cap = int(np.floor(unsorted_share * n))
    unsorted: list[int] = []
    if cap and moved.any():
        own = best[~moved]
        floor = float(np.quantile(own, 0.05)) if own.size else -np.inf
        candidates = [int(i) for i in np.flatnonzero(moved) if best[i] < floor]
        candidates.sort(key=lambda i: (round(float(best[i]), 9), i))
        unsorted = sorted(candidates[:cap])
    new_labels[unsorted] = -1
    return new_labels, np.array(unsorted, dtype=np.intp)


# --------------------------------------------------------------------------- describing themes


def _describe(
    texts: Sequence[str],
    x: npt.NDArray[np.float64],
    labels: npt.NDArray[np.intp],
    unsorted: npt.NDArray[np.intp],
    seeded_rows: int,
    seeds: Sequence[Seed],
    parameters: dict[str, Any],
) -> Grouping:
    """Number, order, score and label the themes; theme row ``g`` grew from ``seeds[g]``."""
    n = x.shape[0]
    used = sorted(set(labels[labels >= 0].tolist()))
    centres = {g: _normalise_rows(x[labels == g].mean(axis=0, keepdims=True))[0] for g in used}
    matrix = np.array([centres[g] for g in used]) if used else np.zeros((0, x.shape[1]))
    sims = x @ matrix.T if used else np.zeros((n, 0))
    position = {g: i for i, g in enumerate(used)}
    scores = np.zeros(n)
    for i in range(n):
        if labels[i] < 0 or not used:
            continue
        row = sims[i]
        own = row[position[int(labels[i])]]
        other = np.max(np.delete(row, position[int(labels[i])])) if len(used) > 1 else -1.0
        a, b = 1.0 - own, 1.0 - other
        scores[i] = max(0.0, (b - a) / max(a, b, 1e-12)) if len(used) > 1 else max(0.0, own)
    scores = np.round(scores, 4)

    groups = []
    for g in used:
        members = np.flatnonzero(labels == g)
        closeness = np.round(sims[members, position[g]], 9)
        order = sorted(range(len(members)), key=lambda j: (-closeness[j], int(members[j])))
        groups.append([int(members[j]) for j in order])
    # Biggest first; equal sizes keep the order of their first quote.
    keyed = sorted(zip(used, groups, strict=True), key=lambda pair: (-len(pair[1]), min(pair[1])))

    token_lists = [_tokens(text) for text in texts]
    keywords = _keywords([[token_lists[i] for i in members] for _, members in keyed])
    taken: set[str] = set()
    themes: list[SuggestedTheme] = []
    number_of: dict[int, int] = {}
    for number, ((g, member_list), words) in enumerate(zip(keyed, keywords, strict=True), start=1):
        seed_key = seed_label = ""
        if g < seeded_rows:
            origin = seeds[g]
            seed_key, seed_label = origin.key, origin.label
        label = _label(seed_label, words, texts[member_list[0]], taken)
        taken.add(label.casefold())
        confidence = round(float(np.mean([scores[i] for i in member_list])), 4)
        themes.append(
            SuggestedTheme(
                number=number,
                label=label,
                keywords=tuple(words[:5]),
                members=tuple(member_list),
                representatives=tuple(member_list[:3]),
                confidence=confidence,
                seed_key=seed_key,
                seed_label=seed_label,
            )
        )
        number_of[g] = number
    placements = tuple(
        Placement(
            index=i,
            theme=number_of[int(labels[i])] if labels[i] >= 0 else 0,
            score=float(scores[i]),
        )
        for i in range(n)
    )
    parameters = dict(parameters, themes_found=len(themes), unsorted=len(unsorted))
    return Grouping(
        themes=tuple(themes),
        unsorted=tuple(int(i) for i in unsorted),
        placements=placements,
        parameters=parameters,
    )


_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")

_STOP_TEXT = """
    a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does
    doesn't doing don't down during each few for from further get gets got had hadn't has hasn't
    have haven't having he he'd he'll he's her here here's hers herself him himself his how how's
    i i'd i'll i'm i've if in into is isn't it it's its itself just let's like me more most much
    mustn't my myself no nor not of off on once only or other ought our ours ourselves out over
    own really same shan't she she'd she'll she's should shouldn't so some such than that that's
    the their theirs them themselves then there there's these they they'd they'll they're they've
    this those through to too under until up us very was wasn't we we'd we'll we're we've were
    weren't what what's when when's where where's which while who who's whom why why's will with
    won't would wouldn't you you'd you'll you're you've your yours yourself yourselves yeah yes
    um uh oh okay ok well actually kind sort thing things lot bit know think thought mean went
    going go gonna say said says told tell one even still always never ever every something
    anything nothing everything way ways back made make makes making lots quite felt feel feels
    last first next many much could get got put take took come came want wanted
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


def _tokens(text: str) -> list[str]:
    words = [w.replace("’", "'") for w in _WORD.findall(text.casefold())]
    return [w for w in words if len(w) > 1 or w.isalpha() and not w.isascii()]


def _terms(tokens: list[str]) -> set[str]:
    """A quote's candidate keywords: content words and pairs of adjacent content words."""
    terms = {t for t in tokens if t not in STOP_WORDS and len(t) > 2}
    for first, second in zip(tokens, tokens[1:], strict=False):
        if first not in STOP_WORDS and second not in STOP_WORDS and len(first) > 2:
            terms.add(f"{first} {second}")
    return terms


def _keywords(groups: list[list[list[str]]]) -> list[list[str]]:
    """Class-based TF-IDF: words many of a theme's quotes use and other themes' quotes do not."""
    per_group = [Counter(term for tokens in quotes for term in _terms(tokens)) for quotes in groups]
    overall: Counter[str] = Counter()
    for counts in per_group:
        overall.update(counts)
    average = max(1.0, sum(len(quotes) for quotes in groups) / max(1, len(groups)))
    result = []
    for quotes, counts in zip(groups, per_group, strict=True):
        size = max(1, len(quotes))
        # A label word should come from several of the theme's quotes, not one vivid one.
        chosen: list[str] = []
        for needed in sorted({max(2, -(-15 * size // 100)), 2, 1}, reverse=True):
            if size < 4 and needed > 1:
                continue
            scored = sorted(
                (-(c / size) * np.log(1.0 + average / overall[t]) * (1.2 if " " in t else 1.0), t)
                for t, c in counts.items()
                if c >= needed
            )
            for _, term in scored:
                if any(term in other or other in term for other in chosen):
                    continue
                chosen.append(term)
                if len(chosen) == 5:
                    break
            if len(chosen) >= 2:
                break
        result.append(chosen)
    return result


def _label(seed_label: str, words: list[str], central: str, taken: set[str]) -> str:
    """A short name in the quotes' own words, unique among this run's themes."""
    if seed_label:
        base = seed_label
    elif words:
        base = ", ".join(words[:3])
    else:
        base = " ".join(central.split()[:6]) or "Theme"
    base = base[:1].upper() + base[1:]
    base = base[:80].rstrip(" ,")
    label, extra = base, 2
    while label.casefold() in taken:
        label = f"{base} ({extra})"
        extra += 1
    return label
