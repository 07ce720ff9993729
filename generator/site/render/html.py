"""Make untrusted text inert wherever the site prints it: one escaping function, one HTML type.

`escape()` is the one function that turns text into inert HTML, XML and Markdown text. `Html`
(a `markupsafe.Markup`) is text that is HTML already: every way of putting text into it
(`format`, `join`, `+`) passes the text through `escape()`, and HTML is never escaped again.
So functions that build HTML take `str` (text, escaped on the way in) or `Html`, and return
`Html`; a page's markup lives in `Html` literals such as `Html("<p>{}</p>\n")`. Escaped text
is one line: whitespace, a newline too, only survives inside a literal.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Self, final
from urllib.parse import urlsplit

from markupsafe import Markup

from generator.records.characters import UNPRINTABLE as INVISIBLE
from generator.site.prebuilt import heading

# Characters that mean something to HTML, XML, Markdown, attribute lists or Jinja. Each becomes
# an entity that Python-Markdown, browsers and XML parsers all read back as the plain character.
# `'` stays: every attribute the theme and our overrides print is double-quoted.
_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "\\": "&#92;",
    "`": "&#96;",
    "*": "&#42;",
    "_": "&#95;",
    "{": "&#123;",
    "}": "&#125;",
    "[": "&#91;",
    "]": "&#93;",
    "|": "&#124;",
    "#": "&#35;",
    "~": "&#126;",
    "^": "&#94;",
}
_SPECIAL = re.compile("[" + re.escape("".join(_ENTITIES)) + "]")
# Controls (XML 1.0 refuses C0 ones) and lone surrogates become spaces: they can never display.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# What no reader can see is dropped: non-characters (XML refuses U+FFFE and U+FFFF), format and
# tag characters, Hangul fillers. Validation refuses them in records; text from Scholar, arXiv
# or the LLM reaches pages and feeds too, so escaping drops them again.
_INVISIBLE = INVISIBLE
# Block syntax only counts at the start of a line: lists (-, +, 1.), admonitions (!!!),
# definitions (:), setext rules (=). Escaped text never holds a newline, so only its start.
_LEADING_MARK = re.compile(r"^[-+=:!?%]")
_LEADING_NUMBER = re.compile(r"^(\d+)([.)])")


@functools.lru_cache(maxsize=1 << 16)  # names and labels are escaped again on every page
def escape(text: str) -> str:
    """Return text as one inert line, safe in Markdown, HTML text and attributes, and XML."""
    line = " ".join(_INVISIBLE.sub("", _UNPRINTABLE.sub(" ", text)).split())
    line = _SPECIAL.sub(lambda m: _ENTITIES[m.group()], line)
    line = _LEADING_NUMBER.sub(lambda m: f"{m.group(1)}&#{ord(m.group(2))};", line)
    return _LEADING_MARK.sub(lambda m: f"&#{ord(m.group())};", line)


def safe_url(url: str | None) -> str | None:
    """Return the URL if it is http(s) with a host, else None (never a javascript: link)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    if re.search(r"[\s<>\"'`\x00-\x1f]", url.strip()):
        return None
    return url.strip()


@final
class Html(Markup):
    """Text that is HTML: what is put into it is escaped by escape(), unless it is Html too."""

    __slots__ = ()

    @classmethod
    def escape(cls, s: Any, /) -> Self:
        """Return HTML as it is and anything else as escaped text."""
        if type(s) is cls:
            return s
        return str.__new__(cls, _source(s))

    # Markup's methods do the same through its pure-Python formatter and one escape() call
    # per value; pages are built from millions of these, so the C string methods do the work.

    def format(self, /, *args: Any, **kwargs: Any) -> Self:
        """Fill the fields with escaped text, HTML as it is, and numbers as they format."""
        fields = []
        for value in args:
            kind = type(value)
            fields.append(
                value if kind is Html else escape(value) if kind is str else _field(value)
            )
        if kwargs:
            text = str.format(self, *fields, **{k: _field(v) for k, v in kwargs.items()})
        else:
            text = str.format(self, *fields)
        return str.__new__(type(self), text)

    def join(self, iterable: Iterable[Any], /) -> Self:
        """Join the items with this HTML between them: text escaped, HTML as it is."""
        parts = [
            v if type(v) is Html else escape(v) if type(v) is str else _source(v) for v in iterable
        ]
        return str.__new__(type(self), str.join(self, parts))

    def __add__(self, value: Any, /) -> Self:
        if isinstance(value, str) or hasattr(value, "__html__"):
            return str.__new__(type(self), str.__add__(self, _source(value)))
        return NotImplemented

    def __radd__(self, value: Any, /) -> Self:
        if isinstance(value, str) or hasattr(value, "__html__"):
            return str.__new__(type(self), str.__add__(_source(value), self))
        return NotImplemented


