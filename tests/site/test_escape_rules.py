"""The Html type and the HTML builders, rule by rule: text escaped once, HTML kept, markup exact."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

import pytest
import yaml
from markupsafe import Markup

from generator.records.collection import Paper
from generator.records.models import PaperRecord
from generator.site.render.bibtex import bibtex_entry, bibtex_file, bibtex_text, bibtex_verbatim
from generator.site.render.frontmatter import GENERATED_MARKER, front_matter, yaml_value
from generator.site.render.html import (
    Html,
    escape,
    external_link,
    html_heading,
    html_link,
    html_list,
    html_meta_tags,
    html_paragraphs,
    html_table,
    html_text,
    safe_url,
)

PAYLOAD = '<b>"x" & *y*</b>'
ESCAPED = "&lt;b&gt;&quot;x&quot; &amp; &#42;y&#42;&lt;/b&gt;"


class _Shown(HTMLParser):
    """What a browser builds: start tags with attributes, and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text += data


def _shown(markup: str) -> _Shown:
    parser = _Shown()
    parser.feed(markup)
    parser.close()
    return parser


class _Marked:
    """Something that says what it is as HTML (a Markup of another library, say)."""

    def __html__(self) -> str:
        return "<i>marked</i>"


class _Plain:
    def __str__(self) -> str:
        return "<plain>"


# --- the Html type ---------------------------------------------------------------------------


def test_html_escape_keeps_html_and_escapes_everything_else() -> None:
    kept = Html("<p>kept</p>")
    assert Html.escape(kept) is kept
    assert Html.escape(PAYLOAD) == ESCAPED and type(Html.escape(PAYLOAD)) is Html
    assert Html.escape(_Marked()) == "<i>marked</i>"
    assert Html.escape(_Plain()) == "&lt;plain&gt;"
    assert Html.escape(12) == "12"
    # another library's Markup is HTML by its __html__, not text to escape again
    assert Html.escape(Markup("<em>m</em>")) == "<em>m</em>"


def test_format_escapes_text_keeps_html_and_formats_numbers() -> None:
    out = Html("<p>{} {} {} {}</p>").format(PAYLOAD, Html("<b>b</b>"), _Marked(), _Plain())
    assert out == f"<p>{ESCAPED} <b>b</b> <i>marked</i> &lt;plain&gt;</p>"
    assert type(out) is Html
    # numbers keep their format specs (escape() would turn the "12." of 12.5 into "12&#46;")
    assert Html("{:.1f}|{:>4}|{}").format(12.345, 7, 12.5) == "12.3|   7|12.5"
    assert Html("{}").format(True) == "True"  # not a number: text
    assert Html("{a}-{b}-{c}-{d}").format(a=PAYLOAD, b=Html("<i>"), c=3, d=2.5) == (
        f"{ESCAPED}-<i>-3-2.5"
    )
    assert Html("{} {k}").format("1. a", k="- b") == "1&#46; a &#45; b"


def test_join_escapes_text_items_and_keeps_html_items() -> None:
    out = Html("<br>").join([PAYLOAD, Html("<hr>"), _Marked(), 5])
    assert out == f"{ESCAPED}<br><hr><br><i>marked</i><br>5"
    assert type(out) is Html
    assert Html(", ").join([]) == ""


def test_adding_text_escapes_it_on_either_side() -> None:
    html = Html("<p>")
    assert html + PAYLOAD == "<p>" + ESCAPED and type(html + PAYLOAD) is Html
    assert PAYLOAD + html == ESCAPED + "<p>" and type(PAYLOAD + html) is Html
    assert html + Html("</p>") == "<p></p>"
    assert html + _Marked() == "<p><i>marked</i>"
    # something that is not a string but knows its HTML, on the left
    assert _Marked() + html == "<i>marked</i><p>" and type(_Marked() + html) is Html
    with pytest.raises(TypeError):
        html + 1  # type: ignore[operator]
    with pytest.raises(TypeError):
        1 + html  # type: ignore[operator]


def test_html_text_escapes_text_once() -> None:
    out = html_text(PAYLOAD)
    assert out == ESCAPED and type(out) is Html
    assert html_text(out) is out  # HTML is never escaped twice
    assert html_text(Html("<b>x</b>")) == "<b>x</b>"


# --- builders --------------------------------------------------------------------------------


def test_paragraphs_split_at_blank_lines_and_escape_each() -> None:
    text = "first <b>\r\nline\r\n\r\n  \n\nsecond & last\n\n"
    assert html_paragraphs(text) == "<p>first &lt;b&gt; line</p><p>second &amp; last</p>"
    assert html_paragraphs("\n\n \n\n") == ""
    # Windows line ends separate paragraphs as well
    assert html_paragraphs("one\r\n\r\ntwo") == "<p>one</p><p>two</p>"


def test_list_items_escape_text_and_keep_html() -> None:
    out = html_list([PAYLOAD, Html("<a href='x'>y</a>"), _Marked()])
    assert out == (
        f"<ul>\n<li>{ESCAPED}</li>\n<li><a href='x'>y</a></li>\n<li><i>marked</i></li>\n</ul>\n"
    )
    assert type(out) is Html
    assert html_list([]) == "<ul>\n</ul>\n"


