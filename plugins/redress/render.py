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


def markdown_to_html(text: str) -> str:
    """Render untrusted Markdown to sanitised HTML."""
    html = _markdown.render(clean_text(text))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()


def html_to_text(html: str) -> str:
    """The visible text of sanitised HTML (for quotes and plain-text outputs)."""
    text = re.sub(r"<br ?/?>|</p>|</li>", "\n", html)
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"\n{2,}", "\n", unescape(text)).strip()


def text_to_html(text: str) -> str:
    """Escape plain text for HTML (titles, names): never markup."""
    return escape(clean_text(text), quote=True)
