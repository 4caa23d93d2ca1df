"""The permission tables in docs/ and the rules must agree, cell by cell.

The permissions come from the ``rules`` registry and the apps from
INSTALLED_APPS, so a new app's permissions must be documented the day they
are added, without anyone remembering to list the app here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rules
from django.apps import apps

from tests.factories import ProjectFactory, user_for_role

TABLE = Path(__file__).resolve().parent.parent / "docs" / "roles_and_permissions.md"


def read_tables() -> list[list[list[str]]]:
    """Every table on the page, as rows of cells (the header first, no separator row)."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] | None = None
    for line in TABLE.read_text().splitlines():
        if not line.startswith("| "):
            current = None
            continue
        row = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if set(row[0]) <= {"-", " "}:
            continue
        if current is None:
            current = []
            tables.append(current)
        current.append(row)
    return tables


def read_table() -> tuple[list[str], dict[str, dict[str, bool]]]:
    """The role x permission table: permissions checked on a project (or a record in it)."""
    (header, *body), *_ = [t for t in read_tables() if "facilitator" in t[0]]
    roles = header[1:]
    table = {
        row[0]: {role: cell == "yes" for role, cell in zip(roles, row[1:], strict=True)}
        for row in body
    }
    return roles, table


def read_other_permissions() -> dict[str, str]:
    """Permissions checked on something other than a project: name -> what it is checked on."""
    tables = [t for t in read_tables() if t[0][:2] == ["permission", "checked on"]]
    assert len(tables) == 1, "the page has one table of permissions not checked on a project"
    return {row[0]: row[1] for row in tables[0][1:]}


def cohub_app_labels() -> set[str]:
    return {config.label for config in apps.get_app_configs() if config.name.startswith("cohub.")}


def registered_permissions() -> set[str]:
    return set(rules.permissions.permissions)


def test_every_permission_belongs_to_an_installed_app():
    strays = {
        name for name in registered_permissions() if name.split(".")[0] not in cohub_app_labels()
    }
    assert strays == set()


def test_the_tables_list_every_permission_once():
    _, table = read_table()
    others = read_other_permissions()
    assert set(table) & set(others) == set()
    assert set(table) | set(others) == registered_permissions(), (
        "Document each permission in docs/roles_and_permissions.md: in the role table if it "
        "is checked on a project or a record in it, otherwise in the table below it"
    )
    assert all(where != "project" for where in others.values())


def test_the_apps_found_include_the_ones_we_know():
    """The discovery finds something: a guard against an empty registry passing the test above."""
    apps_with_rules = {name.split(".")[0] for name in registered_permissions()}
    assert {"projects", "stories", "analysis", "reports", "jobs"} <= apps_with_rules


@pytest.mark.django_db
def test_every_cell_matches_the_rules():
    roles, table = read_table()
    project = ProjectFactory()
    users = {role: user_for_role(project, role) for role in roles}
    mismatches = []
    for perm, expected in table.items():
        for role, allowed in expected.items():
            if users[role].has_perm(perm, project) != allowed:
                mismatches.append(f"{perm} for {role}: table says {allowed}")
    assert mismatches == []


def test_every_project_permission_says_what_it_lets_someone_do():
    """Refusals are worded from these; a new permission without words would read 'do this'."""
    from cohub.apps.projects.refusals import described_permissions

    _, table = read_table()
    missing = set(table) - described_permissions()
    assert missing == set(), "Call describe_permission() beside the rule in the app's rules.py"


@pytest.mark.django_db
def test_refusals_name_the_same_roles_as_the_table():
    """The roles a refusal names are asked of the rules; they must match the table too."""
    from cohub.apps.projects.refusals import ROLE_PLURALS, roles_allowed

    roles, table = read_table()
    project = ProjectFactory()
    for perm, expected in table.items():
        documented = [role for role in ROLE_PLURALS if expected[role]]
        assert roles_allowed(perm, project) == documented, perm
