"""The GitHub Actions hardening rules, checked on the committed workflows so none can regress."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
GITHUB = ROOT / ".github"
WORKFLOWS = GITHUB / "workflows"

# The only jobs that may hold a write permission, and exactly which ones they hold.
ALLOWED_WRITES: dict[tuple[str, str], set[str]] = {
    ("pages.yml", "deploy"): {"pages", "id-token"},
    ("enrich.yml", "propose"): {"contents", "pull-requests"},
}
# Triggers that run with secrets or a write token on behalf of someone outside the project.
DANGEROUS_TRIGGERS = {"pull_request_target", "workflow_run", "issue_comment"}
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"#\s*v\d+\.\d+\.\d+\s*$")
# A command line that installs or runs the project (or anything from PyPI).
PROJECT_CODE = re.compile(r"^\s*(?:python3? -m |\S*/)?(?:pip|pytest|paperbrief)\b", re.M)


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name}: not a mapping"
    # YAML 1.1 reads the bare key `on` as the boolean True
    if True in data:
        data["on"] = data.pop(True)
    return data


def _triggers(workflow: dict[str, Any]) -> set[str]:
    on = workflow.get("on")
    if isinstance(on, str):
        return {on}
    if isinstance(on, list):
        return set(on)
    return set(on or {})


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps") or [])


def check_workflow(name: str, text: str) -> list[str]:
    """Return every broken hardening rule in one workflow file."""
    problems: list[str] = []
    workflow = yaml.safe_load(text)
    if True in workflow:
        workflow["on"] = workflow.pop(True)

    for trigger in sorted(_triggers(workflow) & DANGEROUS_TRIGGERS):
        problems.append(f"{name}: trigger {trigger} runs untrusted input with a write token")
    if workflow.get("permissions") != {}:
        problems.append(f"{name}: top-level permissions must be {{}}")
    concurrency = workflow.get("concurrency")
    if not isinstance(concurrency, dict) or not concurrency.get("group"):
        problems.append(f"{name}: no concurrency group")

    for job_id, job in (workflow.get("jobs") or {}).items():
        where = f"{name}: job {job_id}"
        timeout = job.get("timeout-minutes")
        if not isinstance(timeout, int) or not 1 <= timeout <= 120:
            problems.append(f"{where}: timeout-minutes must be set (1 to 120)")
        permissions = job.get("permissions")
        if not isinstance(permissions, dict):
            problems.append(f"{where}: permissions must be an explicit mapping")
            permissions = {}
        for scope, level in permissions.items():
            if level not in ("read", "write", "none"):
                problems.append(f"{where}: permission {scope}: {level!r} is not read/write/none")
        writes = {scope for scope, level in permissions.items() if level == "write"}
        allowed = ALLOWED_WRITES.get((name, job_id), set())
        if writes - allowed:
            problems.append(f"{where}: may not hold write permission {sorted(writes - allowed)}")
        if allowed and writes != allowed:
            problems.append(f"{where}: needs exactly {sorted(allowed)} write, has {sorted(writes)}")
        if writes and any(PROJECT_CODE.search(str(step.get("run", ""))) for step in _steps(job)):
            problems.append(
                f"{where}: a job with write access must not install or run project code"
            )
        if "secrets." in yaml.safe_dump(job) and not job.get("environment"):
            problems.append(f"{where}: secrets must come from a protected environment")

        for index, step in enumerate(_steps(job)):
            at = f"{where} step {index + 1}"
            uses = step.get("uses")
            if uses and not uses.startswith("./") and not PINNED.match(uses):
                problems.append(f"{at}: {uses} is not pinned to a full commit SHA")
            keeps_token = (step.get("with") or {}).get("persist-credentials") is not False
            if uses and uses.startswith("actions/checkout@") and keeps_token:
                problems.append(f"{at}: checkout needs persist-credentials: false")
            run = step.get("run")
            if run is not None and "${{" in str(run):
                problems.append(f"{at}: expression inside run:; pass the value through env")

    for number, line in enumerate(text.splitlines(), 1):
        match = re.match(r"\s*(?:-\s+)?uses:\s*(\S+)(.*)$", line)
        if match and not match.group(1).startswith("./") and not VERSION_COMMENT.search(line):
            problems.append(f"{name}:{number}: {match.group(1)} has no '# vX.Y.Z' version comment")
    return problems


def _workflow_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def test_the_expected_workflows_exist() -> None:
    assert {p.name for p in _workflow_files()} == {"pull-request.yml", "pages.yml", "enrich.yml"}


@pytest.mark.parametrize("path", _workflow_files(), ids=lambda p: p.name)
def test_workflow_follows_the_hardening_rules(path: Path) -> None:
    assert check_workflow(path.name, path.read_text(encoding="utf-8")) == []


def test_pull_requests_are_checked_without_secrets_or_write_access() -> None:
    text = (WORKFLOWS / "pull-request.yml").read_text(encoding="utf-8")
    workflow = _load(WORKFLOWS / "pull-request.yml")

    assert _triggers(workflow) == {"pull_request"}
    assert "secrets." not in text and "github.token" not in text
    for job in workflow["jobs"].values():
        assert set(job["permissions"].values()) <= {"read", "none"}
    runs = [step.get("run", "") for job in workflow["jobs"].values() for step in _steps(job)]
    assert "python -m pip install -e '.[test]'" in runs
    assert "python -m pytest" in runs
    assert "paperbrief validate --strict --changed-since HEAD^1" in runs
    assert "paperbrief build --site-dir site" in runs
    uploads = [
        step
        for step in _steps(workflow["jobs"]["site"])
        if step.get("uses", "").startswith("actions/upload-artifact@")
    ]
    assert len(uploads) == 1 and uploads[0]["with"]["path"].rstrip("/") == "site"


def test_the_pull_request_check_holds_the_changed_records_to_the_publishing_rules() -> None:
    site = _load(WORKFLOWS / "pull-request.yml")["jobs"]["site"]
    checkout = next(s for s in _steps(site) if s.get("uses", "").startswith("actions/checkout@"))
    # HEAD^1 of the pull request's merge commit is the base branch: it must be fetched
    assert checkout["with"]["fetch-depth"] == 2
    validate = [s["run"] for s in _steps(site) if "paperbrief validate" in s.get("run", "")]
    assert validate == ["paperbrief validate --strict --changed-since HEAD^1"]


def test_pages_deploys_from_main_one_at_a_time() -> None:
    workflow = _load(WORKFLOWS / "pages.yml")

    assert workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert [s["uses"].split("@")[0] for s in _steps(deploy)] == ["actions/deploy-pages"]
    used = [s.get("uses", "").split("@")[0] for s in _steps(build)]
    assert "actions/configure-pages" in used and "actions/upload-pages-artifact" in used
    assert "paperbrief build --site-dir site" in [s.get("run") for s in _steps(build)]


def test_the_pages_build_is_given_the_address_pages_serves_the_site_at() -> None:
    build = _load(WORKFLOWS / "pages.yml")["jobs"]["build"]
    steps = _steps(build)
    configure = next(s for s in steps if s.get("uses", "").startswith("actions/configure-pages@"))
    (built,) = [s for s in steps if "paperbrief build" in s.get("run", "")]
    # configure-pages' base_url, through the variable `paperbrief build` reads (no ${{ }} in run)
    assert configure["id"] and built["env"] == {
        "PAPERBRIEF_SITE_URL": "${{ steps." + configure["id"] + ".outputs.base_url }}"
    }
    assert steps.index(configure) < steps.index(built)
    assert "${{" not in built["run"]


def test_the_pull_request_preview_is_built_for_a_local_address() -> None:
    site = _load(WORKFLOWS / "pull-request.yml")["jobs"]["site"]
    (built,) = [s for s in _steps(site) if "paperbrief build" in s.get("run", "")]
    assert built["env"]["PAPERBRIEF_SITE_URL"].startswith("http://localhost:")


def test_enrichment_is_sharded_secret_holding_and_proposed_by_one_job() -> None:
    workflow = _load(WORKFLOWS / "enrich.yml")

    assert _triggers(workflow) == {"schedule", "workflow_dispatch"}
    assert workflow["concurrency"]["cancel-in-progress"] is False
    enrich, collect, propose = (workflow["jobs"][j] for j in ("enrich", "collect", "propose"))
    shards = enrich["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, enrich["env"]["SHARD_COUNT"] + 1))
    assert enrich["strategy"]["fail-fast"] is False
    assert enrich["environment"] == "enrichment"
    command = next(s["run"] for s in _steps(enrich) if "paperbrief enrich" in s.get("run", ""))
    assert command == 'paperbrief enrich --briefs --scholar --shard "$SHARD/$SHARD_COUNT"'
    assert collect["needs"] == "enrich" and propose["needs"] == "collect"
    # metadata first, in one job for all papers (arXiv allows one connection), then the shards
    metadata = workflow["jobs"]["metadata"]
    assert enrich["needs"] == "metadata" and "strategy" not in metadata
    assert metadata["environment"] == "enrichment"
    metadata_run = [s["run"] for s in _steps(metadata) if "paperbrief enrich" in s.get("run", "")]
    assert metadata_run == ["paperbrief enrich --metadata"]
    assert "paperbrief validate" in [s.get("run") for s in _steps(collect)]
    assert "gh pr create" in next(s["run"] for s in _steps(propose) if "run" in s)
    # the write token never meets the API keys
    assert "secrets." not in yaml.safe_dump(propose) and "environment" not in propose


def test_no_dependency_cache_where_a_site_is_published_or_secrets_are_held() -> None:
    for name in ("pages.yml", "enrich.yml"):
        for job in _load(WORKFLOWS / name)["jobs"].values():
            for step in _steps(job):
                assert "cache" not in (step.get("with") or {}), f"{name}: {step.get('name')}"


def test_dependabot_updates_actions_and_pip() -> None:
    config = yaml.safe_load((GITHUB / "dependabot.yml").read_text(encoding="utf-8"))
    ecosystems = {u["package-ecosystem"] for u in config["updates"]}
    assert ecosystems == {"github-actions", "pip"}


# ---- the checker itself catches what it should ---------------------------------------------

GOOD_STEP = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1"


def _workflow(on: str = "pull_request", permissions: str = "{}", job: str = "") -> str:
    job = (
        job
        or f"""
    runs-on: ubuntu-24.04
    timeout-minutes: 5
    permissions:
      contents: read
    steps:
      - uses: {GOOD_STEP}
        with:
          persist-credentials: false
