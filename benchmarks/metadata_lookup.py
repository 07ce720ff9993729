"""Measure `enrich --metadata` on the sample data against fake arXiv and Semantic Scholar APIs.

Usage: python benchmarks/metadata_lookup.py [DATA_DIR] [--bare] [--papers N]

The data directory (default: data/) is copied to a temporary folder first; nothing in it changes.
The fakes (tests/metadata/metadata_fakes.py, real HTTP on 127.0.0.1) answer from the records
themselves, so they know no more than the curated data: an answer carries a record's title,
authors, abstract, first-version date and category when the record has them, and the PDF link
arXiv gives every paper; Semantic Scholar's answer carries the record's venue. Nothing is made up.

- default: what a run fills on the data as it is (and what it flags);
- --bare: the copy first loses every field arXiv gives (authors, author_count, abstract,
  published, year unless the paper is at a venue, arxiv_category, links.pdf); the run fills them
  back, and the figure says how many filled values equal the curated ones;
- --papers N: N synthetic papers instead (the request count and time at scale).

Prints the requests made per service, wall-clock seconds (pacing included: arXiv's 3 s between
requests is real here), and the fields filled per field name.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "metadata"))
sys.path.insert(0, str(ROOT / "tests"))  # the fakes import the shared loopback server

from metadata_fakes import ArxivPaper, S2Entry, services, write_paper  # noqa: E402

from generator.enrich.metadata import MetadataSettings, enrich_metadata  # noqa: E402
from generator.enrich.sources.arxiv import ArxivClient  # noqa: E402
from generator.enrich.sources.semantic_scholar import S2Access, SemanticScholarClient  # noqa: E402
from generator.records.load import load_collection  # noqa: E402

ARXIV_FIELDS = ("authors", "author_count", "abstract", "published", "year", "arxiv_category")


def _answers(data: Path) -> tuple[list[ArxivPaper], dict[str, S2Entry]]:
    """Build the fakes' answers from what the records hold."""
    papers: list[ArxivPaper] = []
    s2: dict[str, S2Entry] = {}
    for paper in load_collection(data).papers.values():
        record = paper.record
        arxiv = record.links.arxiv
        if not arxiv or not record.title:
            continue
        bare = arxiv.split("v")[0] if "v" in arxiv[-3:] else arxiv
        papers.append(
            ArxivPaper(
                arxiv_id=bare,
                title=record.title,
                authors=list(record.authors or []),
                abstract=record.abstract,
                published=f"{record.published.isoformat()}T00:00:00Z" if record.published else None,
                primary=record.arxiv_category,
                categories=[record.arxiv_category] if record.arxiv_category else [],
            )
        )
        s2[f"ARXIV:{bare}"] = S2Entry(
            title=record.title,
            authors=list(record.authors or []),
            venue=record.venue or "arXiv.org",
            year=record.year,
            external_ids={"ArXiv": bare},
        )
    return papers, s2


