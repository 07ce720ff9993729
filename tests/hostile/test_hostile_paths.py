"""Slug and path safety: hostile ids are refused, and the writer never leaves docs/ nor overwrites."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from generator.errors import BuildFailed, ValidationFailed
from generator.records.ids import derive_id
from generator.records.load import load_collection
from generator.site.render import PageText
from generator.site.write import write_pages

PAPER = "title: A paper\ninstitutions: [HKU]\ntechniques: [quantization]\nadded: 2025-10-15\n"


def _problems(data: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        load_collection(data)
    return [p.format() for p in caught.value.problems]


@pytest.mark.parametrize(
    "stem",
    [
        "..",
        ".",
        "",
        "🚀",
        "🚀🚀",
        "con",
        "nul",
        "aux",
        "com1",
        "lpt9",
        "CON",
        "Paper",
        "ﬁlter",  # NFKC: filter
        "café",
        "cafe\u0301",
        "a--b",
        "-a",
        "a b",
        "a\u202eb",
        "index",  # the papers listing page is papers/index.md
        "x" * 81,
    ],
)
def test_hostile_paper_file_names_are_refused(data_dir: Path, stem: str) -> None:
    (data_dir / "papers" / f"{stem}.yaml").write_text(PAPER, encoding="utf-8")
    (data_dir / "papers" / "fine.yaml").write_text(PAPER.replace("A paper", "Fine"), "utf-8")
    problems = _problems(data_dir)
    assert len(problems) == 1 and f"{stem}.yaml" in problems[0]
    assert "file name" in problems[0] and "rename" in problems[0]


def test_the_same_hostile_ids_are_refused_in_every_kind_of_record(data_dir: Path) -> None:
    hostile = ["../x", "..", "", "🚀", "con", "Index", "index", "a/b", "a\\b", "x\u0000"]
    (data_dir / "techniques.yaml").write_text(
        "techniques:\n"
        + "".join(
            f'  - {{id: "{t.encode("unicode_escape").decode()}", zh: 甲, en: A{i},'
            f" description: d}}\n"
            for i, t in enumerate(hostile)
        ),
        encoding="utf-8",
    )
    (data_dir / "institutions.yaml").write_text(
        "institutions:\n"
        + "".join(
            f'  - {{id: "{t.encode("unicode_escape").decode()}", en: Inst {i}}}\n'
            for i, t in enumerate(hostile)
        ),
        encoding="utf-8",
    )
    (data_dir / "reports" / "r.yaml").write_text(
        "title: R\ngenerated: 2025-10-15 10:00:00\npapers: ["
        + ", ".join(f'"{t.encode("unicode_escape").decode()}"' for t in hostile)
        + "]\n",
        encoding="utf-8",
    )
    problems = _problems(data_dir)
    for where in ("techniques.yaml", "institutions.yaml", "r.yaml"):
        assert sum(where in p for p in problems) >= len(hostile), (where, problems)


def test_ids_colliding_by_case_or_normalisation_cannot_both_exist(data_dir: Path) -> None:
    # Valid ids are lowercase ascii, so two files can only collide if one is invalid: it is named.
    for stem in ("kv-cache", "KV-cache", "kv\u2010cache", "ｋｖ-cache"):
        (data_dir / "papers" / f"{stem}.yaml").write_text(PAPER.replace("A paper", stem), "utf-8")
    problems = _problems(data_dir)
    assert len(problems) == 3 and not any("kv-cache.yaml:" in p for p in problems)


def test_a_title_never_derives_a_reserved_or_unsafe_id() -> None:
    for title in ("Index", "CON", "../../etc/passwd", "🚀🚀", "..", "NUL: a paper"):
        derived = derive_id(title)
        assert derived not in {"index", "con", "nul"} and "/" not in derived and "." not in derived


# ---- the writer, fed directly -----------------------------------------------------------------


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


HOSTILE_PATHS = [
    "../escape.md",
    "papers/../../escape.md",
    "papers/../index.md",
    "/tmp/escape.md",
    "//server/share.md",
    "papers/..",
    "papers/.",
    "papers//x.md",
    "papers/x/../../../../escape.md",
    "papers\\..\\..\\escape.md",
    "C:\\escape.md",
    "",
    ".",
    "..",
    "papers/.htaccess",
    "papers/.x/index.md",
    "feeds/../../escape.xml",
    "about.md",
    "assets/javascripts/evil.js",
    "papers",
    "papers/x.md\x00.html",
]


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_the_writer_refuses_paths_outside_its_subtrees(tmp_path: Path, path: str) -> None:
    docs = tmp_path / "repo" / "docs"
    docs.mkdir(parents=True)
    (docs / "about.md").write_text("hand-written\n", encoding="utf-8")
    before = _snapshot(tmp_path)
    with pytest.raises((BuildFailed, ValueError)):
        write_pages([PageText("papers/fine.md", "---\nx\n"), PageText(path, "evil\n")], docs)
    assert _snapshot(tmp_path) == before  # nothing written anywhere, not even the fine page


@pytest.mark.parametrize(
    ("one", "two"),
    [
        ("papers/a.md", "papers/A.md"),
        ("papers/a.md", "papers/a/index.md"),  # one URL: papers/a/
        ("papers/fi.md", "papers/ﬁ.md"),  # case folding turns the ligature into "fi"
        ("papers/k.md", "papers/\u212a.md"),  # KELVIN SIGN folds to k
        ("techniques/x/index.md", "techniques/X/index.md"),
        (
            "papers/" + unicodedata.normalize("NFC", "é") + ".md",
            "papers/" + unicodedata.normalize("NFD", "é") + ".md",  # one file on macOS
        ),
    ],
)
def test_the_writer_refuses_two_pages_on_one_path(tmp_path: Path, one: str, two: str) -> None:
    docs = tmp_path / "docs"
    with pytest.raises(BuildFailed, match="two generated pages"):
        write_pages([PageText(one, "---\none\n"), PageText(two, "---\ntwo\n")], docs)
    assert _snapshot(tmp_path) == {}


def test_the_writer_never_writes_through_a_symlink(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("precious\n", encoding="utf-8")
    docs = tmp_path / "docs"
    (docs / "papers").mkdir(parents=True)
    os.symlink(outside, docs / "papers" / "x.md")
    with pytest.raises(BuildFailed, match="symlink"):
        write_pages([PageText("papers/x.md", "---\nevil\n")], docs)
    assert outside.read_text("utf-8") == "precious\n"


def test_the_writer_never_overwrites_a_hand_written_page(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "papers").mkdir(parents=True)
    (docs / "papers" / "x.md").write_text("written by a person\n", encoding="utf-8")
    with pytest.raises(BuildFailed, match="written by hand"):
        write_pages([PageText("papers/x.md", "---\ngenerated\n")], docs)
    assert (docs / "papers" / "x.md").read_text("utf-8") == "written by a person\n"
