"""The site's stylesheet parses as a person wrote it.

A brace lost while merging two changes to cohub.css once swallowed every rule
after it (the player's and the clips'): browsers drop the rest of the file
silently, so nothing else would tell. These checks fail on exactly that.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STYLESHEETS = sorted((Path(__file__).resolve().parents[2] / "cohub" / "static").rglob("*.css"))


def _blocks(css: str) -> list[tuple[int, int, str]]:
    """(line, depth before, selector) for each opening brace; comments and strings left out."""
    text = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group()), css, flags=re.S)
    text = re.sub(r"\"[^\"\n]*\"|'[^'\n]*'", lambda m: " " * len(m.group()), text)
    found, depth, line, selector = [], 0, 1, ""
    for char in text:
        if char == "{":
            found.append((line, depth, selector.strip()))
            depth, selector = depth + 1, ""
        elif char == "}":
            depth -= 1
            assert depth >= 0, f"a closing brace with nothing open, line {line}"
            selector = ""
        elif char == ";":
            selector = ""
        else:
            selector += char
            line += char == "\n"
    assert depth == 0, f"{depth} brace(s) left open at the end of the file"
    return found


@pytest.mark.parametrize("path", STYLESHEETS, ids=lambda p: p.name)
def test_every_brace_is_closed_and_rules_nest_only_in_at_rules(path):
    assert STYLESHEETS, "no stylesheets found"
    blocks = _blocks(path.read_text(encoding="utf-8"))
    parents: list[str] = []
    for line, depth, selector in blocks:
        del parents[depth:]
        if depth:
            assert parents[-1].startswith("@"), (
                f"line {line}: '{selector}' opens inside '{parents[-1]}', "
                "which is a rule, not an @media block: a closing brace is missing above it"
            )
        parents.append(selector)


def test_the_check_finds_a_missing_brace():
    broken = ".dialog::backdrop {\n  background: black;\n.player {\n  position: sticky;\n}\n"
    with pytest.raises(AssertionError, match="left open"):
        _blocks(broken)
