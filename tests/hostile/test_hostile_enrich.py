"""Enrichment through the CLI, in a subprocess, against a local fake Mistral: key leaks and kills."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml
from hostile_build import build, clean_env, make_project, paperbrief
from hostile_fakes import (
    CANARY,
    GOOD,
    Answer,
    FakeMistral,
    completion,
    serve,
    write_quickquant_data,
)

from generator.records.load import load_collection


def _data(base: Path, n: int) -> Path:
    paper_ids = [f"p{i:02d}" for i in range(n)]
    return write_quickquant_data(base / "source" / "data", paper_ids, report=False)


def _enrich(project: Path, env: dict[str, str], *extra: str) -> list[str]:
    return ["enrich", "--briefs", "--data", str(project / "data"), *extra]


def test_a_canary_key_appears_nowhere_whatever_the_api_does(tmp_path: Path) -> None:
    project = make_project(tmp_path, _data(tmp_path, 3))
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    echo = {"message": f"invalid key Bearer {CANARY}", "key": CANARY}
    hostile_reply = dict(
        GOOD,
        problem=f"大模型解码延迟高的问题 {CANARY}",
        tldr_en=f"QuickQuant leaks the key {CANARY} in its summary.",
    )
    # Each case must fail for the reason it names, which the run's summary states.
    scripts = {
        "401": (
            lambda n, body: Answer(401, echo, {"www-authenticate": f'Bearer realm="{CANARY}"'}),
            "the API refused MISTRAL_API_KEY (HTTP 401",
        ),
        "500": (
            lambda n, body: Answer(500, echo, {"retry-after": "0", "x-echo": CANARY}),
            "HTTP 500",
        ),
        # the answer comes 3 s late, the client waits 0.5 s: no answer is ever read
        "timeout": (
            lambda n, body: Answer(body=completion(GOOD), delay=3.0),
            "no answer within 0.5 s (timeout)",
        ),
        "key in the reply": (
            lambda n, body: Answer(body=completion(hostile_reply)),
            "the reply repeated the API key; it was discarded",
        ),
    }
    outputs: list[str] = []
    for label, (script, reason) in scripts.items():
        fake = FakeMistral(script)
        with serve(fake) as url:
            env = clean_env(
                tmp_path,
                MISTRAL_API_KEY=CANARY,
                MISTRAL_SERVER_URL=url,
                MISTRAL_DEBUG="1",
                PB_ALLOW_LOOPBACK="1",
                PB_BRIEF_TIMEOUT_S="0.5",
                PB_BRIEF_ATTEMPTS="2",
            )
            run = paperbrief(_enrich(project, env), cwd=cwd, env=env, timeout=120)
        assert fake.calls >= 1, label
        assert fake.requests[0]["authorization"] == f"Bearer {CANARY}"  # the key was really sent
        assert run.returncode != 0, (label, run.stdout, run.stderr)
        assert reason in run.stdout, (label, run.stdout, run.stderr)
        assert "0 generated" in run.stdout, (label, run.stdout)
        outputs += [run.stdout, run.stderr]

    built = build(project, tmp_path / "site", cwd=cwd, env=clean_env(tmp_path))
    assert built.returncode == 0, built.stderr
    outputs += [built.stdout, built.stderr]

    assert [text for text in outputs if CANARY in text] == []
    leaks = [
        str(path)
        for path in sorted(tmp_path.rglob("*"))
        if path.is_file() and CANARY.encode() in path.read_bytes() and "guard" not in path.parts
    ]
    assert leaks == []  # data/ (enrichment), docs/, site/, HOME, caches, TMPDIR


def test_a_killed_run_loses_nothing_and_the_rerun_asks_only_for_what_is_missing(
    tmp_path: Path,
) -> None:
    n = 10
    project = make_project(tmp_path, _data(tmp_path, n))
    # a paper whose Scholar section is already committed: the brief must be added beside it
    (project / "data" / "enrichment").mkdir()
    scholar = (
        "scholar:\n  status: no-match\n  query: QuickQuant 0\n"
        "  fetched: 2025-10-01 00:00:00+00:00\n"
    )
    (project / "data" / "enrichment" / "p00.yaml").write_text(scholar, "utf-8")
    enrichment = project / "data" / "enrichment"
    hold = threading.Event()
    fake = FakeMistral(lambda n, body: Answer(body=completion(GOOD), hold=hold if n == 3 else None))

    def saved() -> dict[str, bytes]:
        return {
            p.name: p.read_bytes()
            for p in sorted(enrichment.glob("*.yaml"))
            if b"brief:" in p.read_bytes()
        }

    with serve(fake) as url:
        env = clean_env(
            tmp_path, MISTRAL_API_KEY=CANARY, MISTRAL_SERVER_URL=url, PB_ALLOW_LOOPBACK="1"
        )
        command = [sys.executable, "-m", "generator", *_enrich(project, env)]

        # 1. killed while the fourth request hangs: exactly three briefs were saved
        proc = subprocess.Popen(
            command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        _wait_for(lambda: fake.calls >= 4 or proc.poll() is not None)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        hold.set()
        first = saved()
        assert len(first) == 3

        # 2. killed again at an arbitrary moment while answers stream in
        calls_before = fake.calls
        proc = subprocess.Popen(
            command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        _wait_for(lambda: fake.calls >= calls_before + 3 or proc.poll() is not None)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        second = saved()
        assert all(second[name] == data for name, data in first.items())  # untouched
        for name in second:  # every file on disk is whole and valid
            assert yaml.safe_load((enrichment / name).read_text("utf-8"))["brief"]["status"] == "ok"
        load_collection(project / "data")  # stray *.tmp files of a kill are ignored

        # 3. the re-run asks only for what is missing and keeps everything saved
        calls_before = fake.calls
        done = paperbrief(_enrich(project, env), cwd=tmp_path, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert fake.calls - calls_before == n - len(second)
    assert f"{n - len(second)} generated, {len(second)} cached" in done.stdout
    final = saved()
    assert len(final) == n
    assert all(final[name] == data for name, data in second.items())
    kept = yaml.safe_load((enrichment / "p00.yaml").read_text("utf-8"))
    assert kept["scholar"]["query"] == "QuickQuant 0" and kept["brief"]["status"] == "ok"
    assert CANARY not in done.stdout + done.stderr


def _wait_for(condition: object, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting for the enrichment subprocess")


def test_enrich_without_a_key_refuses_and_build_still_works(tmp_path: Path) -> None:
    project = make_project(tmp_path, _data(tmp_path, 2))
    env = clean_env(tmp_path)
    assert not any("KEY" in k for k in env)
    refused = paperbrief(_enrich(project, env), cwd=tmp_path, env=env)
    assert refused.returncode != 0 and "MISTRAL_API_KEY" in refused.stderr
    built = build(project, tmp_path / "site", cwd=tmp_path, env=env)
    assert built.returncode == 0, built.stderr
    page = (tmp_path / "site" / "papers" / "p00" / "index.html").read_text("utf-8")
    assert "简报待补充" in page
    assert os.environ.get("MISTRAL_API_KEY") is None  # the suite itself holds no key
