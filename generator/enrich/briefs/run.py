"""Enrich papers with generated briefs: cache first, one call per missing brief, saved at once."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from generator.enrich.briefs.grounding import check_reply
from generator.enrich.briefs.prompt import (
    PROMPT_VERSION,
    BriefRequest,
    build_messages,
    render_brief,
)
from generator.enrich.shard import select_shard
from generator.enrich.sources.mistral import (
    DEFAULT_MODEL,
    AuthRejected,
    BriefClient,
    BudgetExhausted,
    CallMeter,
    MistralBriefClient,
    RequestRejected,
    ServiceError,
    redact,
)
from generator.errors import ConfigError
from generator.records.collection import Collection, Paper
from generator.records.load import load_collection
from generator.records.models import BriefEnrichment, Technique
from generator.records.registry import InstitutionRegistry
from generator.records.store import save_enrichment

# Estimated list prices in US dollars per million tokens (input, output). They change: the
# summary labels the figure an estimate, and an unknown model gets no figure at all.
PRICES_PER_MILLION: dict[str, tuple[float, float]] = {
    "mistral-small-2506": (0.10, 0.30),
    "mistral-small-2503": (0.10, 0.30),
    "mistral-small-latest": (0.10, 0.30),
    "mistral-medium-2505": (0.40, 2.00),
    "mistral-medium-2508": (0.40, 2.00),
    "mistral-medium-latest": (0.40, 2.00),
}

MAX_ERROR_CHARS = 500

Progress = Callable[[Sequence[Paper]], AbstractContextManager[Iterable[Paper]]]


@dataclass(frozen=True)
class BriefSettings:
    """How a brief run talks to Mistral and which papers it covers."""

    api_key: str = field(repr=False)
    model: str = DEFAULT_MODEL
    server_url: str | None = None
    only: tuple[str, ...] = ()
    refresh: bool = False
    max_calls: int | None = None
    shard: tuple[int, int] | None = None
    timeout_s: float = 60.0
    max_attempts: int = 4
    max_wait_s: float = 60.0
    # Stop the run when this many papers in a row fail for service reasons (an outage).
    max_service_failures_in_row: int = 3

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: object) -> BriefSettings:
        """Build settings from MISTRAL_API_KEY / MISTRAL_SERVER_URL plus command-line options."""
        env = os.environ if environ is None else environ
        key = (env.get("MISTRAL_API_KEY") or "").strip()
        if not key:
            raise ConfigError(
                "MISTRAL_API_KEY is not set: briefs need a Mistral API key. Export it"
                " (export MISTRAL_API_KEY=...) or, in GitHub Actions, pass it from a secret."
                " `paperbrief build` works without it and shows such papers as brief pending."
            )
        server_url = (env.get("MISTRAL_SERVER_URL") or "").strip() or None
        if server_url and not server_url.lower().startswith(("http://", "https://")):
            raise ConfigError(
                "MISTRAL_SERVER_URL must start with http:// or https://"
                " (it replaces the Mistral API base URL)"
            )
        given = {k: v for k, v in options.items() if v is not None}
        return cls(api_key=key, server_url=server_url, **given)  # type: ignore[arg-type]


@dataclass
class BriefRunReport:
    """What a brief run did, for the summary and the exit code."""

    model: str
    generated: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    human: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    not_attempted: list[str] = field(default_factory=list)
    stopped: str | None = None
    budget_spent: bool = False
    calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0

    @property
    def ok(self) -> bool:
        """Return True when nothing failed (stopping at --max-calls is not a failure)."""
        return not self.failed and (self.stopped is None or self.budget_spent)

    def estimated_cost(self) -> float | None:
        """Return the estimated cost in US dollars, or None when the model has no known price."""
        price = PRICES_PER_MILLION.get(self.model)
        if price is None:
            return None
        return (self.tokens_in * price[0] + self.tokens_out * price[1]) / 1_000_000

    def summary_lines(self) -> list[str]:
        """Describe the run: counts, calls, tokens, cost, and every failure with its reason."""
        cost = self.estimated_cost()
        shown_cost = (
            f"estimated cost ${cost:.4f} (list price estimate for {self.model})"
            if cost is not None
            else f"no price known for {self.model}, cost not estimated"
        )
        lines = [
            f"briefs: {len(self.generated)} generated, {len(self.cached)} cached,"
            f" {len(self.failed)} failed, {len(self.human)} written by people,"
            f" {len(self.skipped)} skipped, {len(self.not_attempted)} not attempted",
            f"API calls: {self.calls} made; tokens: {self.tokens_in} in, {self.tokens_out} out;"
            f" {shown_cost}",
        ]
        for paper_id, reason in sorted(self.failed.items()):
            lines.append(f"failed {paper_id}: {reason}")
        for paper_id, reason in sorted(self.skipped.items()):
            lines.append(f"skipped {paper_id}: {reason}")
        if self.stopped:
            lines.append(f"stopped early: {self.stopped}")
        if self.failed or self.not_attempted:
            lines.append("run the same command again to ask only for the missing and failed briefs")
        return lines


def brief_request(paper: Paper, techniques: Iterable[Technique]) -> BriefRequest | str:
    """Return what the brief is made from, or why this record cannot get one."""
    if not paper.record.title:
        return "no title in the record; add one"
    if not paper.record.abstract:
        return "no abstract in the record; a brief is checked against the abstract, add one"
    return BriefRequest(
        paper_id=paper.id,
        title=paper.record.title,
        abstract=paper.record.abstract,
        institutions=paper.institutions,
        techniques=tuple(techniques),
    )


def input_hash(request: BriefRequest, model: str, prompt_version: str | None = None) -> str:
    """Hash what a brief depends on: paper text, institutions, offered ids, model, prompt."""
    payload = {
        "title": request.title,
        "abstract": request.abstract,
        "institutions": [[i.id, i.en, i.zh] for i in request.institutions],
        "technique_ids": sorted(t.id for t in request.techniques),
        "model": model,
        "prompt_version": prompt_version or PROMPT_VERSION,
    }
    raw = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()


def generate_brief(
    client: BriefClient,
    request: BriefRequest,
    *,
    model: str,
    registry: InstitutionRegistry,
    meter: CallMeter,
    now: Callable[[], datetime],
) -> BriefEnrichment:
    """Ask for a brief, check it, retry once with the reasons, and return it ok or failed."""
    known_ids = frozenset(t.id for t in request.techniques)
    rejection: str | None = None
    for _round in range(2):
        answer = client.ask(build_messages(request, rejection), meter)
        if answer.reply is None:
            reasons = [answer.problem or "the reply was unusable"]
        else:
            fields, reasons = check_reply(answer.reply, request, registry, known_ids)
            if fields is not None:
                return BriefEnrichment(
                    status="ok",
                    fields=fields,
                    text=render_brief(fields, request.title),
                    model=model,
                    prompt_version=PROMPT_VERSION,
                    input_hash=input_hash(request, model),
                    generated=now(),
                )
        rejection = "; ".join(reasons)
    return BriefEnrichment(
        status="failed",
        error=_shorten(f"rejected twice: {rejection}"),  # the reply itself is never kept
        model=model,
        prompt_version=PROMPT_VERSION,
        input_hash=input_hash(request, model),
        generated=now(),
    )


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _select(collection: Collection, settings: BriefSettings) -> list[Paper]:
    ids = list(collection.papers)
    if settings.only:
        unknown = [i for i in settings.only if i not in collection.papers]
        if unknown:
            raise ConfigError(
                f"--only: no paper with id {', '.join(repr(i) for i in unknown)}"
                f" in {collection.data_dir / 'papers'}; ids are file names without .yaml"
            )
        wanted = set(settings.only)
        ids = [i for i in ids if i in wanted]
    return [collection.papers[i] for i in select_shard(ids, settings.shard)]


def enrich_briefs(
    data_dir: Path,
    settings: BriefSettings,
    *,
    client: BriefClient | None = None,
    progress: Progress | None = None,
    now: Callable[[], datetime] = _now,
) -> BriefRunReport:
    """Write a checked brief for every selected paper whose brief is missing, failed or stale."""
    collection = load_collection(data_dir)
    report = BriefRunReport(model=settings.model)
    techniques = list(collection.techniques.values())

    todo: list[tuple[Paper, BriefRequest]] = []
    refreshing: set[str] = set()  # --refresh of a current, accepted brief
    for paper in _select(collection, settings):
        if paper.record.brief:
            # a person's brief always wins: never asked for, never touched
            report.human.append(paper.id)
            continue
        request = brief_request(paper, techniques)
        if isinstance(request, str):
            report.skipped[paper.id] = request
            continue
        stored = paper.enrichment.brief if paper.enrichment else None
        current = (
            stored is not None
            and stored.status == "ok"
            and stored.input_hash == input_hash(request, settings.model)
        )
        if current and not settings.refresh:
            report.cached.append(paper.id)
        else:
            todo.append((paper, request))
            if current:
                refreshing.add(paper.id)

    if not todo:
        return report
    meter = CallMeter(limit=settings.max_calls)
    own_client = client is None
    if client is None:
        client = MistralBriefClient(
            api_key=settings.api_key,
            model=settings.model,
            server_url=settings.server_url,
            timeout_s=settings.timeout_s,
            max_attempts=settings.max_attempts,
            max_wait_s=settings.max_wait_s,
        )
    show = progress or (lambda items: nullcontext(items))
    requests = {paper.id: request for paper, request in todo}
    in_row = 0
    try:
        with show([paper for paper, _ in todo]) as papers:
            for paper in papers:
                if report.stopped:
                    report.not_attempted.append(paper.id)
                    continue
                try:
                    brief = generate_brief(
                        client,
                        requests[paper.id],
                        model=settings.model,
                        registry=collection.institutions,
                        meter=meter,
                        now=now,
                    )
                except BudgetExhausted:
                    report.not_attempted.append(paper.id)
                    report.stopped = f"--max-calls {settings.max_calls} reached"
                    report.budget_spent = True
                    continue
                except AuthRejected as exc:
                    report.not_attempted.append(paper.id)
                    report.stopped = redact(str(exc), settings.api_key)
                    continue
                except (ServiceError, RequestRejected) as exc:
                    # Nothing was learnt about the paper: report it, keep whatever the file holds.
                    report.failed[paper.id] = _shorten(redact(str(exc), settings.api_key))
                    in_row = in_row + 1 if isinstance(exc, ServiceError) else 0
                    if in_row >= settings.max_service_failures_in_row:
                        report.stopped = (
                            f"the API failed for {in_row} papers in a row; try again later"
                        )
                    continue
                in_row = 0
                # A refresh that fails keeps the accepted brief for the very same inputs.
                if brief.status == "ok" or paper.id not in refreshing:
                    # Saved the moment it arrives: a killed run loses nothing already paid for.
                    save_enrichment(collection.data_dir, paper.id, brief=brief)
                if brief.status == "ok":
                    report.generated.append(paper.id)
                else:
                    report.failed[paper.id] = brief.error or "rejected"
    finally:
        report.calls, report.tokens_in, report.tokens_out = (
            meter.calls,
            meter.tokens_in,
            meter.tokens_out,
        )
        if own_client:
            client.close()
    return report
