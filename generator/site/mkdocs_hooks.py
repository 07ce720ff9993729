"""What `paperbrief build` adds to MkDocs' build: plugins registered by build_site, not by mkdocs.yml.

- `SearchFeed` hands each paper page's article to Pagefind (search_index.PagefindStream) as
  MkDocs converts it, and has MkDocs take the paper pages first, so Pagefind indexes and writes
  its bundle on the other core while MkDocs renders the site.
- `LanguagePages` (registered by site_language.set_site_language) publishes a hand-written
  page's version in the build's language (about.en.md for about.md in English).
- `NavCache` renders Material's navigation once for all pages outside the nav that link its
  pages by the same relative URLs. Such a page's navigation has no active item, so it differs
  from another's only in those links and in its path to the site root (`base_url`, for the
  logo): every paper page shares one navigation. At 10,000 papers the navigation was about
  two fifths of all template time.
- `ChromeCache` renders the parts of Material's pages that many pages share (the header, the
  footer, the back-to-top button, and base.html's blocks for stylesheets, libraries, fonts,
  the JSON configuration and scripts) once for all pages that would get the same one: kept by
  what the part reads (the page template's `features` and `lang`, base_url, whether the title
  comes from front matter) and by the results of the url and script_tag filter calls it made,
  which are relative to the page. The header is kept with sentinels where the page's title
  goes, and each page's title is put in their places. base.html's translations (`lang.t`) are
  made once per key. At 10,000 papers the header was about a fifth of all template time.
- `ThemeFiles` lists the theme's static files without walking its hidden folders: MkDocs
  walked Material's 14,000 icons in `.icons/` on every build only to leave them out.

A plain `mkdocs build` of the same docs runs without them and gives the same pages.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from generator.site.incremental import InOrder, PageReuse
from generator.site.search import EMPTY_ARTICLE, PagefindStream, is_search_page

# Material's own navigation, reached under a prefix while "partials/nav.html" is this wrapper.
_NAV_WRAPPER = """\
{%- if not page or nav.items | selectattr("active") | list -%}
{% include "material/partials/nav.html" %}
{%- else -%}
{%- set key = pb_nav_key(page, nav, base_url) -%}
{%- if key not in pb_nav_cache -%}
{%- set html %}{% include "material/partials/nav.html" %}{% endset -%}
{%- set _ = pb_nav_cache.update({key: html}) -%}
{%- endif -%}
{{ pb_nav_cache[key] }}
{%- endif -%}
"""


class SearchFeed:
    """Queue paper pages' articles for Pagefind; take paper pages before every other page.

    With `reuse`, a page reused from the last build hands Pagefind the article kept from that
    build, and every article is kept for the next one. When the last build indexed the very
    same articles under the same URLs in the same order, its bundle is linked instead, and
    Pagefind gets nothing. The first article that is not its page's article in the last build
    (a page changed or added) starts the indexing at once, while MkDocs works: Pagefind gets
    every paper page of this build, in this build's order (`on_files`), with the last build's
    article where there is one and an empty one (which it leaves out of the index) for a new
    page. A page whose article then turns out to differ is sent again and takes the place of
    its first version, so the index is the one a clean build makes (Pagefind numbers pages in
    the order it first sees them). If MkDocs converts the pages in another order than
    `on_files` listed them, the stream is dropped for a fresh one that gets the pages in the
    order converted (`stream` is then another object). With `defer` (a preview publishing its
    pages first), Pagefind makes the bundle as soon as it has the last article, but its files
    are written only once MkDocs is done (PendingSearch calls `stream.finish`).

    A stream started ahead of the build (PagefindStream.ahead_of_build) already holds the last
    build's articles in the last build's order. `on_files` keeps them when this build's pages
    come in that order, new pages last (a deleted page is then sent empty, a new one as a place
    holder), and the build goes on as if every page had been sent at its first change;
    otherwise, or when the build reuses nothing, the stream is dropped for a fresh one.

    Reused pages MkDocs never converts (`PageReuse.skipped`) are taken in their places, as if
    converted: those before the first converted paper page in `on_nav`, the others as soon as
    MkDocs converted the page before them, any left in `on_env`.
    """

    def __init__(
        self, stream: PagefindStream, reuse: PageReuse | None = None, *, defer: bool = False
    ) -> None:
        self.stream = stream
        self.reuse = reuse
        self.defer = defer
        self._sent_ahead = stream.ahead()
        if self._sent_ahead and (reuse is None or reuse.previous is None):
            self.stream = stream.fresh()
            self._sent_ahead = []
        self.left = 0
        self.pages = 0
        # Compare with the last build's articles before handing Pagefind anything.
        self._watching = reuse is not None and reuse.previous_search_bundle() is not None
        self._started = not self._watching  # articles go to Pagefind as they come
        self._written = False
        self._linked = False  # the last build's bundle is linked instead
        # This build's paper pages (source, URL) as on_files ordered them, and as converted.
        self._order: list[tuple[str, str]] = []
        self._seen: list[tuple[str, str]] = []
        # Sent ahead in on_files order (else each article is sent when converted).
        self._ahead = False
        # Articles of this build that differ from what the last build gave Pagefind.
        self._fresh: dict[str, str] = {}
        # URLs sent with EMPTY_ARTICLE, holding a page's place until its article comes.
        self._holders: set[str] = set()
        self._articles = hashlib.sha256()
        # Hands over the reused pages MkDocs does not convert (PageReuse.skipped) in their places.
        self._skipped: InOrder | None = None

    def on_files(self, files: Any, /, *, config: Any) -> Any:
        """Put paper pages first, so Pagefind writes its bundle while MkDocs does the rest."""
        from mkdocs.structure.files import Files

        papers = [f for f in files if is_search_page(f.dest_uri)]
        self.left = len(papers)
        self._order = [(f.src_uri, "/" + f.url) for f in papers]
        if self._sent_ahead:
            self._keep_sent_ahead()
        if self.reuse is not None and self.reuse.skipped:
            urls = dict(self._order)
            self._skipped = InOrder(
                [src_uri for src_uri, _url in self._order],
                self.reuse.skipped,
                lambda src_uri: self._paper(src_uri, urls[src_uri], None, config),
            )
        return Files(papers + [f for f in files if not is_search_page(f.dest_uri)])

    def on_nav(self, nav: Any, /, *, config: Any, files: Any) -> Any:
        """Hand over the skipped paper pages that come before the first one MkDocs converts."""
        if self._skipped is not None:
            self._skipped.advance()
        return nav

    def on_env(self, env: Any, /, *, config: Any, files: Any) -> Any:
        """Hand over skipped paper pages still left (MkDocs converted every other page)."""
        if self._skipped is not None:
            self._skipped.rest()
        return env

    def _keep_sent_ahead(self) -> None:
        """Keep the last build's articles sent ahead if Pagefind would number pages right."""
        assert self.reuse is not None
        urls = [url for _src, url in self._order]
        now, before = set(urls), set(self._sent_ahead)
        kept = [url for url in self._sent_ahead if url in now]
        if kept + [url for url in urls if url not in before] != urls:
            self.stream = self.stream.fresh()  # a new page among the others, say
            return
        self._started = self._ahead = True
        self._link_previous()
        for url in self._sent_ahead:
            if url not in now:
                self.stream.drop(url)  # deleted since the last build
        for url in urls:
            if url not in before:
                self.stream.add(EMPTY_ARTICLE, url)
                self._holders.add(url)

    def on_page_content(self, html: str, /, *, page: Any, config: Any, files: Any) -> str:
        """Queue a paper page's article for indexing; leave the page as it is.

        Pagefind reads only the page's <article> (ROOT_SELECTOR), which is this content plus
        chrome it is told to skip (the edit button, the source-file date). Handing it over here,
        while MkDocs converts pages, rather than once the page is built, lets Pagefind write
        its bundle during MkDocs' template phase instead of after it.
        """
        if is_search_page(page.file.dest_uri):
            src_uri = page.file.src_uri
            if self._skipped is not None:
                self._skipped.arrive(src_uri)
            self._paper(src_uri, "/" + page.url, html, config)
            if self._skipped is not None:
                self._skipped.done(src_uri)
        return html

    def _paper(self, src_uri: str, url: str, html: str | None, config: Any) -> None:
        """Take a paper page's article: converted (`html`), or the last build's when reused."""
        document = None
        if self.reuse is not None:
            document = self.reuse.previous_article(src_uri)
        if document is None:
            assert html is not None  # a skipped page is reused
            document = (
                f"<!DOCTYPE html><html><head></head><body><article>{html}</article></body></html>"
            )
        for part in (url, document):
            data = part.encode("utf-8")
            self._articles.update(len(data).to_bytes(8, "big") + data)
        self._take(src_uri, url, document)
        if self.reuse is not None:
            self.reuse.search_inputs.record(src_uri, document)
        self.pages += 1
        self.left -= 1
        if self.left == 0:
            self._last_article(Path(config.site_dir))

    def _take(self, src_uri: str, url: str, document: str) -> None:
        """Hand Pagefind a converted page's article, or note it for when indexing starts."""
        position = len(self._seen)
        in_order = position < len(self._order) and self._order[position][0] == src_uri
        self._seen.append((src_uri, url))
        if not self._started:
            if self.reuse is not None and self.reuse.article_changed(src_uri, document):
                self._fresh[src_uri] = document
                self._start()
            return
        if not self._ahead:
            self.stream.add(document, url)
            return
        if not in_order:
            # The pages sent ahead are in an order Pagefind must not number them by.
            self._fresh[src_uri] = document
            self._ahead = False
            self.stream = self.stream.fresh()
            self._link_previous()
            self._send_seen()
            return
        if url in self._holders or document != self._previous_document(src_uri):
            self._fresh[src_uri] = document
            self.stream.add(document, url, replace=True)

    def _start(self) -> None:
        """Hand Pagefind every article: the last build's bundle will not do."""
        assert self.reuse is not None
        self._started = True
        self._link_previous()
        seen = [src_uri for src_uri, _url in self._seen]
        if seen != [src_uri for src_uri, _url in self._order[: len(seen)]]:
            self._send_seen()  # an order of its own: the rest is sent as converted
            return
        self._ahead = True
        for src_uri, url in self._order:
            document = self._fresh.get(src_uri) or self._previous_document(src_uri)
            if document is None:
                self._holders.add(url)
            self.stream.add(document or EMPTY_ARTICLE, url)

    def _link_previous(self) -> None:
        """Have the new bundle link the files the last build's bundle holds byte for byte."""
        previous = self.reuse.previous_search_bundle() if self.reuse is not None else None
        if previous is not None:
            self.stream.link_unchanged_from(previous[1])

    def _send_seen(self) -> None:
        """Hand Pagefind the articles of the pages converted so far, in that order."""
        for src_uri, url in self._seen:
            document = self._fresh.get(src_uri) or self._previous_document(src_uri)
            assert document is not None  # a page without one is fresh
            self.stream.add(document, url)

    def _previous_document(self, src_uri: str) -> str | None:
        """Return the article the last build gave Pagefind for a page, if it had the page."""
        reuse = self.reuse
        if reuse is None or reuse.previous is None:
            return None
        record = reuse.previous.pages.get(src_uri)
        return None if record is None else reuse.search_inputs.previous(record.pagefind)

    def _last_article(self, site_dir: Path) -> None:
        """Ask for the bundle, or link the last build's if its articles are the same."""
        digest = self._articles.hexdigest()
        if self.reuse is not None:
            self.reuse.search_bundle = digest
        if self._watching:
            assert self.reuse is not None
            previous = self.reuse.previous_search_bundle()
            if previous is not None and previous[0] == digest:
                self.stream.reuse_bundle(previous[1], self.pages)
                self._linked = True
                return
        if not self._started:
            # No article changed, yet the pages did (one deleted, say).
            self._start()
        self._write(site_dir)

    def _write(self, site_dir: Path) -> None:
        self._written = True
        self.stream.write(site_dir, hold=self.defer)

    @property
    def holding(self) -> bool:
        """Tell whether a deferred feed's new bundle waits to be written (`stream.finish`)."""
        return self.defer and not self._linked and self.pages > 0 and self.left == 0

    def release(self, site_dir: Path) -> None:
        """Ask for a deferred feed's bundle if that has not happened yet."""
        if self.holding and not self._written:
            self._write(site_dir)


