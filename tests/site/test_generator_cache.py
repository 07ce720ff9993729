"""The generator's page cache: a paper page is rendered again exactly when something it shows changed.

Every cached build here runs with PAPERBRIEF_VERIFY_PAGE_CACHE=1 (each kept page is rendered
anyway and compared with the file left in place, failing the build on a difference), and its
docs are compared file by file with a clean generation of the same data into another folder.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.errors import BuildFailed
from generator.records.collection import Paper
from generator.site import pagecache
from generator.site.generate import generate_docs
from generator.site.index import SiteModel
from generator.site.render import RenderSettings
from generator.site.render import site as render_site_module

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "site-data"


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERBRIEF_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PAPERBRIEF_NO_CACHE", raising=False)
    monkeypatch.setenv("PAPERBRIEF_VERIFY_PAGE_CACHE", "1")


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the id of every paper page rendered."""
    ids: list[str] = []
    real = render_site_module.render_paper

    def spy(ctx: object, paper: object) -> object:
        ids.append(paper.id)  # type: ignore[attr-defined]
        return real(ctx, paper)  # type: ignore[arg-type]

    monkeypatch.setattr(render_site_module, "render_paper", spy)
    return ids


def _tree(docs: Path) -> dict[str, bytes]:
    return {p.relative_to(docs).as_posix(): p.read_bytes() for p in docs.rglob("*") if p.is_file()}


class _Project:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.data = tmp_path / "data"
        shutil.copytree(FIXTURE, self.data)
        self.docs = tmp_path / "docs"
        self.settings = RenderSettings()
        self.runs = 0

    def build(self) -> int:
        """Generate into the same docs (cached, verified), compare with a clean generation."""
        _, _, pages, _ = generate_docs(self.data, self.docs, self.settings)
        self.runs += 1
        clean = self.tmp / f"clean-{self.runs}"
        generate_docs(self.data, clean, self.settings, clean=True)
        assert _tree(self.docs) == _tree(clean)
        return pages

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.data / relative
        text = path.read_text("utf-8")
        assert old in text, (relative, old)
        path.write_text(text.replace(old, new, 1), "utf-8")


