"""Customer Markdown to HTML that is safe to publish anywhere.

Review text is untrusted. It is rendered by Python-Markdown, the renderer
Pelican itself uses, with every raw-HTML path taken out, so a ``<script>`` a
customer typed stays visible as text instead of vanishing; then nh3 cleans
the result to a small allow-list, so nothing the renderer lets through can
carry active content. Headings, images, rules and code blocks are off: a
review is prose. The remaining syntax follows what CommonMark readers expect
(line breaks kept, lists that may follow a line of text directly).
"""

from __future__ import annotations

import re
from collections import Counter
from html import escape, unescape
from xml.etree.ElementTree import Element

import markdown
import nh3
from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockProcessor
from markdown.extensions.sane_lists import SaneListExtension, SaneOListProcessor
from markdown.inlinepatterns import (
    LinkInlineProcessor,
    ReferenceInlineProcessor,
    ShortReferenceInlineProcessor,
    SubstituteTagInlineProcessor,
)

from .rules import UNSHOWN_RE, strip_control, visible

ALLOWED_TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"

# Python-Markdown's default, which Pelican's Markdown also uses; it is also
# how far a nested list item must be indented.
TAB_LENGTH = 4


class _OrderedList(SaneOListProcessor):
    """Numbered lists also written ``1)``, as CommonMark and many people do."""

    def __init__(self, parser: BlockParser) -> None:
        super().__init__(parser)
        indent = self.tab_length - 1
        self.RE = re.compile(rf"^[ ]{{0,{indent}}}\d+[.)][ ]+(.*)")
        self.CHILD_RE = re.compile(rf"^[ ]{{0,{indent}}}((\d+[.)]))[ ]+(.*)")
        self.INDENT_RE = re.compile(
            rf"^[ ]{{{self.tab_length},{self.tab_length * 2 - 1}}}((\d+[.)])|[*+-])[ ]+.*"
        )


class _ListAfterText(BlockProcessor):
    """Let a list start right under a line of text, without a blank line first.

    Customers write "Pros:" and the list on the next line; Python-Markdown
    would otherwise glue the items into the paragraph. As in CommonMark, only
    a bullet or an item numbered 1 starts a list there, so a sentence that
    merely wraps onto "2024. was a good year" stays one paragraph.
    """

    RE = re.compile(r"\n[ ]{0,3}(?:[*+-]|1[.)])[ ]+\S")

    def test(self, parent: Element, block: str) -> bool:
        return self.RE.search(block) is not None

    def run(self, parent: Element, blocks: list[str]) -> None:
        block = blocks.pop(0)
        split = self.RE.search(block)
        assert split is not None
        blocks[:0] = [block[: split.start()], block[split.start() + 1 :]]


def _new_markdown() -> markdown.Markdown:
    """A Python-Markdown that cannot emit a single tag the customer typed.

    Raw HTML reaches the output only through the HTML stash: the
    ``html_block`` preprocessor and the ``html`` and ``entity`` inline
    patterns put source text in it, the ``raw_html`` postprocessor pastes it
    back unescaped. With all four gone, every character the customer typed
    ends up in the element tree as text, which the serializer escapes.
    (Entities still come out right: the serializer leaves ``&amp;`` alone.)
    """
    md = markdown.Markdown(output_format="html", tab_length=TAB_LENGTH, extensions=[SaneListExtension()])
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.inlinePatterns.deregister("entity")
    md.postprocessors.deregister("raw_html")

    blocks = md.parser.blockprocessors
    # No link definitions either: "[Edit]: refunded." and "[1]: https://…" are words a
    # customer wrote, which a definition would take off the page without a trace.
    for name in ("code", "hashheader", "setextheader", "hr", "reference"):
        blocks.deregister(name)
    blocks.register(_OrderedList(md.parser), "olist", 40)
    blocks.register(_ListAfterText(md.parser), "list_after_text", 12)

    # Images off, and like CommonMark without images, "![a](u)" is a "!"
    # followed by a link, not a dead literal: links lose their "not after !".
    inline = md.inlinePatterns
    for name in ("image_link", "image_reference", "short_image_ref"):
        inline.deregister(name)
    inline.register(ReferenceInlineProcessor(r"\[", md), "reference", 170)
    inline.register(LinkInlineProcessor(r"\[", md), "link", 160)
    inline.register(ShortReferenceInlineProcessor(r"\[", md), "short_reference", 130)
    # Every line break the customer typed is kept (what nl2br does), and the
    # spaces around it, which only pad the source, are not.
    inline.deregister("linebreak")
    inline.register(SubstituteTagInlineProcessor(r"[ ]*\n[ ]*", "br"), "nl", 5)
    return md


