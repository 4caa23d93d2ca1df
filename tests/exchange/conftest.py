"""The coded project of the findings tests, and the published REFI-QDA schemas."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import xmlschema

from tests.reports.conftest import CodedProject, build_coded_project

SCHEMAS = Path(__file__).parent / "schemas"


@pytest.fixture(scope="session")
def project_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(SCHEMAS / "Project-mrt2019.xsd")


@pytest.fixture(scope="session")
def codebook_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(SCHEMAS / "Codebook-mrt2019.xsd")


@pytest.fixture
def coded(project) -> CodedProject:
    return build_coded_project(project)


def members(qdpx: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(qdpx)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()
