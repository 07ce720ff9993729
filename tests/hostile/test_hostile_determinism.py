"""Two builds in different conditions give byte-identical sites and generated docs."""

from __future__ import annotations

from pathlib import Path

from hostile_build import (
    HostileSite,
    build,
    clean_env,
    generated_docs,
    guard_log,
    make_project,
    tree_bytes,
)


def test_builds_are_byte_identical_across_hash_seed_directory_umask_and_zone(
    hostile_site: HostileSite, tmp_path: Path
) -> None:
    assert hostile_site.run.returncode == 0, hostile_site.run.stderr
    # another project directory, another working directory, seed, umask, time zone and locale
    project = make_project(tmp_path / "deeper" / "path", hostile_site.data)
    cwd = tmp_path / "somewhere" / "else"
    cwd.mkdir(parents=True)
    env = clean_env(tmp_path, PYTHONHASHSEED="3141592653", TZ="Asia/Shanghai", LC_ALL="C")
    run = build(project, tmp_path / "site", cwd=cwd, env=env, umask=0o077)
    assert run.returncode == 0, run.stderr
    assert [line for line in guard_log(tmp_path) if line.startswith("blocked")] == []

    first, second = tree_bytes(hostile_site.site), tree_bytes(tmp_path / "site")
    assert sorted(first) == sorted(second)
    differ = [name for name in first if first[name] != second[name]]
    assert differ == []

    docs_first = generated_docs(hostile_site.project / "docs")
    docs_second = generated_docs(project / "docs")
    assert sorted(docs_first) == sorted(docs_second)
    assert [name for name in docs_first if docs_first[name] != docs_second[name]] == []
    # no absolute path of either machine-local directory leaks into the output
    for blob in (*second.values(), *docs_second.values()):
        assert str(tmp_path).encode() not in blob
