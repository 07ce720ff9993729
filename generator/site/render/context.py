"""What every page renderer shares: settings, the site model, interface strings, names and links."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from generator.records.collection import Paper
from generator.records.models import Institution, Technique
from generator.site.index import ReportView, SiteModel
from generator.site.render.html import Html, html_link, html_text
from generator.site.render.paths import entity_page_path, feed_path, page_url, paper_path, rel_url
from generator.site.render.strings import strings_for

T = TypeVar("T")


@dataclass(frozen=True)
class RenderSettings:
    """What rendering needs from the site configuration."""

    language: str = "zh"
    site_name: str = "paperbrief"
    site_url: str = "https://example.github.io/paperbrief/"
    edit_base: str | None = None  # e.g. https://github.com/o/r/edit/main/ (data paths are appended)
    page_size: int = 100
    # A report page holds each paper's brief and abstract (about 1 KB of text per paper):
    # 40 per page keeps every page under about 64 KB of search text.
    report_page_size: int = 40
    feed_size: int = 50


@dataclass(frozen=True)
class PageText:
    """One generated file: its path under docs/ (POSIX) and its text."""

    path: str
    text: str


def page_text(path: str, front: str, body: Iterable[Html]) -> PageText:
    """Return a generated page: its front matter, then its HTML body ending in one newline."""
    # The body is Html by its type: joined as it is.
    return PageText(path, front + "".join(body).rstrip("\n") + "\n")


def chunks(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """Split items into pages of `size`; an empty list still gives one (empty) page."""
    return [items[i : i + size] for i in range(0, len(items), size)] or [items[:0]]


def shorten(text: str, limit: int) -> str:
    """Return text on one line, cut with an ellipsis to at most `limit` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def iso_day(value: date | datetime) -> str:
    """Return a date as YYYY-MM-DD."""
    return value.strftime("%Y-%m-%d")


_PAIR = Html("{} ({})")


def href(source: str, target: str) -> Html:
    """Return the relative URL from one docs page to another, for an href attribute."""
    # Docs paths are record ids ([a-z0-9-]) and folder names of ours: nothing to escape, and
    # escape() would write the `_` of `_pages` as an entity.
    return Html(rel_url(source, target))


class RenderContext:
    """The site model and settings, with the names and links every page kind prints."""

    def __init__(self, model: SiteModel, settings: RenderSettings) -> None:
        self.model = model
        self.settings = settings
        self.text = strings_for(settings.language)  # for plain-text places: feeds, exports
        # Interface strings are paperbrief's own, and two of them hold links: pages print
        # them as HTML.
        self.s = {key: Html(value) for key, value in self.text.items()}
        self.base_url = settings.site_url.rstrip("/") + "/"
        self.tech_groups = {g.technique.id: g for g in model.techniques}
        self.report_views = {v.id: v for v in model.reports}

    # ---- names ----------------------------------------------------------------------------

    def untitled(self, paper: Paper) -> str:
        """Return the placeholder title of a paper whose record has none."""
        return self.text["untitled"].format(id=paper.id)

    def plain_title(self, paper: Paper) -> str:
        """Return the display title of a paper (a placeholder when it is missing)."""
        return paper.record.title or self.untitled(paper)

    def title_of(self, paper: Paper) -> Html:
        """Return the display title of a paper as HTML."""
        return html_text(self.plain_title(paper))

    def inst_name(self, inst: Institution) -> Html:
        """Return the name in the site language, with the other language after it."""
        if inst.zh and self.settings.language.startswith("zh"):
            return html_text(inst.zh) if inst.zh == inst.en else _PAIR.format(inst.zh, inst.en)
        if inst.zh and inst.zh != inst.en:
            return _PAIR.format(inst.en, inst.zh)
        return html_text(inst.en)

    def inst_label(self, inst: Institution) -> str:
        """Return the name in the site language only, as text."""
        if inst.zh and self.settings.language.startswith("zh"):
            return inst.zh
        return inst.en

    def inst_short(self, inst: Institution) -> Html:
        """Return the name in the site language only."""
        return html_text(self.inst_label(inst))

    def tech_label(self, tech: Technique) -> str:
        """Return the technique label in both languages, as text."""
        if self.settings.language.startswith("zh"):
            return f"{tech.zh} ({tech.en})"
        return f"{tech.en} ({tech.zh})"

    def tech_name(self, tech: Technique) -> Html:
        """Return the technique label in both languages."""
        if self.settings.language.startswith("zh"):
            return _PAIR.format(tech.zh, tech.en)
        return _PAIR.format(tech.en, tech.zh)

    def lineage(self, tech: Technique) -> list[Technique]:
        """Return a technique, then its parent, its parent's parent ... (cycles cut)."""
        line: list[Technique] = []
        seen: set[str] = set()
        current: Technique | None = tech
        while current is not None and current.id not in seen:
            seen.add(current.id)
            line.append(current)
            group = self.tech_groups.get(current.parent) if current.parent else None
            current = group.technique if group else None
        return line

    def search_terms(self, tech: Technique) -> list[str]:
        """Return a technique's labels and aliases, then its ancestors'."""
        return [term for t in self.lineage(tech) for term in (t.zh, t.en, *t.aliases)]

    # ---- links ----------------------------------------------------------------------------

    def abs_url(self, path: str) -> str:
        """Return the absolute URL of a docs path."""
        return self.base_url + page_url(path)

    def link(self, source: str, target: str, text: str, css: str = "") -> Html:
        """Return a link from one docs page to another (text is escaped unless it is Html)."""
        return html_link(href(source, target), text, css)

    def a_paper(self, source: str, paper: Paper, css: str = "") -> Html:
        """Return a link to a paper page."""
        return self.link(source, paper_path(paper.id), self.title_of(paper), css)

    def a_inst(self, source: str, inst: Institution, *, short: bool = False) -> Html:
        """Return a link to an institution page."""
        name = self.inst_short(inst) if short else self.inst_name(inst)
        return self.link(source, entity_page_path("institutions", inst.id), name)

    def a_tech(self, source: str, tech: Technique) -> Html:
        """Return a link to a technique page."""
        return self.link(source, entity_page_path("techniques", tech.id), self.tech_name(tech))

    def a_report(self, source: str, view: ReportView) -> Html:
        """Return a link to a report page."""
        return self.link(source, entity_page_path("reports", view.id), view.report.record.title)

    def pager(self, source: str, pages: list[str], n: int) -> Html:
        """Return the previous/next line of a paginated listing (empty for one page)."""
        total = len(pages)
        if total <= 1:
            return Html("")
        s = self.s
        parts: list[Html] = []
        if n > 1:
            parts += [
                self.link(source, pages[0], s["first"]),
                self.link(source, pages[n - 2], s["prev"]),
            ]
        parts.append(s["page_of"].format(n=n, total=total))
        if n < total:
            parts += [
                self.link(source, pages[n], s["next"]),
                self.link(source, pages[-1], s["last"]),
            ]
        return Html('<p class="pb-pager">{}</p>\n\n').format(Html(" · ").join(parts))

    def feed_links(self, source: str, kind: str, entity_id: str | None) -> Html:
        """Return a line linking the RSS and JSON feeds of a page."""
        label = self.s["feed_reports"] if entity_id is None else self.s["feed_of"]
        return Html('<p>{}: <a href="{}">RSS</a> · <a href="{}">JSON Feed</a></p>\n\n').format(
            label,
            href(source, feed_path(kind, entity_id, "xml")),
            href(source, feed_path(kind, entity_id, "json")),
        )