def _nav_key(page: Any, nav: Any, base_url: str) -> tuple[str, ...]:
    """Return what the navigation of a page outside it depends on: its links from the page."""
    from mkdocs.utils import get_relative_url

    return (base_url, *(get_relative_url(p.url, page.url) for p in nav.pages))


# What Material's navigation renders (nav.html and what it includes) for a page outside it.
_NAV_PARTIALS = (
    "partials/nav.html",
    "partials/nav-item.html",
    "partials/logo.html",
    "partials/source.html",
    "partials/toc.html",
    "partials/toc-item.html",
)


class NavCache:
    """Render the navigation once for all pages outside it that link it the same way.

    Not when the site's custom_dir has its own version of a template the navigation renders
    that reads the page (its title, say): the key, the page's links, would not see it.
    """

    def on_env(self, env: Any, /, *, config: Any, files: Any) -> Any:
        """Wrap Material's nav partial in a cache keyed by the page's links to the nav pages."""
        import jinja2

        custom = config.theme.custom_dir
        if any(_reads_page(env, name, custom) for name in _NAV_PARTIALS):
            return env
        env.loader = jinja2.ChoiceLoader(
            [
                jinja2.DictLoader({"partials/nav.html": _NAV_WRAPPER}),
                jinja2.PrefixLoader({"material": env.loader}),
                env.loader,
            ]
        )
        env.globals["pb_nav_cache"] = {}
        env.globals["pb_nav_key"] = _nav_key
        return env


