"""Write one-page PDFs from a hand-written content stream (TJ gaps, text matrices, font changes)."""

from __future__ import annotations

from pathlib import Path

# Helvetica and Helvetica-Oblique are standard fonts: pypdf knows their widths without /Widths
_FONTS = {"F1": "Helvetica", "F2": "Helvetica-Oblique"}


def raw_pdf(path: Path, content: str) -> Path:
    """Write a US-letter page whose content stream is `content` (fonts /F1 and /F2)."""
    fonts = " ".join(f"/{key} {5 + i} 0 R" for i, key in enumerate(_FONTS))
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
            f"<< /Type /Font /Subtype /Type1 /BaseFont /{name} /Encoding /WinAnsiEncoding >>".encode()
            for name in _FONTS.values()
        ),
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
