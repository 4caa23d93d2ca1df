"""A view that opens a transaction is doing a service's work: every write path is one service.

Read with ``ast`` rather than grep, so a docstring that mentions transactions
passes and ``from django.db.transaction import atomic as a`` does not.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APPS = Path(__file__).resolve().parent.parent / "cohub" / "apps"


def _view_modules() -> list[Path]:
    modules = [*APPS.glob("*/views.py"), *APPS.glob("*/views/**/*.py"), *APPS.glob("*/*/views.py")]
    return sorted(modules)


def atomic_uses(source: str) -> list[int]:
    """Line numbers where ``atomic`` is named: ``transaction.atomic``, ``atomic(``, an import."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if (
            (isinstance(node, ast.Attribute) and node.attr == "atomic")
            or (isinstance(node, ast.Name) and node.id == "atomic")
            or (isinstance(node, ast.alias) and node.name == "atomic")
        ):
            lines.append(node.lineno)
    return sorted(lines)


def test_views_were_found():
    names = {f"{p.parent.name}/{p.name}" for p in _view_modules()}
    assert {"views/review_sheet.py", "views/quotes.py", "reports/views.py"} <= names


@pytest.mark.parametrize("path", _view_modules(), ids=lambda p: str(p.relative_to(APPS)))
def test_no_view_opens_a_transaction(path):
    found = atomic_uses(path.read_text(encoding="utf-8"))
    assert not found, (
        f"{path.relative_to(APPS)} uses transaction.atomic on line(s) {found}: move the steps "
        "into one service that returns what it did"
    )


@pytest.mark.parametrize(
    "source",
    [
        "from django.db import transaction\nwith transaction.atomic():\n    pass\n",
        "from django.db.transaction import atomic\n",
        "import django.db\n@django.db.transaction.atomic\ndef view(request): ...\n",
    ],
)
def test_the_check_sees_each_spelling(source):
    assert atomic_uses(source)


def test_the_check_ignores_words_in_docstrings():
    assert not atomic_uses('"""The service is atomic per file."""\n')
