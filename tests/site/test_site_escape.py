"""The one escaping function: inert in Markdown, HTML text, attributes and XML."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import markdown
import pytest

from generator.site.render.html import escape, safe_url

HOSTILE = [
    "T</title><script>alert(1)</script>",
    "{{ 7*7 }} {% include 'x' %}",
    'text {: onclick="alert(1)" } and {#id .cls}',
    "[click](javascript:alert(1)) ![img](https://evil.example/x.png) <https://evil.example>",
    "*em* _u_ __init__ `code` ~~strike~~ ^sup^ a|b",
    "# heading",
    "- item",
    "+ item",
    "1. item",
    "12) item",
    '!!! note "x"',
    "??? details",
    ": definition",
    "=== tab",
    "    indented code",
    "> quote",
    "&amp; &lt;b&gt; &#60;script&#62;",
    "back\\slash \\[x\\]",
    "]]> CDATA end",
    "<!-- comment --> <?php ?> <![CDATA[x]]>",
]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text += data


def _markdown(text: str) -> str:
    md = markdown.Markdown(
        extensions=["toc", "tables", "admonition", "attr_list"],
        extension_configs={"toc": {"permalink": True}},
    )
    return md.convert(text)


@pytest.mark.parametrize("payload", HOSTILE)
def test_markdown_renders_the_text_and_nothing_else(payload: str) -> None:
    parser = _Tags()
    parser.feed(_markdown(escape(payload)))
    assert parser.tags == ["p"]
    assert parser.text == " ".join(payload.split())


@pytest.mark.parametrize("payload", HOSTILE)
def test_heading_and_table_cell_stay_text(payload: str) -> None:
    parser = _Tags()
    parser.feed(_markdown(f"# {escape(payload)}\n\n| a |\n|---|\n| {escape(payload)} |\n"))
    assert [
        t for t in parser.tags if t not in {"h1", "a", "table", "thead", "tbody", "tr", "th", "td"}
    ] == []
    assert " ".join(payload.split()) in parser.text


@pytest.mark.parametrize("payload", HOSTILE)
def test_output_is_safe_html_attribute_and_xml_text(payload: str) -> None:
    out = escape(payload)
    assert not set(out) & set('<>"`{}[]|*_\\\n\t')
    assert html.unescape(out) == " ".join(payload.split())
    root = ET.fromstring(f'<r a="{out}"><![CDATA[{out}]]></r>')
    assert root.get("a") == html.unescape(out)


def test_controls_that_xml_refuses_are_dropped() -> None:
    assert escape("a\x00b\x1bc\ud800d") == "a b c d"


def test_whitespace_collapses_to_one_line() -> None:
    assert escape("  one\n\n two\tthree  ") == "one two three"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,x",
        "//evil.example",
        "https://",
        "ftp://x.example/",
        'https://x.example/"onmouseover=x',
        None,
        "",
    ],
)
def test_safe_url_refuses_anything_but_http(url: str | None) -> None:
    assert safe_url(url) is None


def test_safe_url_keeps_http_links() -> None:
    assert safe_url("https://arxiv.org/abs/2510.01234") == "https://arxiv.org/abs/2510.01234"


def test_front_matter_reads_back_exactly_in_mkdocs_yaml_loader() -> None:
    import yaml
    from mkdocs.utils import meta

    from generator.site.render.frontmatter import front_matter as _front_matter

    nasty = (
        'a "quote" \\ back: colon # hash - dash ? q &anchor *alias !tag %pct @at `tick` '
        "{flow} [seq] | > \t tab \x85 nel \u2028 ls \u2029 ps \ufeff bom \ud800 lone "
        "\x9f c1 \ufffe \U0001f600 emoji 中文"
    )
    page = _front_matter(
        nasty, description="yes", citation_meta="<meta x>", search={"exclude": True}
    )
    _, data = meta.get_data(page + "body\n")
    nasty = nasty.replace("\ud800", "\ufffd")  # no YAML escape holds a lone surrogate
    assert data == {
        "title": nasty,
        "description": "yes",
        "citation_meta": "<meta x>",
        "search": {"exclude": True},
    }
    # and with the pure-Python loader too
    front = page.split("---\n")[1]
    assert yaml.load(front, Loader=yaml.SafeLoader)["title"] == nasty
