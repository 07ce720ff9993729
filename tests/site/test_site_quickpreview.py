"""The preview's fast path: a saved paper record's page is published first, as the build makes it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from buildproject import Project, differences, fetch, serving, wait_for

from generator.errors import BuildFailed, PaperbriefError
from generator.site import serve as serve_module
from generator.site.serve import PreviewBuilder

PAGE = "papers/kv-evict/index.html"
HOSTILE = "<script>alert(1)</script> & <b>bold</b>"


class _Preview:
    """A PreviewBuilder on a project copy that notes what each step of a save left."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.lines: list[str] = []
        self.errors: list[PaperbriefError] = []
        # The published page (and the papers listing) each time a preview reloads the pages.
        self.shown: list[tuple[bytes, bytes]] = []
        self.builder = PreviewBuilder(
            project.data,
            project.config,
            echo=self.lines.append,
            on_error=self.errors.append,
            on_preview=self._shown,
        )
        assert self.builder.build()  # the first build: the preview keeps what it left

    def _shown(self) -> None:
        site = self.project.site
        self.shown.append(((site / PAGE).read_bytes(), (site / "papers/index.html").read_bytes()))

    def save(self, path: Path, text: str) -> bool:
        """Write a file, tell the builder as the watcher would, build; return the result."""
        path.write_text(text, encoding="utf-8")
        self.builder.note(str(path))
        return self.builder.build()

    def previewed(self) -> bool:
        return any("previewed in" in line for line in self.lines)


def _record(project: Project, paper: str = "kv-evict") -> Path:
    return project.data / "papers" / f"{paper}.yaml"


def _edited(project: Project, **fields: object) -> str:
    record = yaml.safe_load(_record(project).read_text("utf-8"))
    record.update(fields)
    return yaml.safe_dump(record, allow_unicode=True, sort_keys=False)


def test_a_saved_paper_is_published_first_as_the_build_publishes_it(
    built: Project, tmp_path: Path
) -> None:
    project = built.copy(tmp_path / "project")
    preview = _Preview(project)
    before = (project.site / PAGE).read_bytes()
    title = f"Quick {HOSTILE} KV Cache Eviction"
    brief = f"A brief with {HOSTILE} in it."
    assert preview.save(_record(project), _edited(project, title=title, brief=brief))
    assert any(
        line.startswith("page papers/kv-evict/ previewed in")
        and line.endswith("s; rebuilding the site")
        for line in preview.lines
    ), preview.lines
    # Shown twice: the previewed page, then the built site.
    assert len(preview.shown) == 2
    (fast, listing), (built_page, built_listing) = preview.shown
    assert fast != before
    # Only the paper's own page came first: the listing waited for the build.
    assert b"Quick " not in listing and b"Quick " in built_listing
    text = fast.decode("utf-8")
    assert "Quick &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in text
    assert "<script>alert(1)" not in text and "<b>bold</b>" not in text
    assert "A brief with &lt;script&gt;" in text
    # Byte for byte the page the build published next, and a clean build's.
    assert fast == built_page == (project.site / PAGE).read_bytes()
    preview.builder.wait_for_search()
    clean = project.clean_build_elsewhere(tmp_path / "clean")
    assert (clean / PAGE).read_bytes() == fast
    assert differences(project.site, clean) == []
    assert preview.errors == []


def test_a_second_save_is_previewed_from_the_last_build(built: Project, tmp_path: Path) -> None:
    project = built.copy(tmp_path / "project")
    preview = _Preview(project)
    assert preview.save(_record(project), _edited(project, title="First Quick KV Eviction"))
    preview.lines.clear()
    preview.shown.clear()
    assert preview.save(_record(project), _edited(project, title="Second Quick KV Eviction"))
    assert preview.previewed(), preview.lines
    assert b"Second Quick KV" in preview.shown[0][0]
    assert preview.shown[0][0] == (project.site / PAGE).read_bytes()


@pytest.mark.parametrize(
    "text",
    [
        "title: [\n",  # not YAML
        "title: Fine\nadded: not-a-date\n",  # against the schema
        "title: Fine\nauthors: [A]\ninstitutions: [Nowhere University]\n"
        "techniques: [kv-cache]\nadded: 2025-10-15\n",  # an institution the registry lacks
    ],
)
def test_an_invalid_record_is_left_to_the_build_and_the_page_stays(
    built: Project, tmp_path: Path, text: str
) -> None:
    project = built.copy(tmp_path / "project")
    preview = _Preview(project)
    before = (project.site / PAGE).read_bytes()
    assert not preview.save(_record(project), text)
    assert not preview.previewed() and preview.shown == []
    assert len(preview.errors) == 1 and "kv-evict.yaml" in str(
        getattr(preview.errors[0], "problems", preview.errors[0])
    )
    assert (project.site / PAGE).read_bytes() == before


