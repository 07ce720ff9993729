"""`paperbrief new`: the scaffolded record explains every field and validates once filled."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.authoring.scaffold import RecordExists, scaffold_paper, template_fields
from generator.cli import main
from generator.errors import ConfigError, ValidationFailed
from generator.records.load import load_collection
from generator.records.models import Links, PaperRecord

TODAY = date(2026, 11, 28)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    _write(
        data / "institutions.yaml",
        """institutions:
  - id: tsinghua
    en: Tsinghua University
    zh: 清华大学
    aliases: [THU]
    country: CN
  - id: uchicago
    en: University of Chicago
    country: US
""",
    )
    _write(
        data / "techniques.yaml",
        """techniques:
  - id: kv-cache-compression
    zh: KV缓存压缩
    en: KV cache compression
    description: Store fewer or smaller keys and values
  - id: speculative-decoding
    zh: 推测解码
    en: Speculative decoding
    description: Draft tokens cheaply, verify them in one pass
""",
    )
    (data / "papers").mkdir()
    return data


def _fill_required(text: str) -> str:
    """Fill the three placeholders the way a contributor would."""
    text = text.replace('title: ""', "title: 'AdaptCache: KV Cache Native Storage Hierarchy'", 1)
    text = text.replace('institutions:\n  - ""', "institutions:\n  - University of Chicago", 1)
    return text.replace('techniques:\n  - ""', "techniques:\n  - kv-cache-compression", 1)


def _uncomment_examples(text: str) -> str:
    """Delete the '#' of every example line: '#key: value' or '#  nested: value'."""
    lines = []
    for line in text.splitlines():
        if re.match(r"#(?! )\S|#  \S", line):
            line = line[1:]
        lines.append(line)
    return "\n".join(lines) + "\n"


def test_scaffold_writes_a_commented_template_with_the_schema_comment(data_dir: Path) -> None:
    made = scaffold_paper(data_dir, "adaptcache", today=TODAY)

    assert made.path == data_dir / "papers" / "adaptcache.yaml"
    text = made.path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../schemas/paper.schema.json"
    assert "added: 2026-11-28" in text
    # the known technique ids are listed for the contributor to pick from
    assert re.search(r"^#\s+kv-cache-compression\s+KV cache compression$", text, re.M)
    assert re.search(r"^#\s+speculative-decoding\s+Speculative decoding$", text, re.M)
    assert all(len(line) <= 100 for line in text.splitlines())
    assert not any(p.name.endswith(".tmp") for p in made.path.parent.iterdir())


def test_template_explains_every_field_of_the_record_model(data_dir: Path) -> None:
    text = scaffold_paper(data_dir, "adaptcache", today=TODAY).path.read_text(encoding="utf-8")

    assert set(template_fields()) == set(PaperRecord.model_fields)
    for name in PaperRecord.model_fields:
        # each field appears as a key (active or commented out) preceded by a comment
        match = re.search(rf"^((?:# .*\n)+)#?{name}:", text, re.M)
        assert match, f"field {name!r} is not explained in the template"
    for name in Links.model_fields:
        assert re.search(rf"^#  {name}: \S", text, re.M), f"links.{name} has no example"


def test_untouched_scaffold_fails_on_exactly_the_fields_to_fill_in(data_dir: Path) -> None:
    path = scaffold_paper(data_dir, "adaptcache", today=TODAY).path
    lines = path.read_text(encoding="utf-8").splitlines()

    with pytest.raises(ValidationFailed) as failed:
        load_collection(data_dir)

    flagged = {lines[p.line - 1].strip() for p in failed.value.problems}
    assert {p.path for p in failed.value.problems} == {str(path)}
    assert flagged == {'title: ""', '- ""'}
    assert len(failed.value.problems) == 3  # title, institutions.0, techniques.0


def test_scaffold_validates_once_required_fields_are_filled(data_dir: Path) -> None:
    path = scaffold_paper(data_dir, "adaptcache", today=TODAY).path
    path.write_text(_fill_required(path.read_text(encoding="utf-8")), encoding="utf-8")

    paper = load_collection(data_dir).papers["adaptcache"]

    assert paper.record.title == "AdaptCache: KV Cache Native Storage Hierarchy"
    assert [i.id for i in paper.institutions] == ["uchicago"]
    assert [t.id for t in paper.techniques] == ["kv-cache-compression"]
    assert paper.record.added == TODAY
    assert paper.record.abstract is None and paper.record.links.arxiv is None


def test_every_commented_example_is_valid_when_uncommented(data_dir: Path) -> None:
    path = scaffold_paper(data_dir, "adaptcache", today=TODAY).path
    path.write_text(
        _uncomment_examples(_fill_required(path.read_text(encoding="utf-8"))), encoding="utf-8"
    )

    record = load_collection(data_dir).papers["adaptcache"].record

    unset = [name for name in PaperRecord.model_fields if getattr(record, name) in (None, [])]
    assert unset == []
    assert record.links.arxiv == "2510.01234"
    assert record.author_count == len(record.authors or [])
    assert record.abstract is not None and record.abstract.count("\n") == 2


def test_refuses_to_overwrite_an_existing_record(data_dir: Path) -> None:
    existing = data_dir / "papers" / "adaptcache.yaml"
    existing.write_text("title: Mine\nadded: 2025-01-01\n", encoding="utf-8")

    with pytest.raises(RecordExists, match="already exists"):
        scaffold_paper(data_dir, "adaptcache", today=TODAY)
    assert existing.read_text(encoding="utf-8") == "title: Mine\nadded: 2025-01-01\n"

    (data_dir / "papers" / "other.yml").write_text("added: 2025-01-01\n", encoding="utf-8")
    with pytest.raises(RecordExists, match=r"other\.yml"):
        scaffold_paper(data_dir, "other", today=TODAY)
    assert not (data_dir / "papers" / "other.yaml").exists()


@pytest.mark.parametrize(
    ("paper_id", "message"),
    [
        ("AdaptCache", "not a valid id"),
        ("../evil", "not a valid id"),
        ("a--b", "not a valid id"),
        ("con", "reserved file name"),
        ("x" * 81, "longer than 80"),
        ("adaptcache.yaml", "without the extension: paperbrief new adaptcache"),
    ],
)
def test_rejects_bad_ids_before_writing(data_dir: Path, paper_id: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        scaffold_paper(data_dir, paper_id, today=TODAY)
    assert list((data_dir / "papers").iterdir()) == []


def test_missing_data_directory_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found; pass --data DIR"):
        scaffold_paper(tmp_path / "nowhere", "adaptcache", today=TODAY)


def test_cli_new_prints_next_steps_and_exit_codes(data_dir: Path) -> None:
    runner = CliRunner()

    result = runner.invoke(main, ["new", "adaptcache", "--data", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "adaptcache.yaml" in result.output
    assert "1. Edit" in result.output and "paperbrief validate --data" in result.output
    assert "3. Commit" in result.output

    again = runner.invoke(main, ["new", "adaptcache", "--data", str(data_dir)])
    assert again.exit_code == 1
    assert "already exists" in again.output

    bad = runner.invoke(main, ["new", "Bad_Id", "--data", str(data_dir)])
    assert bad.exit_code == 2
    assert "not a valid id" in bad.output


def test_cli_new_without_a_template_source_still_works(tmp_path: Path) -> None:
    """An empty data dir (no techniques.yaml yet) still gets a template."""
    (tmp_path / "data").mkdir()
    result = CliRunner().invoke(main, ["new", "first-paper", "--data", str(tmp_path / "data")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "data" / "papers" / "first-paper.yaml").read_text(encoding="utf-8")
    assert "# Known technique ids: see data/techniques.yaml." in text
