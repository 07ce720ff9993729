"""Shared site builds: one MkDocs build of the fixture and one of the bundled data per session,
and a fixture project built once per module (`built`)."""

from __future__ import annotations

import pytest
from buildproject import Project, make_project
from sitebuild import FIXTURE_DATA, BuiltSite, build_into, bundled_or_fixture


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Project:
    """Build the fixture project once per test module; its tests change copies of it."""
    project = make_project(tmp_path_factory.mktemp(request.module.__name__) / "project")
    project.build()
    return project


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """Build the small fixture site (hostile record included) once per session."""
    return build_into(tmp_path_factory.mktemp("fixture-site"), FIXTURE_DATA)


@pytest.fixture(scope="session")
def bundled_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """Build the bundled data once per session."""
    return build_into(tmp_path_factory.mktemp("bundled-site"), bundled_or_fixture())