# The page chrome ChromeCache keeps. Partials: each reached under _THEME while its own name is
# a wrapper, with the feature that has the part read the page's place in the navigation (the
# part is then rendered the theme's way for every page; None: no such feature).
_THEME = "pb-chrome-theme"
_CHROME_PARTS = {
    "header": "navigation.tabs.sticky",  # tabs.html marks the page's active tab
    "footer": "navigation.footer",  # the previous and next page
    "top": None,
}
_CHROME_WRAPPER = "{{- pb_chrome(%r) -}}"
# Blocks of base.html that read no page: its links to the theme's assets and extra CSS and
# JavaScript (url and script_tag filters), the config, `features` and `lang`, base_url.
_CHROME_BLOCKS = ("styles", "libs", "fonts", "config", "scripts")
_CHROME_BASE = f'{{% extends "{_THEME}/base.html" %}}' + "".join(
    f'{{% block {name} %}}{{% call pb_chrome_block("{name}") %}}{{{{ super() }}}}'
    f"{{% endcall %}}{{% endblock %}}"
    for name in _CHROME_BLOCKS
)
# base.html's `lang`: the translations of config.theme.language, the same for every page.
_CHROME_LANGUAGE = "{%- set t = pb_chrome_translate -%}"
# MkDocs' filters whose result depends on the page (relative links).
_PAGE_FILTERS = ("url", "script_tag")


