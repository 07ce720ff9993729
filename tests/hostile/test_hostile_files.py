"""Odd files in data/: symlinks, FIFOs, devices, deep nesting, orphans; each is one clear problem.

Nothing may hang, eat memory or stop the other files from being checked: every data file is read
with a hard size limit, only if it is a regular file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.errors import ValidationFailed
from generator.records.datafile import FileRefused, read_data_file
from generator.records.load import load_collection
from generator.records.yamlsource import MAX_DEPTH

GOOD_PAPER = "title: A paper\nadded: 2025-10-15\n"
REGISTRIES = ("techniques.yaml", "institutions.yaml")
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")


def _problems(data: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        load_collection(data)
    return [p.format().replace("\\", "/") for p in caught.value.problems]


def _validate_in_subprocess(data: Path) -> subprocess.CompletedProcess[str]:
    """Run `paperbrief validate` where a hang would be a timeout, not a stuck test run."""
    return subprocess.run(
        [sys.executable, "-m", "generator", "validate", "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=data.parent,
    )


# ---- symlinks ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REGISTRIES)
def test_a_registry_that_is_a_symlink_is_refused(data_dir: Path, tmp_path: Path, name: str) -> None:
    outside = tmp_path / f"outside-{name}"
    outside.write_bytes((data_dir / name).read_bytes())
    (data_dir / name).unlink()
    (data_dir / name).symlink_to(outside)
    problems = _problems(data_dir)
    assert any(f"{name}:1:1: is a symlink" in p for p in problems), problems


@pytest.mark.parametrize("name", REGISTRIES)
@pytest.mark.parametrize("target", ["/dev/zero", "/dev/urandom"])
def test_a_registry_linked_to_an_endless_device_does_not_hang(
    data_dir: Path, name: str, target: str
) -> None:
    if not Path(target).exists():
        pytest.skip(f"no {target}")
    (data_dir / name).unlink()
    (data_dir / name).symlink_to(target)
    done = _validate_in_subprocess(data_dir)
    assert done.returncode == 1
    assert f"{name}:1:1: is a symlink" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("folder", ["papers", "reports", "enrichment"])
def test_a_record_folder_that_is_a_symlink_is_refused(
    data_dir: Path, tmp_path: Path, folder: str
) -> None:
    outside = tmp_path / f"outside-{folder}"
    outside.mkdir()
    if folder == "papers":
        (outside / "p.yaml").write_text(GOOD_PAPER, "utf-8")
    else:
        (data_dir / "papers" / "p.yaml").write_text(GOOD_PAPER, "utf-8")
    if (data_dir / folder).exists():
        (data_dir / folder).rmdir()
    (data_dir / folder).symlink_to(outside, target_is_directory=True)
    problems = _problems(data_dir)
    assert any(f"{folder}:1:1: the {folder}/ folder is a symlink" in p for p in problems), problems


def test_a_record_folder_that_is_a_file_is_refused(data_dir: Path) -> None:
    (data_dir / "reports").rmdir()
    (data_dir / "reports").write_text("not a folder\n", "utf-8")
    problems = _problems(data_dir)
    assert any("reports:1:1: the reports/ folder is not a folder" in p for p in problems)


@pytest.mark.parametrize("folder", ["papers", "reports", "enrichment"])
def test_a_record_file_linked_to_dev_zero_is_refused(data_dir: Path, folder: str) -> None:
    (data_dir / "papers" / "p.yaml").write_text(GOOD_PAPER, "utf-8")
    (data_dir / folder).mkdir(exist_ok=True)
    (data_dir / folder / "z.yaml").symlink_to("/dev/zero")
    done = _validate_in_subprocess(data_dir)
    assert done.returncode == 1 and "z.yaml:1:1:" in done.stderr and "symlink" in done.stderr


# ---- FIFOs, devices, folders where a file belongs -------------------------------------------------


@needs_fifo
@pytest.mark.parametrize(
    "where", ["techniques.yaml", "institutions.yaml", "papers/f.yaml", "reports/f.yaml"]
)
def test_a_fifo_in_place_of_a_data_file_is_refused_without_waiting_for_a_writer(
    data_dir: Path, where: str
) -> None:
    (data_dir / "papers" / "p.yaml").write_text(GOOD_PAPER, "utf-8")
    target = data_dir / where
    target.unlink(missing_ok=True)
    os.mkfifo(target)
    done = _validate_in_subprocess(data_dir)
    assert done.returncode == 1, done.stderr
    assert f"{Path(where).name}:1:1: is a FIFO, socket or device" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_folder_named_like_a_registry_is_refused(data_dir: Path) -> None:
    (data_dir / "techniques.yaml").unlink()
    (data_dir / "techniques.yaml").mkdir()
    problems = _problems(data_dir)
    assert any("techniques.yaml:1:1: is a folder" in p for p in problems), problems


def test_the_reader_reads_at_most_one_byte_past_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"x" * 100)
    assert read_data_file(path, 100) == b"x" * 100
    with pytest.raises(FileRefused, match="over the 99-byte cap"):
        read_data_file(path, 99)
    if Path("/dev/zero").exists():
        with pytest.raises(FileRefused, match="FIFO, socket or device"):
            read_data_file(Path("/dev/zero"), 100)


def test_a_missing_registry_is_a_problem_not_a_traceback(data_dir: Path) -> None:
    (data_dir / "institutions.yaml").unlink()
    problems = _problems(data_dir)
    assert any("institutions.yaml:1:1: cannot read the file" in p for p in problems)


# ---- deep nesting -------------------------------------------------------------------------------


def _flow(depth: int) -> str:
    return "[" * depth + "]" * depth


def _block(depth: int, key: str) -> str:
    lines = [f"{key}:"]
    lines += [f"{'  ' * (i + 1)}k{i}:" for i in range(depth - 1)]
    lines.append(f"{'  ' * depth}v")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 500, 5000])
def test_deep_nesting_is_one_problem_per_file_and_the_other_files_are_still_checked(
    data_dir: Path, depth: int
) -> None:
    papers = data_dir / "papers"
    (papers / "flow.yaml").write_text(f"title: x\nadded: 2025-10-15\nnotes: {_flow(depth)}\n")
    # a block-style file 5,000 levels deep is over the size cap: 400 levels are not
    block = _block(min(depth, 400), "links")
    (papers / "block.yaml").write_text("title: x\nadded: 2025-10-15\n" + block)
    (papers / "typo.yaml").write_text("title: x\nadded: 2025-10-15\ntitel: y\n")
    (data_dir / "reports" / "r.yaml").write_text(
        f"title: R\ngenerated: 2025-10-15 10:00:00\npapers: {_flow(depth)}\n"
    )
    (data_dir / "enrichment").mkdir()
    (data_dir / "enrichment" / "flow.yaml").write_text("brief: " + "{a: " * depth + "}" * depth)
    (data_dir / "techniques.yaml").write_text("techniques: " + _flow(depth) + "\n")
    problems = _problems(data_dir)
    for name in ("flow.yaml", "block.yaml", "r.yaml", "techniques.yaml"):
        assert any(name in p and "levels deep" in p for p in problems), (name, problems)
    assert any("enrichment/flow.yaml" in p and "levels deep" in p for p in problems), problems
    assert any("typo.yaml:3:1: unknown field 'titel'" in p for p in problems), problems


def test_nesting_up_to_the_limit_is_read(data_dir: Path) -> None:
    (data_dir / "papers" / "p.yaml").write_text(
        f"title: x\nadded: 2025-10-15\nnotes: {_flow(MAX_DEPTH - 1)}\n"
    )
    problems = _problems(data_dir)
    # the schema refuses a list as notes; the reader did not
    assert problems and not any("levels deep" in p for p in problems), problems


def test_validate_reports_deep_nesting_without_a_traceback(data_dir: Path) -> None:
    (data_dir / "papers" / "deep.yaml").write_text(
        f"title: x\nadded: 2025-10-15\nnotes: {_flow(500)}\n"
    )
    (data_dir / "papers" / "bad.yaml").write_text("title: [\n")
    done = _validate_in_subprocess(data_dir)
    assert done.returncode == 1
    assert "deep.yaml:3:" in done.stderr and "levels deep" in done.stderr
    assert "bad.yaml:" in done.stderr and "Traceback" not in done.stderr


# ---- enrichment for a paper that does not exist -------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        "scholar: {status: no-match, fetched: 2025-10-15 10:00:00}\n",
        "brief: {status: failed, error: e, model: m, prompt_version: v, input_hash: h,"
        " generated: 2025-10-15 10:00:00}\n",
        "{}\n",
    ],
)
def test_enrichment_for_a_paper_that_does_not_exist_is_named(data_dir: Path, content: str) -> None:
    (data_dir / "papers" / "p.yaml").write_text(GOOD_PAPER, "utf-8")
    (data_dir / "enrichment").mkdir()
    (data_dir / "enrichment" / "p.yaml").write_text(content, "utf-8")
    (data_dir / "enrichment" / "gone.yaml").write_text(content, "utf-8")
    problems = _problems(data_dir)
    assert len(problems) == 1, problems
    assert (
        "enrichment/gone.yaml:1:1: enrichment for paper 'gone', which does not exist"
        in (problems[0])
    )
    assert "delete this file" in problems[0]


def test_enrichment_of_a_paper_whose_file_is_invalid_is_not_an_orphan(data_dir: Path) -> None:
    (data_dir / "papers" / "p.yaml").write_text("title: x\n", "utf-8")  # no added:
    (data_dir / "enrichment").mkdir()
    (data_dir / "enrichment" / "p.yaml").write_text("{}\n", "utf-8")
    problems = _problems(data_dir)
    assert not any("does not exist" in p for p in problems), problems
