"""Load and validate the data directory into typed, cross-checked records."""

from __future__ import annotations

import difflib
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from generator.errors import Problem, ValidationFailed
from generator.records.models import (
    BriefEnrichment,
    EnrichmentRecord,
    Institution,
    InstitutionsFile,
    PaperRecord,
    ReportRecord,
    Technique,
    TechniquesFile,
    check_id,
)
from generator.records.registry import InstitutionRegistry, suggest_technique
from generator.records.yamlsource import DEFAULT_SIZE_CAP, YamlDocument, YamlProblem, load_yaml

M = TypeVar("M", bound=BaseModel)

SCHEMA_COMMENT = "# yaml-language-server: $schema={schema}"


@dataclass(frozen=True)
class Paper:
    """A validated paper with its references resolved."""

    id: str
    record: PaperRecord
    source: str
    institutions: tuple[Institution, ...]
    techniques: tuple[Technique, ...]
    enrichment: EnrichmentRecord | None = None

    @property
    def brief_text(self) -> str | None:
        """Return the brief to publish: a person's wins, else an accepted generated one."""
        if self.record.brief:
            return self.record.brief
        generated = self.generated_brief
        return generated.text if generated else None

    @property
    def generated_brief(self) -> BriefEnrichment | None:
        """Return the accepted generated brief, if it is the one shown."""
        if self.record.brief or self.enrichment is None or self.enrichment.brief is None:
            return None
        brief = self.enrichment.brief
        return brief if brief.status == "ok" and brief.text else None

    @property
    def tldr(self) -> str | None:
        """Return the English one-sentence summary, from the record or the LLM."""
        if self.record.tldr:
            return self.record.tldr
        brief = self.enrichment.brief if self.enrichment else None
        if brief and brief.status == "ok" and brief.fields:
            return brief.fields.tldr_en
        return None


@dataclass(frozen=True)
class Report:
    """A validated report."""

    id: str
    record: ReportRecord
    source: str


@dataclass
class Collection:
    """Everything in a data directory, validated."""

    data_dir: Path
    papers: dict[str, Paper]
    reports: dict[str, Report]
    institutions: InstitutionRegistry
    techniques: dict[str, Technique]
    problems: list[Problem] = field(default_factory=list)


def display_path(path: Path) -> str:
    """Show a path relative to the working directory when it lies below it."""
    absolute = os.path.abspath(path)
    cwd = os.getcwd()
    try:
        return os.path.relpath(absolute, cwd) if absolute.startswith(cwd + os.sep) else str(path)
    except ValueError:
        return str(path)


_HINTS = {
    "arxiv": "write the bare arXiv id, e.g. 2510.01234 (not a URL)",
    "doi": "write the bare DOI, e.g. 10.1145/3600006.3613165 (not a URL)",
    "country": "use a two-letter ISO country code such as CN or US",
}


def _describe_error(doc: YamlDocument, err: dict[str, Any], model: type[BaseModel]) -> Problem:
    loc: tuple[str | int, ...] = tuple(err["loc"])
    dotted = ".".join(str(p) for p in loc) or "(file)"
    kind = err["type"]
    if kind == "extra_forbidden":
        name = str(loc[-1])
        allowed = _allowed_fields(model, loc[:-1])
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(allowed)}"
        return doc.problem(loc, f"unknown field {name!r}: {hint}", at_key=True)
    if kind == "missing":
        parent = ".".join(str(p) for p in loc[:-1])
        where = f" in {parent}" if parent else ""
        return doc.problem(loc[:-1], f"missing required field {loc[-1]!r}{where}")
    implicit = doc.implicit.get(loc)
    if implicit is not None and kind in {
        "string_type",
        "int_type",
        "list_type",
        "date_type",
        "datetime_type",
    }:
        text, what = implicit
        return doc.problem(
            loc,
            f'{dotted}: {text!r} is read by YAML as {what}, not text; put it in quotes: {dotted.split(".")[-1]}: "{text}"',
        )
    msg = str(err["msg"]).removeprefix("Value error, ")
    if kind == "string_pattern_mismatch":
        field_name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
        pattern_hint = _HINTS.get(field_name)
        msg = f"{err['input']!r} has the wrong form" + (
            f"; {pattern_hint}" if pattern_hint else f" ({msg})"
        )
    if kind == "model_type":
        msg = "must be a mapping of field: value"
    return doc.problem(loc, f"{dotted}: {msg}")


