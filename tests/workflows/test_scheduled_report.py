"""The scheduled report step of enrich.yml: off by default, and its shell really cuts a report."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from gitrepo import git as _git

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "enrich.yml"
STEP = "Cut a report of the papers added since the last one"

sys.path.insert(0, str(ROOT / "tests" / "reports"))
from report_data import NEW_ORDER, add_new_papers, copy_sample_data  # noqa: E402


def _jobs() -> dict[str, Any]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]


def _step(job: str, name: str) -> dict[str, Any]:
    return next(s for s in _jobs()[job]["steps"] if s.get("name") == name)


def _names(job: str) -> list[str]:
    return [s.get("name", "") for s in _jobs()[job]["steps"]]


def test_the_step_is_off_unless_the_repository_variable_is_set() -> None:
    step = _step("collect", STEP)
    assert step["if"] == "vars.PAPERBRIEF_REPORT_MIN_PAPERS != ''"
    assert step["env"]["MIN_PAPERS"] == "${{ vars.PAPERBRIEF_REPORT_MIN_PAPERS }}"
    assert 'paperbrief new-report --since-last --min-papers "$MIN_PAPERS"' in step["run"]
    # the job that runs it holds no secret and no write token
    collect = _jobs()["collect"]
    assert "secrets." not in yaml.safe_dump(collect)
    assert set(collect["permissions"].values()) == {"read"}


def test_the_report_is_cut_after_enrichment_and_travels_with_its_results() -> None:
    names = _names("collect")
    assert (
        names.index("Validate the merged data")
        < names.index(STEP)
        < names.index("Find what changed")
    )
    assert "data/reports" in _step("collect", "Find what changed")["run"]
    upload = _step("collect", "Upload the merged results")["with"]["path"].split()
    # data/papers/: the records the metadata job filled travel in the same artifact
    assert upload == ["data/enrichment/", "data/reports/", "data/papers/"]
    download = _step("propose", "Download the merged results")["with"]
    assert download["name"] == "enrichment-merged" and download["path"] == "data/"
    proposal = _step("propose", "Commit, push and open the pull request")["run"]
    assert "git add data/enrichment data/reports" in proposal


def _run_step(repo: Path, name: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a collect step's shell as Actions does (bash -e), paperbrief from this venv."""
    step = _step("collect", name)
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    clean = {k: v for k, v in os.environ.items() if k != "MISTRAL_API_KEY"}
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=repo,
        env={**clean, "PATH": path, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A checkout of main: the sample data and three papers merged since its report."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    data = copy_sample_data(repo)
    add_new_papers(data)
    _git(repo, "init", "--quiet")
    _git(repo, "add", "data")
    _git(repo, "commit", "--quiet", "--message", "main")
    return repo


def _changed(repo: Path, tmp_path: Path) -> str:
    output = tmp_path / "github_output"
    output.write_text("", encoding="utf-8")
    done = _run_step(repo, "Find what changed", {"GITHUB_OUTPUT": str(output)})
    assert done.returncode == 0, done.stderr
    return output.read_text(encoding="utf-8").strip()


def test_enough_new_papers_make_a_report_for_the_pull_request(repo: Path, tmp_path: Path) -> None:
    title = "新增论文报告"
    done = _run_step(repo, STEP, {"MIN_PAPERS": "3", "REPORT_TITLE": title})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "written" in done.stdout and "(3 papers)" in done.stdout
    papers = len(list((repo / "data" / "papers").glob("*.yaml")))
    assert f"ok: {papers} papers, 2 reports" in done.stdout  # validated after the cut
    new = _git(repo, "status", "--porcelain", "--untracked-files=all", "--", "data").split()
    assert new[0] == "??" and new[1].startswith("data/reports/") and len(new) == 2
    report = yaml.safe_load((repo / new[1]).read_text(encoding="utf-8"))
    assert report["title"].startswith(title + " ") and report["papers"] == NEW_ORDER
    assert _changed(repo, tmp_path) == "changed=true"


def test_too_few_new_papers_leave_everything_as_it_was(repo: Path, tmp_path: Path) -> None:
    done = _run_step(repo, STEP, {"MIN_PAPERS": "4", "REPORT_TITLE": "新增论文报告"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "fewer than --min-papers 4: no report written" in done.stdout
    assert _git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    assert _changed(repo, tmp_path) == "changed=false"
