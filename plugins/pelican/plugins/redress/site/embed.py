"""The compact widget: what it shows of each review, and how tall it is.

``embed.html`` (for an ``<iframe>``) and ``embed.js`` (drawn into the
shop's own page) show the same thing, styled by ``embed.css``. Every line of
the widget has a fixed height, so its height follows from what it shows and
the gallery's copy-paste code can give the frame exactly that height.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..content.model import Review
from . import public_data
from .build import Build

#: Reviews shown in the compact widgets.
EMBED_REVIEWS = 3
#: Customer text in embed.html is cut to these lengths, so that the widget
#: stays under 10 KB whatever a customer writes.
TITLE_CHARS = 80
AUTHOR_CHARS = 40
EXCERPT_CHARS = 160


@dataclass(frozen=True)
class Layout:
    """The compact widget's geometry in CSS pixels.

    ``embed.css`` is rendered from these numbers, and the iframe height in
    the gallery's code is computed from them: every line of the widget has a
    fixed height, so the height follows from what the widget shows.
    """

    pad: int = 12
    gap: int = 8
    line: int = 20
    head: int = 24
    average: int = 32
    excerpt_lines: int = 2

    def height(self, scale: int, items: list[EmbedItem], withheld: bool) -> int:
        return self._height(scale, [item.lines for item in items], withheld)

    def room(self, scale: int, count: int, withheld: bool) -> int:
        """The tallest the widget can be with ``count`` reviews: each shown one at its longest.

        A product's code in the gallery gets this height, so the code a shop
        pasted stays right as reviews arrive.
        """
        longest = 2 + 1 + self.excerpt_lines + 1  # labels, an excerpt and a case line
        return self._height(scale, [longest] * min(count, EMBED_REVIEWS), withheld)

    def _height(self, scale: int, item_lines: list[int], withheld: bool) -> int:
        box = 2 * 1 + 2 * self.pad  # border and padding
        top = self.head + self.gap // 2 + self.average + self.gap + scale * self.line
        rows = sum(1 + 2 * self.gap + lines * self.line for lines in item_lines)
        listed = self.gap + rows if item_lines else 0
        foot = self.gap + 1 + self.gap + self.line * (2 if withheld else 1)
        return box + top + listed + foot


LAYOUT = Layout()


@dataclass
class EmbedItem:
    """One review as the compact widget shows it, with its text cut to size."""

    review: Review
    url: str
    title: str
    author: str
    excerpt: str

    @property
    def has_labels(self) -> bool:
        return self.review.verified or self.review.source != "organic"

    @property
    def lines(self) -> int:
        return (
            2
            + (1 if self.has_labels else 0)
            + (LAYOUT.excerpt_lines if self.excerpt else 0)
            + (1 if self.review.negative else 0)
        )


def shorten(text: str, limit: int) -> str:
    """Text cut at a word to at most ``limit`` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…"


def compact_js(text: str) -> str:
    """The script without indentation, blank lines and whole-line ``//`` comments.

    Safe for embed.js, which has no multi-line strings or template literals;
    it keeps one statement per line, so the file stays readable.
    """
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//")) + "\n"


def embed_items(build: Build, reviews: list[Review]) -> list[EmbedItem]:
    return [
        EmbedItem(
            review=review,
            url=build.urls.absolute(review.url),
            title=shorten(review.title, TITLE_CHARS),
            author=shorten(review.author, AUTHOR_CHARS),
            excerpt=shorten(public_data.plain_text(build, review.body_html), EXCERPT_CHARS),
        )
        for review in reviews[:EMBED_REVIEWS]
    ]