"""
    )
    return f"""
on: {on}
permissions: {permissions}
concurrency:
  group: x
jobs:
  check:{job}"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_workflow(), None),
        (_workflow(on="pull_request_target"), "trigger pull_request_target"),
        (_workflow(permissions="write-all"), "top-level permissions"),
        (_workflow().replace("timeout-minutes: 5", "name: x"), "timeout-minutes"),
        (_workflow().replace("contents: read", "contents: write"), "may not hold write"),
        (
            _workflow().replace("persist-credentials: false", "fetch-depth: 1"),
            "persist-credentials",
        ),
        (_workflow().replace(GOOD_STEP, "actions/checkout@v7"), "not pinned"),
        (_workflow().replace(" # v7.0.1", ""), "version comment"),
        (
            _workflow()
            + """
      - run: echo "${{ github.event.pull_request.title }}"
""",
            "expression inside run",
        ),
        (
            _workflow()
            + """
      - run: deploy
        env:
          KEY: ${{ secrets.KEY }}
""",
            "protected environment",
        ),
        (_workflow().replace("concurrency:\n  group: x\n", ""), "concurrency"),
        (
            _workflow().replace("contents: read", "contents: write")
            + """
      - run: |
          python -m pip install .
          paperbrief validate
""",
            "must not install or run project code",
        ),
    ],
)
def test_checker_flags_each_broken_rule(text: str, expected: str | None) -> None:
    problems = check_workflow("sample.yml", text)
    if expected is None:
        assert problems == []
    else:
        assert any(expected in p for p in problems), problems


def _zizmor() -> str | None:
    beside = Path(sys.executable).with_name("zizmor")
    return str(beside) if beside.exists() else shutil.which("zizmor")


def test_zizmor_reports_no_findings() -> None:
    zizmor = _zizmor()
    if zizmor is None:
        pytest.skip("zizmor is not installed (pip install -e '.[test]')")
    # .github holds the workflows and dependabot.yml; --offline: no network in tests.
    result = subprocess.run(
        [zizmor, "--offline", "--no-progress", str(GITHUB)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