class ChromeCache:
    """Render the parts of Material's pages that many pages share once per set of inputs.

    The parts are the header, the footer, the back-to-top button, the <head>'s stylesheets,
    libraries and fonts, the page's JSON configuration and its scripts; and base.html's
    translations (`lang.t`), which depend on the site's language alone.

    Material's header reads the build's config (site name, palette, repository, icons), the
    `features` and `lang` that base.html sets from the config, the page's title, and links
    made by MkDocs' `url` filter, which are relative to the page. The footer (without the
    "navigation.footer" feature), the back-to-top button and the blocks read the same, less
    the title (the configuration: base_url too; the scripts: links by the `script_tag`
    filter). So a part is kept by (part, page template, features, base_url, whether the page
    has a `title` in its front matter), together with each url or script_tag filter call it
    made and its result: a page whose links to those addresses are the same gets the kept
    HTML. The header is rendered for a stand-in of the page whose titles are sentinels; the
    page's own titles, made text the way Jinja prints them, take their places. A part that
    printed a sentinel's token other than in the sentinel itself (escaped, say) is not kept.

    Only the theme's own templates are cached this way (a part, base.html or language.html
    in the theme's custom_dir is left alone); the overrides' search and source partials
    that the header includes read no page. The 404 page (no page), a header with sticky
    tabs and a footer with previous/next links are rendered the theme's way. The cache
    lives as long as the Jinja environment, which a build makes afresh (and a preview keeps
    with its build's config). In a profile of a plain `mkdocs build` of 10,000 papers (85 s in
    templates) the header took 16 s, these blocks 11 s, the translations 7 s (partly inside
    those).
    """

    def __init__(self) -> None:
        token = "".join(secrets.choice("0123456789") for _ in range(24))
        # The page's two titles as the part sees them in a stand-in: markup, an entity, quotes
        # and spaces that a filter changing text (escape, striptags, trim) would change, and
        # the token twice, which such filters (and upper or truncate) leave or cut. A filter
        # printing something else (the title's length, say) would go unseen: no part does.
        self.sentinels = {
            kind: f"{token}<i>{kind}&amp;'\"\\ {token}</i> " for kind in ("meta", "title")
        }
        self.token = token
        self.parts: _ChromeParts | None = None  # the last environment's, for its counts

    def on_env(self, env: Any, /, *, config: Any, files: Any) -> Any:
        """Wrap the theme's own parts in a cache; record the page-relative filters' calls."""
        import jinja2

        parts = self.parts = _ChromeParts(env, config, self.sentinels, self.token)
        custom = config.theme.custom_dir
        wrappers = {
            f"partials/{name}.html": _CHROME_WRAPPER % name
            for name in _CHROME_PARTS
            if _themes_own(env, f"partials/{name}.html", custom)
        }
        if _themes_own(env, "base.html", custom):
            wrappers["base.html"] = _CHROME_BASE
        if _themes_own(env, "partials/language.html", custom):
            wrappers["partials/language.html"] = _CHROME_LANGUAGE
        env.loader = jinja2.ChoiceLoader(
            [jinja2.DictLoader(wrappers), jinja2.PrefixLoader({_THEME: env.loader}), env.loader]
        )
        for name in _PAGE_FILTERS:
            env.filters[name] = parts.recording(name, env.filters[name])

        @jinja2.pass_context
        def chrome(context: Any, name: str) -> Any:
            return parts.render(context, name)

        @jinja2.pass_context
        def chrome_block(context: Any, name: str, caller: Any) -> Any:
            return parts.block(context, name, caller)

        env.globals["pb_chrome"] = chrome
        env.globals["pb_chrome_block"] = chrome_block
        env.globals["pb_chrome_translate"] = parts.translate
        return env


