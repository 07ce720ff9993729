"""What the generator keeps between builds: parsed record files and the keys of written pages.

Where it lives: one SQLite file in the user's cache directory (`$XDG_CACHE_HOME/paperbrief/`,
else `~/.cache/paperbrief/`, or `$PAPERBRIEF_CACHE_DIR`), never in the repository or the site folder. Its values are
pickles, so each carries an HMAC-SHA256 made with a random key kept beside it in that folder
(`generator.key`, mode 0600); a value whose MAC does not check is never unpickled. A pull request
can add files to the repository and the site folder, not to the user's cache directory, and
without the key it cannot forge a value.

Record entries are keyed by what the reading depends on: the file's bytes, the model it is read
as, the size cap, and `code_fingerprint()` (paperbrief's own source in generator/records/, the
Python version, and the versions of pydantic, pydantic-core and PyYAML). Any other change of
those gives another key; stale entries are pruned when unused for a while. A missing, corrupt,
truncated, locked or unwritable cache is ignored and rebuilt, never an error: the build then
does all the work itself. `PAPERBRIEF_NO_CACHE=1` turns it off. The entries of a folder's
record files are stored together in a few values (`Shards`), each entry still under its own key.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import pickle
import secrets
import sqlite3
import sys
import time
from collections.abc import Iterable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from generator.errors import Problem
from generator.records.forked import shared_map
from generator.records.parse import display_path, model_from_bytes, read_model, read_raw
from generator.records.yamlsource import PathKey, YamlDocument

M = TypeVar("M", bound=BaseModel)

_SCHEMA = 1
_KEY_FILE = "generator.key"
_DB_FILE = "generator.sqlite"
# A record entry nobody asked for in this many days is removed.
_KEEP_DAYS = 30
# Keys per query of `prefetch` (SQLite allows 999 parameters in old versions).
_BATCH = 500
_PACKAGES = ("pydantic", "pydantic-core", "PyYAML", "paperbrief")


def cache_dir() -> Path:
    """Return the cache folder: PAPERBRIEF_CACHE_DIR, else paperbrief/ in XDG_CACHE_HOME or ~/.cache."""
    chosen = os.environ.get("PAPERBRIEF_CACHE_DIR")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "paperbrief"


def cache_disabled() -> bool:
    """Tell whether PAPERBRIEF_NO_CACHE turns the generator cache off."""
    return os.environ.get("PAPERBRIEF_NO_CACHE", "") not in ("", "0")


def source_digest(folders: Iterable[Path]) -> bytes:
    """Return a digest of every .py file under the folders (names and bytes, in order)."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*.py")):
            digest.update(path.relative_to(folder.parent).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.digest()


def verify_requested() -> bool:
    """Tell whether PAPERBRIEF_VERIFY_PAGE_CACHE asks to check what the cache spared against the work."""
    return os.environ.get("PAPERBRIEF_VERIFY_PAGE_CACHE", "") not in ("", "0")


def _versions() -> bytes:
    parts = [sys.version]
    for name in _PACKAGES:
        try:
            parts.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name}=-")
    return "\n".join(parts).encode()


@cache
def code_fingerprint() -> bytes:
    """Return what every record entry's key includes: the reading code and its libraries."""
    records = Path(__file__).resolve().parent
    return hashlib.sha256(
        b"records\0" + str(_SCHEMA).encode() + _versions() + source_digest([records])
    ).digest()


def _read_key(folder: Path) -> bytes:
    """Return the MAC key, creating it (readable by the user alone) on first use."""
    path = folder / _KEY_FILE
    try:
        fd = os.open(
            path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600
        )
    except FileExistsError:
        key = path.read_bytes()
        if len(key) < 32 or path.is_symlink():
            raise OSError("bad cache key") from None
        return key
    key = secrets.token_bytes(32)
    try:
        os.write(fd, key)
    finally:
        os.close(fd)
    return key