def test_table_cells_escape_text_and_align_from_the_given_column() -> None:
    right = ' style="text-align: right;"'
    out = html_table(["a", "b", Html("<i>c</i>")], [[PAYLOAD, "2", "3"]], right_from=-1)
    assert out == (
        "<table>\n<thead>\n"
        f"<tr><th>a</th><th>b</th><th{right}><i>c</i></th></tr>\n"
        "</thead>\n<tbody>\n"
        f"<tr><td>{ESCAPED}</td><td>2</td><td{right}>3</td></tr>\n"
        "</tbody>\n</table>\n"
    )
    assert type(out) is Html
    # from the second column on; and without right_from nothing aligns right
    middle = html_table(["a", "b", "c"], [["1", "2", _Marked()]], right_from=1)
    assert middle.count(right) == 4 and "<th>a</th>" in middle and "<td>1</td>" in middle
    assert f"<td{right}><i>marked</i></td>" in middle
    plain = html_table(["a", "b"], [["1", "2"], ["3", "4"]])
    assert plain == (
        "<table>\n<thead>\n<tr><th>a</th><th>b</th></tr>\n</thead>\n<tbody>\n"
        "<tr><td>1</td><td>2</td></tr>\n<tr><td>3</td><td>4</td></tr>\n</tbody>\n</table>\n"
    )
    assert html_table(["a"], []) == (
        "<table>\n<thead>\n<tr><th>a</th></tr>\n</thead>\n<tbody>\n</tbody>\n</table>\n"
    )


def test_link_keeps_its_href_and_escapes_text_and_class() -> None:
    href = Html("../papers/x/?a=1&amp;b=2")
    assert html_link(href, PAYLOAD) == f'<a href="../papers/x/?a=1&amp;b=2">{ESCAPED}</a>'
    assert html_link(href, Html("<b>t</b>"), css='c"x') == (
        '<a class="c&quot;x" href="../papers/x/?a=1&amp;b=2"><b>t</b></a>'
    )
    assert html_link(href, _Marked()) == (  # type: ignore[arg-type]
        '<a href="../papers/x/?a=1&amp;b=2"><i>marked</i></a>'
    )
    assert type(html_link(href, "t")) is Html


def test_meta_tags_escape_contents() -> None:
    out = html_meta_tags([(Html("citation_title"), PAYLOAD), (Html("x"), Html("a&amp;b"))])
    assert out == (
        f'<meta name="citation_title" content="{ESCAPED}"><meta name="x" content="a&amp;b">'
    )
    assert _shown(out).tags[0] == ("meta", {"name": "citation_title", "content": PAYLOAD})
    assert type(out) is Html
    assert html_meta_tags([]) == ""


def test_external_link_only_for_http_and_escaped() -> None:
    out = external_link(" https://x.example/a?b=1&c=2 ", PAYLOAD)
    assert out == (
        f'<a href="https://x.example/a?b=1&amp;c=2" rel="nofollow noopener">{ESCAPED}</a>'
    )
    assert type(out) is Html
    shown = _shown(out)
    assert shown.tags == [
        ("a", {"href": "https://x.example/a?b=1&c=2", "rel": "nofollow noopener"})
    ]
    assert shown.text == PAYLOAD
    assert external_link("https://x.example/", Html("<b>k</b>")) == (
        '<a href="https://x.example/" rel="nofollow noopener"><b>k</b></a>'
    )
    for bad in ("javascript:alert(1)", None, "", "https://x.example/a b"):
        assert external_link(bad, "t") is None


def test_heading_is_the_toc_extensions_markup_on_its_own_line() -> None:
    out = html_heading(2, "abstract", Html("Abstract &amp; more"))
    assert out == (
        '<h2 id="abstract">Abstract &amp; more<a class="headerlink" href="#abstract" '
        'title="Permanent link">&para;</a></h2>\n'
    )
    assert type(out) is Html


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("HTTPS://X.example/a", "HTTPS://X.example/a"),
        ("http://x.example", "http://x.example"),
        ("  https://x.example/p  \n", "https://x.example/p"),
        ("http://[::1", None),  # urlsplit refuses it
        ("https://x.example/a\tb", None),
        ("https://x.example/<a>", None),
        ("https://x.example/'a'", None),
        ("https://x.example/`a`", None),
        ("https://x.example/\x01", None),
        ("mailto:a@x.example", None),
        ("https:/x.example", None),
    ],
)
def test_safe_url_rules(url: str, kept: str | None) -> None:
    assert safe_url(url) == kept


def test_escape_marks_only_the_start_of_the_line() -> None:
    assert escape("1. a 2. b") == "1&#46; a 2. b"
    assert escape("12) a") == "12&#41; a"
    assert escape("- a - b") == "&#45; a - b"
    assert escape("a\u200bb\ufeffc") == "abc"  # invisible characters are dropped
    assert escape("a\x85b") == "a b"  # a C1 control can never display


