"""Site builds shared by the reader-facing tests: the fixture site in Chinese and in English."""

from __future__ import annotations

import pytest
from readers_build import build_fixture, data_with_tldrs
from sitebuild import BuiltSite


@pytest.fixture(scope="session")
def zh_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """Build the fixture site in the default language (Chinese) once per session."""
    return build_fixture(tmp_path_factory.mktemp("readers-zh"))


@pytest.fixture(scope="session")
def en_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """Build the fixture site (two papers with a TL;DR) with the English interface, once."""
    base = tmp_path_factory.mktemp("readers-en")
    return build_fixture(base, data_with_tldrs(base / "data"), language="en")