def _strip(data: Path) -> dict[str, dict[str, Any]]:
    """Remove the fields arXiv gives from every record copy; return the curated values."""
    curated: dict[str, dict[str, Any]] = {}
    for path in sorted((data / "papers").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        raw = yaml.safe_load(text)
        if not isinstance(raw, dict) or not (raw.get("links") or {}).get("arxiv"):
            continue
        curated[path.stem] = {k: raw.get(k) for k in ARXIV_FIELDS}
        curated[path.stem]["links.pdf"] = (raw.get("links") or {}).get("pdf")
        # at a venue the year is the venue's, a person's fact arXiv does not give: it stays
        at_venue = raw.get("venue_status") in ("published", "accepted")
        for key in ARXIV_FIELDS:
            if not (key == "year" and at_venue):
                raw.pop(key, None)
        raw["links"].pop("pdf", None)
        path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return curated


def _synthetic_title(n: int) -> str:
    # titles far apart, or the duplicate check would call them the same paper
    digest = hashlib.sha256(str(n).encode()).hexdigest()
    return "Synthetic " + " ".join(digest[i : i + 5] for i in range(0, 25, 5))


def _synthetic(data: Path, count: int) -> None:
    for stale in (data / "papers").glob("*.yaml"):
        stale.unlink()
    for report in (data / "reports").glob("*.yaml"):
        report.unlink()
    shutil.rmtree(data / "enrichment", ignore_errors=True)
    techniques = yaml.safe_load((data / "techniques.yaml").read_text(encoding="utf-8"))
    institutions = yaml.safe_load((data / "institutions.yaml").read_text(encoding="utf-8"))
    technique = techniques["techniques"][0]["id"]
    institution = institutions["institutions"][0]["en"]
    for n in range(1, count + 1):
        path = write_paper(data, f"synthetic-{n:05d}", _synthetic_title(n))
        text = path.read_text(encoding="utf-8")
        text = text.replace("[The University of Hong Kong]", f"[{institution!r}]")
        text = text.replace("[quantization]", f"[{technique}]")
        path.write_text(text + f'links:\n  arxiv: "2501.{n:05d}"\n', encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=ROOT / "data")
    parser.add_argument("--bare", action="store_true", help="strip arXiv's fields first")
    parser.add_argument("--papers", type=int, help="N synthetic papers instead of the data")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(args.data, data)
        shutil.rmtree(data / "enrichment", ignore_errors=True)  # a first run: nothing stored
        if args.papers:
            _synthetic(data, args.papers)
        papers, s2_answers = _answers(data)
        if args.papers:
            # the records hold a title only: the answers add authors and an abstract
            papers = [
                ArxivPaper(f"2501.{n:05d}", _synthetic_title(n), ["Ada Example"], "An abstract.")
                for n in range(1, args.papers + 1)
            ]
        curated = _strip(data) if args.bare else {}
        lines: list[str] = []
        with services() as fakes:
            fakes.arxiv.add(*papers)
            fakes.s2.papers.update(s2_answers)
            started = time.perf_counter()
            report = enrich_metadata(
                data,
                MetadataSettings(),
                arxiv=ArxivClient(fakes.arxiv_url),
                s2=SemanticScholarClient(S2Access(fakes.s2_url)),
                echo=lines.append,
            )
            seconds = time.perf_counter() - started
        problems = load_collection(data, strict=False).problems
        filled = Counter(f.name for o in report.fills if o.refused is None for f in o.filled)
        # per filled field: equal to the curated value, different, or new (the curated had none)
        verdicts: Counter[str] = Counter()
        for outcome in report.fills:
            if outcome.paper_id not in curated:
                continue
            record = yaml.safe_load(
                (data / "papers" / f"{outcome.paper_id}.yaml").read_text(encoding="utf-8")
            )
            for field in outcome.filled:
                value = (
                    (record.get("links") or {}).get("pdf")
                    if field.name == "links.pdf"
                    else record.get(field.name)
                )
                wanted = curated[outcome.paper_id].get(field.name)
                if wanted is None:
                    verdict = "new"
                elif value == wanted:
                    verdict = "same"
                elif isinstance(value, str) and value.split() == str(wanted).split():
                    verdict = "same-but-spacing"  # arXiv's abstracts come as one paragraph
                else:
                    verdict = "differs"
                verdicts[f"{field.name} {verdict}"] += 1

    print(f"papers: {len(report.fills)} with answers, {len(papers)} known to the fake arXiv")
    print(
        f"requests: arXiv {report.arxiv.calls} by id + {report.titles.calls} by title,"
        f" Semantic Scholar {report.s2.calls}"
    )
    print(f"seconds: {seconds:.2f} (wall clock, pacing included)")
    detail = ", ".join(f"{name} {count}" for name, count in sorted(filled.items()))
    print(f"fields filled: {sum(filled.values())}" + (f" ({detail})" if detail else ""))
    if args.bare:
        shown = ", ".join(f"{key} {count}" for key, count in sorted(verdicts.items()))
        print(f"against the curated values (same / same-but-spacing / differs / new): {shown}")
    print(f"flags put under review: {sum(len(o.new_flags) for o in report.fills)}")
    print(f"validation problems after the run: {len(problems)}")


if __name__ == "__main__":
    main()
