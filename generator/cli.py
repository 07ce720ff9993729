"""The `paperbrief` command: parse options, call one function, print the outcome.

Errors are PaperbriefError, a click.ClickException: click prints them and exits with their code.
"""

from __future__ import annotations

import errno
import sys
from pathlib import Path
from typing import Any

import click

from generator import __version__

DATA_OPTION = click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data"),
    show_default=True,
    help="Data directory holding papers/, reports/, institutions.yaml and techniques.yaml.",
)


class _Commands(click.Group):
    """The command group: an OSError that reaches it becomes one clear message, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a full disk, read-only file system or size limit says what to do."""
        try:
            return super().invoke(ctx)
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # a closed standard output: click handles it
                raise
            from generator.errors import FileSystemFailed

            raise FileSystemFailed.from_os_error(exc) from exc


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="paperbrief")
def main() -> None:
    """Build a research-paper report site from validated YAML records."""


@main.command()
@DATA_OPTION
@click.option(
    "--strict",
    is_flag=True,
    help="Also fail on what keeps a record off the site: no title, techniques or institutions, "
    "open review: items (the pull-request check). Without it these are warnings.",
)
@click.option(
    "--changed-since",
    "since",
    metavar="REV",
    help="Hold only the record files changed since this git revision to --strict's rules, and "
    "report a duplicate on the file the change adds (the pull-request check passes its base).",
)
def validate(data_dir: Path, strict: bool, since: str | None) -> None:
    """Check every record and report every problem as path:line:col: message."""
    from generator.errors import show_warnings
    from generator.records.changes import ChangedRecords
    from generator.records.load import load_collection

    changes = ChangedRecords.from_git(data_dir, since) if since else None
    collection = load_collection(data_dir, publishable=strict, changes=changes)
    show_warnings(collection.warnings)
    click.echo(
        f"ok: {len(collection.papers)} papers, {len(collection.reports)} reports, "
        f"{len(collection.institutions.by_id)} institutions, {len(collection.techniques)} techniques"
    )
    if collection.warnings:
        click.echo(
            f"{len(collection.warnings)} warning(s): records not ready to publish;"
            " `paperbrief validate --strict` (the pull-request check) fails on them"
        )


@main.command()
@DATA_OPTION
@click.option("--check", is_flag=True, help="Exit 1 if the committed schemas are out of date.")
def schema(data_dir: Path, check: bool) -> None:
    """Write JSON Schemas for the record files into DATA/schemas/ (editors use them)."""
    from generator.records.schema import stale_schemas, write_schemas

    if check:
        stale = stale_schemas(data_dir)
        if stale:
            click.echo(f"out of date: {', '.join(stale)}; run `paperbrief schema`", err=True)
            sys.exit(1)
        click.echo("schemas are up to date")
        return
    for path in write_schemas(data_dir):
        click.echo(f"wrote {path}")


@main.command("new")
@click.argument("paper_id", metavar="ID")
@DATA_OPTION
def new_command(paper_id: str, data_dir: Path) -> None:
    """Create DATA/papers/ID.yaml: a commented record template to fill in."""
    from generator.authoring.scaffold import scaffold_paper

    made = scaffold_paper(data_dir, paper_id)
    from generator.records.parse import display_path

    click.echo(f"wrote {display_path(made.path)}")
    click.echo("next steps:")
    for number, step in enumerate(made.next_steps, 1):
        click.echo(f"  {number}. {step}")


