"""The pure theme-suggestion code on tiny fixed inputs: every quote placed, same answer twice."""

from __future__ import annotations

import numpy as np
import pytest

from cohub.pipeline.cluster import (
    UNSORTED_LABEL,
    ClusterError,
    Seed,
    framework_seed_texts,
    neighbourhood_smooth,
    suggest_themes,
)

# Three clear groups in four dimensions, each quote a little off its group's axis.
MONEY = ["We were paid for our time", "The money came late", "Paid fairly, cash on the day"]
TIME = ["Rushed, no time to read", "They gave us time", "The deadline was far too tight"]
VENUE = ["The venue had no lift", "The room was too noisy", "The building was accessible"]


def _vectors(groups: list[list[str]], noise: float = 0.15) -> tuple[list[str], np.ndarray]:
    rows, texts = [], []
    for axis, group in enumerate(groups):
        for j, text in enumerate(group):
            vector = np.zeros(4)
            vector[axis] = 1.0
            vector[3] = noise * (j - 1)  # a fixed, different offset per quote
            rows.append(vector)
            texts.append(text)
    return texts, np.array(rows, dtype=np.float32)


def test_three_clear_groups_are_found_and_every_quote_is_placed():
    texts, vectors = _vectors([MONEY, TIME, VENUE])
    grouping = suggest_themes(texts, vectors, themes=3)
    assert len(grouping.themes) == 3
    assert grouping.unsorted == ()
    assert [p.index for p in grouping.placements] == list(range(9))
    found = {frozenset(theme.members) for theme in grouping.themes}
    assert found == {frozenset({0, 1, 2}), frozenset({3, 4, 5}), frozenset({6, 7, 8})}
    for theme in grouping.themes:
        assert 0 < theme.confidence <= 1
        assert theme.representatives == theme.members[:3]
        # The most central quote of a group of three is the one on its axis.
        assert theme.representatives[0] % 3 == 1


def test_labels_are_the_quotes_own_words():
    texts, vectors = _vectors([MONEY, TIME, VENUE])
    grouping = suggest_themes(texts, vectors, themes=3)
    money = next(t for t in grouping.themes if 0 in t.members)
    assert "paid" in money.keywords
    assert money.label.lower().startswith("paid")
    assert len({t.label for t in grouping.themes}) == 3


def test_same_input_gives_identical_output():
    texts, vectors = _vectors([MONEY, TIME, VENUE])
    first = suggest_themes(texts, vectors)
    second = suggest_themes(list(texts), vectors.copy())
    assert first.to_dict() == second.to_dict()


def test_number_asked_is_kept():
    texts, vectors = _vectors([MONEY, TIME, VENUE])
    assert len(suggest_themes(texts, vectors, themes=2).themes) == 2


def test_a_lone_quote_far_from_everything_is_unsorted_not_forced_into_a_theme():
    groups = [MONEY * 7, TIME * 7, VENUE * 7]  # 63 quotes, plus one odd one out
    texts, vectors = _vectors(groups, noise=0.0)
    vectors = vectors + np.random.default_rng(1).normal(0, 0.02, vectors.shape).astype(np.float32)
    texts.append("My cat likes the radiator")
    odd = np.array([[0.3, 0.3, 0.3, -0.9]], dtype=np.float32)
    grouping = suggest_themes(texts, np.vstack([vectors, odd]), themes=4)
    assert grouping.unsorted == (63,)
    assert grouping.placements[63].theme == 0
    assert grouping.label_of(63) == UNSORTED_LABEL
    assert len(grouping.themes) == 3  # the odd one's own theme was too small to keep
    assert len(grouping.unsorted) <= 0.05 * len(texts)


def test_unsorted_never_exceeds_its_share():
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(40, 8)).astype(np.float32)  # no structure at all
    texts = [f"quote {i}" for i in range(40)]
    grouping = suggest_themes(texts, vectors, unsorted_share=0.05)
    assert len(grouping.unsorted) <= 2
    placed = sum(t.size for t in grouping.themes) + len(grouping.unsorted)
    assert placed == 40


def test_seeds_pull_matching_quotes_and_say_where_they_came_from():
    texts, vectors = _vectors([MONEY * 3, TIME * 3, VENUE * 3])
    money_seed = Seed(key="theme:7", label="Payments", vector=np.array([1.0, 0, 0, 0]))
    grouping = suggest_themes(texts, vectors, themes=3, seeds=[money_seed])
    seeded = [t for t in grouping.themes if t.seed_key]
    assert len(seeded) == 1
    assert seeded[0].seed_key == "theme:7"
    assert seeded[0].label == "Payments"
    assert set(seeded[0].members) == set(range(9))


