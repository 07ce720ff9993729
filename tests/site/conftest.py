"""Shared site builds: one MkDocs build of the fixture and one of the bundled data per session."""

from __future__ import annotations

import pytest
from sitebuild import FIXTURE_DATA, BuiltSite, build_into, bundled_or_fixture


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """Build the small fixture site (hostile record included) once per session."""
    return build_into(tmp_path_factory.mktemp("fixture-site"), FIXTURE_DATA)


@pytest.fixture(scope="session")
def bundled_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """Build the bundled data once per session."""
    return build_into(tmp_path_factory.mktemp("bundled-site"), bundled_or_fixture())
