"""Hostile PDFs: each gets a clear error inside the sandbox's limits, and a batch goes on."""

from __future__ import annotations

import zlib
from pathlib import Path

import pypdf
import pytest
from pypdf.generic import NameObject, StreamObject

from generator.authoring.ingest.draft import ingest_pdfs
from generator.authoring.ingest.sandbox import IngestError, Limits, extract_pdf


def test_sandboxed_extraction_returns_fields(paper_pdf):
    fields = extract_pdf(paper_pdf())
    assert fields.title == "Sparse Attention for Fast Language Model Inference"


def test_encrypted_pdf(paper_pdf, tmp_path):
    writer = pypdf.PdfWriter(clone_from=paper_pdf())
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    writer.write(path)
    with pytest.raises(IngestError, match="encrypted with a password"):
        extract_pdf(path)


def test_encrypted_with_empty_user_password_is_read(paper_pdf, tmp_path):
    writer = pypdf.PdfWriter(clone_from=paper_pdf())
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "restricted.pdf"
    writer.write(path)
    assert extract_pdf(path).title == "Sparse Attention for Fast Language Model Inference"


def test_truncated_pdf(paper_pdf, tmp_path):
    data = paper_pdf().read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(IngestError, match="truncated"):
        extract_pdf(path)


def test_not_a_pdf(tmp_path):
    path = tmp_path / "page.pdf"
    path.write_text("<html><body>Access denied</body></html>")
    with pytest.raises(IngestError, match="not a PDF"):
        extract_pdf(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(IngestError, match="empty"):
        extract_pdf(path)


def test_decompression_bomb(tmp_path):
    writer = pypdf.PdfWriter()
    page = writer.add_blank_page(612, 792)
    # 80 MB of spaces squeeze into about 80 KB; the reader stops at 75 MB
    content = b"BT /F1 12 Tf 72 700 Td (boom) Tj ET\n" + b" " * (80 * 1024 * 1024)
    stream = StreamObject()
    stream.set_data(b"")
    stream._data = zlib.compress(content, 9)
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    page[NameObject("/Contents")] = writer._add_object(stream)
    path = tmp_path / "bomb.pdf"
    writer.write(path)
    assert path.stat().st_size < 1_000_000
    with pytest.raises(IngestError, match="decompression bomb"):
        extract_pdf(path)


def test_thousands_of_pages(tmp_path):
    writer = pypdf.PdfWriter()
    for _ in range(2500):
        writer.add_blank_page(612, 792)
    path = tmp_path / "book.pdf"
    writer.write(path)
    with pytest.raises(IngestError, match="2500 pages"):
        extract_pdf(path)


def test_wall_clock_limit_stops_the_reader(paper_pdf):
    with pytest.raises(IngestError, match="longer than"):
        extract_pdf(paper_pdf(), Limits(wall_seconds=0.001))


def test_batch_goes_on_past_hostile_files_and_refuses_symlinks_out(paper_pdf, tmp_path):
    folder = tmp_path / "pdfs"
    folder.mkdir()
    paper_pdf(name="good.pdf").rename(folder / "good.pdf")
    (folder / "bad.pdf").write_text("not a pdf at all")
    outside = tmp_path / "secret.pdf"
    outside.write_bytes((folder / "good.pdf").read_bytes())
    (folder / "link.pdf").symlink_to(outside)
    (folder / "inside-link.pdf").symlink_to(folder / "good.pdf")
    data = tmp_path / "data"
    results = ingest_pdfs([folder], data)
    by_name = {r.source.name: r for r in results}
    assert by_name["link.pdf"].status == "failed"
    assert "outside" in by_name["link.pdf"].message
    assert by_name["bad.pdf"].status == "failed"
    assert "not a PDF" in by_name["bad.pdf"].message
    assert by_name["good.pdf"].status == "written"
    # a link inside the folder is allowed; it is the same paper, so a duplicate
    assert by_name["inside-link.pdf"].status == "duplicate"
    assert [p.name for p in (data / "papers").iterdir()] == [
        "sparse-attention-fast-language-model-inference.yaml"
    ]


def test_missing_file_is_an_error_not_a_crash(tmp_path: Path):
    results = ingest_pdfs([tmp_path / "nope.pdf"], tmp_path / "data")
    assert results[0].status == "failed"
    assert "not found" in results[0].message
