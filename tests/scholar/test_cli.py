"""paperbrief enrich --scholar: a thin command over enrich_scholar, best-effort exit codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from scholar_fakes import TIDAL, FakeScholar, Route, write_data

from generator.cli import main
from generator.enrich import scholar as scholar_module
from generator.enrich.scholar import ScholarSettings
from generator.records.store import read_enrichment


@pytest.fixture
def pointed(scholar: FakeScholar, monkeypatch: pytest.MonkeyPatch) -> FakeScholar:
    """Give the command's settings the fake Scholar as their endpoint; all else stays real.

    The command builds ScholarSettings from its options and the settings' own make_lookup
    starts the worker, so the options, the factory and the worker are the ones users run.
    """
    real = scholar_module.ScholarSettings

    def settings_with_fake_endpoint(**options: Any) -> ScholarSettings:
        assert "endpoint" not in options  # the command has no endpoint option
        return real(endpoint=scholar.url, **options)

    monkeypatch.setattr(scholar_module, "ScholarSettings", settings_with_fake_endpoint)
    return scholar


def test_enrich_scholar_reports_each_paper_and_exits_zero_when_blocked(
    tmp_path: Path, pointed: FakeScholar
) -> None:
    pointed.routes[TIDAL] = Route(page="results_tidal.html")
    pointed.default = Route(page="forbidden.html", status=403)
    data = write_data(tmp_path, {"tidal": TIDAL, "other": "Some Other Paper Title"})
    result = CliRunner().invoke(main, ["enrich", "--scholar", "--delay", "0", "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert "tidal: match, 42 citations (similarity 100)" in result.output
    assert "failed other: Scholar refused the request: HTTP 403 (access denied)" in result.output
    assert "scholar: 2 lookups; 1 matched" in result.output
    scholar = read_enrichment(data, "tidal").scholar
    assert scholar is not None and scholar.citations == 42

    # a second run asks nothing for the fresh answer, only for the failed paper
    pointed.requests.clear()
    again = CliRunner().invoke(main, ["enrich", "--scholar", "--delay", "0", "--data", str(data)])
    assert again.exit_code == 0 and len(pointed.requests) == 1
    assert "1 still fresh" in again.output


def test_enrich_scholar_options_are_checked(tmp_path: Path) -> None:
    data = write_data(tmp_path, {"p": "Paper Title"})
    unknown = CliRunner().invoke(
        main, ["enrich", "--scholar", "--only", "nope", "--data", str(data)]
    )
    assert unknown.exit_code == 2 and "--only nope" in unknown.output
    shard = CliRunner().invoke(main, ["enrich", "--scholar", "--shard", "3/2", "--data", str(data)])
    assert shard.exit_code == 2 and "--shard" in shard.output
    nothing = CliRunner().invoke(main, ["enrich", "--data", str(data)])
    assert nothing.exit_code == 2 and "--scholar" in nothing.output