def test_small_and_empty_inputs():
    assert suggest_themes([], np.zeros((0, 4))).themes == ()
    one = suggest_themes(["only me"], np.array([[1.0, 0, 0, 0]]))
    assert len(one.themes) == 1
    assert one.placements[0].theme == 1


def test_bad_input_is_refused_plainly():
    with pytest.raises(ClusterError, match="2 texts but 1 vectors"):
        suggest_themes(["a", "b"], np.ones((1, 4)))
    with pytest.raises(ClusterError, match="1 or more"):
        suggest_themes(["a"], np.ones((1, 4)), themes=0)
    with pytest.raises(ClusterError, match="not a number"):
        suggest_themes(["a"], np.array([[np.nan, 1.0]]))
    with pytest.raises(ClusterError, match="no framework called 'nope'"):
        framework_seed_texts("nope")


def test_frameworks_are_data_with_their_own_words():
    conditions = framework_seed_texts("conditions")
    assert len(conditions) == 17
    assert conditions[12][:2] == ("conditions:money", "Paying people")
    assert len(framework_seed_texts("values")) == 6


def _noisy_groups(groups: int = 5, size: int = 12, dim: int = 16) -> tuple[list[str], np.ndarray]:
    """Enough quotes (60) that the tree is built on neighbourhood blends; fixed noise."""
    rng = np.random.default_rng(11)
    axes = np.eye(dim)[:groups]
    rows = np.vstack([axes[g] + 0.2 * rng.normal(size=(size, dim)) for g in range(groups)])
    texts = [f"quote {i} about topic{i // size} words" for i in range(groups * size)]
    return texts, rows.astype(np.float32)


def test_neighbourhood_blend_pulls_a_quote_towards_the_quotes_it_sits_among():
    texts, vectors = _noisy_groups()
    rows = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    rows = rows.astype(np.float64)
    blended = neighbourhood_smooth(rows, 5)
    assert blended.shape == rows.shape
    assert np.allclose(np.linalg.norm(blended, axis=1), 1.0)
    axis = np.eye(rows.shape[1])[:5].repeat(12, axis=0)
    # On average every quote ends nearer its own group's direction than it started.
    assert np.mean(np.sum(blended * axis, axis=1)) > np.mean(np.sum(rows * axis, axis=1)) + 0.05
    assert np.array_equal(blended, neighbourhood_smooth(rows.copy(), 5))


def test_neighbourhood_blend_leaves_few_rows_and_zero_neighbours_alone():
    rows = np.eye(6)
    assert neighbourhood_smooth(rows, 3) is rows  # 6 rows: too few for 3 neighbours each
    _, vectors = _noisy_groups()
    unchanged = vectors.astype(np.float64)
    assert neighbourhood_smooth(unchanged, 0) is unchanged


def test_blended_tree_places_every_quote_finds_the_groups_and_repeats_exactly():
    texts, vectors = _noisy_groups()
    first = suggest_themes(texts, vectors)
    second = suggest_themes(list(texts), vectors.copy())
    assert first.to_dict() == second.to_dict()
    assert first.parameters["algorithm"] == "cohub-ward-spherical-3"
    assert sorted(p.index for p in first.placements) == list(range(60))
    assert len(first.unsorted) <= 3  # at most 5% of 60
    assert len(first.themes) == 5
    found = {frozenset(theme.members) for theme in first.themes}
    assert found == {frozenset(range(g * 12, g * 12 + 12)) for g in range(5)}


def test_more_quotes_than_the_sample_still_places_every_one_and_repeats_exactly(monkeypatch):
    # Above SAMPLE_MAX the tree is built on a seeded sample and every quote is then
    # placed by the refining steps; shrink the sample so a tiny input takes that path.
    monkeypatch.setattr("cohub.pipeline.cluster.SAMPLE_MAX", 25)
    texts, vectors = _noisy_groups()
    first = suggest_themes(texts, vectors, seed=3)
    assert first.to_dict() == suggest_themes(list(texts), vectors.copy(), seed=3).to_dict()
    assert first.parameters["seed"] == 3
    assert sorted(p.index for p in first.placements) == list(range(60))
    found = {frozenset(theme.members) for theme in first.themes}
    assert found == {frozenset(range(g * 12, g * 12 + 12)) for g in range(5)}
