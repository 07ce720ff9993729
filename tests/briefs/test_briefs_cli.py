"""`paperbrief enrich --briefs`: configuration, the key never leaking, and a killed run."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2
import pytest
import yaml
from briefs_fakes import (
    CANARY,
    GOOD_REPLY,
    FakeMistral,
    Reply,
    add_paper,
    completion,
    local_server,
    title_of,
)
from click.testing import CliRunner

from generator.cli import main
from generator.enrich.briefs import BriefSettings, MistralBriefClient, enrich_briefs

ROOT = Path(__file__).resolve().parents[2]


def invoke(data: Path, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, ["enrich", "--briefs", "--data", str(data), *args], env=env)


def test_without_api_key_it_says_so_and_exits_non_zero(data_dir: Path) -> None:
    add_paper(data_dir, "a")
    result = invoke(data_dir, env={"MISTRAL_API_KEY": ""})
    assert result.exit_code != 0
    assert "MISTRAL_API_KEY is not set" in result.output
    assert not (data_dir / "enrichment").exists()


def test_enrich_needs_a_kind(data_dir: Path) -> None:
    result = CliRunner().invoke(main, ["enrich", "--data", str(data_dir)])
    assert result.exit_code == 2 and "--briefs" in result.output


def test_unknown_only_id_is_named(data_dir: Path) -> None:
    add_paper(data_dir, "a")
    result = invoke(data_dir, "--only", "nope", env={"MISTRAL_API_KEY": CANARY})
    assert result.exit_code == 2 and "'nope'" in result.output


def test_cli_run_prints_a_summary_with_cost(data_dir: Path) -> None:
    add_paper(data_dir, "a")
    add_paper(data_dir, "b")
    fake = FakeMistral()
    with local_server(fake) as url:
        env = {"MISTRAL_API_KEY": CANARY, "MISTRAL_SERVER_URL": url}
        first = invoke(data_dir, env=env)
        second = invoke(data_dir, env=env)
        budget = invoke(data_dir, "--refresh", "--max-calls", "0", env=env)
    assert first.exit_code == 0, first.output
    assert "briefs: 2 generated, 0 cached, 0 failed" in first.output
    assert "API calls: 2 made; tokens: 240 in, 80 out; estimated cost $0.0000" in first.output
    assert "briefs: 0 generated, 2 cached" in second.output and "API calls: 0 made" in second.output
    assert budget.exit_code == 0 and "2 not attempted" in budget.output
    assert fake.calls == 2


def _echo_key_script(body: dict[str, object], n: int) -> Reply:
    """Misbehave the way a leaky gateway would: echo the credential back in every error."""
    title = title_of(body)  # type: ignore[arg-type]
    echoed = {"message": f"echo: Bearer {CANARY}", "key": CANARY}
    if title.endswith(" a"):
        return Reply(status=400, body=echoed)
    if title.endswith(" b"):
        return Reply(status=500, body=echoed, headers={"Retry-After": "0"})
    if title.endswith(" c"):
        return Reply(body=completion(GOOD_REPLY))
    return Reply(status=401, body=echoed)


def test_canary_key_never_leaks_through_the_cli(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for name in ("a", "b", "c", "d"):
        add_paper(data_dir, name)
    fake = FakeMistral(_echo_key_script)
    caplog.set_level(logging.DEBUG)
    with local_server(fake) as url:
        # MISTRAL_DEBUG makes the SDK's default logger print request headers; ours stays silent.
        env = {"MISTRAL_API_KEY": CANARY, "MISTRAL_SERVER_URL": url, "MISTRAL_DEBUG": "1"}
        result = invoke(data_dir, env=env)

    assert fake.headers[0]["authorization"] == f"Bearer {CANARY}"  # the key really was used
    assert result.exit_code == 1
    assert "failed a: the API refused the request (HTTP 400" in result.output
    assert (
        "failed b: HTTP 500" in result.output
        and "refused MISTRAL_API_KEY (HTTP 401" in result.output
    )
    assert "[redacted]" in result.output
    outputs = [result.output, result.stderr, caplog.text]
    outputs += [p.read_text(encoding="utf-8") for p in data_dir.rglob("*") if p.is_file()]
    assert all(CANARY not in text for text in outputs)
    assert (data_dir / "enrichment" / "c.yaml").exists()


def test_canary_key_never_leaks_from_timeouts_and_network_errors(data_dir: Path) -> None:
    add_paper(data_dir, "slow")
    add_paper(data_dir, "unreachable", title="FastQuant unreachable")
    fake = FakeMistral(lambda body, n: Reply(body=completion(GOOD_REPLY), delay=1.0))
    with local_server(fake) as url:
        slow = enrich_briefs(
            data_dir,
            BriefSettings(api_key=CANARY, only=("slow",)),
            client=MistralBriefClient(
                api_key=CANARY, server_url=url, timeout_s=0.1, max_attempts=1
            ),
        )

    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError(f"cannot connect as {request.headers['authorization']}")

    unreachable = enrich_briefs(
        data_dir,
        BriefSettings(api_key=CANARY, only=("unreachable",)),
        client=MistralBriefClient(
            api_key=CANARY,
            http_client=httpx2.Client(transport=httpx2.MockTransport(refuse)),
            sleep=lambda s: None,
        ),
    )

    assert "timeout" in slow.failed["slow"]
    assert "network error: ConnectError" in unreachable.failed["unreachable"]
    texts = slow.summary_lines() + unreachable.summary_lines()
    texts += [p.read_text(encoding="utf-8") for p in data_dir.rglob("*") if p.is_file()]
    assert all(CANARY not in text for text in texts)
    assert "[redacted]" in unreachable.failed["unreachable"]


def test_settings_never_show_the_key() -> None:
    settings = BriefSettings.from_env({"MISTRAL_API_KEY": CANARY})
    assert CANARY not in repr(settings)
    assert CANARY not in repr(MistralBriefClient(api_key=CANARY))


def test_server_url_must_be_http(data_dir: Path) -> None:
    add_paper(data_dir, "a")
    result = invoke(data_dir, env={"MISTRAL_API_KEY": CANARY, "MISTRAL_SERVER_URL": "file:///x"})
    assert result.exit_code == 2 and "MISTRAL_SERVER_URL" in result.output


def test_a_run_killed_midway_loses_nothing_saved(data_dir: Path) -> None:
    papers = [f"p{i}" for i in range(6)]
    for name in papers:
        add_paper(data_dir, name)
    release = threading.Event()

    def stall_after_three(body: dict[str, object], n: int) -> Reply:
        if n == 3:
            release.wait(30)  # hold the fourth request open until the client is dead
        return Reply(body=completion(GOOD_REPLY))

    fake = FakeMistral(stall_after_three)
    with local_server(fake) as url:
        env = {**os.environ, "MISTRAL_API_KEY": CANARY, "MISTRAL_SERVER_URL": url}
        command = [sys.executable, "-m", "generator", "enrich", "--briefs", "--data", str(data_dir)]
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 60
        while fake.calls < 4 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert fake.calls == 4, proc.communicate()
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        release.set()

        saved = sorted(p.stem for p in (data_dir / "enrichment").glob("*.yaml"))
        assert saved == papers[:3]
        assert not [p for p in (data_dir / "enrichment").iterdir() if p.suffix == ".tmp"]
        for name in saved:
            brief = yaml.safe_load((data_dir / "enrichment" / f"{name}.yaml").read_text("utf-8"))
            assert brief["brief"]["status"] == "ok"

        rerun = FakeMistral()
        fake.script = rerun.script
        before = fake.calls
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )

    assert done.returncode == 0, done.stderr
    assert fake.calls - before == 3  # only the three that were never saved
    assert "briefs: 3 generated, 3 cached" in done.stdout
    assert sorted(p.stem for p in (data_dir / "enrichment").glob("*.yaml")) == papers
    assert CANARY not in done.stdout + done.stderr
