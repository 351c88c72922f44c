"""Customer Markdown to HTML that is safe to publish anywhere.

Review text is untrusted. It is rendered by markdown-it-py in CommonMark
mode with raw HTML switched off, so a ``<script>`` a customer typed stays
visible as text instead of vanishing, and then cleaned by nh3 to a small
allow-list, so nothing the renderer lets through can carry active content.
Headings, images and code blocks are off: a review is prose.
"""

from __future__ import annotations

import re
from html import escape, unescape

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"

# C0 and C1 control characters, except tab and newline: invisible, and
# illegal in XML feeds. The source file keeps them; the output never has them.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")

_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False}).disable(
    ["heading", "lheading", "image", "code", "fence", "hr", "html_block", "html_inline"]
)


def clean_text(text: str) -> str:
    """Plain text with line endings normalised and control characters removed."""
    return CONTROL_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


# Text with none of these characters, and no line that starts like a list,
# quote or heading underline, renders to plain paragraphs: most reviews do.
_MARKUP_CHARS_RE = re.compile(r"[\\`*_\[\]<>&#~|]|^[ \t]*(?:[-+=>]|\d+[.)])|^ {4}| {2,}$", re.MULTILINE)
_BLANK_LINES_RE = re.compile(r"\n[ \t]*\n\s*")


def _plain_paragraphs(text: str) -> str:
    """What CommonMark (with line breaks kept) makes of text without markup, quickly."""
    paragraphs = []
    for block in _BLANK_LINES_RE.split(text.strip()):
        lines = [escape(line.strip(), quote=False) for line in block.split("\n")]
        paragraphs.append("<p>" + "<br>\n".join(lines) + "</p>")
    return "\n".join(paragraphs)


def markdown_to_html(text: str) -> str:
    """Render untrusted Markdown to sanitised HTML."""
    text = clean_text(text)
    if not text.strip():
        return ""
    if _MARKUP_CHARS_RE.search(text) is None:
        html = _plain_paragraphs(text)
    else:
        html = _markdown.render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
        # A relative link means something else on every page that shows the
        # text (and nothing in a feed or widget): keep the words, drop the link.
        url_relative="deny",
    ).strip()


_BREAK_RE = re.compile(r"<br ?/?>|</p>|</li>")
_TAG_RE = re.compile(r"<[^>]+>")
_LINES_RE = re.compile(r"\n{2,}")


def html_to_text(html: str) -> str:
    """The visible text of sanitised HTML (for quotes and plain-text outputs)."""
    text = _TAG_RE.sub("", _BREAK_RE.sub("\n", html))
    if "&" in text:
        text = unescape(text)
    return _LINES_RE.sub("\n", text).strip()
