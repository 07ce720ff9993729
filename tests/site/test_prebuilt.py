"""The prebuilt-HTML Markdown extension: marked bodies pass untouched, others convert as usual."""

from __future__ import annotations

import markdown

from generator.site.prebuilt import MARKER, heading, toc_tokens

EXTENSIONS = ["toc", "tables", "admonition", "attr_list", "generator.site.prebuilt"]


def _convert(text: str) -> tuple[str, list[dict[str, object]]]:
    md = markdown.Markdown(extensions=EXTENSIONS, extension_configs={"toc": {"permalink": True}})
    html = md.convert(text)
    return html, md.toc_tokens  # type: ignore[attr-defined]


def test_a_marked_body_passes_through_byte_for_byte_with_its_toc() -> None:
    body = (
        "<h1>Title *not em*</h1>\n"
        + heading(2, "brief", "简报")
        + "\n<p>a_b_c *x* [y](z.md) {: .k } &#42;</p>\n"
        + heading(3, "deep", "Deep")
        + "\n"
        + heading(2, "abstract", "摘要")
        + "\n<ul>\n<li>1. item</li>\n</ul>"
    )
    html, toc = _convert(f"{MARKER}\n{body}\n")
    assert html == body
    assert [(t["level"], t["id"], t["name"]) for t in toc] == [
        (2, "brief", "简报"),
        (2, "abstract", "摘要"),
    ]
    assert [c["id"] for c in toc[0]["children"]] == ["deep"]  # type: ignore[union-attr]


def test_an_unmarked_page_is_markdown_as_before() -> None:
    html, toc = _convert("# Top\n\n## Part\n\nSome *em* text.\n")
    assert "<em>em</em>" in html
    assert toc[0]["id"] == "top"
    assert toc[0]["children"][0]["id"] == "part"  # type: ignore[index]


def test_the_marker_counts_only_on_the_first_line() -> None:
    html, _ = _convert(f"Some *em* text.\n\n{MARKER}\n\n<p>raw</p>\n")
    assert "<em>em</em>" in html


def test_toc_tokens_nest_by_level() -> None:
    body = heading(2, "a", "A") + heading(3, "b", "B") + heading(4, "c", "C") + heading(2, "d", "D")
    tokens = toc_tokens(body)
    assert [t["id"] for t in tokens] == ["a", "d"]
    assert tokens[0]["children"][0]["children"][0]["id"] == "c"


def test_toc_names_are_text_even_when_the_heading_holds_a_link() -> None:
    tokens = toc_tokens(heading(3, "p-1", '1. <a href="../x/">Title &amp; more</a>'))
    assert tokens[0]["name"] == "1. Title &amp; more"
