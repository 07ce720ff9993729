"""Load and validate the data directory into typed, cross-checked records.

The steps read the registries, the enrichment, the papers and the reports, then cross-check them;
each adds what it finds to one list of problems, and loading fails once, at the end.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import unicodedata
from collections import defaultdict
from collections.abc import Container, Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.errors import BuildFailed, Problem, ValidationFailed
from generator.records.briefinputs import BriefInputs
from generator.records.changes import ChangedRecords
from generator.records.collection import Collection, Paper, Report
from generator.records.filecache import (
    GeneratorCache,
    code_fingerprint,
    read_models,
    verify_requested,
)
from generator.records.keys import PaperIndex, PaperKey, record_keys
from generator.records.models import (
    UNKNOWN_INSTITUTIONS,
    EnrichmentRecord,
    Institution,
    InstitutionsFile,
    PaperRecord,
    ReportRecord,
    Technique,
    TechniquesFile,
    check_id,
)
from generator.records.parse import display_path, read_model
from generator.records.registry import InstitutionRegistry, TechniqueRegistry
from generator.records.yamlsource import DEFAULT_SIZE_CAP, YamlDocument

# Near-identical titles are compared only within buckets sharing this many leading or trailing
# characters: comparing every pair is quadratic, and a typo rarely touches both ends.
_TITLE_BUCKET = 12
# Folded titles at least this alike (rapidfuzz ratio) are near-identical.
_NEAR_TITLE_RATIO = 95
# Where a contributor learns how to add an institution or propose a technique.
_GUIDE = "CONTRIBUTING.md"


@dataclass(frozen=True)
class _PaperFile:
    """A paper record that passed the schema, with the document it came from."""

    record: PaperRecord
    doc: YamlDocument


def load_collection(
    data_dir: Path,
    *,
    size_cap: int = DEFAULT_SIZE_CAP,
    strict: bool = True,
    publishable: bool = False,
    changes: ChangedRecords | None = None,
    cache: GeneratorCache | None = None,
) -> Collection:
    """Load every record, check every cross-reference, and fail once listing every problem.

    What keeps a valid record from being published (no title, techniques or institutions; open
    `review:` items) is a warning, kept in `Collection.warnings`; with `publishable` it is a
    problem like any other (`validate --strict`, the pull-request check). `changes` says which
    record files the change under review touched: only they are held to the publishing rules,
    and a duplicate is reported on the one the change adds. With `cache` (the build's), paper
    and enrichment files whose bytes were read before are not parsed again (filecache.py); every
    check across records still runs, so the problems are the same.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise ValidationFailed(
            [Problem(str(data_dir), 1, 1, "data directory not found; pass --data DIR")]
        )
    problems: list[Problem] = []
    # registries first: papers are checked against them
    techniques = _read_techniques(data_dir / "techniques.yaml", problems, cache)
    tech_registry, complaints = TechniqueRegistry.build(techniques.values())
    problems += [Problem(display_path(data_dir / "techniques.yaml"), 1, 1, c) for c in complaints]
    registry = _read_institutions(data_dir / "institutions.yaml", problems, cache)
    enrichment_paths = _valid_record_paths(data_dir / "enrichment", "enrichment", problems)
    enrichment_keys: dict[str, bytes] = {}
    enrichment = _read_enrichment(enrichment_paths, problems, size_cap, cache, enrichment_keys)
    paper_paths = _valid_record_paths(data_dir / "papers", "paper", problems)
    problems += _orphan_enrichment(enrichment_paths, paper_paths)
    paper_keys: dict[str, bytes] = {}
    paper_files = _read_papers(paper_paths, problems, size_cap, cache, paper_keys)
    papers = {
        paper_id: _resolve_paper(paper_id, file, registry, tech_registry, enrichment, problems)
        for paper_id, file in paper_files.items()
    }
    changes = changes or ChangedRecords.from_git(data_dir)
    problems += _duplicate_papers(papers, paper_files, changes, cache)
    reports = _read_reports(data_dir / "reports", set(paper_paths), problems, size_cap)
    warnings: list[Problem] = []
    for paper_id, file in paper_files.items():
        found = _publishing_problems(file)
        held = publishable and changes.holds(paper_paths[paper_id])
        (problems if held else warnings).extend(found)

    if problems and strict:
        raise ValidationFailed(problems, warnings)
    return Collection(
        data_dir=data_dir,
        papers=dict(sorted(papers.items())),
        reports=dict(sorted(reports.items())),
        institutions=registry,
        techniques=techniques,
        problems=sorted(set(problems)),
        warnings=sorted(set(warnings)),
        read_digests=_read_digests(papers, paper_keys, enrichment_keys),
    )


def _read_digests(
    papers: dict[str, Paper], paper_keys: dict[str, bytes], enrichment_keys: dict[str, bytes]
) -> dict[str, bytes]:
    """Return, per paper, a digest of the cache entries its record and enrichment came from.

    An entry key digests the file's bytes and the reading code, so the same digest means the
    same record and enrichment (Collection.read_digests); a paper read without one has none.
    """
    found: dict[str, bytes] = {}
    for paper_id, paper in papers.items():
        key = paper_keys.get(paper_id)
        extra = enrichment_keys.get(paper_id) if paper.enrichment is not None else b"-"
        if key is not None and extra is not None:
            found[paper_id] = hashlib.sha256(key + b"\0" + extra).digest()
    return found


def validate_data(data_dir: Path, *, size_cap: int = DEFAULT_SIZE_CAP) -> list[Problem]:
    """Return every problem in the data directory (empty when valid)."""
    try:
        return load_collection(data_dir, size_cap=size_cap, strict=False).problems
    except ValidationFailed as exc:
        return exc.problems


# ---- reading -------------------------------------------------------------------------------


def _read_techniques(
    path: Path, problems: list[Problem], cache: GeneratorCache | None
) -> dict[str, Technique]:
    """Read the technique registry: ids unique, parents known, no parent cycles."""
    techniques: dict[str, Technique] = {}
    parsed, doc, found = read_models({"": path}, TechniquesFile, DEFAULT_SIZE_CAP, cache)[""]
    problems += found
    if parsed is None or doc is None:
        return techniques
    for i, tech in enumerate(parsed.techniques):
        if tech.id in techniques:
            problems.append(
                doc.problem(("techniques", i, "id"), f"technique id {tech.id!r} is defined twice")
            )
        techniques[tech.id] = tech
    for i, tech in enumerate(parsed.techniques):
        if tech.parent and tech.parent not in techniques:
            problems.append(
                doc.problem(
                    ("techniques", i, "parent"), f"parent {tech.parent!r} is not a technique id"
                )
            )
    problems += _parent_cycles(parsed.techniques, doc)
    return techniques


def _parent_cycles(techniques: list[Technique], doc: YamlDocument) -> list[Problem]:
    parents = {t.id: t.parent for t in techniques}
    problems: list[Problem] = []
    for i, tech in enumerate(techniques):
        seen = {tech.id}
        current = tech.parent
        while current is not None:
            if current in seen:
                problems.append(
                    doc.problem(
                        ("techniques", i, "parent"),
                        f"technique {tech.id!r} has a parent cycle through {current!r}",
                    )
                )
                break
            seen.add(current)
            current = parents.get(current)
    return problems


def _read_institutions(
    path: Path, problems: list[Problem], cache: GeneratorCache | None
) -> InstitutionRegistry:
    """Read the institution registry; a name that could mean two institutions is a problem."""
    parsed, _doc, found = read_models({"": path}, InstitutionsFile, DEFAULT_SIZE_CAP, cache)[""]
    problems += found
    registry, complaints = InstitutionRegistry.build(parsed.institutions if parsed else [])
    problems += [Problem(display_path(path), 1, 1, complaint) for complaint in complaints]
    return registry


def _read_enrichment(
    paths: dict[str, Path],
    problems: list[Problem],
    size_cap: int,
    cache: GeneratorCache | None,
    entry_keys: dict[str, bytes] | None = None,
) -> dict[str, EnrichmentRecord]:
    """Read what Scholar and the LLM returned, keyed by paper id."""
    result: dict[str, EnrichmentRecord] = {}
    for paper_id, (record, _doc, found) in read_models(
        paths, EnrichmentRecord, size_cap, cache, entry_keys
    ).items():
        problems += found
        if record is not None:
            result[paper_id] = record
    return result


def _read_papers(
    paths: dict[str, Path],
    problems: list[Problem],
    size_cap: int,
    cache: GeneratorCache | None,
    entry_keys: dict[str, bytes] | None = None,
) -> dict[str, _PaperFile]:
    """Read and schema-check every paper record."""
    files: dict[str, _PaperFile] = {}
    read = read_models(paths, PaperRecord, size_cap, cache, entry_keys)
    for paper_id, (record, doc, found) in read.items():
        problems += found
        if record is not None and doc is not None:
            files[paper_id] = _PaperFile(record, doc)
    return files


def _read_reports(
    folder: Path, paper_ids: set[str], problems: list[Problem], size_cap: int
) -> dict[str, Report]:
    """Read every report and check that it lists existing papers, each once."""
    reports: dict[str, Report] = {}
    for report_id, path in _valid_record_paths(folder, "report", problems).items():
        report, doc, found = read_model(path, ReportRecord, size_cap=size_cap)
        problems += found
        if report is None or doc is None:
            continue
        problems += _report_paper_problems(report, doc, paper_ids)
        reports[report_id] = Report(id=report_id, record=report, source=doc.display)
    return reports


def _orphan_enrichment(enrichment: dict[str, Path], papers: dict[str, Path]) -> list[Problem]:
    """Report enrichment files whose paper does not exist (a renamed or deleted paper's)."""
    return [
        Problem(
            display_path(path),
            1,
            1,
            f"enrichment for paper {paper_id!r}, which does not exist (no papers/{paper_id}.yaml);"
            " delete this file, or rename it to the paper's new id",
        )
        for paper_id, path in enrichment.items()
        if paper_id not in papers
    ]


RECORD_SUFFIXES = frozenset({".yaml", ".yml"})


def _record_files(folder: Path) -> list[tuple[Path, bool]]:
    """Return the record files of a folder, by name, each with whether it is a symlink."""
    if not folder.is_dir():
        return []
    # a file named just ".yaml" has no suffix to Python, yet it is a (badly named) record; so is
    # "X.YAML", which is reported rather than passed over (the paper would vanish unnoticed).
    # One folder: sorting by name is sorting by path, without Path comparisons (0.4 s at 10,000);
    # the entries' types come with the listing (no lstat per file).
    with os.scandir(folder) as listed:
        found = [
            (entry.name, entry.is_symlink())
            for entry in listed
            if _is_record_name(entry.name.lower())
        ]
    found.sort()
    return [(folder / name, symlink) for name, symlink in found]


def _is_record_name(folded: str) -> bool:
    """Tell whether a lowercased file name is a record's: Path.suffix .yaml or .yml, or ".yaml"."""
    return folded.endswith(".yaml") or (folded.endswith(".yml") and folded.rfind(".") > 0)


def _valid_record_paths(folder: Path, kind: str, problems: list[Problem]) -> dict[str, Path]:
    """Return the record files of a folder by id, reporting bad names, symlinks and collisions."""
    valid: dict[str, Path] = {}
    folded: dict[str, Path] = {}
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        what = "a symlink" if folder.is_symlink() else "not a folder"
        problems.append(
            Problem(
                display_path(folder),
                1,
                1,
                f"the {folder.name}/ folder is {what}; {kind} files must sit in a real folder"
                " inside the data directory",
            )
        )
        return valid
    for path, symlink in _record_files(folder):
        suffix = path.suffix
        stem = path.name[: -len(suffix)] if suffix else path.name
        if symlink:
            problems.append(
                Problem(
                    display_path(path), 1, 1, f"{kind} files must be regular files, not symlinks"
                )
            )
            continue
        if suffix and suffix not in RECORD_SUFFIXES:
            problems.append(
                Problem(
                    display_path(path),
                    1,
                    1,
                    f"file name: a {kind} file ends in .yaml or .yml, in lowercase;"
                    f" rename it to {stem}{suffix.lower()}",
                )
            )
            continue
        try:
            check_id(stem)
        except ValueError as exc:
            problems.append(
                Problem(display_path(path), 1, 1, f"file name: {kind} id {exc}; rename the file")
            )
            continue
        key = unicodedata.normalize("NFKC", stem).casefold()
        if key in folded:
            problems.append(
                Problem(
                    display_path(path),
                    1,
                    1,
                    f"id {stem!r} collides with {folded[key].name} after case folding; rename one",
                )
            )
            continue
        folded[key] = path
        valid[stem] = path
    return valid


# ---- cross-checks --------------------------------------------------------------------------


def _resolve_paper(
    paper_id: str,
    file: _PaperFile,
    registry: InstitutionRegistry,
    techniques: TechniqueRegistry,
    enrichment: dict[str, EnrichmentRecord],
    problems: list[Problem],
) -> Paper:
    """Resolve a record's institutions and techniques, and collect what its brief depends on."""
    record, doc = file.record, file.doc
    problems += _author_count_problems(record, doc)
    institutions = _resolve_institutions(record, doc, registry, problems)
    return Paper(
        id=paper_id,
        record=record,
        source=doc.display,
        institutions=institutions,
        techniques=_resolve_techniques(record, doc, techniques, problems),
        enrichment=enrichment.get(paper_id),
        brief_inputs=BriefInputs.of(record, institutions),
    )


def _resolve_institutions(
    record: PaperRecord, doc: YamlDocument, registry: InstitutionRegistry, problems: list[Problem]
) -> tuple[Institution, ...]:
    if record.institutions_unknown:
        return ()
    found: list[Institution] = []
    for i, name in enumerate(record.institutions):
        if name == UNKNOWN_INSTITUTIONS:
            problems.append(
                doc.problem(
                    ("institutions", i),
                    f"{UNKNOWN_INSTITUTIONS!r} stands alone: write institutions:"
                    f" {UNKNOWN_INSTITUTIONS} when none is known, else list only the known ones",
                )
            )
            continue
        inst = registry.resolve(name)
        if inst is None:
            close = registry.suggest(name)
            hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
            problems.append(
                doc.problem(
                    ("institutions", i),
                    f"institution {name!r} is not in the registry; {hint}if it is another"
                    " institution, add it to data/institutions.yaml (id, en, zh, aliases,"
                    f" country; see {_GUIDE}) in the same change",
                )
            )
        elif any(inst is other for other in found):  # one object per registry entry
            problems.append(
                doc.problem(
                    ("institutions", i), f"institution {name!r} is listed twice (as {inst.en})"
                )
            )
        else:
            found.append(inst)
    return tuple(found)


def _resolve_techniques(
    record: PaperRecord,
    doc: YamlDocument,
    techniques: TechniqueRegistry,
    problems: list[Problem],
) -> tuple[Technique, ...]:
    found: list[Technique] = []
    for i, name in enumerate(record.techniques):
        tech = techniques.resolve(name)
        if tech is None:
            close = techniques.suggest(name)
            hint = (
                "did you mean "
                + " or ".join(f"{t.id!r} ({t.zh} / {t.en})" for t in close)
                + "? Write the id"
                if close
                else "write a technique id from data/techniques.yaml"
            )
            problems.append(
                doc.problem(
                    ("techniques", i),
                    f"unknown technique {name!r}; {hint}. To propose a new technique, see {_GUIDE}",
                )
            )
        elif any(tech is other for other in found):  # one object per registry entry
            problems.append(
                doc.problem(
                    ("techniques", i),
                    f"technique {name!r} is listed twice"
                    + ("" if name == tech.id else f" (as {tech.id})"),
                )
            )
        else:
            found.append(tech)
    return tuple(found)


def _publishing_problems(file: _PaperFile) -> list[Problem]:
    """Return what keeps a valid record off the site: no title, techniques, institutions; review items."""
    record, doc = file.record, file.doc
    strict_note = "`paperbrief validate --strict`, the pull-request check, fails until then"
    found: list[Problem] = []
    if record.title is None:
        found.append(
            doc.problem(
                (),
                "no title: add title: with the paper's title as printed on the paper"
                f" ({strict_note})",
            )
        )
    if not record.techniques:
        at = ("techniques",) if "techniques" in _keys(doc) else ()
        found.append(
            doc.problem(
                at,
                "no techniques: list 1 to 4 technique ids from data/techniques.yaml, e.g."
                f" techniques: [kv-cache]; to propose a new one, see {_GUIDE} ({strict_note})",
            )
        )
    if not record.institutions:
        at = ("institutions",) if "institutions" in _keys(doc) else ()
        found.append(
            doc.problem(
                at,
                "no institutions: list the authors' institutions as named in"
                f" data/institutions.yaml, or write institutions: {UNKNOWN_INSTITUTIONS} when none"
                f" can be found ({strict_note})",
            )
        )
    for i, item in enumerate(record.review):
        found.append(
            doc.problem(
                ("review", i),
                f"open review item {item!r}: settle it, then delete the line ({strict_note})",
            )
        )
    return found


def _keys(doc: YamlDocument) -> set[str]:
    return set(doc.data) if isinstance(doc.data, dict) else set()


def _author_count_problems(record: PaperRecord, doc: YamlDocument) -> list[Problem]:
    if (
        record.authors is not None
        and record.author_count is not None
        and len(record.authors) != record.author_count
    ):
        return [
            doc.problem(
                ("author_count",),
                f"author_count is {record.author_count} but {len(record.authors)} authors are listed",
            )
        ]
    return []


def _report_paper_problems(
    report: ReportRecord, doc: YamlDocument, paper_ids: set[str]
) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, paper_id in enumerate(report.papers):
        if paper_id in seen:
            problems.append(
                doc.problem(("papers", i), f"paper {paper_id!r} is listed twice in this report")
            )
        seen.add(paper_id)
        if paper_id not in paper_ids:
            close = difflib.get_close_matches(paper_id, sorted(paper_ids), n=2)
            hint = (
                f"did you mean {' or '.join(repr(c) for c in close)}?"
                if close
                else "add data/papers/<id>.yaml first"
            )
            problems.append(
                doc.problem(("papers", i), f"paper {paper_id!r} does not exist; {hint}")
            )
    return problems


def _duplicate_papers(
    papers: dict[str, Paper],
    files: dict[str, _PaperFile],
    changes: ChangedRecords,
    cache: GeneratorCache | None = None,
) -> list[Problem]:
    """Find the same paper twice: same arXiv id, same DOI or near-identical title.

    The problem goes on the newer record and names the older one, so the annotation lands in the
    diff of the pull request that adds it: newer means the later `added` date, then the file the
    change touches (git), then the later file name. With `cache`, a collection that differs
    from one found free of duplicates in a few papers checks only those (`DuplicateFree`).
    """
    free = DuplicateFree.load(cache, papers) if cache is not None else None
    if free is not None and free.still_free():
        if verify_requested() and _all_duplicates(papers, files, changes):
            raise BuildFailed(
                "generator cache: the collection was found free of duplicates from its changed"
                " papers, but the full check finds some (records/load.py DuplicateFree)"
            )
        free.keep()
        return []
    keys: dict[str, tuple[PaperKey, ...]] = {}
    problems = _all_duplicates(papers, files, changes, keys)
    if free is not None and not problems:
        free.keys = keys
        free.keep()
    return problems


class TitleNeighbours:
    """Folded titles by their first and last `_TITLE_BUCKET` characters: the titles a title is
    compared with for near-identity, as the full check compares them (_near_identical_titles).

    Used to check changed papers against the others' kept titles (DuplicateFree, and the
    preview's check of an edited paper in generator/site/quickpreview.py).
    """

    def __init__(self, titles: Iterable[str] = ()) -> None:
        self._near: dict[str, set[str]] = defaultdict(set)
        for title in titles:
            self.add(title)

    def add(self, title: str) -> None:
        """Note a folded title (one too short to bucket is never compared)."""
        if len(title) >= _TITLE_BUCKET:
            self._near["<" + title[:_TITLE_BUCKET]].add(title)
            self._near[">" + title[-_TITLE_BUCKET:]].add(title)

    def close_to(self, title: str, ignore: Container[str] = ()) -> bool:
        """Tell whether a noted title other than `title` and those in `ignore` is near-identical."""
        if len(title) < _TITLE_BUCKET:
            return False
        from rapidfuzz.fuzz import ratio

        near = self._near.get("<" + title[:_TITLE_BUCKET], set()) | self._near.get(
            ">" + title[-_TITLE_BUCKET:], set()
        )
        return any(
            other != title and other not in ignore and ratio(title, other) >= _NEAR_TITLE_RATIO
            for other in near
        )


class DuplicateFree:
    """The identity keys of a collection found free of duplicates, kept between builds.

    The check finds nothing exactly when no two papers share an identity key and no two
    distinct folded titles sharing their first or last `_TITLE_BUCKET` characters are 95 %
    alike; pairs of unchanged papers stay as they were. So when the last collection checked
    was free of duplicates, the papers whose id, added date, title, arXiv id or DOI changed
    (or that are new) are checked against every other paper's kept keys; any clash or close
    title sends the build to the full check, which places the problems. The kept keys are
    stored under the reading code (code_fingerprint) and rapidfuzz's version.
    """

    # More changed papers than this: the full check is about as fast.
    LIMIT = 200

    def __init__(
        self,
        cache: GeneratorCache,
        key: bytes,
        papers: dict[str, Paper],
        kept: dict[str, tuple[bytes, tuple[PaperKey, ...]]],
        own: dict[str, bytes],
    ) -> None:
        self.cache = cache
        self.key = key
        self.papers = papers
        self.kept = kept
        self.own = own
        self.keys: dict[str, tuple[PaperKey, ...]] = {}
        # the papers `still_free` found changed (None: it did not run)
        self.changed: list[str] | None = None

    @classmethod
    def load(cls, cache: GeneratorCache, papers: dict[str, Paper]) -> DuplicateFree:
        """Read what the last check found free of duplicates (nothing when there is none)."""
        from importlib.metadata import version

        key = hashlib.sha256(
            b"duplicate-free\0" + code_fingerprint() + version("rapidfuzz").encode()
        ).digest()
        cache.prefetch([key])
        found = cache.get(key)
        kept = found if isinstance(found, dict) else {}
        own = {
            paper_id: hashlib.sha256(
                repr(
                    (
                        paper_id,
                        paper.record.added.toordinal(),
                        paper.record.title,
                        paper.record.links.arxiv,
                        paper.record.links.doi,
                    )
                ).encode()
            ).digest()
            for paper_id, paper in papers.items()
        }
        return cls(cache, key, papers, kept, own)

    def still_free(self) -> bool:
        """Tell whether the collection is free of duplicates, from the changed papers alone."""
        changed = []
        for paper_id, digest in self.own.items():
            old = self.kept.get(paper_id)
            if old is not None and old[0] == digest:
                self.keys[paper_id] = old[1]
            else:
                changed.append(paper_id)
        self.changed = changed
        if not self.kept or len(changed) > self.LIMIT:
            return False
        owners: dict[PaperKey, str] = {}
        for paper_id, keys in self.keys.items():
            for key in keys:
                owners[key] = paper_id
        for paper_id in changed:
            keys = record_keys(self.papers[paper_id].record)
            self.keys[paper_id] = keys
            for key in keys:
                if owners.setdefault(key, paper_id) != paper_id:
                    return False
        return not self._close_titles(changed)

    def _close_titles(self, changed: list[str]) -> bool:
        """Tell whether a changed paper's folded title is 95 % like another sharing a bucket."""
        if not changed:
            return False  # unchanged pairs were found free before: no buckets to make
        neighbours = TitleNeighbours(
            key.value for keys in self.keys.values() for key in keys if key.kind == "title"
        )
        return any(
            neighbours.close_to(key.value)
            for paper_id in changed
            for key in self.keys[paper_id]
            if key.kind == "title"
        )

    def keep(self) -> None:
        """Store the keys of this collection, found free of duplicates (unless they are stored)."""
        if self.changed == [] and self.kept.keys() == self.papers.keys():
            self.cache.touch(self.key)  # the same papers with the same keys
            return
        for paper_id, paper in self.papers.items():
            if paper_id not in self.keys:
                self.keys[paper_id] = record_keys(paper.record)
        self.cache.put(
            self.key,
            {paper_id: (self.own[paper_id], self.keys[paper_id]) for paper_id in self.papers},
        )


def _all_duplicates(
    papers: dict[str, Paper],
    files: dict[str, _PaperFile],
    changes: ChangedRecords,
    keys_of: dict[str, tuple[PaperKey, ...]] | None = None,
) -> list[Problem]:
    """Run the duplicate check over every paper (see _duplicate_papers); note their keys."""
    problems: list[Problem] = []
    index = PaperIndex()
    titles: dict[str, str] = {}
    newer = _Newer(papers, changes)
    for paper_id in sorted(papers, key=lambda p: (papers[p].record.added, p)):
        keys = record_keys(papers[paper_id].record)
        if keys_of is not None:
            keys_of[paper_id] = keys
        for key, other in index.add(paper_id, keys):
            new, old = newer.of(paper_id, other)
            problems.append(
                files[new].doc.problem(
                    key.field,
                    f"same {key.kind} as {papers[old].source}: this paper is already in the"
                    " collection; delete this file, or merge what it adds into the other",
                )
            )
        titles.update((paper_id, k.value) for k in keys if k.kind == "title")
    return problems + _near_identical_titles(titles, papers, files, newer)


class _Newer:
    """Decide which of two records describing one paper is the newer (see _duplicate_papers)."""

    def __init__(self, papers: dict[str, Paper], changes: ChangedRecords) -> None:
        self.papers = papers
        self.changes = changes

    def of(self, later: str, earlier: str) -> tuple[str, str]:
        """Return (newer, older) of two ids given in (added, name) order."""
        a, b = self.papers[later], self.papers[earlier]
        if a.record.added == b.record.added:
            # git is asked only here: most validations meet no duplicate at all
            touched_a = self.changes.touches(Path(a.source))
            touched_b = self.changes.touches(Path(b.source))
            if touched_b and not touched_a:
                return earlier, later
        return later, earlier


def _near_identical_titles(
    titles: dict[str, str], papers: dict[str, Paper], files: dict[str, _PaperFile], newer: _Newer
) -> list[Problem]:
    """Flag folded titles at least 95 % alike (same-title pairs are reported as duplicates)."""
    from rapidfuzz import process
    from rapidfuzz.fuzz import ratio

    problems: list[Problem] = []
    # leading or trailing characters -> (titles, their paper ids), kept apart for rapidfuzz
    prefix: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    suffix: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    seen: set[str] = set()
    for paper_id, title in titles.items():
        if title in seen:
            continue
        seen.add(title)
        if len(title) < _TITLE_BUCKET:
            continue
        buckets = (prefix[title[:_TITLE_BUCKET]], suffix[title[-_TITLE_BUCKET:]])
        for bucket_titles, ids in buckets:
            match = process.extractOne(
                title, bucket_titles, scorer=ratio, score_cutoff=_NEAR_TITLE_RATIO
            )
            if match is not None:
                new, old = newer.of(paper_id, ids[match[2]])
                problems.append(
                    files[new].doc.problem(
                        ("title",),
                        f"title is nearly identical to {papers[old].source}; is this the same"
                        " paper? If so, delete this file, or merge what it adds into the other",
                    )
                )
                break
        for bucket_titles, ids in buckets:
            bucket_titles.append(title)
            ids.append(paper_id)
    return problems
