"""Score the PDF extractor against a corpus with first-page ground truth (truth.yaml).

Usage: python benchmarks/pdf_extraction.py CORPUS_DIR [--verbose] [--in-process] [--data DIR]

truth.yaml is a list of entries with `file`, `title`, `authors`, `affiliations` and `abstract`
(a prefix of the real abstract); a PDF that is missing is skipped and named. Each PDF is read through the same sandboxed extraction the
`paperbrief ingest` command uses (unless --in-process), then scored per field:

- title exact: equal after load.normalize_title (case, accents, punctuation, spacing folded);
- title fuzzy: rapidfuzz ratio of the normalized titles >= 90;
- authors: F1 of the author lists, a pair matching when token_sort_ratio >= 85 (soft matching);
- affiliation recall: share of true affiliations with an extracted one at token_set_ratio >= 80
  (on words: punctuation folded to spaces),
  counted on what the draft record carries (registry names under `institutions:`, the others as
  named under `review:`), and on the raw extracted strings;
- abstract prefix: the extracted abstract starts with the true prefix, compared on the prefix
  length (casefolded, whitespace collapsed): exact, and similar (ratio >= 90).
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import time
import unicodedata
from pathlib import Path

import yaml
from rapidfuzz import fuzz

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from datetime import date

from generator.authoring.ingest.draft import build_record, load_registry, resolve_affiliation
from generator.authoring.ingest.extract import PdfFields
from generator.authoring.ingest.sandbox import IngestError, extract_pdf
from generator.records.keys import normalize_title
from generator.records.registry import InstitutionRegistry

_UNRESOLVED = re.compile(r"^institutions: ('.*'|\".*\") is not in the registry")


def drafted_affiliations(fields: PdfFields, registry: InstitutionRegistry) -> list[str]:
    """Return the affiliations a draft record names: those resolved in the registry, then review's.

    A resolved affiliation is scored by the text it was resolved from (the registry's name for
    "Institut de Physique Théorique, CNRS, …" is "French National Centre for Scientific Research").
    """
    record = build_record(fields, registry, source="x.pdf", digest="0" * 16, today=date.today())
    named = []
    for affiliation in fields.affiliations:
        inst = resolve_affiliation(affiliation, registry)
        if inst is not None and inst.en in record.institutions:
            named.append(affiliation)
    for line in record.review:
        if match := _UNRESOLVED.match(line):
            named.append(ast.literal_eval(match.group(1)))
    return named


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    return re.sub(r"\s+", " ", text).strip()


def _name(text: str) -> str:
    text = unicodedata.normalize("NFKD", _fold(text))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).replace(".", " ")


def author_f1(found: list[str], truth: list[str]) -> float:
    """Return the F1 of two author lists under soft (fuzzy, order-free) matching."""
    if not found and not truth:
        return 1.0
    if not found or not truth:
        return 0.0
    unmatched = [_name(t) for t in truth]
    hits = 0
    for name in (_name(f) for f in found):
        best = max(unmatched, key=lambda t: fuzz.token_sort_ratio(name, t), default=None)
        if best is not None and fuzz.token_sort_ratio(name, best) >= 85:
            hits += 1
            unmatched.remove(best)
    precision, recall = hits / len(found), hits / len(truth)
    return 0.0 if hits == 0 else 2 * precision * recall / (precision + recall)


def _words(text: str) -> str:
    """Fold an affiliation to its words (punctuation glued to a token would hide a match)."""
    return re.sub(r"[^\w]+", " ", _fold(text)).strip()


def affiliation_recall(found: list[str], truth: list[str]) -> float:
    """Return the share of true affiliations that some extracted one matches."""
    if not truth:
        return 1.0
    got = [_words(f) for f in found]
    hits = sum(any(fuzz.token_set_ratio(_words(t), g) >= 80 for g in got) for t in truth)
    return hits / len(truth)


def affiliation_precision(found: list[str], truth: list[str]) -> float:
    """Return the share of extracted affiliations that match a true one."""
    if not found:
        return 1.0 if not truth else 0.0
    want = [_words(t) for t in truth]
    return sum(any(fuzz.token_set_ratio(_words(f), w) >= 80 for w in want) for f in found) / len(
        found
    )


def abstract_scores(found: str | None, truth: str | None) -> tuple[bool, bool]:
    """Return (exact prefix, similar prefix) for an extracted abstract."""
    if not truth:
        return (not found, not found)
    if not found:
        return (False, False)
    want, got = _fold(truth), _fold(found)[: len(_fold(truth))]
    return got == want, fuzz.ratio(got, want) >= 90


def main() -> int:
    """Run the benchmark and print per-field figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--verbose", "-v", action="store_true", help="show every miss")
    parser.add_argument("--in-process", action="store_true", help="skip the sandbox subprocess")
    parser.add_argument(
        "--data",
        type=Path,
        default=Path("data"),
        help="data directory whose registry resolves names",
    )
    args = parser.parse_args()
    entries = yaml.safe_load((args.corpus / "truth.yaml").read_text(encoding="utf-8"))
    registry = load_registry(args.data)
    rows = []
    missing = []
    started = time.perf_counter()
    for entry in entries:
        path = args.corpus / entry["file"]
        if not path.is_file():
            missing.append(entry["file"])
            continue
        try:
            if args.in_process:
                import pypdf

                from generator.authoring.ingest.extract import extract_fields

                fields = extract_fields(pypdf.PdfReader(path))
            else:
                fields = extract_pdf(path)
        except IngestError as exc:
            print(f"{entry['file']}: error: {exc}")
            fields = PdfFields()
        title_true = normalize_title(entry["title"])
        title_got = normalize_title(fields.title or "")
        exact = title_got == title_true
        fuzzy = fuzz.ratio(title_got, title_true) >= 90
        f1 = author_f1(fields.authors, entry.get("authors") or [])
        drafted = drafted_affiliations(fields, registry)
        aff = affiliation_recall(drafted, entry.get("affiliations") or [])
        aff_raw = affiliation_recall(fields.affiliations, entry.get("affiliations") or [])
        aff_p = affiliation_precision(drafted, entry.get("affiliations") or [])
        abs_exact, abs_similar = abstract_scores(fields.abstract, entry.get("abstract"))
        rows.append((entry["file"], exact, fuzzy, f1, aff, abs_exact, abs_similar, aff_p, aff_raw))
        if args.verbose and not (exact and f1 == 1 and aff == 1 and abs_exact):
            print(f"--- {entry['file']}")
            if not exact:
                print(f"  title: {fields.title!r}\n   want: {entry['title']!r}")
            if f1 < 1:
                print(f"  authors ({f1:.2f}): {fields.authors}\n   want: {entry.get('authors')}")
            if aff < 1:
                print(
                    f"  affiliations ({aff:.2f}): {drafted}\n   want: {entry.get('affiliations')}"
                )
            if not abs_exact:
                print(
                    f"  abstract: {(fields.abstract or '')[:160]!r}\n   want: {entry['abstract'][:160]!r}"
                )
    elapsed = time.perf_counter() - started
    n = len(rows)
    for name in missing:
        print(f"{name}: skipped, not in {args.corpus} (benchmarks/fetch_pdf_corpus.py fetches it)")
    print(f"\n{n} PDFs from {args.corpus}, {elapsed:.1f} s ({elapsed / max(n, 1):.2f} s per PDF)\n")
    print(f"{'file':42} title  fuzzy  authF1  affil  abstr  ~abstr")
    for name, exact, fuzzy, f1, aff, abs_exact, abs_similar, *_ in rows:
        print(
            f"{name[:42]:42} {'yes' if exact else 'no':6} {'yes' if fuzzy else 'no':6}"
            f" {f1:6.2f} {aff:6.2f}  {'yes' if abs_exact else 'no':6} {'yes' if abs_similar else 'no'}"
        )
    print()
    figures = [
        ("title exact (normalized)", sum(r[1] for r in rows) / n),
        ("title fuzzy (ratio >= 90)", sum(r[2] for r in rows) / n),
        ("author F1 (mean, soft match)", sum(r[3] for r in rows) / n),
        ("affiliation recall (mean, draft)", sum(r[4] for r in rows) / n),
        ("affiliation recall (raw strings)", sum(r[8] for r in rows) / n),
        ("affiliation precision (mean, draft)", sum(r[7] for r in rows) / n),
        ("abstract prefix exact", sum(r[5] for r in rows) / n),
        ("abstract prefix similar (>= 90)", sum(r[6] for r in rows) / n),
    ]
    for label, value in figures:
        print(f"{label:34} {value:6.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