@main.command("add")
@click.option(
    "--arxiv", metavar="ID", help="Its arXiv id, e.g. 2509.26328: the draft comes from arXiv."
)
@click.option("--doi", metavar="DOI", help="Its DOI: the draft comes from Semantic Scholar.")
@click.option(
    "--title",
    help="Its title, as printed: arXiv's exact-title search first, then Scholar.",
)
@click.option(
    "--id", "paper_id", metavar="ID", help="Record id to use (default: derived from the title)."
)
@click.option(
    "--offline",
    is_flag=True,
    help="Ask no service; draft from the given fields only (needs --title).",
)
@DATA_OPTION
def add_command(
    arxiv: str | None,
    doi: str | None,
    title: str | None,
    paper_id: str | None,
    offline: bool,
    data_dir: Path,
) -> None:
    """Draft DATA/papers/ID.yaml from arXiv and Semantic Scholar (or Scholar), for you to complete.

    Give --arxiv, --doi or --title. What no service knows (institutions, techniques) is listed
    under review: in the file.
    """
    from generator.authoring.add import draft_paper
    from generator.authoring.add_arxiv import (
        Lookups,
        draft_from_arxiv,
        draft_from_doi,
        draft_from_title,
        parse_arxiv_option,
        parse_doi_option,
        parse_title_option,
    )
    from generator.errors import ConfigError
    from generator.records.parse import display_path

    if not (arxiv or doi or title):
        raise ConfigError("say which paper: --arxiv ID, --doi DOI or --title TEXT")
    arxiv_id = parse_arxiv_option(arxiv) if arxiv else None
    doi_value = parse_doi_option(doi) if doi else None
    title_text = parse_title_option(title) if title else None
    if offline:
        if title_text is None:
            raise ConfigError("--offline drafts from the given fields only: give --title too")
        draft = draft_paper(
            data_dir,
            title_text,
            arxiv=arxiv_id,
            doi=doi_value,
            paper_id=paper_id,
            offline=True,
        )
    else:
        lookups = Lookups.from_env()
        try:
            if arxiv_id:
                draft = draft_from_arxiv(
                    data_dir, arxiv_id, lookups, title=title_text, doi=doi_value, paper_id=paper_id
                )
            elif doi_value:
                draft = draft_from_doi(
                    data_dir, doi_value, lookups, title=title_text, paper_id=paper_id
                )
            else:
                assert title_text is not None
                draft = draft_from_title(data_dir, title_text, lookups, paper_id=paper_id)
        finally:
            lookups.close()
    click.echo(f"wrote {display_path(draft.path)} ({draft.note})")
    if draft.enrichment_path is not None:
        answers = "Scholar's answer" if draft.source == "scholar" else "the services' answers"
        click.echo(f"wrote {display_path(draft.enrichment_path)} ({answers})")
    click.echo("still to do (listed under review: in the file):")
    for item in draft.record.review:
        click.echo(f"  - {item}")
    click.echo("then delete the review entries you resolved and run `paperbrief validate`")


@main.command("import-report")
@click.argument("report", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@DATA_OPTION
@click.option(
    "--id",
    "report_id",
    help="Report id to use (default: the existing report with the same title and time, else report-DATE).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Show what would be written and the data-quality summary; write nothing.",
)
def import_report_command(
    report: Path, data_dir: Path, report_id: str | None, dry_run: bool
) -> None:
    """Import a Markdown report (the sample's format) as paper and report records."""
    from generator.authoring.importer import import_report

    result = import_report(report, data_dir, report_id=report_id, dry_run=dry_run)
    plan = result.plan
    click.echo(
        f"report {plan.report_id}: {len(plan.report.papers)} papers "
        f"({len(plan.new)} new, {len(plan.existing)} already in the collection)"
    )
    if plan.notes:
        click.echo(f"data-quality summary ({len(plan.notes)} findings):")
        for note in plan.notes:
            click.echo(f"  {note.format()}")
    verb = "would write" if dry_run else "wrote"
    written = (
        [str(p) for p in result.written]
        if not dry_run
        else [f"papers/{p}.yaml" for p in plan.papers]
    )
    click.echo(f"{verb} {len(written)} file(s)" + "".join(f"\n  {w}" for w in written))
    if any(plan.papers[p].review for p in plan.papers):
        click.echo("Records with `review:` entries need a person's check before publishing.")


@main.command("export-report")
@click.argument("report_id")
@DATA_OPTION
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE instead of standard output.",
)
def export_report_command(report_id: str, data_dir: Path, output: Path | None) -> None:
    """Write a report in the sample's Markdown format."""
    from generator.authoring.export import export_report
    from generator.records.load import load_collection
    from generator.records.store import atomic_write

    text = export_report(load_collection(data_dir), report_id)
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write(output, text)
        click.echo(f"wrote {output}", err=True)