def _source(value: Any) -> str:
    """Return what a value adds to HTML: HTML as it is, anything else escaped by escape()."""
    kind = type(value)
    if kind is Html:
        return value  # type: ignore[no-any-return]
    if kind is str:
        return escape(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return escape(str(value))


def _field(value: Any) -> Any:
    # Numbers carry no markup, and escape() would turn the "12." of "12.5" into "12&#46;".
    kind = type(value)
    if kind is Html or kind is int or kind is float:
        return value
    if kind is str:
        return escape(value)
    return _source(value)


def html_text(text: str) -> Html:
    """Return text as HTML: cleaned and escaped by escape() (HTML stays as it is)."""
    if type(text) is str:
        return _escaped_html(text)
    return Html.escape(text)


@functools.lru_cache(maxsize=1 << 16)  # names and labels recur on every page
def _escaped_html(text: str) -> Html:
    return _html(escape(text))


# The builders below are the hottest code of a large build: they write their markup with
# f-strings and put every value in as Html's own methods do (HTML as it is, the rest through
# _source()), and make their result with _html, without Markup's checks.
_html: Callable[[str], Html] = functools.partial(str.__new__, Html)


def html_paragraphs(text: str) -> Html:
    """Return prose as HTML paragraphs (blank lines separate paragraphs)."""
    paragraphs = text.replace("\r\n", "\n").split("\n\n")
    return _html("".join([f"<p>{escape(p)}</p>" for p in paragraphs if p.strip()]))


def html_list(items: Iterable[str]) -> Html:
    """Return an HTML list of items (text is escaped, Html kept)."""
    lines = [f"<li>{i if type(i) is Html else _source(i)}</li>\n" for i in items]
    return _html("<ul>\n" + "".join(lines) + "</ul>\n")


_RIGHT = ' style="text-align: right;"'


def html_table(
    head: Sequence[str], rows: Iterable[Sequence[str]], *, right_from: int | None = None
) -> Html:
    """Return an HTML table (text cells are escaped); columns from `right_from` align right."""
    first = len(head) if right_from is None else right_from % len(head)

    def cells(tag: str, row: Sequence[str]) -> str:
        return "".join(
            [
                f"<{tag}{_RIGHT if j >= first else ''}>"
                f"{c if type(c) is Html else _source(c)}</{tag}>"
                for j, c in enumerate(row)
            ]
        )

    body = "".join([f"<tr>{cells('td', row)}</tr>\n" for row in rows])
    return _html(
        f"<table>\n<thead>\n<tr>{cells('th', head)}</tr>\n</thead>\n<tbody>\n{body}</tbody>\n</table>\n"
    )


def html_link(url: Html, text: str, css: str = "") -> Html:
    """Return a link: the URL is HTML already (an href we built), the text escaped unless Html."""
    attr = f' class="{escape(css)}"' if css else ""
    return _html(f'<a{attr} href="{url}">{text if type(text) is Html else _source(text)}</a>')


def html_meta_tags(tags: Iterable[tuple[Html, str]]) -> Html:
    """Return <meta> tags from (name, content) pairs: names are HTML, contents are escaped."""
    return _html(
        "".join(
            [
                f'<meta name="{name}" content="{c if type(c) is Html else _source(c)}">'
                for name, c in tags
            ]
        )
    )


def external_link(url: str | None, label: str) -> Html | None:
    """Return a link leaving the site, or None when the URL is not http(s)."""
    href = safe_url(url)
    if href is None:
        return None
    return _html(f'<a href="{escape(href)}" rel="nofollow noopener">{_source(label)}</a>')


def html_heading(level: int, anchor: str, text: Html) -> Html:
    """Return a heading with a permalink on its own line, as generator.site.prebuilt reads it."""
    # The anchor is a fixed name of ours and the text is HTML by its type: nothing to escape.
    return _html(heading(level, anchor, text) + "\n")
