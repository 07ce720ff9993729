"""The contributor-facing files stay in step with the record schema and the commands."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from generator.cli import main
from generator.records.models import Links, PaperRecord

ROOT = Path(__file__).resolve().parents[2]
FORM = ROOT / ".github" / "ISSUE_TEMPLATE" / "suggest-paper.yml"
# Fields the form must ask for (the record fields a suggester can know).
ASKED = {
    "title",
    "institutions",
    "author_count",
    "authors",
    "abstract",
    "arxiv",
    "doi",
    "pdf",
    "code",
    "project",
    "techniques",
    "notes",
}


def _form_fields() -> dict[str, dict[str, object]]:
    form = yaml.safe_load(FORM.read_text(encoding="utf-8"))
    assert {"name", "description", "body"} <= set(form)
    return {item["id"]: item for item in form["body"] if item["type"] != "markdown"}


def test_issue_form_asks_for_the_record_fields() -> None:
    fields = _form_fields()
    record_fields = set(PaperRecord.model_fields) | set(Links.model_fields)

    assert set(fields) - {"venue", "checks"} <= record_fields
    assert set(fields) >= ASKED
    for field_id, item in fields.items():
        assert item["type"] in {"input", "textarea", "dropdown", "checkboxes"}
        if field_id in record_fields:
            # each description names the record field it fills, e.g. "`links.arxiv`: ..."
            description = str(item["attributes"]["description"])  # type: ignore[index]
            assert re.search(rf"`(?:links\.)?{field_id}`", description), field_id


def test_issue_form_field_ids_are_unique_and_well_formed() -> None:
    form = yaml.safe_load(FORM.read_text(encoding="utf-8"))
    ids = [item["id"] for item in form["body"] if "id" in item]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9_-]+", i) for i in ids)


def test_contributing_guide_names_commands_that_exist() -> None:
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    named = set(re.findall(r"paperbrief ([a-z][a-z-]+)", text))
    assert {"new", "validate", "build", "enrich"} <= named
    assert named <= set(main.commands), "CONTRIBUTING.md names a command that does not exist"


def test_pull_request_template_and_user_page_exist() -> None:
    template = (ROOT / ".github" / "PULL_REQUEST_TEMPLATE.md").read_text(encoding="utf-8")
    assert "paperbrief validate" in template and "- [ ]" in template
    page = (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
    assert "paperbrief new" in page
