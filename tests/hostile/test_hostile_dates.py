"""Dates validate only inside the range the build can handle, and report times share one zone."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.errors import ValidationFailed
from generator.records.load import load_collection
from generator.site.generate import data_epoch
from generator.site.index import index_site
from generator.site.render import RenderSettings, render_site

PAPER = "title: {title}\nadded: {added}\n"


def _paper(data: Path, paper_id: str, added: str = "2025-10-15", extra: str = "") -> None:
    (data / "papers" / f"{paper_id}.yaml").write_text(
        PAPER.format(title=f"Paper {paper_id}", added=added) + extra, "utf-8"
    )


def _report(data: Path, report_id: str, generated: str, papers: str = "[p]") -> None:
    (data / "reports" / f"{report_id}.yaml").write_text(
        f"title: Report {report_id}\ngenerated: {generated}\npapers: {papers}\n", "utf-8"
    )


def _problems(data: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        load_collection(data)
    return [p.format() for p in caught.value.problems]


def test_report_times_with_and_without_an_offset_are_compared_in_utc(data_dir: Path) -> None:
    _paper(data_dir, "p")
    _report(data_dir, "naive", "2025-10-15 10:00:00")  # UTC
    _report(data_dir, "east", "2025-10-15 12:00:00+08:00")  # 04:00 UTC: older
    _report(data_dir, "west", "2025-10-15 08:00:00-05:00")  # 13:00 UTC: newest
    _report(data_dir, "zulu", "2025-10-15T11:00:00Z")
    collection = load_collection(data_dir)
    times = {r.id: r.record.generated for r in collection.reports.values()}
    assert all(t.tzinfo is None for t in times.values())
    assert times["east"] == datetime(2025, 10, 15, 4, 0)
    assert times["west"] == datetime(2025, 10, 15, 13, 0)
    model = index_site(collection)
    assert [v.id for v in model.reports] == ["west", "zulu", "naive", "east"]
    pages = {p.path: p.text for p in render_site(model, RenderSettings())}
    assert "2025-10-15 13:00:00" in pages["reports/west/index.md"]
    assert data_epoch(collection) == int(datetime(2025, 10, 15, 13, 0, tzinfo=UTC).timestamp())


@pytest.mark.parametrize(
    ("field", "text", "where"),
    [
        ("generated", "9999-12-31 23:00:00-05:00", "reports/r.yaml:2:"),
        ("generated", "2099-12-31 23:00:00-05:00", "reports/r.yaml:2:"),  # 2100 in UTC
        ("generated", "2100-01-01 00:00:00", "reports/r.yaml:2:"),
        ("generated", "1969-12-31 23:59:59", "reports/r.yaml:2:"),
        ("generated", "1970-01-01 03:00:00+05:00", "reports/r.yaml:2:"),  # 1969 in UTC
        ("generated", "0001-01-01 00:00:00+01:00", "reports/r.yaml:2:"),
        ("added", "2106-02-08", "papers/p.yaml:2:"),
        ("added", "2100-01-01", "papers/p.yaml:2:"),
        ("added", "9999-12-31", "papers/p.yaml:2:"),
        ("added", "1969-12-31", "papers/p.yaml:2:"),
        ("published", "1899-12-31", "papers/p.yaml:3:"),
        ("published", "9999-12-31", "papers/p.yaml:3:"),
    ],
)
def test_dates_outside_the_range_are_refused_with_the_range(
    data_dir: Path, field: str, text: str, where: str
) -> None:
    if field == "generated":
        _paper(data_dir, "p")
        _report(data_dir, "r", text)
    elif field == "added":
        _paper(data_dir, "p", added=text)
    else:
        _paper(data_dir, "p", extra=f"published: {text}\n")
    problems = _problems(data_dir)
    assert any(
        where in p.replace("\\", "/") and "outside the range" in p and "2099-12-31" in p
        for p in problems
    ), problems


@pytest.mark.parametrize(
    ("section", "text"),
    [
        (
            "brief",
            "{status: failed, error: e, model: m, prompt_version: v, input_hash: h,"
            " generated: 9999-12-31 23:00:00-05:00}",
        ),
        ("scholar", "{status: no-match, fetched: 2106-02-08 00:00:00}"),
        ("scholar", "{status: no-match, fetched: 1900-01-01 00:00:00}"),
    ],
)
def test_enrichment_times_outside_the_range_are_refused(
    data_dir: Path, section: str, text: str
) -> None:
    _paper(data_dir, "p")
    (data_dir / "enrichment").mkdir()
    (data_dir / "enrichment" / "p.yaml").write_text(f"{section}: {text}\n", "utf-8")
    problems = _problems(data_dir)
    assert any("enrichment" in p and "outside the range" in p for p in problems), problems


@pytest.mark.parametrize(("field", "value"), [("added", "2025"), ("added", "1760000000")])
def test_a_bare_number_is_not_a_date(data_dir: Path, field: str, value: str) -> None:
    (data_dir / "papers" / "p.yaml").write_text(f"title: T\n{field}: {value}\n", "utf-8")
    problems = _problems(data_dir)
    assert any("p.yaml:2:" in p and "is not a date" in p for p in problems), problems


def test_a_report_time_as_a_bare_number_is_refused(data_dir: Path) -> None:
    _paper(data_dir, "p")
    _report(data_dir, "r", "1760000000")
    assert any("r.yaml:2:" in p for p in _problems(data_dir))


def test_the_extreme_dates_that_validate_render_and_date_the_build(data_dir: Path) -> None:
    _paper(data_dir, "p", added="1970-01-01", extra="published: 1900-01-01\n")
    _paper(data_dir, "q", added="2099-12-31", extra="published: 2099-12-31\n")
    _report(data_dir, "old", "1970-01-01 00:00:00", "[p]")
    _report(data_dir, "new", "2099-12-31 23:59:59", "[q]")
    _report(data_dir, "east", "2099-12-31 23:59:59+08:00", "[p, q]")
    collection = load_collection(data_dir)
    pages = render_site(index_site(collection), RenderSettings())
    assert any(p.path == "reports/new/index.md" for p in pages)
    epoch = data_epoch(collection)
    assert 0 <= epoch < 2**32  # what gzip can store as a time