class GeneratorCache:
    """The generator's cache database: authenticated pickled values, and page records.

    Every method swallows cache failures (returning "not cached"); `broken` then stays set and
    nothing more is read or written in this build.
    """

    def __init__(self, db: sqlite3.Connection, key: bytes) -> None:
        self._db = db
        self._key = key
        self.broken = False
        self._values: dict[bytes, Any] = {}
        self._new: dict[bytes, bytes] = {}
        self._used: set[bytes] = set()
        # the day each prefetched value was last marked used: `save` marks only older ones
        self._days: dict[bytes, int] = {}

    @classmethod
    def open(cls, *, retry: bool = True) -> GeneratorCache | None:
        """Open (or create) the cache; None when it is turned off or cannot be used."""
        if cache_disabled():
            return None
        folder = cache_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            key = _read_key(folder)
            db = sqlite3.connect(folder / _DB_FILE, timeout=2.0, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version != _SCHEMA:
                    db.execute("DROP TABLE IF EXISTS entries")
                    db.execute("DROP TABLE IF EXISTS pages")
                    db.execute(f"PRAGMA user_version={_SCHEMA}")
                db.execute(
                    "CREATE TABLE IF NOT EXISTS entries"
                    " (key BLOB PRIMARY KEY, mac BLOB NOT NULL, value BLOB NOT NULL, used INTEGER)"
                )
                # pruning by `used` must not read every value: the column sits after the
                # value's overflow pages (0.4 s for the 230 MB of a cache at 10,000 papers)
                db.execute("CREATE INDEX IF NOT EXISTS entries_used ON entries (used)")
                db.execute(
                    "CREATE TABLE IF NOT EXISTS pages (docs TEXT NOT NULL, path TEXT NOT NULL,"
                    " key BLOB NOT NULL, size INTEGER NOT NULL, mtime INTEGER NOT NULL,"
                    " PRIMARY KEY (docs, path))"
                )
            except sqlite3.Error:
                db.close()
                raise
        except sqlite3.OperationalError:
            return None  # locked by another build, say: this one does without
        except sqlite3.Error:
            return cls._reset(folder) if retry else None
        except OSError:
            return None
        return cls(db, key)

    @classmethod
    def _reset(cls, folder: Path) -> GeneratorCache | None:
        """Remove a database that cannot be opened (corrupt, truncated) and start a new one."""
        for name in (_DB_FILE, _DB_FILE + "-wal", _DB_FILE + "-shm"):
            with contextlib.suppress(OSError):
                (folder / name).unlink()
        return cls.open(retry=False)

    def _mac(self, key: bytes, value: bytes) -> bytes:
        return hmac.new(self._key, key + b"\0" + value, hashlib.sha256).digest()

    def prefetch(self, keys: Iterable[bytes]) -> None:
        """Read the values of these keys in one query (a MAC that does not check is skipped)."""
        wanted = [k for k in keys if k not in self._values]
        if self.broken or not wanted:
            return
        rows: list[tuple[bytes, bytes, bytes, int]] = []
        try:
            # Looked up by the primary key in batches: two to five times faster than filling a
            # temporary table to join (9,000 keys at 3,000 papers).
            for start in range(0, len(wanted), _BATCH):
                batch = wanted[start : start + _BATCH]
                rows += self._db.execute(
                    "SELECT key, mac, value, used FROM entries WHERE key IN"
                    f" ({','.join('?' * len(batch))})",
                    batch,
                ).fetchall()
        except sqlite3.Error as exc:
            self._fail(exc)
            return
        for key, mac, value, used in rows:
            if hmac.compare_digest(mac, self._mac(key, value)):
                self._values[bytes(key)] = value
                self._days[bytes(key)] = used

    def get(self, key: bytes) -> Any | None:
        """Return the value stored under a key, or None."""
        self._used.add(key)
        blob = self._values.get(key)
        if blob is None:
            return None
        try:
            return pickle.loads(blob)
        except Exception:  # a value from another version of a class, say: read the file again
            del self._values[key]
            return None

    def touch(self, key: bytes) -> None:
        """Mark a stored value as used by this build (kept from pruning) without reading it."""
        self._used.add(key)

    def put(self, key: bytes, value: Any) -> None:
        """Store a value under a key (written by `save`)."""
        self._used.add(key)
        try:
            blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:
            return
        self._values[key] = blob
        self._new[key] = blob

    def pages(self, docs: str) -> dict[str, tuple[bytes, int, int]]:
        """Return what the last build recorded of each page it wrote into a docs folder."""
        if self.broken:
            return {}
        try:
            rows = self._db.execute(
                "SELECT path, key, size, mtime FROM pages WHERE docs = ?", (docs,)
            ).fetchall()
        except sqlite3.Error as exc:
            self._fail(exc)
            return {}
        return {path: (bytes(key), size, mtime) for path, key, size, mtime in rows}

    def save(
        self,
        docs: str | None = None,
        pages: dict[str, tuple[bytes, int, int]] | None = None,
        previous: dict[str, tuple[bytes, int, int]] | None = None,
    ) -> None:
        """Write the new values and (when given) a docs folder's page records; prune old entries.

        `previous` is what `pages(docs)` returned in this build: then only the records that
        differ from it are written.
        """
        if self.broken:
            return
        today = int(time.time() // 86400)
        try:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)",
                ((k, self._mac(k, v), v, today) for k, v in self._new.items()),
            )
            self._db.executemany(
                "UPDATE entries SET used = ? WHERE key = ? AND used != ?",
                (
                    (today, k, today)
                    for k in self._used - self._new.keys()
                    if self._days.get(k) != today
                ),
            )
            self._db.execute("DELETE FROM entries WHERE used < ?", (today - _KEEP_DAYS,))
            if docs is not None and pages is not None:
                if previous is None:
                    self._db.execute("DELETE FROM pages WHERE docs = ?", (docs,))
                    previous = {}
                self._db.executemany(
                    "DELETE FROM pages WHERE docs = ? AND path = ?",
                    ((docs, path) for path in previous.keys() - pages.keys()),
                )
                self._db.executemany(
                    "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?)",
                    (
                        (docs, path, *entry)
                        for path, entry in pages.items()
                        if previous.get(path) != entry
                    ),
                )
            gone = [
                (d,)
                for (d,) in self._db.execute("SELECT DISTINCT docs FROM pages").fetchall()
                if not Path(d).is_dir()
            ]
            self._db.executemany("DELETE FROM pages WHERE docs = ?", gone)
            self._db.execute("COMMIT")
            self._new.clear()
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            self._fail(exc)

    def _fail(self, exc: sqlite3.Error) -> None:
        """Stop using the cache for this build; remove a damaged database so the next starts anew."""
        self.broken = True
        self.close()
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
            for name in (_DB_FILE, _DB_FILE + "-wal", _DB_FILE + "-shm"):
                with contextlib.suppress(OSError):
                    (cache_dir() / name).unlink()

    def close(self) -> None:
        """Close the database."""
        with contextlib.suppress(sqlite3.Error):
            self._db.close()


