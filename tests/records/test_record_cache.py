"""The generator's record cache: unchanged files are not parsed again, and nothing else differs."""

from __future__ import annotations

import os
import pickle
import shutil
import sqlite3
from pathlib import Path

import pytest
from loadfiles import write_paper

from generator.records import filecache, parse
from generator.records.filecache import GeneratorCache
from generator.records.load import load_collection

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "site-data"


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("PAPERBRIEF_CACHE_DIR", str(folder))
    monkeypatch.delenv("PAPERBRIEF_NO_CACHE", raising=False)
    return folder


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the name of every file parsed from its bytes."""
    names: list[str] = []
    real = parse.model_from_bytes

    def spy(raw: bytes, path: Path, shown: str, model: type) -> object:
        names.append(path.name)
        return real(raw, path, shown, model)

    monkeypatch.setattr(filecache, "model_from_bytes", spy)
    return names


def _load(data: Path, *, cached: bool = True) -> tuple[list[str], list[str], object]:
    store = GeneratorCache.open() if cached else None
    collection = load_collection(data, strict=False, cache=store)
    if store is not None:
        store.save()
        store.close()
    problems = [p.format() for p in collection.problems]
    warnings = [p.format() for p in collection.warnings]
    return problems, warnings, collection.papers


def _data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    return data


def test_unchanged_files_are_not_parsed_again(tmp_path: Path, parsed: list[str]) -> None:
    data = _data(tmp_path)
    papers = len(list((data / "papers").iterdir()))
    enrichment = len(list((data / "enrichment").iterdir()))
    clean = _load(data, cached=False)
    first = _load(data)
    assert len(parsed) == papers + enrichment + 2  # and the two registries
    parsed.clear()
    second = _load(data)
    assert parsed == []
    assert first == second == clean  # papers compared whole: records, registries, enrichment
    path = data / "papers" / "kv-evict.yaml"
    path.write_text(path.read_text("utf-8").replace("title: ", "title: New "), "utf-8")
    third = _load(data)
    assert parsed == ["kv-evict.yaml"]
    assert third[2]["kv-evict"].record.title.startswith("New ")  # type: ignore[index]
    assert third == _load(data, cached=False)


def test_cross_record_problems_are_the_same_with_the_cache(
    tmp_path: Path, parsed: list[str]
) -> None:
    data = _data(tmp_path)
    # a duplicate arXiv id, a near-identical title, an unknown institution and technique,
    # publishing warnings (no techniques, an open review item), a schema problem
    write_paper(data, "dup-a", added="2025-10-01", extra="links:\n  arxiv: '2510.99999'\n")
    write_paper(data, "dup-b", added="2025-10-02", extra="links:\n  arxiv: '2510.99999'\n")
    write_paper(data, "near-a", title="Speculative decoding for very long contexts at scale")
    write_paper(data, "near-b", title="Speculative decoding for very long context at scale")
    (data / "papers" / "unknown.yaml").write_text(
        "title: Unknown things\ninstitutions: [Nowhere U]\ntechniques: [quantisation]\n"
        "added: 2025-10-15\n",
        "utf-8",
    )
    (data / "papers" / "warned.yaml").write_text(
        "title: A warned paper about caching\ninstitutions: [THU]\nadded: 2025-10-15\n"
        "review:\n  - check the venue\n",
        "utf-8",
    )
    write_paper(data, "broken", extra="year: abc\n")
    clean = _load(data, cached=False)
    assert clean[0] and clean[1]
    cold = _load(data)
    parsed.clear()
    warm = _load(data)
    # only a file with problems of its own is read again
    assert parsed == ["broken.yaml"]
    assert any("warned.yaml" in p and "no techniques" in p for p in warm[1])
    assert warm[:2] == cold[:2] == clean[:2]
    assert any("dup-b.yaml" in p and "same arxiv as" in p for p in warm[0])
    assert any("near-" in p and "nearly identical" in p for p in warm[0])
    assert any("warned.yaml:5:5: open review item" in p for p in warm[1])


def test_a_damaged_cache_is_ignored_and_rebuilt(
    tmp_path: Path, _cache_dir: Path, parsed: list[str]
) -> None:
    data = _data(tmp_path)
    clean = _load(data, cached=False)
    _load(data)
    db = _cache_dir / "generator.sqlite"
    for damage in (b"", b"not a database at all" * 100, db.read_bytes()[:1000]):
        for extra in ("-wal", "-shm"):
            (_cache_dir / f"generator.sqlite{extra}").unlink(missing_ok=True)
        db.write_bytes(damage)
        parsed.clear()
        assert _load(data) == clean
        assert parsed, "a damaged cache gave values"
    parsed.clear()
    assert _load(data) == clean
    assert parsed == []  # rebuilt by the build after the damage


class _Boom:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (exec, ("raise SystemExit('unpickled a forged value')",))


def test_a_value_without_the_right_mac_is_never_unpickled(
    tmp_path: Path, _cache_dir: Path, parsed: list[str]
) -> None:
    data = _data(tmp_path)
    _load(data)
    db = sqlite3.connect(_cache_dir / "generator.sqlite")
    forged = pickle.dumps(_Boom())
    count = db.execute("UPDATE entries SET value = ?", (forged,)).rowcount
    db.commit()
    db.close()
    assert count > 0
    parsed.clear()
    assert _load(data) == _load(data, cached=False)
    assert parsed  # every forged entry was read from its file instead


def test_a_change_of_reading_code_misses(
    tmp_path: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _data(tmp_path)
    _load(data)
    parsed.clear()
    monkeypatch.setattr(filecache, "code_fingerprint", lambda: b"another version")
    _load(data)
    assert len(parsed) == 10


def test_the_cache_can_be_turned_off(
    tmp_path: Path, _cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERBRIEF_NO_CACHE", "1")
    assert GeneratorCache.open() is None
    assert not _cache_dir.exists()


def test_prefetch_finds_every_stored_value_past_one_query() -> None:
    store = GeneratorCache.open()
    assert store is not None
    keys = [f"key {n}".encode() for n in range(filecache._BATCH * 2 + 7)]
    for n, key in enumerate(keys):
        store.put(key, n)
    store.save()
    store.close()
    store = GeneratorCache.open()
    assert store is not None
    store.prefetch([*keys, b"never stored"])
    assert [store.get(key) for key in keys] == list(range(len(keys)))
    assert store.get(b"never stored") is None
    store.close()


@pytest.fixture
def full_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record each duplicate check run over the whole collection (its number of papers)."""
    from generator.records import load

    monkeypatch.delenv("PAPERBRIEF_VERIFY_PAGE_CACHE", raising=False)  # it runs the full check
    runs: list[int] = []
    real = load._all_duplicates

    def spy(papers: dict[str, object], *args: object) -> object:
        runs.append(len(papers))
        return real(papers, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(load, "_all_duplicates", spy)
    return runs


def test_duplicates_are_found_from_the_changed_papers_alone(
    tmp_path: Path, full_checks: list[int]
) -> None:
    data = _data(tmp_path)
    write_paper(data, "near-a", title="Speculative decoding for very long contexts at scale")
    write_paper(data, "other", title="Sparse attention kernels for long sequences")
    _load(data)
    assert len(full_checks) == 1  # nothing kept yet
    full_checks.clear()
    _load(data)
    write_paper(data, "other", title="Sparse attention kernels for longer sequences")
    write_paper(data, "added", title="A paper nobody wrote twice about caches")
    assert _load(data) == _load(data, cached=False)
    assert len(full_checks) == 1  # the uncached load's
    changes = {
        "near-identical title": (
            "other",
            {"title": "Speculative decoding for very long context at scale"},
            "nearly identical",
        ),
        "same arXiv id": ("added", {"extra": "links:\n  arxiv: '2510.01234'\n"}, "same arxiv as"),
        "same DOI": ("added", {"extra": "links:\n  doi: 10.1145/ABC.1\n"}, None),
        "same title": ("other", {"title": "Learned KV cache eviction!"}, "same title as"),
    }
    write_paper(data, "dup-doi", extra="links:\n  doi: 10.1145/abc.1\n")
    _load(data)
    for name, (paper_id, fields, message) in changes.items():
        path = write_paper(data, paper_id, **fields)  # type: ignore[arg-type]
        full_checks.clear()
        cached = _load(data)
        assert cached == _load(data, cached=False), name
        assert any((message or "same doi as") in p for p in cached[0]), (name, cached[0])
        assert len(full_checks) == 2, name  # sent to the full check, and the uncached load
        path.unlink()
        _load(data)  # free of duplicates again
    full_checks.clear()
    _load(data)
    assert full_checks == []


def test_verification_catches_a_duplicate_the_short_check_misses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.errors import BuildFailed
    from generator.records import load

    monkeypatch.setattr(load.DuplicateFree, "_close_titles", lambda self, changed: False)
    monkeypatch.setenv("PAPERBRIEF_VERIFY_PAGE_CACHE", "1")
    data = _data(tmp_path)
    write_paper(data, "near-a", title="Speculative decoding for very long contexts at scale")
    _load(data)
    write_paper(data, "near-b", title="Speculative decoding for very long context at scale")
    with pytest.raises(BuildFailed, match="found free of duplicates"):
        _load(data)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the name of every record file whose bytes are read."""
    names: list[str] = []
    real = parse.read_raw

    def spy(path: Path, shown: str, size_cap: int) -> object:
        names.append(path.name)
        return real(path, shown, size_cap)

    monkeypatch.setattr(filecache, "read_raw", spy)
    return names


def test_a_file_in_the_state_it_was_read_in_is_not_read_again(
    tmp_path: Path, reads: list[str], parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(filecache, "_SETTLED_NS", -(10**12))  # count every file as settled
    data = _data(tmp_path)
    write_paper(data, "broken", extra="year: abc\n")
    first = _load(data)
    assert "kv-evict.yaml" in reads
    reads.clear()
    assert _load(data) == first
    assert reads == ["broken.yaml"]  # a file with a problem of its own is read every time
    # Rewritten in place with as many bytes and its modification time put back: the change
    # time moved, so it is read (and parsed) again.
    path = data / "papers" / "kv-evict.yaml"
    status = path.stat()
    text = path.read_text("utf-8")
    path.write_text(text.replace("Learned KV", "Learned kv"), "utf-8")
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    reads.clear()
    parsed.clear()
    changed = _load(data)
    assert sorted(reads) == ["broken.yaml", "kv-evict.yaml"]
    assert changed == _load(data, cached=False)
    assert changed[2]["kv-evict"].record.title == "Learned kv Cache Eviction"
    # Replaced by a rename (another inode) with the same bytes: read, not parsed.
    other = tmp_path / "copy.yaml"
    other.write_bytes(path.read_bytes())
    os.replace(other, path)
    reads.clear()
    parsed.clear()
    assert _load(data) == changed
    assert "kv-evict.yaml" in reads and "kv-evict.yaml" not in parsed


def test_a_file_written_just_now_is_read_again(tmp_path: Path, reads: list[str]) -> None:
    data = _data(tmp_path)  # every file copied just now: none has settled
    _load(data)
    reads.clear()
    _load(data)
    assert "kv-evict.yaml" in reads


def test_shards_store_only_what_changed_and_keep_only_this_builds_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def build(values: dict[bytes, int]) -> tuple[dict[bytes, object], list[bytes]]:
        store = GeneratorCache.open()
        assert store is not None
        stored: list[bytes] = []
        real = store.put

        def spy(key: bytes, value: object) -> None:
            stored.append(key)
            real(key, value)

        monkeypatch.setattr(store, "put", spy)
        shards = filecache.Shards(store, b"test")
        found = {key: shards.get(key) for key in values}
        for key, value in values.items():
            shards.put(key, value)
        shards.save()
        store.save()
        store.close()
        return found, stored

    values = {bytes([n, 7]): n for n in range(100)}
    found, stored = build(values)
    assert set(found.values()) == {None} and len(stored) == 32  # every shard is new
    found, stored = build(values)
    assert found == values and stored == []  # nothing changed: nothing stored
    values[bytes([5, 8])] = values.pop(bytes([5, 7]))  # one value replaced
    found, stored = build(values)
    assert found[bytes([5, 8])] is None and len(stored) == 1  # its shard alone
    found, _ = build({bytes([5, 7]): 0, bytes([5, 8]): 1})
    assert found == {bytes([5, 7]): None, bytes([5, 8]): 5}  # the replaced value is gone


def test_each_cached_paper_carries_the_digest_of_what_it_was_read_from(tmp_path: Path) -> None:
    data = _data(tmp_path)
    *_, first = _load(data)
    store = GeneratorCache.open()
    collection = load_collection(data, strict=False, cache=store)
    assert store is not None
    store.close()
    keys = collection.read_digests
    assert keys.keys() == collection.papers.keys() == first.keys()  # type: ignore[attr-defined]
    assert len(set(keys.values())) == len(keys)
    assert load_collection(data, strict=False).read_digests == {}  # read without the cache
    for name in ("papers", "enrichment"):
        path = data / name / "quant-llm.yaml"
        path.write_text(path.read_text("utf-8") + "\n# edited\n", "utf-8")
        store = GeneratorCache.open()
        again = load_collection(data, strict=False, cache=store).read_digests
        assert store is not None
        store.save()
        store.close()
        assert {p for p in keys if again[p] != keys[p]} == {"quant-llm"}, name
        keys = again


def test_an_unchanged_collection_stores_nothing_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PAPERBRIEF_VERIFY_PAGE_CACHE", raising=False)
    data = _data(tmp_path)
    for path in data.rglob("*.yaml"):  # settled: their states are kept
        os.utime(path, ns=(path.stat().st_mtime_ns - 10**10,) * 2)
    _load(data)
    stored: list[bytes] = []
    real = GeneratorCache.put

    def spy(self: GeneratorCache, key: bytes, value: object) -> None:
        stored.append(key)
        real(self, key, value)

    monkeypatch.setattr(GeneratorCache, "put", spy)
    _load(data)  # the states of the files it read are stored, once
    stored.clear()
    _load(data)
    assert stored == []  # no record, file state or duplicate-free keys stored again
    db = sqlite3.connect(filecache.cache_dir() / "generator.sqlite")
    assert "entries_used" in {row[1] for row in db.execute("PRAGMA index_list(entries)")}
    db.close()
