"""Make untrusted text inert in every place the site prints it: the one escaping function."""

from __future__ import annotations

import functools
import re
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