# ---- record files ----------------------------------------------------------------------------


class CachedDocument(YamlDocument):
    """A record's YamlDocument as the cache keeps it: top-level keys and node positions only.

    A cached file had no problem of its own, so nothing asks for its key positions or implicit
    scalars again; the cross-checks that run on every build ask for node positions (decoded on
    first use: most builds place no problem at all) and for the top-level keys.
    """

    def __init__(self, path: Path, display: str, keys: tuple[str, ...], positions: bytes) -> None:
        super().__init__(path=path, display=display, data=dict.fromkeys(keys))
        self._packed: bytes | None = positions

    def position(self, loc: PathKey) -> tuple[int, int]:
        """Return the position of the deepest node on `loc` that exists."""
        if self._packed is not None:
            self.positions = pickle.loads(self._packed)
            self._packed = None
        return super().position(loc)


def read_models(
    paths: dict[str, Path],
    model: type[M],
    size_cap: int,
    store: GeneratorCache | None,
    entry_keys: dict[str, bytes] | None = None,
) -> dict[str, tuple[M | None, YamlDocument | None, list[Problem]]]:
    """Read and validate record files like `read_model`, taking unchanged files from the cache.

    A file is looked up by the hash of its bytes (see the module's docstring for the rest of
    the key); only a file that parsed and validated with no problem is stored, so every problem
    a file has is found by reading it. What a cached file yields is what reading it gave.
    `entry_keys` receives the entry key of each file whose record is in the cache: the same
    key, the same record (it digests the bytes and the reading code). From PARSE_FORKED_FROM
    files to parse on, a forked process parses some of them (records/forked.py); a file with no
    problem then comes back as the cache keeps it (CachedDocument), with or without a cache.
    """
    if store is None:
        return _read_uncached(paths, model, size_cap)
    prefix = hashlib.sha256(
        code_fingerprint() + f"\0{model.__module__}.{model.__qualname__}\0{size_cap}\0".encode()
    )
    states = FileStates(store, prefix.digest(), paths)
    folders = sorted({os.path.dirname(absolute) for absolute in states.absolute.values()})
    shards = Shards(
        store,
        hashlib.sha256(b"records\0" + prefix.digest() + repr(folders).encode()).digest(),
        Shards.COUNT if len(paths) >= Shards.COUNT * 8 else 1,
    )
    raws: dict[str, tuple[Path, str, bytes | None, list[Problem], bytes]] = {}
    for name, path in paths.items():
        shown = display_path(path, states.absolute[name])
        key = states.known(name)
        raw: bytes | None = None
        found: list[Problem] = []
        if key is None:
            raw, found = read_raw(path, shown, size_cap)
            key = _content_key(prefix, raw)
        raws[name] = (path, shown, raw, found, key)
    result: dict[str, tuple[M | None, YamlDocument | None, list[Problem]]] = {}
    to_parse: list[tuple[str, Path, str, bytes]] = []
    keys: dict[str, bytes] = {}
    for name, (path, shown, raw, found, key) in raws.items():
        hit = shards.get(key) if key else None
        if isinstance(hit, tuple) and len(hit) == 3 and isinstance(hit[0], model):
            value, top, positions = hit
            result[name] = (value, CachedDocument(path, shown, top, positions), [])
            shards.put(key, hit)
            states.keep(name, key)
            if entry_keys is not None:
                entry_keys[name] = key
            continue
        if raw is None and not found:  # known by its state, but the entry is gone: read it
            raw, found = read_raw(path, shown, size_cap)
            key = _content_key(prefix, raw)
        if raw is None:
            result[name] = (None, None, found)
            continue
        to_parse.append((name, path, shown, raw))
        keys[name] = key
    for name, (value, doc, problems, entry) in _parse_all(to_parse, model).items():
        if value is not None and entry is not None:
            shards.put(keys[name], (value, *entry))
            states.keep(name, keys[name])
            if entry_keys is not None:
                entry_keys[name] = keys[name]
        result[name] = (value, doc, problems)
    states.save()
    shards.save()
    return {name: result[name] for name in paths}