# --- front matter ----------------------------------------------------------------------------


def test_front_matter_is_the_marker_the_title_then_the_fields_in_order() -> None:
    page = front_matter(Html("T &amp; U"), description=Html("D"), b=1, a=None, c=[1, "x"])
    assert page == (
        f'---\n{GENERATED_MARKER}\ntitle: "T &amp; U"\ndescription: "D"\nb: 1\nc: [1, "x"]\n---\n\n'
    )
    assert front_matter(Html("T")) == f'---\n{GENERATED_MARKER}\ntitle: "T"\n---\n\n'
    # an empty description is left out, as a missing one is
    assert "description" not in front_matter(Html("T"), description=Html(""))
    assert yaml.safe_load(page.split("---\n")[1]) == {
        "title": "T &amp; U",
        "description": "D",
        "b": 1,
        "c": [1, "x"],
    }


@pytest.mark.parametrize(
    "value",
    [
        "a\x85b\u2028c\u2029d\ufeffe\x7ff\x9fg\ufffeh\uffffi",
        {"k": ["\u2028", 1, None, True]},
        "中文 ✓ \U0001f600",
    ],
)
def test_yaml_value_reads_back_the_same_in_yaml(value: object) -> None:
    written = yaml_value(value)
    assert "\n" not in written and "\u2028" not in written and "\x85" not in written
    assert yaml.safe_load(written) == value


def test_yaml_value_escapes_with_four_hex_digits_and_replaces_lone_surrogates() -> None:
    assert yaml_value("a\x85b") == '"a\\u0085b"'
    assert yaml_value("\u2028") == '"\\u2028"'
    assert yaml_value("x\ud800y") == '"x\ufffdy"'
    assert yaml_value("中") == '"中"'  # not \u-escaped: kept as written


# --- BibTeX, as written ------------------------------------------------------------------------


def _bib_paper(**fields: object) -> Paper:
    record = PaperRecord.model_validate(
        {
            "title": "Fast {Things} & 50% Less",
            "authors": ["Ada Lovelace", "Sand and Stone Lab"],
            "published": date(2025, 9, 30),
            "links": {"arxiv": "2509.26328", "doi": "10.1000/a<b>"},
            "arxiv_category": "cs.CL",
            "added": date(2025, 10, 15),
            **fields,
        }
    )
    return Paper(id="fast-things", record=record, source="p.yaml", institutions=(), techniques=())


def test_a_journal_entry_is_written_exactly() -> None:
    paper = _bib_paper(venue="Nature Machine Intelligence", venue_status="published", year=2026)
    assert bibtex_file([bibtex_entry(paper, "untitled")]) == (
        "@article{fast-things,\n"
        "  title = {{Fast \\textbraceleft{}Things\\textbraceright{} \\& 50\\% Less}},\n"
        "  author = {Ada Lovelace and {Sand and Stone Lab}},\n"
        "  journal = {Nature Machine Intelligence},\n"
        "  year = {2026},\n"
        "  doi = {10.1000/a%3Cb%3E},\n"
        "  eprint = {2509.26328},\n"
        "  archivePrefix = {arXiv},\n"
        "  primaryClass = {cs.CL},\n"
        "  url = {https://arxiv.org/abs/2509.26328},\n"
        "}\n"
    )


def test_entries_of_a_file_are_separated_by_one_blank_line() -> None:
    first = bibtex_entry(_bib_paper(venue="ICLR 2026", venue_status="published"), "untitled")
    second = bibtex_entry(_bib_paper(title=None), "无标题")
    text = bibtex_file([first, second])
    assert text == first.format() + "\n\n" + second.format() + "\n"
    assert first.format().startswith("@inproceedings{fast-things,\n  title = {{Fast")
    assert "  booktitle = {ICLR 2026},\n" in first.format()
    assert second.format().startswith("@misc{fast-things,\n  title = {{无标题}},\n")
    assert bibtex_file([]) == "\n"


def test_a_note_and_a_howpublished_are_written_exactly() -> None:
    accepted = bibtex_entry(_bib_paper(venue="ICML 2026", venue_status="accepted"), "untitled")
    assert "  booktitle = {ICML 2026},\n  year = {2025},\n  note = {Accepted, to appear},\n" in (
        accepted.format()
    )
    unknown = bibtex_entry(_bib_paper(venue="NeurIPS 2025"), "untitled")
    assert unknown.kind == "misc"
    assert "  year = {2025},\n  howpublished = {NeurIPS 2025},\n  doi = " in unknown.format()


def test_bibtex_values_drop_what_cannot_be_seen() -> None:
    assert bibtex_text("a\u200bb\ufeffc\x00d") == "abc d"
    assert bibtex_verbatim(" 10.1000/a\u200bb\x00c ") == "10.1000/abc"
    # a character of several bytes is percent-encoded byte by byte
    assert bibtex_verbatim("a\u3000b") == "a%E3%80%80b"