def _reads_page(env: Any, name: str, custom_dir: str | None) -> bool:
    """Tell whether the site's own version of a template (in custom_dir) reads `page`."""
    import jinja2.meta

    source, filename = _template_source(env, name)
    if source is None or filename is None or not _in_dir(filename, custom_dir):
        return False
    return "page" in jinja2.meta.find_undeclared_variables(env.parse(source))


def _themes_own(env: Any, name: str, custom_dir: str | None) -> bool:
    """Tell whether the template is the theme's own, not one in the custom_dir."""
    _source, filename = _template_source(env, name)
    return filename is not None and not _in_dir(filename, custom_dir)


def _template_source(env: Any, name: str) -> tuple[str | None, str | None]:
    """Return a template's source and file name as the environment finds it (None: none)."""
    import jinja2

    try:
        source, filename, _uptodate = env.loader.get_source(env, name)
    except jinja2.TemplateNotFound:
        return None, None
    return source, filename


def _in_dir(filename: str, folder: str | None) -> bool:
    """Tell whether a file lies under a folder (False without one)."""
    return folder is not None and Path(filename).resolve().is_relative_to(Path(folder).resolve())


# A kept part: the filter calls it made ((filter, value) pairs), and by their results its text
# in pieces with the sentinel names ("meta", "title") in between.
_Kept = tuple[tuple[tuple[str, Any], ...], dict[tuple[str, ...], list[str]]]