def _read_uncached(
    paths: dict[str, Path], model: type[M], size_cap: int
) -> dict[str, tuple[M | None, YamlDocument | None, list[Problem]]]:
    """Read and validate record files like `read_model`, without the cache."""
    if len(paths) < PARSE_FORKED_FROM:
        return {name: read_model(path, model, size_cap=size_cap) for name, path in paths.items()}
    refused: dict[str, tuple[M | None, YamlDocument | None, list[Problem]]] = {}
    unread: list[tuple[str, Path, str, bytes]] = []
    for name, path in paths.items():
        shown = display_path(path)
        raw, found = read_raw(path, shown, size_cap)
        if raw is None:
            refused[name] = (None, None, found)
        else:
            unread.append((name, path, shown, raw))
    parsed = _parse_all(unread, model)
    return {name: refused[name] if name in refused else parsed[name][:3] for name in paths}


# From this many files to parse on, a forked process parses some of them (records/forked.py).
PARSE_FORKED_FROM = 1000

_Entry = tuple[tuple[str, ...], bytes]  # a file's top-level keys and packed node positions
_Parsed = tuple[BaseModel | None, YamlDocument | None, list[Problem], _Entry | None]


def _parse_all(
    files: list[tuple[str, Path, str, bytes]], model: type[M]
) -> dict[str, tuple[M | None, YamlDocument | None, list[Problem], _Entry | None]]:
    """Parse and validate files' bytes; give each file with no problem its entry's parts.

    The entry's parts are what CachedDocument keeps. From PARSE_FORKED_FROM files on, a forked
    process parses some of them, and every file with no problem comes back as a CachedDocument
    made from its entry (the full document is not sent back), whichever process parsed it.
    """
    items = [(path, shown, raw, model) for _, path, shown, raw in files]
    many = len(items) >= PARSE_FORKED_FROM
    parsed, _ = shared_map(_parse_compact if many else _parse_one, items, minimum=PARSE_FORKED_FROM)
    done: dict[str, Any] = {}
    for (name, path, shown, _), (value, doc, problems, entry) in zip(files, parsed, strict=True):
        if doc is None and entry is not None:
            doc = CachedDocument(path, shown, *entry)
        done[name] = (value, doc, problems, entry)
    return done


