"""Let MkDocs take generated pages whose body is already HTML without parsing it as Markdown.

Paper pages are most of a large site, and Python-Markdown spent about half of MkDocs' time on
them: block parsing, inline patterns over every escaped title and link, the table of contents.
paperbrief already knows each page's structure, so it writes the body as finished HTML (all
untrusted text through `escape.escape`, links as final relative URLs) after a marker line.

This Markdown extension (listed in mkdocs.yml as `generator.site.prebuilt`) sees the marker, stores
the body in Python-Markdown's raw-HTML stash and hands the parser one placeholder, so the
pipeline has nothing left to do. It also rebuilds the table of contents from the headings the
body declares, in the shape the `toc` extension gives MkDocs. A page without the marker (every
hand-written page) is converted as usual.
"""

from __future__ import annotations

import re
from typing import Any

from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

MARKER = "<!-- paperbrief: prebuilt HTML body -->"
PERMALINK_TITLE = "Permanent link"
# The headings `heading()` writes; nothing else in a prebuilt body matches.
_HEADING = re.compile(r'<h([1-6]) id="([^"]+)">(.*?)<a class="headerlink"')
_TAG = re.compile(r"<[^>]*>")


def heading(level: int, anchor: str, text: str) -> str:
    """Return a heading with a permalink, as the toc extension writes it (text escaped)."""
    return (
        f'<h{level} id="{anchor}">{text}<a class="headerlink" href="#{anchor}" '
        f'title="{PERMALINK_TITLE}">&para;</a></h{level}>'
    )


def toc_tokens(body: str) -> list[dict[str, Any]]:
    """Return the nested toc tokens (level, id, name, html, children) of a prebuilt body."""
    root: list[dict[str, Any]] = []
    stack: list[dict[str, Any]] = []
    for found in _HEADING.finditer(body):
        # The table of contents shows the heading's text: a link inside it would nest links.
        text = _TAG.sub("", found.group(3))
        token: dict[str, Any] = {
            "level": int(found.group(1)),
            "id": found.group(2),
            "name": text,
            "html": text,
            "data-toc-label": "",
            "children": [],
        }
        while stack and stack[-1]["level"] >= token["level"]:
            stack.pop()
        (stack[-1]["children"] if stack else root).append(token)
        stack.append(token)
    return root


class _Stash(Preprocessor):
    """Replace a marked body by one raw-HTML placeholder."""

    def __init__(self, md: Markdown, owner: PrebuiltExtension) -> None:
        super().__init__(md)
        self.owner = owner

    def run(self, lines: list[str]) -> list[str]:
        self.owner.tokens = None
        if not lines or lines[0].strip() != MARKER:
            return lines
        body = "\n".join(lines[1:]).strip()
        self.owner.tokens = toc_tokens(body)
        return ["", "", self.md.htmlStash.store(body), "", ""]


class _Toc(Postprocessor):
    """Give MkDocs the prebuilt body's table of contents (the toc extension found none)."""

    def __init__(self, md: Markdown, owner: PrebuiltExtension) -> None:
        super().__init__(md)
        self.owner = owner

    def run(self, text: str) -> str:
        if self.owner.tokens is not None:
            self.md.toc_tokens = self.owner.tokens
        return text


class PrebuiltExtension(Extension):
    """Pass prebuilt HTML bodies through Python-Markdown untouched."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tokens: list[dict[str, Any]] | None = None

    def extendMarkdown(self, md: Markdown) -> None:
        # After normalize_whitespace (30), which would strip the placeholder's STX/ETX, and
        # before MkDocs' raw-HTML scan (21) and html_block (20), which would parse the body.
        md.preprocessors.register(_Stash(md, self), "paperbrief_prebuilt", 25)
        md.postprocessors.register(_Toc(md, self), "paperbrief_prebuilt_toc", 0)


def makeExtension(**kwargs: Any) -> PrebuiltExtension:
    """Entry point Python-Markdown calls for `generator.site.prebuilt`."""
    return PrebuiltExtension(**kwargs)
