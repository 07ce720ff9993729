"""The preview keeps Pagefind running between builds, with the published articles in it.

Each build starts from the process the last one left (build.KeptSearch) instead of sending
every article again; Pagefind numbers pages in the order it first saw them, so each build of
the chain is compared with a clean build of the same data, the whole site and its search bundle.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from buildproject import Project, differences, make_project
from test_incremental_build import _deleted_paper, _edit, _new_paper, _title_edit

from generator.errors import PaperbriefError
from generator.site.search import PagefindStream
from generator.site.serve import PreviewBuilder

pytestmark = pytest.mark.slow


def _paper_back(saved: Path) -> Callable[[Project], None]:
    """Put the paper _deleted_paper removed back, and its report entry."""

    def change(p: Project) -> None:
        shutil.copy(saved / "untitled-sparse.yaml", p.data / "papers" / "untitled-sparse.yaml")
        shutil.copy(saved / "report.yaml", p.data / "reports" / "report-2025-10-15.yaml")

    return change


def _new_paper_last(p: Project) -> None:
    # Its page sorts after every other: Pagefind can number it last, after the pages it holds.
    text = (p.data / "papers" / "kv-evict.yaml").read_text("utf-8")
    text = text.replace("Learned KV Cache Eviction", "Zero-Copy Decoding on Edge Devices")
    text = text.replace("https://example.org/kv-evict", "https://example.org/zz-edge")
    (p.data / "papers" / "zz-edge.yaml").write_text(text, encoding="utf-8")


def _ptq_retitled(p: Project) -> None:
    _edit(p.data / "papers" / "ptq-calib.yaml", "Calibration-Free", "Calibration-Light")


def test_each_preview_build_reuses_the_kept_pagefind_and_matches_a_clean_build(
    built: Project, tmp_path: Path
) -> None:
    project = built.copy(tmp_path / "project")
    saved = tmp_path / "saved"
    saved.mkdir()
    shutil.copy(project.data / "papers" / "untitled-sparse.yaml", saved)
    shutil.copy(project.data / "reports" / "report-2025-10-15.yaml", saved / "report.yaml")
    errors: list[PaperbriefError] = []
    builder = PreviewBuilder(
        project.data, project.config, echo=lambda _: None, on_error=errors.append
    )
    # (what changes, whether the build goes on with the process the last build kept)
    chain: list[tuple[str, Callable[[Project], None], bool]] = [
        ("first build of the preview", lambda p: None, False),
        # before the title edit: the new records are copies of the edited one
        ("new paper last", _new_paper_last, True),
        # sparse-attn sorts among the others: Pagefind would number it last, so a fresh process
        ("new paper among the others", _new_paper, False),
        ("title edit", _title_edit, True),
        ("unchanged: the last bundle is linked", lambda p: None, True),
        ("paper deleted: its page is emptied", _deleted_paper, True),
        ("paper back: it takes its old place", _paper_back(saved), True),
        ("another title edit", _ptq_retitled, True),
    ]
    try:
        for step, (name, change, keeps) in enumerate(chain):
            before = builder.search.stream
            change(project)
            assert builder.build(), (name, errors)
            builder.wait_for_search()
            after = builder.search.stream
            assert after is not None and after.alive, name
            assert (after is before) == keeps, name
            if before is not None and not keeps:
                assert not before.alive, name  # the process it replaced is stopped
            clean = project.clean_build_elsewhere(tmp_path / f"clean-{step}")
            assert differences(project.site, clean) == [], name
        assert errors == []

        # Another build writes the site meanwhile, from other articles: the kept process no
        # longer holds what the site was indexed from, so the next build does not use it.
        kept = builder.search.stream
        _edit(project.data / "papers" / "kv-evict.yaml", "Learned KV Cache", "Learned KV Store")
        project.build()
        _edit(project.data / "papers" / "quant-llm.yaml", "4-bit Weights", "3-bit Weights")
        assert builder.build()
        builder.wait_for_search()
        assert kept is not None and not kept.alive
        assert builder.search.stream is not None and builder.search.stream is not kept
        clean = project.clean_build_elsewhere(tmp_path / "clean-after-other")
        assert differences(project.site, clean) == []
    finally:
        last = builder.search.stream
        builder.close()
    assert last is not None and not last.alive and builder.search.stream is None
    # A build still under way when the preview stops: what it hands over is stopped, not kept.
    late = PagefindStream("zh", keep=True)
    builder.search.put(late, "digest")
    assert builder.search.stream is None and not late.alive


def test_a_failed_build_leaves_the_kept_process_for_the_next(
    built: Project, tmp_path: Path
) -> None:
    project = built.copy(tmp_path / "project")
    errors: list[PaperbriefError] = []
    builder = PreviewBuilder(
        project.data, project.config, echo=lambda _: None, on_error=errors.append
    )
    try:
        assert builder.build()
        builder.wait_for_search()
        kept: PagefindStream | None = builder.search.stream
        broken = project.data / "papers" / "broken.yaml"
        broken.write_text("title: [\n", encoding="utf-8")
        assert not builder.build() and len(errors) == 1
        assert builder.search.stream is kept and kept is not None and kept.alive
        broken.unlink()
        _title_edit(project)
        assert builder.build()
        builder.wait_for_search()
        assert builder.search.stream is kept
        clean = project.clean_build_elsewhere(tmp_path / "clean")
        assert differences(project.site, clean) == []
    finally:
        builder.close()


def test_only_a_build_into_a_built_site_starts_pagefind_before_the_generator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A first build has no articles to send ahead, and the stream's threads would keep the
    # generator from forking its second rendering process (render/site.py).
    from generator.site import build as build_module

    project = make_project(tmp_path / "project")
    started: list[Path] = []
    at_generator: list[int] = []
    real_ahead = PagefindStream.ahead_of_build.__func__  # type: ignore[attr-defined]
    real_generate = build_module.generate_docs

    def ahead(cls: type[PagefindStream], site: Path, *args: object, **kw: bool) -> PagefindStream:
        started.append(site)
        return real_ahead(cls, site, *args, **kw)  # type: ignore[no-any-return]

    def generate(*args: object, **kw: object) -> object:
        at_generator.append(len(started))
        return real_generate(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(PagefindStream, "ahead_of_build", classmethod(ahead))
    monkeypatch.setattr(build_module, "generate_docs", generate)
    project.build()
    _title_edit(project)
    project.build()
    assert at_generator == [0, 1] and started == [project.site]
