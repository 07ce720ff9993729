"""`paperbrief ingest` and `paperbrief new-report` end to end, on PDFs made here."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx2
import pypdf
import pytest
import yaml
from click.testing import CliRunner

from generator.authoring.ingest.extract import PdfFields
from generator.authoring.ingest.llm import corrector_from_env, make_corrector
from generator.authoring.ingest.sandbox import summarize_warning
from generator.cli import main
from generator.errors import ConfigError
from generator.records.load import load_collection
from generator.records.models import PaperRecord

from .conftest import Paper

REGISTRY = """\
institutions:
  - id: stanford
    en: Stanford University
    aliases: [Stanford]
"""
TECHNIQUES = """\
techniques:
  - id: sparse-attention
    zh: 稀疏注意力
    en: Sparse attention
    description: Attend to a subset of tokens
"""


def make_data(root: Path) -> Path:
    data = root / "data"
    data.mkdir()
    (data / "institutions.yaml").write_text(REGISTRY, encoding="utf-8")
    (data / "techniques.yaml").write_text(TECHNIQUES, encoding="utf-8")
    return data


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env={"MISTRAL_API_KEY": "", **(env or {})})


def test_ingest_to_stdout_prints_a_valid_draft(paper_pdf, tmp_path):
    data = make_data(tmp_path)
    result = run("ingest", str(paper_pdf()), "--data", str(data), "--stdout")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "# sparse-attention-fast-language-model-inference.yaml from paper.pdf" in text
    record = PaperRecord.model_validate(yaml.safe_load(text), strict=False)
    assert record.title == "Sparse Attention for Fast Language Model Inference"
    assert record.authors == ["Alice Martin", "Bob Chen", "Carol Diaz"]
    assert record.author_count == 3
    assert record.institutions == ["Stanford University"]  # resolved through the registry
    assert not (data / "papers").exists()


def test_ingest_writes_a_record_that_validates_and_marks_what_is_missing(paper_pdf, tmp_path):
    data = make_data(tmp_path)
    pdf = paper_pdf(Paper(affiliations=["Unknown Lab of Nowhere"], heading=None, abstract=[]))
    result = run("ingest", str(pdf), "--data", str(data))
    assert result.exit_code == 0, result.output
    collection = load_collection(data)
    paper = collection.papers["sparse-attention-fast-language-model-inference"]
    review = "\n".join(paper.record.review)
    assert "abstract: not found" in review
    assert "'Unknown Lab of Nowhere' is not in the registry" in review
    assert paper.record.abstract is None


def test_ingest_batch_reports_failures_and_exits_1(paper_pdf, tmp_path):
    data = make_data(tmp_path)
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"GIF89a")
    result = run("ingest", str(bad), str(paper_pdf()), "--data", str(data))
    assert result.exit_code == 1
    assert "not a PDF" in result.stderr
    assert len(list((data / "papers").iterdir())) == 1


def test_llm_flag_needs_a_key(paper_pdf, tmp_path):
    result = run("ingest", str(paper_pdf()), "--llm", "--data", str(make_data(tmp_path)))
    assert result.exit_code == 2
    assert "MISTRAL_API_KEY" in result.stderr


def test_new_report_is_idempotent(paper_pdf, tmp_path):
    data = make_data(tmp_path)
    folder = tmp_path / "pdfs"
    folder.mkdir()
    paper_pdf(name="a.pdf").rename(folder / "a.pdf")
    paper_pdf(Paper(title=["Quantized Caches for Long Context Serving"]), name="b.pdf").rename(
        folder / "b.pdf"
    )
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n garbage")
    first = run("new-report", "--title", "Inference Speedups", str(folder), "--data", str(data))
    assert first.exit_code == 0, first.output
    reports = list((data / "reports").iterdir())
    assert len(reports) == 1 and reports[0].name.endswith("-inference-speedups.yaml")
    report = yaml.safe_load(reports[0].read_text(encoding="utf-8"))
    # the sample report's order: by title, A to Z (not the files' order)
    assert report["papers"] == [
        "quantized-caches-long-context-serving",
        "sparse-attention-fast-language-model-inference",
    ]
    assert "briefs: pending" in first.output
    assert "needs a person's review" in first.output
    assert "broken.pdf" in first.output
    load_collection(data)  # everything written validates

    before = {p: p.read_bytes() for p in data.rglob("*.yaml")}
    stamps = {p: p.stat().st_mtime_ns for p in before}
    second = run("new-report", "--title", "Inference Speedups", str(folder), "--data", str(data))
    assert second.exit_code == 0, second.output
    assert "unchanged" in second.output
    assert {p: p.read_bytes() for p in data.rglob("*.yaml")} == before
    assert {p: p.stat().st_mtime_ns for p in before} == stamps


def test_new_report_adds_new_pdfs_to_the_same_report(paper_pdf, tmp_path):
    data = make_data(tmp_path)
    folder = tmp_path / "pdfs"
    folder.mkdir()
    paper_pdf(name="a.pdf").rename(folder / "a.pdf")
    assert run("new-report", "--title", "Weekly", str(folder), "--data", str(data)).exit_code == 0
    paper_pdf(Paper(title=["Another Paper on Speculative Decoding"]), name="b.pdf").rename(
        folder / "b.pdf"
    )
    again = run("new-report", "--title", "Weekly", str(folder), "--data", str(data))
    assert "updated" in again.output
    (report,) = (data / "reports").iterdir()
    assert len(yaml.safe_load(report.read_text(encoding="utf-8"))["papers"]) == 2


def _fake_mistral(reply: dict[str, object]) -> httpx2.Client:
    def handler(request: httpx2.Request) -> httpx2.Response:
        body = {
            "id": "cmpl-1",
            "object": "chat.completion",
            "model": "mistral-small-2506",
            "created": 0,
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": json.dumps(reply)},
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }
        return httpx2.Response(200, json=body)

    return httpx2.Client(transport=httpx2.MockTransport(handler))


def test_llm_corrects_only_what_the_page_supports():
    fields = PdfFields(
        title="Sparse Attention",
        authors=["Alice Martin"],
        page_text="Sparse Attention for Fast Inference\nAlice Martin, Bob Chen\nStanford University",
    )
    reply = {
        "title": "Sparse Attention for Fast Inference",
        "authors": ["Alice Martin", "Bob Chen", "Invented Person"],
        "affiliations": ["Stanford University"],
        "abstract": None,
    }
    correct = make_corrector(
        "test-key", http_client=_fake_mistral(reply), server_url="http://mistral.test"
    )
    fixed = correct(fields, Path("x.pdf"))
    assert fixed.title == "Sparse Attention for Fast Inference"
    assert fixed.authors == ["Alice Martin"]  # one name is not on the page: the list is not trusted
    assert fixed.affiliations == ["Stanford University"]
    assert any("corrected title" in n for n in fixed.notes)


def test_llm_failure_keeps_the_extracted_fields():
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(500, json={"message": "down"})

    fields = PdfFields(title="Sparse Attention", page_text="Sparse Attention")
    client = httpx2.Client(transport=httpx2.MockTransport(handler))
    fixed = make_corrector("test-key", http_client=client, server_url="http://mistral.test")(
        fields, Path("x.pdf")
    )
    assert fixed.title == "Sparse Attention"
    assert any("correction failed" in n and "test-key" not in n for n in fixed.notes)


def test_llm_network_failure_and_unusable_reply_keep_the_extracted_fields():
    calls = []

    def refuse(request: httpx2.Request) -> httpx2.Response:
        calls.append(request)
        raise httpx2.ConnectError(f"refused for {request.headers['authorization']}")

    fields = PdfFields(title="Sparse Attention", page_text="Sparse Attention")
    client = httpx2.Client(transport=httpx2.MockTransport(refuse))
    fixed = make_corrector("test-key", http_client=client, server_url="http://mistral.test")(
        fields, Path("x.pdf")
    )
    assert len(calls) == 1  # one PDF costs at most one call
    assert fixed.title == "Sparse Attention"
    assert any("correction failed (network error: ConnectError" in n for n in fixed.notes)
    assert all("test-key" not in n for n in fixed.notes)

    unusable = make_corrector(
        "test-key", http_client=_fake_mistral({"title": 7}), server_url="http://mistral.test"
    )(PdfFields(title="Sparse Attention", page_text="Sparse Attention"), Path("x.pdf"))
    assert unusable.title == "Sparse Attention"
    assert any("did not match the schema (title)" in n for n in unusable.notes)


def test_llm_settings_come_from_the_one_mistral_access():
    env = {"MISTRAL_API_KEY": "k", "MISTRAL_SERVER_URL": "file:///etc"}
    assert corrector_from_env(False, env) is None
    with pytest.raises(ConfigError, match="MISTRAL_SERVER_URL must start with http"):
        corrector_from_env(True, env)
    with pytest.raises(ConfigError, match="MISTRAL_API_KEY is not set: --llm needs"):
        corrector_from_env(True, {})


def test_ingest_to_stdout_names_no_file_it_did_not_write(paper_pdf, tmp_path):
    data = make_data(tmp_path)
    result = run("ingest", str(paper_pdf()), "--data", str(data), "--stdout")
    assert result.exit_code == 0, result.output
    assert "drafted sparse-attention-fast-language-model-inference (not written)" in result.stderr
    assert "papers/" not in result.output
    assert not (data / "papers").exists()


def test_pypdf_warnings_stay_out_of_the_output(paper_pdf, tmp_path, caplog):
    pdf = paper_pdf()
    # a wrong startxref offset: pypdf warns, rebuilds the table and reads the page anyway
    raw = pdf.read_bytes()
    head, _, tail = raw.rpartition(b"startxref")
    pdf.write_bytes(head + b"startxref\n17" + tail[tail.index(b"\n%%EOF") :])
    with caplog.at_level(logging.WARNING, logger="pypdf"):
        pypdf.PdfReader(pdf).pages[0].extract_text()
    assert caplog.records, "the damaged PDF should make pypdf warn"
    data = make_data(tmp_path)
    result = run("ingest", str(pdf), "--data", str(data))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("wrote ")
    assert "startxref" not in result.output
    # --verbose says what pypdf warned about: one short line for the file, on stderr
    again = tmp_path / "again"
    again.mkdir()
    verbose = run("ingest", str(pdf), "--data", str(make_data(again)), "-v")
    assert verbose.exit_code == 0, verbose.output
    said = [line for line in verbose.stderr.splitlines() if "pypdf warned" in line]
    assert len(said) == 1 and said[0].startswith(f"  {pdf.name}: pypdf warned: ")
    assert len(said[0]) < 260
    assert "pypdf warned" not in verbose.stdout


def test_library_warnings_are_cut_to_their_gist():
    font = (
        "fontTools is required to fully parse the encoding of a CFF Type1 font in font"
        " dictionary {'/BaseFont': '/AWIPJH+CMSS9', '/FirstChar': 40, '/Widths': [1, 2, 3]}"
    )
    assert summarize_warning(font) == (
        "fontTools is required to fully parse the encoding of a CFF Type1 font"
    )
    assert summarize_warning("Ignoring wrong pointing object 114 0 (offset 0)") == (
        "Ignoring wrong pointing object n n (offset n)"
    )
    assert summarize_warning(
        "Multiple definitions in dictionary at byte 0x2ebf0 for key /Rotate"
    ) == ("Multiple definitions in dictionary")
    assert len(summarize_warning("x" * 500)) == 100