def _parse_one(item: tuple[Path, str, bytes, type[BaseModel]]) -> _Parsed:
    """Parse one file; for a file with no problem, its cache entry's parts too."""
    path, shown, raw, model = item
    value, doc, problems = model_from_bytes(raw, path, shown, model)
    if value is None or doc is None or problems or not isinstance(doc.data, dict):
        return value, doc, problems, None
    return (
        value,
        doc,
        [],
        (tuple(doc.data), pickle.dumps(doc.positions, protocol=pickle.HIGHEST_PROTOCOL)),
    )


def _parse_compact(item: tuple[Path, str, bytes, type[BaseModel]]) -> _Parsed:
    """Parse one file like `_parse_one`, leaving out the document of a file with no problem."""
    value, doc, problems, entry = _parse_one(item)
    return (value, None, problems, entry) if entry is not None else (value, doc, problems, None)


def _content_key(prefix: Any, raw: bytes | None) -> bytes:
    """Return a record entry's key: the reading's prefix digest and the file's bytes."""
    if raw is None:
        return b""
    digest = prefix.copy()
    digest.update(raw)
    return bytes(digest.digest())


class Shards:
    """Values kept under their own keys, stored together in a few cache values.

    One cache value per record file (or per export piece) costs a query row, a MAC and an
    unpickling each: 10,000 of each at 10,000 papers. Here the values are held in `count`
    shards stored under keys derived from `name`, each value in the shard its key's first
    byte picks; the shards are read (and authenticated) on the first look-up. Only this
    build's values are kept (`put`), and `save` stores the shards whose keys changed, marking
    the others used. A value is still found by its own key, so a shard holding stale or
    foreign values gives no wrong value, only misses.
    """

    COUNT = 32

    def __init__(self, store: GeneratorCache, name: bytes, count: int = COUNT) -> None:
        self.store = store
        self.keys = [hashlib.sha256(b"shard\0" + name + bytes([n])).digest() for n in range(count)]
        self.kept: list[dict[bytes, Any]] | None = None
        self.now: list[dict[bytes, Any]] = [{} for _ in range(count)]

    def _shard(self, key: bytes) -> int:
        return key[0] % len(self.keys) if key else 0

    def get(self, key: bytes) -> Any | None:
        """Return the value kept under a key, or None."""
        if self.kept is None:
            self.store.prefetch(self.keys)
            self.kept = []
            for shard_key in self.keys:
                found = self.store.get(shard_key)
                self.kept.append(found if isinstance(found, dict) else {})
        return self.kept[self._shard(key)].get(key)

    def put(self, key: bytes, value: Any) -> None:
        """Keep a value under its key in this build's shards."""
        self.now[self._shard(key)][key] = value

    def save(self) -> None:
        """Store the shards whose keys changed in this build; mark the others used."""
        for n, shard_key in enumerate(self.keys):
            old = self.kept[n] if self.kept is not None else None
            if (old is None and self.now[n]) or (
                old is not None and old.keys() != self.now[n].keys()
            ):
                self.store.put(shard_key, self.now[n])
            else:
                self.store.touch(shard_key)


