"""Scoring as pure functions on small fixed answer sets (issue 8, ADR 0028)."""

import pytest

from cohub.apps.assess import scoring
from cohub.apps.assess.scoring import ScoredAnswer, score_item, score_items


def answers(item, group, steps, start=0):
    return [
        ScoredAnswer(respondent=f"{group}-{start + i}", group=group, item=item, step=s)
        for i, s in enumerate(steps)
    ]


def test_median_of_odd_and_even_counts():
    assert scoring.median([1, 5, 3]) == 3.0
    assert scoring.median([2, 3, 4, 5]) == 3.5


def test_dont_know_is_left_out_of_the_median_but_counted():
    result = score_item("x", answers("x", "practitioner", [5, 5, None, None, None]))
    assert result.groups["practitioner"].n == 5
    assert result.groups["practitioner"].median == 5.0


def test_only_dont_know_gives_no_median():
    assert scoring.median([None, None, None]) is None


def test_a_group_of_two_is_hidden():
    data = answers("x", "lived_experience", [1, 1]) + answers("x", "facilitator", [5, 5, 5])
    result = score_item("x", data, min_group=3)
    assert result.groups["lived_experience"].n == 2
    assert result.groups["lived_experience"].median is None
    assert result.groups["facilitator"].median == 5.0
    # One group shown: no gap to speak of, and the hidden group cannot be worked out.
    assert result.gap is None


def test_gap_is_highest_minus_lowest_shown_median():
    data = (
        answers("x", "lived_experience", [2, 2, 3])
        + answers("x", "facilitator", [5, 5, 4])
        + answers("x", "practitioner", [4, 4, 4])
        + answers("x", "decision_maker", [1, 1])  # hidden: does not widen the gap
    )
    assert score_item("x", data).gap == 3.0


def test_items_with_the_widest_gap_come_first():
    data = (
        answers("calm", "lived_experience", [4, 4, 4])
        + answers("calm", "facilitator", [4, 4, 5])
        + answers("split", "lived_experience", [1, 1, 2])
        + answers("split", "facilitator", [5, 5, 5])
        + answers("lonely", "facilitator", [5, 5, 5])
    )
    ranked = score_items(["calm", "lonely", "split"], data)
    assert [r.item for r in ranked] == ["split", "calm", "lonely"]
    assert [r.gap for r in ranked] == [4.0, 0.0, None]


def test_overall_median_is_hidden_below_the_minimum_too():
    assert score_item("x", answers("x", "facilitator", [5, 5]), min_group=3).all.median is None


@pytest.mark.parametrize(
    ("label", "step"),
    [("Strongly disagree", 1), ("agree", 4), ("strongly  agree", 5), ("Don’t know", None)],
)
def test_scale_labels(label, step):
    assert scoring.scale_step(label) == step


def test_the_scoring_module_knows_no_django():
    import ast
    from pathlib import Path

    tree = ast.parse(Path(scoring.__file__).read_text(encoding="utf-8"))
    names = [
        alias.name if isinstance(node, ast.Import) else node.module or ""
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert not [n for n in names if n.startswith(("django", "cohub"))]


def test_a_bad_row_is_refused_with_its_line_number():
    text = [
        "respondent,group,item,answer\n",
        "a,facilitator,x,agree\n",
        "b,staff,x,agree\n",
    ]
    with pytest.raises(scoring.AnswersFileError, match="line 3: group 'staff'"):
        scoring.read_answers(text, items=["x"])