@main.command()
@DATA_OPTION
@click.option(
    "--metadata",
    is_flag=True,
    help="Ask arXiv, then Semantic Scholar, and fill missing record fields (docs/metadata.md).",
)
@click.option(
    "--briefs", is_flag=True, help="Write LLM briefs with Mistral (needs MISTRAL_API_KEY)."
)
@click.option(
    "--scholar",
    is_flag=True,
    help="Look titles up on Google Scholar (best-effort; docs/scholar.md).",
)
@click.option("--only", multiple=True, metavar="ID", help="Only this paper id (repeatable).")
@click.option(
    "--refresh",
    is_flag=True,
    help="Ask again even when the stored result is current (a person's brief is never replaced).",
)
@click.option(
    "--max-calls",
    type=click.IntRange(min=0),
    metavar="N",
    help="Make at most N API calls (briefs; metadata: per service).",
)
@click.option("--model", metavar="MODEL", help="Mistral model id (default: pinned, see docs).")
@click.option("--shard", metavar="I/N", help="Only the I-th of N stable slices of the papers.")
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    default=10.0,
    show_default=True,
    metavar="S",
    help="Scholar: seconds between lookups (plus up to half again at random).",
)
@click.option(
    "--max-lookups",
    type=click.IntRange(min=0),
    default=40,
    show_default=True,
    metavar="N",
    help="Scholar: look up at most N papers in this run.",
)
@click.option(
    "--max-age",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    metavar="DAYS",
    help="Scholar: skip papers looked up less than DAYS ago (unless --refresh).",
)
@click.option(
    "--deadline",
    type=click.FloatRange(min=1),
    default=45.0,
    show_default=True,
    metavar="S",
    help="Scholar: kill a lookup that takes longer than S seconds.",
)
def enrich(
    data_dir: Path,
    metadata: bool,
    briefs: bool,
    scholar: bool,
    only: tuple[str, ...],
    refresh: bool,
    max_calls: int | None,
    model: str | None,
    shard: str | None,
    delay: float,
    max_lookups: int,
    max_age: float,
    deadline: float,
) -> None:
    """Fetch what the records lack into DATA/enrichment/ (cached: unchanged input, no call).

    --metadata also fills the fields a record lacks (never one a person wrote) and flags
    disagreements under review: in the record.
    """
    from generator.enrich.shard import parse_shard
    from generator.errors import ConfigError, EnrichmentError

    if not (metadata or briefs or scholar):
        raise ConfigError("say what to enrich: --metadata, --scholar and/or --briefs")
    shard_spec = parse_shard(shard)
    if metadata:
        # first: the other sources then see the filled titles and abstracts
        from generator.enrich.metadata import MetadataSettings, enrich_metadata

        metadata_settings = MetadataSettings.from_env(
            only=only, refresh=refresh, shard=shard_spec, max_calls=max_calls
        )
        metadata_report = enrich_metadata(data_dir, metadata_settings, echo=click.echo)
        # best-effort: a service failing is reported, never an error exit
        for line in metadata_report.summary_lines():
            click.echo(line)
    if scholar:
        from generator.enrich.scholar import ScholarSettings, enrich_scholar

        scholar_settings = ScholarSettings(
            only=only,
            refresh=refresh,
            shard=shard_spec,
            delay_s=delay,
            max_lookups=max_lookups,
            max_age_days=max_age,
            deadline_s=deadline,
        )
        scholar_report = enrich_scholar(data_dir, scholar_settings, echo=click.echo)
        # best-effort: Scholar blocking us is reported, never an error exit
        for line in scholar_report.summary_lines():
            click.echo(line)
    if briefs:
        from generator.enrich.briefs import BriefSettings, enrich_briefs

        settings = BriefSettings.from_env(
            model=model, only=only, refresh=refresh, max_calls=max_calls, shard=shard_spec
        )
        report = enrich_briefs(data_dir, settings, progress=_progressbar("briefs"))
        for line in report.summary_lines():
            click.echo(line)
        if not report.ok:
            raise EnrichmentError("some briefs are missing; see the lines above")