# A file modified this recently may be modified again within the file system's timestamp
# granularity without its times changing: its state is not kept (git's "racy clean").
_SETTLED_NS = 2_000_000_000


def settled_state(info: os.stat_result) -> tuple[int, ...] | None:
    """Return what tells that a file still holds the bytes it held, or None if it may not.

    A file whose device, inode, mode, size and modification and change times are those it had
    holds the same bytes (the change time moves with any write, a rename over it brings another
    inode), unless it was modified in the last two seconds: a write within the file system's
    timestamp granularity need not move its times, so such a state is None.
    """
    if max(info.st_mtime_ns, info.st_ctime_ns) >= time.time_ns() - _SETTLED_NS:
        return None
    return (
        info.st_dev,
        info.st_ino,
        info.st_mode,
        info.st_size,
        info.st_mtime_ns,
        info.st_ctime_ns,
    )


class FileStates:
    """The entry key of each record file read before, with the file's state when it was read.

    A file whose device, inode, mode, size and modification and change times are those it had
    when it was read holds the same bytes (the change time moves with any write, a rename over
    it brings another inode), so its entry key is taken without reading and hashing it again,
    unless it had been modified in the two seconds before its state was taken: a write within
    the file system's timestamp granularity need not move its times. The states are taken
    before the file is read, and kept (under the reading's prefix: code, model, size cap) only
    for files whose record is in the cache.
    """

    def __init__(self, store: GeneratorCache, prefix: bytes, paths: dict[str, Path]) -> None:
        self.store = store
        self.key = hashlib.sha256(b"file-states\0" + prefix).digest()
        store.prefetch([self.key])
        found = store.get(self.key)
        self.previous: dict[str, tuple[tuple[int, ...], bytes]] = (
            found if isinstance(found, dict) else {}
        )
        self.now: dict[str, tuple[tuple[int, ...], bytes]] = {}
        self.states: dict[str, tuple[int, ...] | None] = {}
        for name, path in paths.items():
            try:
                self.states[name] = settled_state(os.stat(path, follow_symlinks=False))
            except OSError:
                self.states[name] = None
        self.absolute = {name: os.path.abspath(path) for name, path in paths.items()}
        self._names = self.absolute

    def known(self, name: str) -> bytes | None:
        """Return the entry key of a file unchanged since it was read, else None."""
        state = self.states.get(name)
        old = self.previous.get(self._names[name])
        if state is None or old is None or old[0] != state:
            return None
        return old[1]

    def keep(self, name: str, key: bytes) -> None:
        """Note the entry key of a file whose record is in the cache (with its settled state)."""
        state = self.states.get(name)
        if state is not None:
            self.now[self._names[name]] = (state, key)

    def save(self) -> None:
        """Store the states of this reading's files (when they differ from the last)."""
        if self.now != self.previous:
            self.store.put(self.key, self.now)
        else:
            self.store.touch(self.key)
