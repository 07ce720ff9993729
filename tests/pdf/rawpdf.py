"""Write one-page PDFs from a hand-written content stream (TJ gaps, text matrices, font changes)."""

from __future__ import annotations

from pathlib import Path

import pypdf

from generator.authoring.ingest.extract import PdfFields, extract_fields

# Helvetica and Helvetica-Oblique are standard fonts: pypdf knows their widths without /Widths
_FONTS = {"F1": "Helvetica", "F2": "Helvetica-Oblique"}


def raw_pdf(path: Path, content: str, type3_scale: float = 0.001, differences: str = "") -> Path:
    """Write a US-letter page whose content stream is `content`.

    Fonts: /F1 Helvetica, /F2 Helvetica-Oblique, /F3 a Type3 font of boxes, 500 units wide,
    whose font matrix scales its glyph space by `type3_scale`. `differences` ("200 /hyphentwo")
    renames codes of /F1 and /F2 on top of WinAnsiEncoding.
    """
    encoding = (
        f"<< /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [{differences}] >>"
        if differences
        else "/WinAnsiEncoding"
    )
    fonts = " ".join(f"/{key} {5 + i} 0 R" for i, key in enumerate([*_FONTS, "F3"]))
    stream = content.encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            f" /Resources << /Font << {fonts} >> >> >>"
        ).encode(),
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        *(
            f"<< /Type /Font /Subtype /Type1 /BaseFont /{name} /Encoding {encoding} >>".encode()
            for name in _FONTS.values()
        ),
        (
            "<< /Type /Font /Subtype /Type3 /FontBBox [0 0 500 700]"
            f" /FontMatrix [{type3_scale} 0 0 {type3_scale} 0 0] /FirstChar 32 /LastChar 126"
            f" /Widths [{' '.join(['500'] * 95)}] /CharProcs << /box 8 0 R >>"
            " /Encoding << /Type /Encoding /Differences [32 /space 33 /box] >>"
            " /ToUnicode 9 0 R /Resources << >> >>"
        ).encode(),
        b"<< /Length 30 >>\nstream\n500 0 0 0 500 700 d1 0 0 500 700 re f\nendstream",
        _to_unicode(),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))
    return path


def _to_unicode() -> bytes:
    """A ToUnicode map that reads every code of the Type3 font as itself (ASCII)."""
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Ascii def"
        b" 1 begincodespacerange <20> <7E> endcodespacerange"
        b" 1 beginbfrange <20> <7E> <0020> endbfrange endcmap"
        b" CMapName currentdict /CMap defineresource pop end end"
    )
    return b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream"


# Three lines of an abstract's running text, for pages whose abstract is not the point.
SAMPLE_BODY = [
    "We present a method that makes language model inference faster by skipping",
    "attention to distant tokens. Our experiments on three benchmarks show that the",
    "method gives a speedup of two times with no loss of accuracy on long inputs.",
]


def read_fields(tmp_path: Path, content: str, differences: str = "") -> PdfFields:
    """Write `content` as page.pdf in tmp_path and return what ingest extracts from it."""
    page = raw_pdf(tmp_path / "page.pdf", content, differences=differences)
    return extract_fields(pypdf.PdfReader(page))


def text_lines(size: float, top: float, lines: list[str], step: float = 12) -> str:
    """Return content-stream text: each line at x=72, from `top` down by `step` points."""
    return "".join(
        f"BT /F1 {size} Tf 72 {top - step * i} Td ({line}) Tj ET\n" for i, line in enumerate(lines)
    )


def abstract_at(top: float) -> str:
    """Return an "Abstract" heading (12 pt) at `top` and SAMPLE_BODY (10 pt) below it."""
    return text_lines(12, top, ["Abstract"]) + text_lines(10, top - 15, SAMPLE_BODY)


def marked_line(top: float, parts: list[str]) -> str:
    """Return a 10 pt line at x=72 with a raised 6 pt marker (\\247) before each part but the first."""
    ops = [f"BT /F1 10 Tf 72 {top} Td"]
    for n, part in enumerate(parts):
        if n:
            ops.append("/F1 6 Tf 4 Ts (\\247) Tj /F1 10 Tf 0 Ts")
        ops.append(f"({part}) Tj")
    return " ".join(ops) + " ET\n"
