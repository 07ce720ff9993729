"""What every page renderer shares: settings, the site model, interface strings, names and links."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from generator.records.collection import Paper
from generator.records.models import Institution, Technique
from generator.site.index import ReportView, SiteModel
from generator.site.render.html import escape
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


class RenderContext:
    """The site model and settings, with the names and links every page kind prints."""

    def __init__(self, model: SiteModel, settings: RenderSettings) -> None:
        self.model = model
        self.settings = settings
        self.s = strings_for(settings.language)
        self.base_url = settings.site_url.rstrip("/") + "/"
        self.tech_groups = {g.technique.id: g for g in model.techniques}
        self.report_views = {v.id: v for v in model.reports}

    # ---- names ----------------------------------------------------------------------------

    def untitled(self, paper: Paper) -> str:
        """Return the placeholder title of a paper whose record has none."""
        return self.s["untitled"].format(id=paper.id)

    def title_of(self, paper: Paper) -> str:
        """Return the escaped display title of a paper (a placeholder when it is missing)."""
        if paper.record.title:
            return escape(paper.record.title)
        return escape(self.untitled(paper))

    def plain_title(self, paper: Paper) -> str:
        """Return the unescaped display title, for plain-text fields of JSON feeds."""
        return paper.record.title or self.untitled(paper)

    def inst_name(self, inst: Institution) -> str:
        """Return the escaped name in the site language, with the other language after it."""
        if inst.zh and self.settings.language.startswith("zh"):
            return (
                f"{escape(inst.zh)} ({escape(inst.en)})" if inst.zh != inst.en else escape(inst.zh)
            )
        if inst.zh and inst.zh != inst.en:
            return f"{escape(inst.en)} ({escape(inst.zh)})"
        return escape(inst.en)

    def inst_short(self, inst: Institution) -> str:
        """Return the escaped name in the site language only."""
        if inst.zh and self.settings.language.startswith("zh"):
            return escape(inst.zh)
        return escape(inst.en)

    def tech_name(self, tech: Technique) -> str:
        """Return the escaped technique label in both languages."""
        if self.settings.language.startswith("zh"):
            return f"{escape(tech.zh)} ({escape(tech.en)})"
        return f"{escape(tech.en)} ({escape(tech.zh)})"

    def search_terms(self, tech: Technique) -> list[str]:
        """Return a technique's labels and aliases, then its ancestors' (cycles cut)."""
        terms: list[str] = []
        seen: set[str] = set()
        current: Technique | None = tech
        while current is not None and current.id not in seen:
            seen.add(current.id)
            terms += [current.zh, current.en, *current.aliases]
            group = self.tech_groups.get(current.parent) if current.parent else None
            current = group.technique if group else None
        return terms

    # ---- links ----------------------------------------------------------------------------

    def abs_url(self, path: str) -> str:
        """Return the absolute URL of a docs path."""
        return self.base_url + page_url(path)

    def link(self, source: str, target: str, text: str, css: str = "") -> str:
        """Return an HTML link from one docs page to another (text escaped already)."""
        attr = f' class="{css}"' if css else ""
        return f'<a{attr} href="{rel_url(source, target)}">{text}</a>'

    def a_paper(self, source: str, paper: Paper, css: str = "") -> str:
        """Return an HTML link to a paper page."""
        return self.link(source, paper_path(paper.id), self.title_of(paper), css)

    def a_inst(self, source: str, inst: Institution, *, short: bool = False) -> str:
        """Return an HTML link to an institution page."""
        name = self.inst_short(inst) if short else self.inst_name(inst)
        return self.link(source, entity_page_path("institutions", inst.id), name)

    def a_tech(self, source: str, tech: Technique) -> str:
        """Return an HTML link to a technique page."""
        return self.link(source, entity_page_path("techniques", tech.id), self.tech_name(tech))

    def a_report(self, source: str, view: ReportView) -> str:
        """Return an HTML link to a report page."""
        return self.link(
            source, entity_page_path("reports", view.id), escape(view.report.record.title)
        )

    def pager(self, source: str, pages: list[str], n: int) -> str:
        """Return the previous/next line of a paginated listing (empty for one page)."""
        total = len(pages)
        if total <= 1:
            return ""
        parts: list[str] = []
        if n > 1:
            parts += [
                self.link(source, pages[0], self.s["first"]),
                self.link(source, pages[n - 2], self.s["prev"]),
            ]
        parts.append(self.s["page_of"].format(n=n, total=total))
        if n < total:
            parts += [
                self.link(source, pages[n], self.s["next"]),
                self.link(source, pages[-1], self.s["last"]),
            ]
        return f'<p class="pb-pager">{" · ".join(parts)}</p>\n\n'

    def feed_links(self, source: str, kind: str, entity_id: str | None) -> str:
        """Return a line linking the RSS and JSON feeds of a page."""
        rss = rel_url(source, feed_path(kind, entity_id, "xml"))
        js = rel_url(source, feed_path(kind, entity_id, "json"))
        label = self.s["feed_reports"] if entity_id is None else self.s["feed_of"]
        return f'<p>{label}: <a href="{rss}">RSS</a> · <a href="{js}">JSON Feed</a></p>\n\n'