def _without_verify(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAPERBRIEF_VERIFY_PAGE_CACHE")


def test_unchanged_data_renders_no_paper_page(
    tmp_path: Path, rendered: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _without_verify(monkeypatch)
    project = _Project(tmp_path)
    first = project.build()
    assert len(rendered) == 10  # five pages, by the cached generation and the clean one
    rendered.clear()
    assert project.build() == first
    assert len(rendered) == 5  # the clean generation's
    project.edit("papers/kv-evict.yaml", "Learned KV", "Learned, KV")
    rendered.clear()
    project.build()
    # kv-evict's own page and the pages listing it as related, not all five
    assert rendered.count("kv-evict") == 2 and len(rendered) < 10


def test_unchanged_groups_are_not_rendered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _without_verify(monkeypatch)
    groups: list[str] = []
    for name in ("render_technique", "render_institution"):
        real = getattr(render_site_module, name)

        def spy(ctx: object, group: object, real: Callable[..., object] = real) -> object:
            groups.append(type(group).__name__)
            return real(ctx, group)

        monkeypatch.setattr(render_site_module, name, spy)
    project = _Project(tmp_path)
    project.build()
    everything = len(groups)
    assert everything > 4
    groups.clear()
    project.build()
    assert len(groups) == everything // 2  # the clean generation's
    project.edit("papers/kv-evict.yaml", "Learned KV", "Learned, KV")
    groups.clear()
    project.build()
    # kv-evict's technique and two institutions, then the clean generation's
    assert len(groups) == 3 + everything // 2


def _related_pair(project: _Project) -> tuple[str, str]:
    """Return (a paper, one its page lists as related) from the built docs."""
    for page in sorted((project.docs / "papers").glob("*.md")):
        text = page.read_text("utf-8")
        if 'id="related"' in text:
            related = text.split('id="related"', 1)[1].split('href="../', 1)[1].split("/", 1)[0]
            return page.stem, related
    raise AssertionError("no paper page lists a related paper")


CHANGES: dict[str, Callable[[_Project], None]] = {
    "related title": lambda p: _retitle(p, _related_pair(p)[1]),
    "institution renamed": lambda p: p.edit(
        "institutions.yaml", "en: Tsinghua University", "en: Tsinghua Univ."
    ),
    "technique relabelled": lambda p: p.edit("techniques.yaml", "zh: 量化", "zh: 模型量化"),
    "brief rejected": lambda p: p.edit(
        "enrichment/ptq-calib.yaml", "status: ok\n  text: ", "status: failed\n  error: "
    ),
    "report adds a paper": lambda p: p.edit(
        "reports/report-2025-10-15.yaml", "papers: [quant-llm,", "papers: [ptq-calib, quant-llm,"
    ),
    "paper removed": lambda p: _remove_hostile(p),
    # shown on the institution and technique listings of the paper (most cited first)
    "citation count": lambda p: p.edit(
        "enrichment/quant-llm.yaml", "citations: 42", "citations: 7"
    ),
    "added date": lambda p: p.edit("papers/kv-evict.yaml", "added: 2025-", "added: 2024-"),
}


def _retitle(project: _Project, paper_id: str) -> None:
    path = project.data / "papers" / f"{paper_id}.yaml"
    text = path.read_text("utf-8")
    for start in ('title: "', "title: "):
        if text.startswith(start):
            path.write_text(start + "Retitled " + text[len(start) :], "utf-8")
            return
    path.write_text("title: A retitled paper\n" + text, "utf-8")


def _remove_hostile(project: _Project) -> None:
    (project.data / "papers" / "hostile.yaml").unlink()
    (project.data / "enrichment" / "hostile.yaml").unlink()
    project.edit("reports/report-2025-11-02.yaml", "[ptq-calib, hostile]", "[ptq-calib]")


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_change_gives_the_clean_generation(tmp_path: Path, change: str) -> None:
    project = _Project(tmp_path)
    project.build()
    CHANGES[change](project)
    project.build()
    project.build()  # and again, unchanged


def test_language_and_code_changes_render_every_paper_page(
    tmp_path: Path, rendered: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _without_verify(monkeypatch)
    project = _Project(tmp_path)
    project.build()
    rendered.clear()
    project.settings = RenderSettings(language="en")
    project.build()
    assert len(rendered) == 10  # every page, cached and clean
    rendered.clear()
    monkeypatch.setattr(pagecache, "_CODE", b"another version of the code")
    project.build()
    assert len(rendered) == 10


def test_a_page_edited_or_deleted_by_hand_is_written_again(
    tmp_path: Path, rendered: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _without_verify(monkeypatch)
    project = _Project(tmp_path)
    project.build()
    page = project.docs / "papers" / "kv-evict.md"
    text = page.read_text("utf-8")
    page.write_text(text.replace("Learned", "Edited"), "utf-8")  # same size
    rendered.clear()
    project.build()
    assert rendered.count("kv-evict") == 2
    page.unlink()
    rendered.clear()
    project.build()
    assert rendered.count("kv-evict") == 2 and page.read_text("utf-8") == text


def test_verification_catches_a_key_that_misses_an_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.site import generate

    project = _Project(tmp_path)

    # a key blind to the record: the edited title goes unnoticed, and verification says so
    def blind(model: SiteModel, settings: RenderSettings) -> pagecache.PageKeys:
        keys = pagecache.page_keys(model, settings)
        keys.papers = dict.fromkeys(keys.papers, b"same")
        return keys

    monkeypatch.setattr(generate, "page_keys", blind)
    project.build()
    project.edit("papers/kv-evict.yaml", "Learned KV", "Learned, KV")
    with pytest.raises(BuildFailed, match="was kept but renders differently"):
        generate_docs(project.data, project.docs, project.settings)


def test_the_page_keys_cover_every_module_the_generator_imports() -> None:
    script = (
        "import sys, generator.site.generate\n"
        "print('\\n'.join(m.__file__ for n, m in sys.modules.items()"
        " if n.split('.')[0] == 'generator'))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    imported = {Path(line).resolve() for line in out.stdout.split()}
    covered = {path.resolve() for path in pagecache.render_code_files()}
    assert imported and imported <= covered, sorted(imported - covered)


def test_export_pieces_are_made_once_per_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.site.render import exports

    _without_verify(monkeypatch)
    made: list[str] = []
    real = exports.Exporter._record

    def spy(self: exports.Exporter, paper: Paper) -> dict[str, object]:
        made.append(paper.id)
        return real(self, paper)

    monkeypatch.setattr(exports.Exporter, "_record", spy)
    project = _Project(tmp_path)
    project.build()
    made.clear()
    project.build()
    assert len(made) == 5  # the clean generation's; the cached one took every piece kept
    project.edit("papers/kv-evict.yaml", "Learned KV", "Learned, KV")
    made.clear()
    project.build()
    # kv-evict's pieces in the cached generation, every paper's in the clean one
    assert sorted(made) == sorted(
        ["kv-evict", "hostile", "kv-evict", "ptq-calib", "quant-llm", "untitled-sparse"]
    )


def test_verification_catches_an_export_piece_key_that_misses_an_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.site import generate

    def blind(model: SiteModel, settings: RenderSettings) -> pagecache.PageKeys:
        keys = pagecache.page_keys(model, settings)
        keys.own = {paper_id: paper_id.encode() for paper_id in keys.own}  # blind to the record
        return keys

    monkeypatch.setattr(generate, "page_keys", blind)
    project = _Project(tmp_path)
    project.build()
    project.edit("papers/kv-evict.yaml", "Learned KV", "Learned, KV")
    with pytest.raises(BuildFailed, match="export piece of kv-evict was kept"):
        generate_docs(project.data, project.docs, project.settings)


@pytest.fixture
def rankings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record each ranking of related papers (the number of papers ranked)."""
    from generator.site import index

    ranked: list[int] = []
    real = index._related

    def spy(papers: list[Paper]) -> dict[str, list[Paper]]:
        ranked.append(len(papers))
        return real(papers)

    monkeypatch.setattr(index, "_related", spy)
    return ranked


def test_related_papers_are_ranked_again_only_when_their_inputs_change(
    tmp_path: Path, rankings: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _without_verify(monkeypatch)
    project = _Project(tmp_path)
    project.build()
    assert len(rankings) == 2  # the cached generation and the clean one
    rankings.clear()
    _retitle(project, "kv-evict")  # a title is not an input of the ranking
    project.build()
    assert len(rankings) == 1  # the clean generation's
    for change in (
        lambda: project.edit("papers/kv-evict.yaml", "added: 2025-", "added: 2024-"),
        lambda: project.edit("papers/kv-evict.yaml", "[kv-cache]", "[kv-cache, pruning]"),
        lambda: _remove_hostile(project),
    ):
        change()
        rankings.clear()
        project.build()  # the docs equal the clean generation's
        assert len(rankings) == 2


def test_verification_catches_a_related_key_that_misses_an_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a key blind to techniques: a paper given another keeps the old ranking; verification says so
    monkeypatch.setattr(pagecache, "related_inputs", lambda paper: (paper.id,))
    project = _Project(tmp_path)
    project.build()
    project.edit(
        "papers/kv-evict.yaml", "techniques: [kv-cache]", "techniques: [kv-cache, pruning]"
    )
    with pytest.raises(BuildFailed, match="related papers were kept but rank differently"):
        generate_docs(project.data, project.docs, project.settings)


@pytest.fixture
def listed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the path of each page of the all-papers listing rendered."""
    from generator.site.render import listings

    paths: list[str] = []
    real = listings.paper_table

    def spy(ctx: object, source: str, papers: object, *, first_version: bool = False) -> object:
        if first_version:
            paths.append(source)
        return real(ctx, source, papers, first_version=first_version)  # type: ignore[arg-type]

    monkeypatch.setattr(listings, "paper_table", spy)
    return paths


def test_pages_of_the_paper_listing_are_kept_one_by_one(
    tmp_path: Path, listed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _Project(tmp_path)
    project.settings = RenderSettings(page_size=2)  # five papers on three pages
    project.build()
    _without_verify(monkeypatch)
    listed.clear()
    project.build()
    assert len(listed) == 3  # the clean generation's
    _retitle(project, "ptq-calib")
    listed.clear()
    project.build()
    # the retitled paper's page (it may move to another) and the clean generation's three
    assert 4 <= len(listed) <= 5
    monkeypatch.setenv("PAPERBRIEF_VERIFY_PAGE_CACHE", "1")
    for change in ("added date", "paper removed", "institution renamed", "citation count"):
        CHANGES[change](project)
        project.build()  # verified, and equal to the clean generation
    (project.docs / "papers" / "index.md").unlink()
    project.build()


def test_the_page_records_follow_the_docs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.records.filecache import GeneratorCache

    _without_verify(monkeypatch)
    project = _Project(tmp_path)

    def records() -> dict[str, tuple[bytes, int, int]]:
        store = GeneratorCache.open()
        assert store is not None
        try:
            return store.pages(str(project.docs.resolve()))
        finally:
            store.close()

    project.build()
    first = records()
    assert "papers/hostile.md" in first and "papers/kv-evict.md" in first
    project.edit("papers/kv-evict.yaml", "Learned KV", "Learned, KV")
    project.build()
    after = records()
    page = (project.docs / "papers" / "kv-evict.md").stat()
    assert after["papers/kv-evict.md"][1:] == (page.st_size, page.st_mtime_ns)
    assert after["papers/kv-evict.md"][0] != first["papers/kv-evict.md"][0]
    kept = [path for path in first if after[path][0] == first[path][0]]
    assert kept and all(after[path] == first[path] for path in kept)  # not written again
    _remove_hostile(project)
    project.build()
    last = records()
    assert "papers/hostile.md" not in last
    # a record for every file that is there, as it is; none for a file that is gone
    for path, (_key, size, mtime) in last.items():
        status = (project.docs / path).stat()
        assert (size, mtime) == (status.st_size, status.st_mtime_ns), path


def test_unchanged_reports_and_exports_are_not_rendered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _without_verify(monkeypatch)
    calls: list[str] = []
    for name in ("render_report", "render_exports"):
        real = getattr(render_site_module, name)

        def spy(*args: object, name: str = name, real: Callable[..., object] = real) -> object:
            calls.append(name)
            return real(*args)

        monkeypatch.setattr(render_site_module, name, spy)
    project = _Project(tmp_path)
    project.build()
    calls.clear()
    project.build()
    # the clean generation's two reports and exports only
    assert sorted(calls) == ["render_exports", "render_report", "render_report"]
    project.edit("reports/report-2025-11-02.yaml", "[ptq-calib, hostile]", "[ptq-calib]")
    calls.clear()
    project.build()
    # the changed report (the other shows none of its papers), the exports; then the clean run
    assert sorted(calls) == ["render_exports"] * 2 + ["render_report"] * 3


def test_verification_catches_a_report_or_exports_key_that_misses_an_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.site import generate

    blinded = ["reports/"]

    def blind(model: SiteModel, settings: RenderSettings) -> pagecache.PageKeys:
        keys = pagecache.page_keys(model, settings)
        for unit in keys.groups:
            if unit.startswith(blinded[0]):
                keys.groups[unit] = unit.encode()  # blind to everything
        return keys

    monkeypatch.setattr(generate, "page_keys", blind)
    project = _Project(tmp_path)
    project.build()
    project.edit("reports/report-2025-10-15.yaml", "AI推理加速技术论文分析报告", "Another title")
    with pytest.raises(BuildFailed, match=r"reports/report-2025-10-15.*was kept but renders"):
        generate_docs(project.data, project.docs, project.settings)
    project.edit("reports/report-2025-10-15.yaml", "Another title", "AI推理加速技术论文分析报告")
    blinded[0] = "exports"
    project.build()
    project.edit("papers/kv-evict.yaml", "Learned KV", "Learned, KV")
    with pytest.raises(BuildFailed, match=r"exports/.*was kept but renders"):
        generate_docs(project.data, project.docs, project.settings)


def test_a_set_of_page_paths_is_checked_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.site import write

    checks: list[int] = []
    real = write.check_pages

    def spy(pages: list[write.PageText]) -> object:
        checks.append(len(pages))
        return real(pages)

    monkeypatch.setattr(write, "check_pages", spy)
    project = _Project(tmp_path)
    project.build()
    assert len(checks) == 2  # the cached generation and the clean one
    project.build()
    assert len(checks) == 4  # verification checks again
    _without_verify(monkeypatch)
    checks.clear()
    project.build()
    assert len(checks) == 1  # the clean generation's: the same paths passed before
    project.edit("papers/kv-evict.yaml", "Learned KV", "Learned, KV")
    checks.clear()
    project.build()
    assert len(checks) == 1  # a title changes no path
    (project.data / "papers" / "new-paper.yaml").write_text(
        "title: A Wholly Different Paper\ninstitutions: [Tsinghua University]\n"
        "techniques: [kv-cache]\nadded: 2025-10-16\n",
        "utf-8",
    )
    checks.clear()
    project.build()
    assert len(checks) == 2  # another set of paths: checked


def test_the_collector_resumes_with_nothing_frozen_and_cycles_collectable() -> None:
    import gc
    import weakref

    from generator.site import generate

    class Node:
        link: object = None

    assert gc.isenabled()
    with generate._no_cyclic_gc():
        node = Node()
        node.link = node  # a cycle made while the collector is paused
        ref = weakref.ref(node)
        del node
        assert not gc.isenabled()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.collect()
    assert ref() is None