def _progressbar(label: str) -> Any:
    """Return a factory that draws a progress bar on standard error over a list of papers."""

    def factory(items: Any) -> Any:
        return click.progressbar(
            items, label=label, file=sys.stderr, item_show_func=lambda p: p.id if p else None
        )

    return factory


@main.command("build")
@DATA_OPTION
@click.option(
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the built site (default: site_dir of mkdocs.yml, i.e. site/).",
)
@click.option(
    "--config-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("mkdocs.yml"),
    show_default=True,
    help="MkDocs configuration to build with.",
)
@click.option(
    "--language",
    type=click.Choice(["zh", "en"]),
    default=None,
    help="Interface language of the site (default: theme.language in mkdocs.yml).",
)
@click.option(
    "--clean",
    is_flag=True,
    help="Build every page again instead of reusing the unchanged pages of the last build.",
)
@click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=None,
    metavar="SECONDS",
    help="Give up after this long if another build is writing the same folders (default: wait).",
)
@click.option(
    "--site-url",
    metavar="URL",
    default=None,
    help="Where the site is published, e.g. https://OWNER.github.io/REPO/ (default: "
    "PAPERBRIEF_SITE_URL, else site_url of mkdocs.yml). Feeds, the sitemap and papers.json use it.",
)
def build_command(
    data_dir: Path,
    site_dir: Path | None,
    config_file: Path,
    language: str | None,
    clean: bool,
    lock_timeout: float | None,
    site_url: str | None,
) -> None:
    """Generate the pages from DATA and build the site with MkDocs in strict mode."""
    from generator.site.build import build_site

    report = build_site(
        data_dir,
        site_dir=site_dir,
        config_file=config_file,
        language=language,
        clean=clean,
        lock_timeout=lock_timeout,
        echo=lambda line: click.echo(line, err=True),
        site_url=site_url,
    )
    for line in report.summary_lines():
        click.echo(line)


@main.command("serve")
@DATA_OPTION
@click.option(
    "--config-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("mkdocs.yml"),
    show_default=True,
    help="MkDocs configuration to serve.",
)
@click.option(
    "-a", "--dev-addr", metavar="IP:PORT", help="Address to serve on (default 127.0.0.1:8000)."
)
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in a browser.")
def serve_command(
    data_dir: Path, config_file: Path, dev_addr: str | None, open_browser: bool
) -> None:
    """Preview the site, rebuilt when a file changes; a saved paper record is shown first."""
    from generator.site.serve import serve_site

    serve_site(
        data_dir,
        config_file=config_file,
        dev_addr=dev_addr,
        open_browser=open_browser,
        echo=click.echo,
        on_error=lambda exc: exc.show(),
    )


@main.command("ingest")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@DATA_OPTION
@click.option(
    "--stdout", "to_stdout", is_flag=True, help="Print the draft records instead of writing them."
)
@click.option(
    "--llm", is_flag=True, help="Let Mistral correct the extracted fields (needs MISTRAL_API_KEY)."
)
@click.option(
    "--offline",
    is_flag=True,
    help="Do not ask arXiv about the arXiv id a PDF carries (by default its title, authors"
    " and abstract come from arXiv).",
)
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="Also say, in one line per PDF, what the PDF library warned about while reading it.",
)
def ingest_command(
    inputs: tuple[Path, ...],
    data_dir: Path,
    to_stdout: bool,
    llm: bool,
    offline: bool,
    verbose: bool,
) -> None:
    """Draft paper records from PDFs (files or folders); unclear fields are listed under review."""
    from generator.authoring.add_arxiv import IngestArxiv
    from generator.authoring.ingest.draft import ingest_pdfs
    from generator.authoring.ingest.llm import corrector_from_env

    correct = corrector_from_env(llm)
    arxiv = None if offline else IngestArxiv.from_env()
    try:
        results = ingest_pdfs(
            list(inputs), data_dir, write=not to_stdout, correct=correct, arxiv=arxiv
        )
    finally:
        if arxiv is not None:
            arxiv.close()
    first = True
    for result in results:
        if to_stdout and result.text is not None:
            click.echo(
                ("" if first else "---\n") + f"# {result.paper_id}.yaml from {result.source.name}"
            )
            click.echo(result.text, nl=False)
            first = False
        click.echo(
            ("error: " if result.status == "failed" else "") + result.message,
            err=to_stdout or result.status == "failed",
        )
        if verbose and result.warnings:
            said = "; ".join(result.warnings)
            said = said if len(said) <= 200 else said[:199] + "…"
            click.echo(f"  {result.source.name}: pypdf warned: {said}", err=True)
    if any(result.status == "failed" for result in results):
        sys.exit(1)


