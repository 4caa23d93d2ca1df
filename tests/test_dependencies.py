"""Dependencies point one way (docs/architecture.md, STYLE.md item 9).

accounts <- projects <- stories <- analysis <- reports: an app may import the
apps before it in this chain, never one after it. ``core`` may be imported by
every app and imports none of them; ``jobs`` knows no domain app; ``pipeline``
is plain Python that knows no app and no Django. ``cohub/cli.py`` and
``cohub/demo/`` wire everything together and are not checked.

The imports are read with ``ast``, so the check also covers imports inside
functions and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cohub"
APPS_DIR = PACKAGE / "apps"

CHAIN = [
    "accounts",
    "projects",
    "stories",
    "redaction",
    "analysis",
    "reports",
    "audit",
    "exchange",
]

# What each app may import besides itself: the apps before it, core, jobs and pipeline.
ALLOWED: dict[str, set[str]] = {
    app: {*CHAIN[:position], "core", "jobs", "pipeline"} for position, app in enumerate(CHAIN)
}
# Assessments hang off projects, beside the chain (docs/architecture.md).
ALLOWED["assess"] = {"accounts", "projects", "core", "jobs", "pipeline"}
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


# ---------------------------------------------------------------------------
# Relation names and URL names
#
# An import is not the only way to depend on a later app: ``story.review_sheet``,
# ``filter(review_sheet__highlights=...)`` or ``{% url 'analysis:...' %}`` in a
# stories module reach into analysis without importing it. Django adds reverse
# relations to a model for every app that points at it, so the names a later
# app added are read from the app registry and looked for in the code.

URL_NAME = re.compile(r"^([a-z_]+):[a-z_]+$")
TEMPLATE_URL = re.compile(r"{%\s*url\s+['\"]([a-z_]+):")
TEMPLATE_VARIABLE = re.compile(r"{[{%][^}]*}")


def _app_of(model) -> str:
    return model._meta.app_config.name.rsplit(".", 1)[-1]


def foreign_relation_names(app: str) -> dict[str, str]:
    """Relation names on the models ``app`` may use that were added by apps it may not.

    Maps each name to the app that added it, e.g. stories -> {"review_sheet": "analysis"}.
    """
    from django.apps import apps as registry

    visible = {app} | ALLOWED.get(app, set())
    names: dict[str, str] = {}
    for model in registry.get_models():
        if _app_of(model) not in visible:
            continue
        for relation in model._meta.related_objects:
            owner = _app_of(relation.related_model)
            if owner in visible:
                continue
            names[relation.get_accessor_name()] = owner
            names[relation.field.related_query_name()] = owner
    return names


def _lookup_parts(text: str) -> list[str]:
    return [part for part in text.split("__") if part]


def _python_reaches(tree: ast.AST, names: dict[str, str]) -> list[tuple[int, str, str]]:
    found = []
    for node in ast.walk(tree):
        words: list[str] = []
        if isinstance(node, ast.Attribute):
            words = [node.attr]
        elif isinstance(node, ast.keyword) and node.arg:
            words = _lookup_parts(node.arg)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = URL_NAME.match(node.value)
            if match:
                found.append((node.lineno, node.value, match.group(1)))
                continue
            if re.fullmatch(r"[a-z_]+", node.value):
                words = _lookup_parts(node.value)
        line = getattr(node, "lineno", 0)
        found.extend((line, word, names[word]) for word in words if word in names)
    return found


def _model_variables() -> set[str]:
    """Template variables named after a model (``story``, ``project``): what a chain starts from."""
    from django.apps import apps as registry

    return {model._meta.model_name for model in registry.get_models()} | {
        model._meta.model_name.replace("highlight", "quote") for model in registry.get_models()
    }


def _template_reaches(text: str, names: dict[str, str]) -> list[tuple[int, str, str]]:
    """URL names, and relation names in chains that start from a model-named variable.

    ``{{ story.review_sheet.ideas }}`` is a reach; ``{{ counts.stories }}`` (a dict) is not.
    """
    starts = _model_variables()
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in TEMPLATE_URL.finditer(line):
            found.append((number, match.group(0), match.group(1)))
        for tag in TEMPLATE_VARIABLE.findall(line):
            for chain in re.findall(r"[a-z_]+(?:\.[a-z_]+)+", tag):
                first, *rest = chain.split(".")
                if first not in starts:
                    continue
                found.extend((number, word, names[word]) for word in rest if word in names)
    return found


def reach_violations() -> list[str]:
    """Relation and URL names of apps that ``app`` may not depend on, used in its code."""
    problems = []
    for part, paths in _checked_parts().items():
        if part == "pipeline":
            continue
        names = foreign_relation_names(part)
        allowed = {part} | ALLOWED.get(part, set())
        app_dir = APPS_DIR / part
        for path in paths:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for line, name, owner in _python_reaches(tree, names):
                if owner not in allowed and owner in ALLOWED:
                    problems.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {name} ({owner})")
        for path in sorted(app_dir.rglob("templates/**/*.html")):
            for line, name, owner in _template_reaches(path.read_text(encoding="utf-8"), names):
                if owner not in allowed and owner in ALLOWED:
                    problems.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {name} ({owner})")
    return problems


@pytest.mark.django_db
def test_no_app_reaches_a_later_app_through_relation_or_url_names():
    problems = reach_violations()
    assert not problems, "Names of later apps used against the chain:\n" + "\n".join(problems)


def test_the_registry_knows_what_later_apps_added():
    names = foreign_relation_names("stories")
    assert names.get("review_sheet") == "analysis"
    assert "review_sheet" not in foreign_relation_names("analysis")


@pytest.mark.parametrize(
    "source",
    [
        "Story.objects.filter(review_sheet__highlights__isnull=False)",
        "story.review_sheet.ideas",
        "Story.objects.select_related('review_sheet')",
        "redirect('analysis:review_sheet', project_slug=slug, story_id=pk)",
    ],
)
def test_the_reach_check_sees_python(source):
    names = foreign_relation_names("stories")
    reached = {owner for _, _, owner in _python_reaches(ast.parse(source), names)}
    assert "analysis" in reached


@pytest.mark.parametrize(
    "source",
    [
        "<a href=\"{% url 'analysis:review_sheet' project_slug=p.slug story_id=s.pk %}\">",
        "{{ story.review_sheet.ideas }}",
    ],
)
def test_the_reach_check_sees_templates(source):
    names = foreign_relation_names("stories")
    reached = {owner for _, _, owner in _template_reaches(source, names)}
    assert "analysis" in reached