# One instance for the whole process: building one costs about as much as
# rendering a review (~0.1 ms), so a fresh one each time would double the
# cost. It is reset before every document, so nothing (reference links, a
# half-finished run) leaks from one review into the next; a forked process
# gets its own copy. Rendering is single-threaded.
_markdown = _new_markdown()


# Every line break is kept, so spaces at the end of a line mean nothing; left
# in, they would linger at the end of a paragraph.
_TRAILING_SPACE_RE = re.compile(r"[ \t]+$", re.MULTILINE)


def _render(text: str) -> str:
    """Markdown to unsanitised HTML, on a freshly reset renderer.

    Python-Markdown recurses once per level of nesting: a text of a few
    hundred nested lists or quotes (hostile, or a paste gone wrong) exceeds
    Python's recursion limit. Such a text is shown as plain paragraphs,
    every word kept, rather than stopping the whole build; the renderer,
    left half-way through it (its parser's state), is made anew, since
    ``reset()`` does not undo that and the next review would come out wrong.
    """
    global _markdown
    try:
        return _markdown.reset().convert(_TRAILING_SPACE_RE.sub("", text))
    except RecursionError:
        _markdown = _new_markdown()
        return _plain_paragraphs(text)


# Most reviews are a few plain sentences, and Python-Markdown and nh3 spend
# several times as long on them as the shortcut below; a site renders every
# review on every first build. The shortcut takes only text with
# none of these characters, no whitespace but spaces and newlines, and no
# line that starts like a list or a quote; tests hold it to the renderer.
_MARKUP_CHARS_RE = re.compile(r"[\\`*_\[\]<>&]|[^\S \n]")
_MARKUP_LINE_RE = re.compile(r" *(?:[-+>]|\d+[.)])")
_BLANK_LINES_RE = re.compile(r"\n(?: *\n)+")


def is_plain(text: str) -> bool:
    """Whether the text is shown exactly as typed: no Markdown, no character reference."""
    return _is_plain(strip_control(text))


def text_to_html(text: str) -> str:
    """Text shown as typed, in paragraphs and lines: no link, no emphasis, every word kept."""
    text = strip_control(text)
    return _plain_paragraphs(text) if text.strip() else ""


def without_escapes(text: str) -> str:
    """Markdown text with its backslashes before punctuation taken off, as a reader reads it
    (``jan\\@example.com``: Python-Markdown leaves that backslash, a reader skips it)."""
    return _ESCAPE_RE.sub(r"\1", text) if "\\" in text else text


_ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")


def links(html: str) -> list[str]:
    """The addresses the links of sanitised HTML go to, as a browser reads them."""
    return [unescape(href) for href in _HREF_RE.findall(html)]


_HREF_RE = re.compile(r'<a [^>]*?href="([^"]*)"')


def _is_plain(text: str) -> bool:
    """Whether the shortcut renders text exactly as Python-Markdown would."""
    if _MARKUP_CHARS_RE.search(text) is not None:
        return False
    return not any(_MARKUP_LINE_RE.match(line) for line in text.split("\n"))


def _plain_paragraphs(text: str) -> str:
    """What the renderer makes of text that passes ``_is_plain``, quickly."""
    paragraphs = []
    for block in _BLANK_LINES_RE.split(text.strip(" \n")):
        lines = [escape(line.strip(" "), quote=False) for line in block.split("\n")]
        paragraphs.append("<p>" + "<br>\n".join(lines) + "</p>")
    return "\n".join(paragraphs)


def _sanitise(html: str) -> str:
    """Rendered HTML cut down to what is safe in any page, feed or widget."""
    html = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        # No attribute on any tag but these: not even nh3's default title and lang, so
        # a customer's link cannot carry a tooltip that reads like the shop's own label.
        attributes={**ALLOWED_ATTRIBUTES, "*": set()},
        url_schemes=ALLOWED_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
        # A relative link means something else on every page that shows the
        # text (and nothing in a feed or widget): keep the words, drop the link.
        url_relative="deny",
    )
    # Python-Markdown passes character references such as "&#1;" through and
    # nh3 decodes them: the control characters strip_control removed come back.
    return UNSHOWN_RE.sub("", html).strip()


