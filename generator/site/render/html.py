"""Make untrusted text inert in every place the site prints it: the one escaping function."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

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
# Controls XML 1.0 refuses and lone surrogates: dropped, they can never display.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Block syntax only counts at the start of a line: lists (-, +, 1.), admonitions (!!!),
# definitions (:), setext rules (=). Escaped text never holds a newline, so only its start.
_LEADING_MARK = re.compile(r"^[-+=:!?%]")
_LEADING_NUMBER = re.compile(r"^(\d+)([.)])")


@functools.lru_cache(maxsize=1 << 16)  # names and labels are escaped again on every page
def escape(text: str) -> str:
    """Return text as one inert line, safe in Markdown, HTML text and attributes, and XML."""
    line = " ".join(_UNPRINTABLE.sub(" ", text).split())
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


def html_paragraphs(text: str) -> str:
    """Escape prose as HTML paragraphs (blank lines separate paragraphs)."""
    return "".join(
        f"<p>{escape(p)}</p>" for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()
    )


def html_list(items: Iterable[str]) -> str:
    """Return an HTML list of items that are HTML already."""
    return "<ul>\n" + "".join(f"<li>{item}</li>\n" for item in items) + "</ul>\n"


_RIGHT = ' style="text-align: right;"'


def html_table(
    head: Sequence[str], rows: Iterable[Sequence[str]], *, right_from: int | None = None
) -> str:
    """Return an HTML table whose cells are HTML already; columns from `right_from` align right."""
    first = len(head) if right_from is None else right_from % len(head)

    def cells(tag: str, row: Sequence[str]) -> str:
        return "".join(
            f"<{tag}{_RIGHT if j >= first else ''}>{c}</{tag}>" for j, c in enumerate(row)
        )

    body = "".join(f"<tr>{cells('td', row)}</tr>\n" for row in rows)
    return f"<table>\n<thead>\n<tr>{cells('th', head)}</tr>\n</thead>\n<tbody>\n{body}</tbody>\n</table>\n"


def external_link(url: str | None, label: str) -> str | None:
    """Return a link leaving the site (label HTML already), or None when the URL is not http(s)."""
    href = safe_url(url)
    if href is None:
        return None
    return f'<a href="{escape(href)}" rel="nofollow noopener">{label}</a>'
