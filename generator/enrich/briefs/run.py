"""Enrich papers with generated briefs: Mistral as a source of the enrichment run loop."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from generator.enrich.briefs.client import BriefClient, MistralBriefClient
from generator.enrich.briefs.grounding import check_reply
from generator.enrich.briefs.prompt import (
    PROMPT_VERSION,
    BriefRequest,
    build_messages,
    render_brief,
)
from generator.enrich.calls import CallMeter
from generator.enrich.loop import (
    Ask,
    Failed,
    Found,
    Job,
    Outcome,
    Progress,
    RunReport,
    RunSettings,
    Skip,
    Stored,
    run_source,
    unanswered_line,
    utc_now,
)
from generator.enrich.sources.mistral import (
    DEFAULT_MODEL,
    MistralAccess,
    RequestRejected,
    ServiceError,
    redact,
)
from generator.records.briefinputs import brief_input_hash
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
    # Stop when this many calls in a row get no answer at all (no network, wrong server URL).
    max_unanswered_in_row: int = 3
    # No call starts once the run has lasted this long (None: no limit).
    time_limit_s: float | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: object) -> BriefSettings:
        """Build settings from MISTRAL_API_KEY / MISTRAL_SERVER_URL plus command-line options."""
        access = MistralAccess.from_env(
            environ,
            needed_by="briefs need",
            without_it="`paperbrief build` works without it and shows such papers as brief pending.",
        )
        given = {k: v for k, v in options.items() if v is not None}
        return cls(api_key=access.api_key, server_url=access.server_url, **given)  # type: ignore[arg-type]

    def run_settings(self) -> RunSettings:
        """Return what the run loop needs: selection, cap, time limit and breakers."""
        return RunSettings(
            only=self.only,
            refresh=self.refresh,
            shard=self.shard,
            max_calls=self.max_calls,
            time_limit_s=self.time_limit_s,
            max_unanswered_in_row=self.max_unanswered_in_row,
            max_failures_in_row=self.max_service_failures_in_row,
        )

    def make_client(self) -> MistralBriefClient:
        """Return the real Mistral client for this run."""
        return MistralBriefClient(
            api_key=self.api_key,
            model=self.model,
            server_url=self.server_url,
            timeout_s=self.timeout_s,
            max_attempts=self.max_attempts,
            max_wait_s=self.max_wait_s,
        )


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
    time_up: bool = False
    calls: int = 0
    unanswered: int = 0
    tokens_in: int = 0
    tokens_out: int = 0

    @classmethod
    def from_run(cls, run: RunReport[BriefEnrichment], settings: BriefSettings) -> BriefRunReport:
        """Read the loop's report as a brief run's."""
        stopped = run.stopped
        if run.stop == "budget":
            stopped = f"--max-calls {settings.max_calls} reached"
        elif run.stop == "refused" and stopped is not None:
            stopped = redact(stopped, settings.api_key)
        return cls(
            model=settings.model,
            generated=list(run.answered),
            cached=run.current,
            human=run.by_person,
            failed=run.failed,
            skipped=run.skipped,
            not_attempted=run.not_attempted,
            stopped=stopped,
            budget_spent=run.stop == "budget",
            time_up=run.stop == "time",
            calls=run.calls,
            unanswered=run.unanswered,
            tokens_in=run.tokens_in,
            tokens_out=run.tokens_out,
        )

    @property
    def ok(self) -> bool:
        """Return True when nothing failed (stopping at --max-calls or the time limit is not a failure)."""
        return not self.failed and (self.stopped is None or self.budget_spent or self.time_up)

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
        unanswered = unanswered_line(self.unanswered, "Mistral")
        if unanswered:
            lines.append(unanswered)
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
    """Hash what a brief's sentence depends on (records.briefinputs.brief_input_hash)."""
    return brief_input_hash(
        title=request.title,
        abstract=request.abstract,
        institutions=request.institutions,
        model=model,
        prompt_version=prompt_version or PROMPT_VERSION,
    )


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


@dataclass
class BriefSource:
    """Briefs as a source of the run loop: one paper per request, checked before it is kept."""

    collection: Collection
    settings: BriefSettings
    client: BriefClient | None = None
    now: Callable[[], datetime] = utc_now
    service: str = "Mistral"
    batch_size: int = 1
    _owns_client: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        self._techniques = list(self.collection.techniques.values())

    def plan(self, paper: Paper) -> Ask[BriefRequest] | Skip:
        """Return the brief request, or why the paper gets none."""
        if paper.record.brief:
            # a person's brief always wins: never asked for, never touched
            return Skip("a person wrote the brief", by_person=True)
        request = brief_request(paper, self._techniques)
        if isinstance(request, str):
            return Skip(request)
        return Ask(request, input_hash(request, self.settings.model))

    def stored(self, paper: Paper) -> Stored[BriefEnrichment] | None:
        """Return the stored generated brief, ok or failed."""
        brief = paper.enrichment.brief if paper.enrichment else None
        if brief is None:
            return None
        return Stored(brief, brief.status == "ok", brief.input_hash, brief.generated)

    def fetch(
        self, jobs: Sequence[Job[BriefRequest, BriefEnrichment]], meter: CallMeter
    ) -> Mapping[str, Outcome[BriefEnrichment]]:
        """Ask for each paper's brief (one or two calls, plus retries of failed requests)."""
        return {job.paper.id: self._brief(job.request, meter) for job in jobs}

    def _brief(self, request: BriefRequest, meter: CallMeter) -> Outcome[BriefEnrichment]:
        if self.client is None:
            self.client = self.settings.make_client()
            self._owns_client = True
        try:
            brief = generate_brief(
                self.client,
                request,
                model=self.settings.model,
                registry=self.collection.institutions,
                meter=meter,
                now=self.now,
            )
        except ServiceError as exc:
            # nothing was learnt about the paper: report it, keep whatever the file holds
            return Failed(_shorten(redact(str(exc), self.settings.api_key)), outage=True)
        except RequestRejected as exc:
            return Failed(_shorten(redact(str(exc), self.settings.api_key)))
        if brief.status == "ok":
            return Found(brief)
        return Failed(brief.error or "rejected", record=brief)

    def save(self, paper_id: str, result: BriefEnrichment) -> None:
        """Write the brief beside the paper's other enrichment."""
        save_enrichment(self.collection.data_dir, paper_id, brief=result)

    def describe(self, paper_id: str, outcome: Outcome[BriefEnrichment]) -> str:
        """Return the progress line for one paper."""
        if isinstance(outcome, Found):
            return f"{paper_id}: brief generated"
        return f"{paper_id}: failed: {outcome.reason}"

    def outage_message(self, in_row: int) -> str:
        """Say that the API is failing."""
        return f"the API failed for {in_row} papers in a row; try again later"

    def close(self) -> None:
        """Close the client if this source made it."""
        if self._owns_client and self.client is not None:
            self.client.close()


def enrich_briefs(
    data_dir: Path,
    settings: BriefSettings,
    *,
    client: BriefClient | None = None,
    progress: Progress | None = None,
    echo: Callable[[str], None] = lambda line: None,
    now: Callable[[], datetime] = utc_now,
) -> BriefRunReport:
    """Write a checked brief for every selected paper whose brief is missing, failed or stale."""
    collection = load_collection(data_dir)
    source = BriefSource(collection, settings, client=client, now=now)
    try:
        run = run_source(
            source, collection, settings.run_settings(), echo=echo, progress=progress, now=now
        )
    finally:
        source.close()
    return BriefRunReport.from_run(run, settings)
