"""Render every generated file of the site; on a large site a forked process helps with papers."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Sequence

from generator.records.collection import Paper
from generator.records.forked import shared_map
from generator.site.index import SiteModel
from generator.site.render.context import PageText, RenderContext, RenderSettings
from generator.site.render.exports import EXPORTS_UNIT, Pieces, render_exports
from generator.site.render.feeds import (
    FeedItem,
    render_feed_sitemaps,
    render_institution_feed,
    render_reports_feed,
    render_technique_feed,
)
from generator.site.render.home import render_home
from generator.site.render.listings import render_indexes, render_institution, render_technique
from generator.site.render.paper import render_paper
from generator.site.render.paths import feed_path
from generator.site.render.report import REPORT_UNIT, render_report
from generator.site.render.stats import render_statistics

# Below this many papers a second process costs more than it saves.
PARALLEL_FROM = 2000


def render_site(
    model: SiteModel,
    settings: RenderSettings,
    papers: Sequence[Paper] | None = None,
    *,
    skip_groups: Collection[str] = (),
    produced: dict[str, list[str]] | None = None,
    pieces: Pieces | None = None,
) -> list[PageText]:
    """Render every generated file of the site, in a stable order.

    `papers` limits the paper pages to those, and the technique and institution groups named
    in `skip_groups` ("techniques/<id>", "institutions/<id>") and the pages of the all-papers
    listing named there ("papers-listing/<n>"), the reports' pages ("reports/<id>") and the
    exports ("exports") are left out:
    pagecache.py keeps their pages when their inputs did not change. `produced` receives the paths each rendered
    group gave; `pieces` gives the exports' per-paper pieces (render_exports). Every other page
    is rendered. When many paper pages are rendered, a forked second process
    renders them meanwhile, this one taking those it has not started once the rest is done
    (records/forked.py): rendering is pure, so the pages are the same either way
    (tests/site/test_site_render.py).
    """
    ctx = RenderContext(model, settings)
    papers = model.papers if papers is None else papers
    rendered, pages = shared_map(
        functools.partial(render_paper, ctx),
        papers,
        minimum=PARALLEL_FROM,
        meanwhile=functools.partial(_render_rest, ctx, model, skip_groups, produced, pieces),
    )
    return [render_home(ctx), *rendered, *pages]


def _render_rest(
    ctx: RenderContext,
    model: SiteModel,
    skip_groups: Collection[str],
    produced: dict[str, list[str]] | None,
    pieces: Pieces | None,
) -> list[PageText]:
    """Render every generated file but the home page and the paper pages."""
    pages: list[PageText] = []
    # A technique's or an institution's pages and feed are rendered, or kept, together.
    made: dict[str, FeedItem] = {}
    groups: list[tuple[str, Callable[[], list[PageText]], Callable[[], list[PageText]]]] = [
        (
            f"techniques/{tg.technique.id}",
            functools.partial(render_technique, ctx, tg),
            functools.partial(render_technique_feed, ctx, tg, made),
        )
        for tg in model.techniques
    ]
    groups += [
        (
            f"institutions/{ig.institution.id}",
            functools.partial(render_institution, ctx, ig),
            functools.partial(render_institution_feed, ctx, ig, made),
        )
        for ig in model.institutions
    ]
    group_feeds: list[PageText] = []
    for unit, render_pages, render_feed in groups:
        if unit in skip_groups:
            continue
        rendered, feed = render_pages(), render_feed()
        if produced is not None:
            produced[unit] = [page.path for page in rendered + feed]
        pages += rendered
        group_feeds += feed
    for view in model.reports:
        if f"{REPORT_UNIT}{view.id}" in skip_groups:
            continue
        report_pages = render_report(ctx, view)
        if produced is not None:
            produced[f"{REPORT_UNIT}{view.id}"] = [page.path for page in report_pages]
        pages += report_pages
    pages += render_indexes(ctx, skip_groups, produced)
    feeds = render_reports_feed(ctx) + group_feeds
    # the sitemaps sit beside every feed, kept ones too
    feed_paths = [page.path for page in feeds]
    feed_paths += [
        feed_path(unit.split("/")[0], "x", "xml")
        for unit in skip_groups
        if unit.startswith(("techniques/", "institutions/"))
    ]
    pages += feeds + render_feed_sitemaps(feed_paths)
    pages.append(render_statistics(model, ctx))
    if EXPORTS_UNIT not in skip_groups:
        exported = render_exports(ctx, pieces)
        if produced is not None:
            produced[EXPORTS_UNIT] = [page.path for page in exported]
        pages += exported
    return pages
