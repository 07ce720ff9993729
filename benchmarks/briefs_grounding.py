"""Measure the brief checks on the sample's own briefs, and the cost of a cached run.

Usage: python benchmarks/briefs_grounding.py [DATA_DIR]

1. Grounding: every record's `brief:` that follows the template is split back into fields and run
   through the same checks a generated brief must pass; prints how many pass and why others fail
   (a figure for how strict the rules are on real, reasonable briefs).
2. Cache: a fake Mistral transport answers for N synthetic papers; prints the time of the first
   run (N calls) and of the re-run (zero calls).
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "briefs"))
sys.path.insert(0, str(ROOT / "tests"))  # briefs_fakes imports the shared loopback server

from generator.enrich.briefs.grounding import check_reply  # noqa: E402
from generator.enrich.briefs.prompt import BriefReply, BriefRequest  # noqa: E402
from generator.records.load import load_collection  # noqa: E402

_SHAPE = re.compile(
    r"^(?P<institution>.+?)发布了.*?论文，(?:使用|采用)(?P<technique>.+?)，解决了(?P<problem>.+?)，"
    r"(?:达成了|在)?(?P<result>.+?)(?:的效果)?[。.]?$"
)


def grounding(data_dir: Path) -> None:
    """Run the checks over the template-shaped briefs in the records."""
    collection = load_collection(data_dir)
    ids = frozenset(collection.techniques)
    shaped = passed = 0
    reasons: Counter[str] = Counter()
    for paper in collection.papers.values():
        brief, abstract, title = paper.record.brief, paper.record.abstract, paper.record.title
        match = _SHAPE.match(brief or "")
        if not (match and abstract and title):
            continue
        shaped += 1
        reply = BriefReply(
            **{k: v.strip() for k, v in match.groupdict().items()},
            technique_ids=[t.id for t in paper.techniques][:4],
        )
        request = BriefRequest(
            paper.id, title, abstract, paper.institutions, tuple(collection.techniques.values())
        )
        fields, found = check_reply(reply, request, collection.institutions, ids)
        if fields is not None:
            passed += 1
        for reason in found:
            reasons[re.sub(r"[:(].*", "", reason).strip()] += 1
            print(f"  {paper.id}: {reason}")
    print(f"grounding: {passed}/{shaped} template-shaped sample briefs pass the checks")
    for reason, count in reasons.most_common():
        print(f"  {count:3d} x {reason}")


def cache(count: int = 300) -> None:
    """Time a first run against a fake transport and the cached re-run."""
    from briefs_fakes import CANARY, FakeMistral, add_paper, make_client
    from conftest import make_data_dir

    from generator.enrich.briefs import BriefSettings, enrich_briefs

    with tempfile.TemporaryDirectory() as tmp:
        data = make_data_dir(Path(tmp))
        for i in range(count):
            add_paper(data, f"p{i:04d}")
        settings = BriefSettings(api_key=CANARY)
        for label in ("first run", "re-run"):
            fake = FakeMistral()
            start = time.perf_counter()
            report = enrich_briefs(data, settings, client=make_client(fake))
            took = time.perf_counter() - start
            print(
                f"cache: {label}: {count} papers, {fake.calls} calls, {len(report.cached)} cached,"
                f" {took:.2f} s ({1000 * took / count:.1f} ms per paper, fake transport)"
            )


if __name__ == "__main__":
    grounding(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "data")
    cache()