#: Python-Markdown looks for the end of a link from every "[", so its time
#: grows with their number times the length of the text after them: 20,000
#: took a minute, 499 "[a](" before 3,000 backslashes five seconds (a post
#: within the form's limits). A text of more "[" times characters than
#: LINK_WORK (at most some 0.2 s; a review of 2,000 characters with 30 links
#: stays under it) is shown as plain paragraphs, every word kept.
LINK_WORK = 60_000


def markdown_to_html(text: str) -> str:
    """Render untrusted Markdown to sanitised HTML."""
    text = strip_control(text)
    if not text.strip():
        return ""
    if _is_plain(text):
        # Text without "&", "<" or ">" in <p> and <br>: nothing for the sanitiser to take
        # out or write otherwise (tests hold it to that); most reviews, and nh3's time on
        # them was a fifth of reading a shop.
        return _plain_paragraphs(text)
    if text.count("[") * len(text) > LINK_WORK:
        return _sanitise(_plain_paragraphs(text))
    rendered = _render(text)
    html = _named_links(_sanitise(rendered))
    if not _keeps_every_letter(text, rendered, html):
        # Python-Markdown drops a letter now and then ("*a**b*c" comes out as
        # "*a<strong>b</strong>"): the customer's words come first, as typed.
        return _sanitise(_plain_paragraphs(text))
    return html


_LINK_RE = re.compile(r'(<a href="([^"]*)"[^>]*>)(.*?)(</a>)', re.DOTALL)


def _named_links(html: str) -> str:
    """Every link with something to read: a link without visible words (``[](https://…)``)
    shows its address, or a reader would find a link they cannot see, nor a screen reader name."""
    if "<a " not in html:
        return html

    def named(match: re.Match[str]) -> str:
        inside = match.group(3)
        if visible(html_to_text(inside)):
            return match.group(0)
        return match.group(1) + match.group(2) + match.group(4)

    return _LINK_RE.sub(named, html)


def _letters(text: str) -> Counter[str]:
    return Counter(ch for ch in text if ch.isalpha())


_ATTRIBUTE_RE = re.compile(r'="([^"]*)"')


def _keeps_every_letter(text: str, rendered: str, html: str) -> bool:
    """Whether every letter of the text is in the HTML's words, or in an attribute the renderer
    moved it to (a link's address; the sanitiser may then leave the link out on purpose).
    A character reference counts as the character it stands for."""
    moved = " ".join(unescape(value) for value in _ATTRIBUTE_RE.findall(rendered))
    shown = _letters(html_to_text(html)) + _letters(moved)
    return not (_letters(unescape(text)) - shown)


_BREAK_RE = re.compile(r"<br ?/?>|</p>|</li>")
_TAG_RE = re.compile(r"<[^>]+>")
_LINES_RE = re.compile(r"\n{2,}")


def html_to_text(html: str) -> str:
    """The visible text of sanitised HTML (for quotes and plain-text outputs)."""
    text = _TAG_RE.sub("", _BREAK_RE.sub("\n", html))
    if "&" in text:
        text = unescape(text)
    return _LINES_RE.sub("\n", text).strip()


# A block tag with the source whitespace around it, which no browser shows;
# split on it, the groups are the slash and the tag's name.
_BLOCK_TAG_RE = re.compile(r"\s*<(/?)(p|ul|ol|li|br)\b[^>]*>\s*")
_LINE, _PARAGRAPH = 1, 2


def html_to_paragraphs(html: str) -> str:
    """The visible text of sanitised HTML, its paragraphs kept: for plain-text data.

    A blank line between paragraphs (and around a list), a line break for a
    line break and between list items: the customer's shape survives, as in
    an e-mail, for whoever shows the text (a shop's own widget, an app).
    :func:`html_to_text` stays as it is: a line per line, for quotes and for
    matching words, whose outputs should not change with this.
    """
    if not html:
        return ""
    parts = _BLOCK_TAG_RE.split(html)
    out: list[str] = []
    pending = depth = 0
    for index in range(0, len(parts), 3):
        text = parts[index]
        if "<" in text:
            text = _TAG_RE.sub("", text)
        if text.strip():
            if out and pending:
                out.append("\n" * pending)
            out.append(text.replace("\n", " "))
            pending = 0
        if index + 2 < len(parts):
            closing, name = parts[index + 1], parts[index + 2]
            if name in ("ul", "ol"):
                # A list inside a list item is a line of that item, not a block of its own.
                depth += -1 if closing else 1
                level = _PARAGRAPH if depth == (0 if closing else 1) else _LINE
            else:
                level = _PARAGRAPH if name == "p" else _LINE
            pending = max(pending, level)
    text = "".join(out)
    return unescape(text) if "&" in text else text
