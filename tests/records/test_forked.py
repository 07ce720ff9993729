"""Record files parsed partly in a forked process: the same records and problems as in one."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "site-data"

# In a fresh interpreter: pytest's may hold threads, and nothing forks a process with threads.
_SCRIPT = """
import os, sys
from pathlib import Path
from generator.records import filecache, forked
from generator.records.filecache import GeneratorCache
from generator.records.load import load_collection

data = Path(sys.argv[1])

def load(cache_dir=None):
    store = None
    if cache_dir is not None:
        os.environ["PAPERBRIEF_CACHE_DIR"] = cache_dir
        store = GeneratorCache.open()
    collection = load_collection(data, strict=False, cache=store)
    if store is not None:
        store.save()
        store.close()
    return (
        [p.format() for p in collection.problems],
        [p.format() for p in collection.warnings],
        collection.papers,
        collection.read_digests,
    )

serial = load()
cached_serial = load(sys.argv[2] + "/one")
made = []
real = forked.fork_pool
forked.fork_pool = lambda: made.append(real()) or made[-1]
filecache.PARSE_FORKED_FROM = 1
forked.CHUNKS = 3
parallel = load()
if not made or made[0] is None:
    sys.exit("did not fork")
first = load(sys.argv[2] + "/two")
again = load(sys.argv[2] + "/two")
assert serial[:3] == parallel[:3], "no cache"
assert cached_serial == first, "first cached load"
assert cached_serial[:3] == again[:3], "cached load"
assert len(serial[0]) >= 3, serial[0]
print("\\n".join(serial[0]))
"""


def test_forked_parsing_gives_the_same_records_and_problems(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    papers = data / "papers"
    (papers / "broken-syntax.yaml").write_text("title: [unclosed\nyear: 2024\n", "utf-8")
    (papers / "bad-fields.yaml").write_text(
        "id: bad-fields\ntitle: Fine\nyear: soon\nsurprise: yes\n", "utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(data), str(tmp_path / "cache")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if "did not fork" in done.stderr:
        pytest.skip("one CPU or no fork here: every file is parsed in one process")
    assert done.returncode == 0, done.stderr
    # every problem still names its file, line and column
    assert "broken-syntax.yaml:2:" in done.stdout or "broken-syntax.yaml:1:" in done.stdout
    assert "bad-fields.yaml:3:" in done.stdout


_MAP = """
import sys
from generator.records import forked

forked.CHUNKS = 4
made = []
pool = lambda: made.append(forked.fork_pool()) or made[-1]
items = list(range(50))
done, extra = forked.shared_map(lambda n: n * n, items, minimum=1, meanwhile=lambda: "x", pool=pool)
if made[0] is None:
    sys.exit("did not fork")
assert done == [n * n for n in items] and extra == "x", done

def fail(n):
    if n == 3:
        raise ValueError("three")
    return n

try:
    forked.shared_map(fail, items, minimum=1, pool=forked.fork_pool)
except ValueError as exc:
    assert str(exc) == "three"
else:
    sys.exit("no error")
"""


def test_shared_map_keeps_the_order_and_raises_the_work_s_errors() -> None:
    done = subprocess.run([sys.executable, "-c", _MAP], capture_output=True, text=True, cwd=ROOT)
    if "did not fork" in done.stderr:
        pytest.skip("one CPU or no fork here")
    assert done.returncode == 0, done.stderr