def test_a_title_another_paper_has_is_left_to_the_build(built: Project, tmp_path: Path) -> None:
    project = built.copy(tmp_path / "project")
    preview = _Preview(project)
    before = (project.site / PAGE).read_bytes()
    other = yaml.safe_load(_record(project, "quant-llm").read_text("utf-8"))["title"]
    assert not preview.save(_record(project), _edited(project, title=other))
    assert not preview.previewed()
    assert preview.errors and "same title" in str(getattr(preview.errors[0], "problems", ""))
    assert (project.site / PAGE).read_bytes() == before


def test_other_changes_take_the_full_build_only(built: Project, tmp_path: Path) -> None:
    project = built.copy(tmp_path / "project")
    preview = _Preview(project)
    others = [
        project.data / "institutions.yaml",
        project.data / "techniques.yaml",
        next((project.data / "reports").glob("*.yaml")),
        project.root / "overrides" / "main.html",
        project.docs / "about.md",
        project.config,
    ]
    for number, other in enumerate(others):
        # The paper changes in the same save as a file the preview does not render from.
        _record(project).write_text(
            _edited(project, title=f"Together {number} KV Eviction"), encoding="utf-8"
        )
        preview.builder.note(str(_record(project)))
        other.write_text(other.read_text("utf-8") + "\n", encoding="utf-8")
        assert preview.save(other, other.read_text("utf-8")), preview.errors
        assert not preview.previewed(), (other, preview.lines)
        assert preview.shown == []
        assert f"Together {number} KV" in (project.site / PAGE).read_text("utf-8")


def test_previewed_pages_are_put_back_when_the_build_fails(
    built: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = built.copy(tmp_path / "project")
    preview = _Preview(project)
    before = (project.site / PAGE).read_bytes()

    def failing_build(*args: object, **kwargs: object) -> None:
        raise BuildFailed("mkdocs build failed (strict mode): a test's failure")

    monkeypatch.setattr(serve_module, "build_site", failing_build)
    assert not preview.save(_record(project), _edited(project, title="Never Built KV Eviction"))
    assert preview.previewed()
    assert b"Never Built KV" in preview.shown[0][0]
    assert (project.site / PAGE).read_bytes() == before
    assert any("back as the last site had them" in line for line in preview.lines)
    # The page put back is younger than the manifest: the next build does not take it for its own.
    monkeypatch.undo()
    assert preview.builder.build()
    preview.builder.wait_for_search()
    assert b"Never Built KV" in (project.site / PAGE).read_bytes()
    assert differences(project.site, project.clean_build_elsewhere(tmp_path / "clean")) == []


_LIVERELOAD = re.compile(r"<script>\s*var livereload = .*?</script>", re.DOTALL)


@pytest.mark.slow
def test_serve_shows_the_previewed_page_then_the_same_built_page(
    built: Project, tmp_path: Path
) -> None:
    project = built.copy(tmp_path / "project")
    log = tmp_path / "serve.log"

    def logged(what: str) -> int:
        return log.read_text("utf-8").count(what)

    with serving(project, log) as (server, base):
        url = base + "papers/kv-evict/"

        def served() -> str:
            return _LIVERELOAD.sub("", fetch(url) or "")

        wait_for(lambda: server.poll() is not None or bool(fetch(url)), "the preview to serve")
        assert server.poll() is None, log.read_text("utf-8")
        builds = logged("rebuilt in")
        _record(project).write_text(
            _edited(project, title="Served Quick KV Eviction", brief=f"Brief {HOSTILE}."),
            encoding="utf-8",
        )
        wait_for(
            lambda: logged("previewed in") == 1 or server.poll() is not None,
            "the page to be previewed",
        )
        fast = served()
        assert "Served Quick KV" in fast and "<script>alert" not in fast
        wait_for(
            lambda: logged("rebuilt in") > builds or server.poll() is not None,
            "the site to be built",
        )
        assert server.poll() is None, log.read_text("utf-8")
        assert served() == fast
        assert (project.site / "papers/kv-evict/index.html").read_text("utf-8") == fast