class _ChromeParts:
    """The parts kept for one Jinja environment (see ChromeCache)."""

    def __init__(self, env: Any, config: Any, sentinels: dict[str, str], token: str) -> None:
        self.env = env
        self.config = config
        self.sentinels = sentinels
        self.token = token
        self.split = re.compile("(" + "|".join(map(re.escape, sentinels.values())) + ")")
        self.named = {text: name for name, text in sentinels.items()}
        self.kept: dict[tuple[Any, ...], list[_Kept] | None] = {}
        self.filters: dict[str, Any] = {}  # the page-relative filters themselves
        self.calls: list[tuple[str, Any, str]] | None = None  # their calls being recorded
        # How Jinja prints a value in {{ }}: str() when it neither escapes nor finalizes.
        self.text: Any = str
        if env.finalize is not None or env.autoescape is not False:
            printed = env.from_string("{{ value }}")
            self.text = lambda value: printed.render(value=value)
        self.translations: dict[str, Any] = {}
        self.language: Any = None  # the theme's language.html as a module, when needed
        self.hits = 0  # parts given from the cache
        self.renders = 0  # parts rendered (kept or not)

    def recording(self, name: str, function: Any) -> Any:
        """Return a page-relative filter that notes its calls while a part is recorded."""
        import jinja2

        self.filters[name] = function

        def recorded(context: Any, value: Any) -> Any:
            result = function(context, value)
            if self.calls is not None:
                self.calls.append((name, value, result))
            return result

        return jinja2.pass_context(recorded)

    def translate(self, key: Any) -> Any:
        """Return language.html's `t(key)` for the site's language, translated once."""
        found = self.translations.get(key)
        if found is None:
            if self.language is None:
                template = self.env.get_template(f"{_THEME}/partials/language.html")
                self.language = template.make_module({"config": self.config})
            found = self.translations[key] = self.language.t(key)
        return found

    def _key(self, context: Any, name: str) -> tuple[Any, ...] | None:
        """Return what a part is kept by besides its filter calls, or None: not kept."""
        page = context.get("page")
        # base.html sets `features` after the <head>: its blocks there have none.
        features = context.get("features", ())
        if page is None or self.calls is not None or not isinstance(features, list | tuple):
            return None
        if _CHROME_PARTS.get(name) in features:
            return None
        meta = page.meta
        return (
            name,
            meta.get("template", "main.html"),
            "features" in context,
            tuple(features),
            context.get("base_url"),
            bool(meta),
            bool(meta) and bool(meta.get("title")),
        )

    def _find(self, context: Any, key: tuple[Any, ...]) -> list[str] | None:
        """Return the kept part for the page in `context`, if one was kept for its links."""
        for inputs, variants in self.kept.get(key) or []:
            results = tuple(self.filters[name](context, value) for name, value in inputs)
            pieces = variants.get(results)
            if pieces is not None:
                self.hits += 1
                return pieces
        return None

    def _keep(
        self, key: tuple[Any, ...], calls: list[tuple[str, Any, str]], pieces: list[str]
    ) -> None:
        inputs = tuple((name, value) for name, value, _result in calls)
        results = tuple(result for _name, _value, result in calls)
        entries = self.kept.setdefault(key, [])
        assert entries is not None
        for known, variants in entries:
            if known == inputs:
                variants[results] = pieces
                return
        entries.append((inputs, {results: pieces}))

    def block(self, context: Any, name: str, caller: Any) -> Any:
        """Return base.html's block `name` (rendered by `caller`) for the page, kept or new."""
        key = self._key(context, name)
        if key is None:
            return caller()
        pieces = self._find(context, key)
        if pieces is not None:
            return pieces[0]
        calls: list[tuple[str, Any, str]] = []
        self.calls = calls
        try:
            self.renders += 1
            html = caller()
        finally:
            self.calls = None
        self._keep(key, calls, [html])
        return html

    def render(self, context: Any, name: str) -> Any:
        """Return the partial `name` for the page in `context`, kept or rendered."""
        from markupsafe import Markup

        key = self._key(context, name)
        if key is None or self.kept.get(key, []) is None:
            return Markup(self._render(context, name, None))
        page = context["page"]
        with_meta = key[-1]
        pieces = self._find(context, key)
        if pieces is not None:
            return Markup(self._assemble(pieces, page, with_meta))
        stand_in = _TitleStandIn(page, self.sentinels, with_meta)
        calls: list[tuple[str, Any, str]] = []
        self.calls = calls
        try:
            html = self._render(context, name, stand_in)
        finally:
            self.calls = None
        pieces = self.split.split(html)
        if html.count(self.token[:8]) != len(pieces) - 1:  # twice in each sentinel
            self.kept[key] = None  # a sentinel printed otherwise: this part cannot be kept
            return Markup(self._render(context, name, None))
        pieces[1::2] = [self.named[text] for text in pieces[1::2]]
        self._keep(key, calls, pieces)
        return Markup(self._assemble(pieces, page, with_meta))

    def _render(self, context: Any, name: str, page: Any) -> str:
        """Render the theme's partial as an include would, for `page` if given."""
        self.renders += 1
        template = self.env.get_template(f"{_THEME}/partials/{name}.html")
        local = {} if page is None else {"page": page}
        return "".join(
            template.root_render_func(template.new_context(context.get_all(), True, local))
        )

    def _assemble(self, pieces: list[str], page: Any, with_meta: bool) -> str:
        """Put the page's titles, printed as Jinja prints them, between the kept pieces."""
        if len(pieces) == 1:
            return pieces[0]
        getattr_ = self.env.getattr
        titles = {"title": self.text(getattr_(page, "title"))}
        if with_meta:
            titles["meta"] = self.text(getattr_(page.meta, "title"))
        out = pieces[:]
        out[1::2] = [titles[name] for name in pieces[1::2]]
        return "".join(out)


