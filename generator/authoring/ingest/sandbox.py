"""Read one PDF in a child process with memory, CPU and wall-clock limits."""

from __future__ import annotations

import json
import logging
import os
import re
import resource
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from generator.authoring.ingest.extract import PdfFields
from generator.errors import PaperbriefError

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent


class IngestError(PaperbriefError):
    """One PDF could not be read; a batch reports it and goes on with the others."""


@dataclass(frozen=True)
class Limits:
    """How much one PDF may cost before it is given up."""

    memory_mb: int = 1024
    cpu_seconds: int = 30
    wall_seconds: float = 60.0
    max_pages: int = 2000
    max_bytes: int = 200 * 1024 * 1024


DEFAULT_LIMITS = Limits()


def check_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse what is plainly not a whole PDF before starting a reader on it."""
    if not path.exists():
        raise IngestError(f"{path}: file not found")
    if not path.is_file():
        raise IngestError(f"{path}: not a regular file")
    size = path.stat().st_size
    if size == 0:
        raise IngestError(f"{path}: the file is empty")
    if size > limits.max_bytes:
        raise IngestError(
            f"{path}: {size // (1024 * 1024)} MB is more than the {limits.max_bytes // (1024 * 1024)} MB"
            " a paper may have; is it a scan or a whole book?"
        )
    with path.open("rb") as handle:
        head = handle.read(1024)
        handle.seek(max(0, size - 1024))
        tail = handle.read(1024)
    if b"%PDF-" not in head:
        shown = head[:16].decode("latin-1").encode("unicode_escape").decode("ascii")
        raise IngestError(f"{path}: not a PDF (it starts with {shown!r}, not '%PDF-')")
    if b"%%EOF" not in tail:
        raise IngestError(
            f"{path}: the PDF is truncated (no %%EOF marker at the end); download it again"
        )


def _limit_child(limits: Limits) -> None:
    """Apply resource limits in the child before it runs Python code."""
    memory = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def extract_pdf(path: Path, limits: Limits = DEFAULT_LIMITS) -> PdfFields:
    """Extract a PDF's fields in a limited child process; raise IngestError on any failure."""
    path = Path(path)
    check_file(path, limits)
    # the child reads untrusted input: it gets no API keys
    env = {
        **{k: v for k, v in os.environ.items() if not k.endswith(("_KEY", "_TOKEN", "_SECRET"))},
        "PYTHONPATH": os.pathsep.join([str(_PACKAGE_ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    command = [
        sys.executable,
        "-m",
        "generator.authoring.ingest.sandbox",
        str(path),
        str(limits.max_pages),
    ]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            timeout=limits.wall_seconds,
            env=env,
            preexec_fn=lambda: _limit_child(limits),
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise IngestError(
            f"{path}: reading took longer than {limits.wall_seconds:g} s and was stopped"
        ) from exc
    if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise IngestError(
            f"{path}: reading used more than {limits.cpu_seconds} s of CPU and was stopped"
        )
    lines = done.stdout.decode("utf-8", "replace").strip().splitlines()
    try:
        answer = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        answer = None
    if not isinstance(answer, dict):
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise IngestError(
            f"{path}: the PDF reader failed (exit {done.returncode}: {detail[0][:200]})"
        )
    if "error" in answer:
        raise IngestError(f"{path}: {answer['error']}")
    return PdfFields.from_dict(answer["fields"])


class _Warnings(logging.Handler):
    """Collect what pypdf logs instead of letting it reach the terminal."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a record that cannot be formatted is still counted
            message = str(record.msg)
        self.counts[summarize_warning(message)] = self.counts.get(summarize_warning(message), 0) + 1

    def lines(self) -> list[str]:
        """Return one short line per kind of warning, with how often it came."""
        return [f"{text} (x{count})" if count > 1 else text for text, count in self.counts.items()][
            :5
        ]


def summarize_warning(message: str) -> str:
    """Cut a library warning to its gist: no font dictionaries, offsets or long tails."""
    message = re.split(r"\s+(?:in font dictionary|at byte|for key)\b|[{\[]", message, maxsplit=1)[0]
    message = re.sub(r"\b\d+\b", "n", re.sub(r"\s+", " ", message)).strip(" :,.")
    return message[:100] or "warning"


def read_in_child(path: str, max_pages: int) -> dict[str, object]:
    """Open and extract one PDF; return {'fields': ...} or {'error': message}."""
    import pypdf
    from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError, PyPdfError

    from generator.authoring.ingest.extract import extract_fields

    # pypdf's warnings are collected, never printed: they go back with the fields
    collected = _Warnings()
    library = logging.getLogger("pypdf")
    library.setLevel(logging.WARNING)
    library.addHandler(collected)
    library.propagate = False
    try:
        reader = pypdf.PdfReader(path)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except (DependencyError, NotImplementedError):
                return {
                    "error": "the PDF is encrypted with a cipher this reader cannot open; save an unencrypted copy"
                }
            if not opened:
                return {
                    "error": "the PDF is encrypted with a password; save an unencrypted copy and ingest that"
                }
        count = len(reader.pages)
        if count > max_pages:
            return {
                "error": f"the PDF has {count} pages, more than the {max_pages} a paper may have;"
                " ingest the paper itself, not a book or a proceedings volume"
            }
        for page in reader.pages[:2]:
            # extract_text() swallows this and returns '', so look at the streams first
            page.get_contents()
        fields = extract_fields(reader)
        fields.reader_warnings = collected.lines()
        return {"fields": fields.to_dict()}
    except LimitReachedError:
        return {
            "error": "a content stream inflates past the reader's limit (a decompression bomb); refusing it"
        }
    except FileNotDecryptedError:
        return {
            "error": "the PDF is encrypted with a password; save an unencrypted copy and ingest that"
        }
    except MemoryError:
        return {"error": "reading the PDF needs more memory than allowed; is it damaged?"}
    except RecursionError:
        return {"error": "the PDF's structure nests too deeply (damaged or hostile file)"}
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        OSError,
    ) as exc:
        return {
            "error": f"cannot read the PDF ({type(exc).__name__}: {str(exc)[:200]}); is it damaged?"
        }


if __name__ == "__main__":
    result = read_in_child(sys.argv[1], int(sys.argv[2]))
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
