"""The role x permission table in docs/ and the rules must agree, cell by cell."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import ProjectFactory, user_for_role

TABLE = Path(__file__).resolve().parent.parent / "docs" / "roles_and_permissions.md"


def read_table() -> tuple[list[str], dict[str, dict[str, bool]]]:
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in TABLE.read_text().splitlines()
        if line.startswith("| ")
    ]
    header, body = rows[0], rows[1:]
    roles = header[1:]
    table = {}
    for row in body:
        if set(row[0]) <= {"-", " "}:
            continue
        table[row[0]] = {role: cell == "yes" for role, cell in zip(roles, row[1:], strict=True)}
    return roles, table


def test_table_lists_every_project_permission():
    import rules

    _, table = read_table()
    project_perms = {
        name
        for name in rules.permissions.permissions
        if name.split(".")[0] in {"projects", "stories", "analysis", "reports"}
        and name != "projects.add_project"
    }
    assert set(table) == project_perms


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