class _TitleStandIn:
    """A page whose titles are sentinels; every other attribute is the page's own."""

    def __init__(self, page: Any, sentinels: dict[str, str], with_meta: bool) -> None:
        self._page = page
        self.title = sentinels["title"]
        self.meta = dict(page.meta, title=sentinels["meta"]) if with_meta else page.meta

    def __getattr__(self, name: str) -> Any:
        return getattr(self._page, name)


class ThemeFiles:
    """Have MkDocs list the theme's files without walking hidden folders.

    MkDocs adds the theme's static files from the Jinja loader's list of every file under the
    theme folders, then drops each name with a part starting with a dot (its '.*' and '*/.*'
    patterns). Material keeps 14,000 icons under `.icons/`: a fifth of a second or more per
    build, walked and matched to no avail. The list left after MkDocs' filter is the same.
    """

    def on_config(self, config: Any) -> Any:
        """Wrap the theme's get_env so its loader skips hidden folders when listing."""
        theme = config.theme
        make_env = theme.get_env

        def get_env() -> Any:
            env = make_env()
            loader = env.loader
            if hasattr(loader, "searchpath"):
                loader.list_templates = lambda: _visible_templates(loader.searchpath)
            return env

        theme.get_env = get_env
        return config


def _visible_templates(searchpath: Iterable[str]) -> list[str]:
    """List the files under the folders as Jinja's FileSystemLoader does, hidden ones left out."""
    found: set[str] = set()
    for root in searchpath:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            base = os.path.relpath(dirpath, root)
            for name in filenames:
                if not name.startswith("."):
                    found.add(name if base == "." else f"{base}/{name}".replace(os.sep, "/"))
    return sorted(found)


# A hand-written page in another language sits beside the site language's: about.en.md is
# about.md in English.
_VARIANT = re.compile(r"^(?P<base>.+)\.(?P<language>[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)?)\.md$")


class LanguagePages:
    """Give a build in `language` that language's version of each hand-written page.

    docs/about.md is written in the site's own language (theme.language in mkdocs.yml);
    docs/about.en.md, when present, is the same page in English. A build in English publishes
    about.en.md at about.md's place (URL, navigation entry, edit link to about.en.md); every
    build drops the versions of the other languages in `languages`. mkdocs.yml's exclude_docs
    keeps them out of a plain `mkdocs build` too.
    """

    def __init__(self, language: str, languages: Iterable[str]) -> None:
        self.language = language
        self.languages = {str(name) for name in languages} | {language}

    def variant_of(self, src_uri: str) -> tuple[str, str] | None:
        """Return (the page it translates, its language) for a language version, else None."""
        found = _VARIANT.match(src_uri)
        if found is None or found["language"] not in self.languages:
            return None
        return found["base"] + ".md", found["language"]

    def on_files(self, files: Any, /, *, config: Any) -> Any:
        """Put this language's version of each page in place of the page; drop the others."""
        from mkdocs.structure.files import File, InclusionLevel

        chosen: dict[str, Any] = {}
        for file in list(files):
            variant = self.variant_of(file.src_uri)
            if variant is None:
                continue
            files.remove(file)
            if variant[1] == self.language:
                chosen[variant[0]] = file
        for base_uri, version in sorted(chosen.items()):
            page = files.get_file_from_path(base_uri)
            if page is None:
                page = File.generated(
                    config,
                    base_uri,
                    abs_src_path=str(version.abs_src_path),
                    inclusion=InclusionLevel.UNDEFINED,
                )
                files.append(page)
            page.abs_src_path = version.abs_src_path
            page.edit_uri = version.src_uri
        return files
