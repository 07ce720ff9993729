"""One hostile site per session, built by `paperbrief build` in a subprocess with no network."""

from __future__ import annotations

import pytest
from hostile_build import HostileSite, build, clean_env, guard_log, make_project
from hostile_payloads import write_hostile_data


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> HostileSite:
    """Build the hostile data once: PYTHONHASHSEED=0, umask 022, UTC, from its own directory."""
    base = tmp_path_factory.mktemp("hostile-a")
    data = write_hostile_data(base / "source")
    project = make_project(base, data)
    cwd = base / "elsewhere"
    cwd.mkdir()
    env = clean_env(base, PYTHONHASHSEED="0", TZ="UTC", LC_ALL="C.UTF-8")
    run = build(project, base / "site", cwd=cwd, env=env, umask=0o022)
    return HostileSite(base, project / "data", project, base / "site", run, guard_log(base))