@main.command("new-report")
@click.argument("pdf_dir", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", required=True, help="The report's title (a report is found again by it).")
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    metavar="DATE",
    help="Papers added on or after DATE (YYYY-MM-DD).",
)
@click.option(
    "--since-last",
    is_flag=True,
    help="Papers added since the newest report: on or after its date and not in it.",
)
@click.option(
    "--technique",
    "techniques",
    multiple=True,
    metavar="ID",
    help="Only papers of this technique or a narrower one (repeatable).",
)
@click.option(
    "--id", "paper_ids", multiple=True, metavar="ID", help="Also this paper (repeatable)."
)
@click.option(
    "--date",
    "generated",
    type=click.DateTime(["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]),
    metavar="TIME",
    help="The report's time, UTC (default: now); an existing report keeps its own.",
)
@click.option(
    "--min-papers",
    type=click.IntRange(min=1),
    metavar="N",
    help="Write nothing, without an error, when fewer than N papers are selected.",
)
@click.option(
    "--dry-run", is_flag=True, help="Show the report that would be written; write nothing."
)
@DATA_OPTION
@click.option(
    "--llm", is_flag=True, help="Let Mistral correct the extracted fields (needs MISTRAL_API_KEY)."
)
def new_report_command(
    pdf_dir: Path | None,
    title: str,
    since: Any,
    since_last: bool,
    techniques: tuple[str, ...],
    paper_ids: tuple[str, ...],
    generated: Any,
    min_papers: int | None,
    dry_run: bool,
    data_dir: Path,
    llm: bool,
) -> None:
    """Write DATA/reports/<id>.yaml from papers of the collection and/or a folder of PDFs.

    Give PDF_DIR, --since DATE or --since-last, --technique ID, --id ID, or several of them. The
    papers are listed by title, A to Z; briefs are asked for when MISTRAL_API_KEY is set. Safe
    to re-run: the same command changes nothing.
    """
    from generator.authoring.ingest.llm import corrector_from_env
    from generator.authoring.newreport import ReportSelection, default_briefs, new_report
    from generator.records.parse import display_path

    selection = ReportSelection(
        since=since.date() if since else None,
        since_last=since_last,
        techniques=techniques,
        paper_ids=paper_ids,
    )
    made = new_report(
        title,
        data_dir,
        selection=selection,
        pdf_dir=pdf_dir,
        generated=generated,
        min_papers=min_papers,
        dry_run=dry_run,
        correct=corrector_from_env(llm) if pdf_dir is not None else None,
        briefs=default_briefs,
    )
    for result in made.ingested:
        click.echo(
            ("error: " if result.status == "failed" else "") + result.message,
            err=result.status == "failed",
        )
    for line in made.how:
        click.echo(f"selected {line}")
    if made.path is None:
        click.echo(
            f"{len(made.papers)} paper(s) selected, fewer than --min-papers {min_papers}:"
            " no report written"
        )
        return
    click.echo(f"{made.status} {display_path(made.path)} ({len(made.papers)} papers)")
    for line in made.briefs:
        click.echo(line)
    if made.review:
        click.echo("needs a person's review:")
        for item in made.review:
            click.echo(f"  - {item}")
    else:
        click.echo("nothing needs review")
