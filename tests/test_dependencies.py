"""Dependencies point one way (docs/architecture.md, STYLE.md item 9).

accounts <- projects <- stories <- analysis <- reports: an app may import the
apps before it in this chain, never one after it. ``core`` may be imported by
every app and imports none of them; ``jobs`` knows no domain app; ``pipeline``
is plain Python that knows no app and no Django. ``cohub/cli.py`` and
``cohub/demo.py`` wire everything together and are not checked.

The imports are read with ``ast``, so the check also covers imports inside
functions and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cohub"
APPS_DIR = PACKAGE / "apps"

CHAIN = ["accounts", "projects", "stories", "analysis", "reports"]

# What each app may import besides itself: the apps before it, core, jobs and pipeline.
ALLOWED: dict[str, set[str]] = {
    app: {*CHAIN[:position], "core", "jobs", "pipeline"} for position, app in enumerate(CHAIN)
}
ALLOWED["core"] = set()
ALLOWED["jobs"] = {"core"}
ALLOWED["pipeline"] = set()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module ``path`` imports, as absolute dotted names, with the line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from cohub.apps import analysis`` names the app in the imported names.
            found.extend((node.lineno, f"{base}.{alias.name}") for alias in node.names)
    return found


def _part_of(dotted: str) -> str | None:
    """Which app (or ``pipeline``) a dotted module name belongs to, if any of ours."""
    parts = dotted.split(".")
    if parts[:2] == ["cohub", "apps"] and len(parts) > 2:
        return parts[2]
    if parts[:2] == ["cohub", "pipeline"]:
        return "pipeline"
    if parts[0] == "cohub" and len(parts) > 1 and parts[1] in {"cli", "demo"}:
        return parts[1]
    return None


def _checked_parts() -> dict[str, list[Path]]:
    parts = {
        app.name: sorted(app.rglob("*.py"))
        for app in sorted(APPS_DIR.iterdir())
        if (app / "__init__.py").exists()
    }
    parts["pipeline"] = sorted((PACKAGE / "pipeline").rglob("*.py"))
    return parts


def dependency_violations() -> list[str]:
    problems = []
    for part, paths in _checked_parts().items():
        for path in paths:
            for line, dotted in _imported_modules(path):
                target = _part_of(dotted)
                top = dotted.split(".")[0]
                where = f"{path.relative_to(PACKAGE.parent)}:{line}"
                if part == "pipeline" and top == "django":
                    problems.append(f"{where}: pipeline imports Django ({dotted})")
                if target is None or target == part:
                    continue
                if target not in ALLOWED.get(part, set()):
                    problems.append(f"{where}: {part} imports {target} ({dotted})")
    return problems


def test_every_app_has_a_place_in_the_chain():
    assert set(_checked_parts()) <= set(ALLOWED), "add a new app to CHAIN or ALLOWED"


def test_dependencies_point_one_way():
    problems = dependency_violations()
    assert not problems, "Imports against the dependency direction:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from cohub.apps.analysis.models import Theme", "analysis"),
        ("import cohub.apps.reports.services", "reports"),
        ("from cohub.apps import analysis", "analysis"),
        ("from ..analysis import views", "analysis"),
        ("def view():\n    from cohub.apps.reports import findings", "reports"),
    ],
)
def test_the_check_sees_every_way_of_importing(tmp_path, monkeypatch, source, expected):
    """A stories module written each of these ways would be reported."""
    package = tmp_path / "cohub"
    module = package / "apps" / "stories" / "views.py"
    module.parent.mkdir(parents=True)
    module.write_text(source, encoding="utf-8")
    monkeypatch.setattr(__name__ + ".PACKAGE", package)
    targets = {_part_of(dotted) for _, dotted in _imported_modules(module)}
    assert expected in targets
    assert expected not in ALLOWED["stories"]