def _allowed_fields(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if info is None:
            return []
        current = _model_in(info.annotation)
        if current is None:
            return []
    return sorted(current.model_fields) if hasattr(current, "model_fields") else []


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def parse_model(doc: YamlDocument, model: type[M]) -> tuple[M | None, list[Problem]]:
    """Validate a parsed document against a model, turning errors into positioned problems."""
    if not isinstance(doc.data, dict):
        what = "empty" if doc.data is None else f"a {type(doc.data).__name__}"
        return None, [doc.problem((), f"the file is {what}; it must be a mapping of field: value")]
    surprises = [
        doc.problem(loc, f"{'.'.join(map(str, loc))}: {text}")
        for loc, text in doc.surprises.items()
    ]
    try:
        value = model.model_validate(doc.data)
    except ValidationError as exc:
        flagged = set(doc.surprises)
        errors = [e for e in exc.errors() if tuple(e["loc"]) not in flagged]
        return None, surprises + [_describe_error(doc, dict(e), model) for e in errors]
    return (None, surprises) if surprises else (value, [])


def read_model(
    path: Path, model: type[M], *, size_cap: int = DEFAULT_SIZE_CAP
) -> tuple[M | None, YamlDocument | None, list[Problem]]:
    """Read and validate one YAML file."""
    shown = display_path(path)
    try:
        doc = load_yaml(path, display=shown, size_cap=size_cap)
    except YamlProblem as exc:
        return None, None, [Problem(shown, exc.line, exc.col, exc.message)]
    except OSError as exc:
        return None, None, [Problem(shown, 1, 1, f"cannot read the file: {exc.strerror}")]
    value, problems = parse_model(doc, model)
    return value, doc, problems


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def normalize_title(title: str) -> str:
    """Fold a title for duplicate detection: case, accents, punctuation and spacing."""
    text = unicodedata.normalize("NFKD", _fold(title))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[\W_]+", "", text)


def _stem_problems(files: Iterable[Path], kind: str) -> tuple[dict[str, Path], list[Problem]]:
    """Check record file names; return the valid ids with their paths."""
    problems: list[Problem] = []
    valid: dict[str, Path] = {}
    folded: dict[str, Path] = {}
    for path in files:
        stem = path.name[: -len(path.suffix)] if path.suffix else path.name
        shown = display_path(path)
        if path.is_symlink():
            problems.append(
                Problem(shown, 1, 1, f"{kind} files must be regular files, not symlinks")
            )
            continue
        try:
            check_id(stem)
        except ValueError as exc:
            problems.append(Problem(shown, 1, 1, f"file name: {kind} id {exc}; rename the file"))
            continue
        key = _fold(stem)
        if key in folded:
            problems.append(
                Problem(
                    shown,
                    1,
                    1,
                    f"id {stem!r} collides with {folded[key].name} after case folding; rename one",
                )
            )
            continue
        folded[key] = path
        valid[stem] = path
    return valid, problems


def _record_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    files = sorted(
        p for p in folder.iterdir() if p.suffix in {".yaml", ".yml"} or p.name.endswith(".yaml")
    )
    return files


def load_collection(
    data_dir: Path, *, size_cap: int = DEFAULT_SIZE_CAP, strict: bool = True
) -> Collection:
    """Load every record, check every cross-reference, and fail once listing every problem."""
    problems: list[Problem] = []
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise ValidationFailed(
            [Problem(str(data_dir), 1, 1, "data directory not found; pass --data DIR")]
        )

    # registries first: papers are checked against them
    techniques: dict[str, Technique] = {}
    tech_path = data_dir / "techniques.yaml"
    tech_file, tech_doc, found = read_model(tech_path, TechniquesFile)
    problems += found
    if tech_file and tech_doc:
        for i, tech in enumerate(tech_file.techniques):
            if tech.id in techniques:
                problems.append(
                    tech_doc.problem(
                        ("techniques", i, "id"), f"technique id {tech.id!r} is defined twice"
                    )
                )
            techniques[tech.id] = tech
        for i, tech in enumerate(tech_file.techniques):
            if tech.parent and tech.parent not in techniques:
                problems.append(
                    tech_doc.problem(
                        ("techniques", i, "parent"), f"parent {tech.parent!r} is not a technique id"
                    )
                )
        problems += _parent_cycles(tech_file.techniques, tech_doc)

    inst_path = data_dir / "institutions.yaml"
    inst_file, _inst_doc, found = read_model(inst_path, InstitutionsFile)
    problems += found
    registry, complaints = InstitutionRegistry.build(inst_file.institutions if inst_file else [])
    for complaint in complaints:
        problems.append(Problem(display_path(inst_path), 1, 1, complaint))

    enrichment = _load_enrichment(data_dir / "enrichment", problems, size_cap)

    papers: dict[str, Paper] = {}
    paper_docs: dict[str, YamlDocument] = {}
    paper_paths, found = _stem_problems(_record_files(data_dir / "papers"), "paper")
    problems += found
    for paper_id, path in paper_paths.items():
        record, doc, found = read_model(path, PaperRecord, size_cap=size_cap)
        problems += found
        if record is None or doc is None:
            continue
        paper_docs[paper_id] = doc
        insts: list[Institution] = []
        for i, name in enumerate(record.institutions):
            inst = registry.resolve(name)
            if inst is None:
                close = registry.suggest(name)
                hint = (
                    f"did you mean {' or '.join(repr(c) for c in close)}?"
                    if close
                    else "add it to data/institutions.yaml"
                )
                problems.append(
                    doc.problem(
                        ("institutions", i), f"institution {name!r} is not in the registry; {hint}"
                    )
                )
            elif inst in insts:
                problems.append(
                    doc.problem(
                        ("institutions", i), f"institution {name!r} is listed twice (as {inst.en})"
                    )
                )
            else:
                insts.append(inst)
        techs: list[Technique] = []
        for i, tech_id in enumerate(record.techniques):
            found_tech = techniques.get(tech_id)
            if found_tech is None:
                close = suggest_technique(tech_id, techniques.values())
                hint = (
                    f"did you mean {' or '.join(repr(c) for c in close)}?"
                    if close
                    else "see data/techniques.yaml"
                )
                problems.append(
                    doc.problem(("techniques", i), f"unknown technique {tech_id!r}; {hint}")
                )
            elif found_tech in techs:
                problems.append(
                    doc.problem(("techniques", i), f"technique {tech_id!r} is listed twice")
                )
            else:
                techs.append(found_tech)
        if (
            record.authors is not None
            and record.author_count is not None
            and len(record.authors) != record.author_count
        ):
            problems.append(
                doc.problem(
                    ("author_count",),
                    f"author_count is {record.author_count} but {len(record.authors)} authors are listed",
                )
            )
        papers[paper_id] = Paper(
            id=paper_id,
            record=record,
            source=doc.display,
            institutions=tuple(insts),
            techniques=tuple(techs),
            enrichment=enrichment.get(paper_id),
        )
    problems += _duplicate_papers(papers, paper_docs)

    reports: dict[str, Report] = {}
    report_paths, found = _stem_problems(_record_files(data_dir / "reports"), "report")
    problems += found
    for report_id, path in report_paths.items():
        report, doc, found = read_model(path, ReportRecord, size_cap=size_cap)
        problems += found
        if report is None or doc is None:
            continue
        seen: set[str] = set()
        for i, paper_id in enumerate(report.papers):
            if paper_id in seen:
                problems.append(
                    doc.problem(("papers", i), f"paper {paper_id!r} is listed twice in this report")
                )
            seen.add(paper_id)
            if paper_id not in papers and paper_id not in paper_paths:
                close = difflib.get_close_matches(paper_id, list(paper_paths), n=2)
                hint = (
                    f"did you mean {' or '.join(repr(c) for c in close)}?"
                    if close
                    else "add data/papers/<id>.yaml first"
                )
                problems.append(
                    doc.problem(("papers", i), f"paper {paper_id!r} does not exist; {hint}")
                )
        reports[report_id] = Report(id=report_id, record=report, source=doc.display)

    if problems and strict:
        raise ValidationFailed(problems)
    return Collection(
        data_dir=data_dir,
        papers=dict(sorted(papers.items())),
        reports=dict(sorted(reports.items())),
        institutions=registry,
        techniques=techniques,
        problems=sorted(set(problems)),
    )


def validate_data(data_dir: Path, *, size_cap: int = DEFAULT_SIZE_CAP) -> list[Problem]:
    """Return every problem in the data directory (empty when valid)."""
    try:
        return load_collection(data_dir, size_cap=size_cap, strict=False).problems
    except ValidationFailed as exc:
        return exc.problems


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


def _load_enrichment(
    folder: Path, problems: list[Problem], size_cap: int
) -> dict[str, EnrichmentRecord]:
    result: dict[str, EnrichmentRecord] = {}
    paths, found = _stem_problems(_record_files(folder), "enrichment")
    problems += found
    for paper_id, path in paths.items():
        record, _doc, found = read_model(path, EnrichmentRecord, size_cap=size_cap)
        problems += found
        if record is not None:
            result[paper_id] = record
    return result


def _duplicate_papers(papers: dict[str, Paper], docs: dict[str, YamlDocument]) -> list[Problem]:
    """Find the same paper twice: same arXiv id, same DOI or near-identical title."""
    problems: list[Problem] = []
    by_key: dict[tuple[str, str], str] = {}
    # 12-character prefix or suffix -> (titles, their paper ids), kept apart for rapidfuzz
    prefix: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    suffix: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    norm: dict[str, str] = {}
    for paper_id, paper in papers.items():
        links = paper.record.links
        keys: list[tuple[str, str, tuple[str, ...]]] = []
        if links.arxiv:
            keys.append(("arxiv", re.sub(r"v\d+$", "", links.arxiv), ("links", "arxiv")))
        if links.doi:
            keys.append(("doi", links.doi.lower(), ("links", "doi")))
        if paper.record.title:
            title = normalize_title(paper.record.title)
            if title:
                keys.append(("title", title, ("title",)))
                norm[paper_id] = title
        for kind, value, loc in keys:
            other = by_key.get((kind, value))
            if other is not None:
                problems.append(
                    docs[paper_id].problem(
                        loc,
                        f"same {kind} as {papers[other].source}: this paper is already in the collection",
                    )
                )
            else:
                by_key[(kind, value)] = paper_id
    # near-identical titles: compare only titles sharing a 12-character prefix or suffix
    from rapidfuzz import process
    from rapidfuzz.fuzz import ratio

    seen: set[str] = set()
    for paper_id, title in norm.items():
        if title in seen:
            continue  # the same title twice is reported above
        seen.add(title)
        if len(title) < 12:
            continue
        buckets = (prefix[title[:12]], suffix[title[-12:]])
        for titles, ids in buckets:
            match = process.extractOne(title, titles, scorer=ratio, score_cutoff=95)
            if match is not None:
                other = ids[match[2]]
                problems.append(
                    docs[paper_id].problem(
                        ("title",),
                        f"title is nearly identical to {papers[other].source}; is this the same paper?",
                    )
                )
                break
        for titles, ids in buckets:
            titles.append(title)
            ids.append(paper_id)
    return problems
