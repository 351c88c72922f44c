"""What a platform's export says, in one shape for every platform.

A platform module (``trustpilot``, ``google``, ``google_play``,
``woocommerce``, ``shopify``, ``judgeme``, ``kiyoh``) reads files into a
:class:`Batch` of these records; it never writes a file and never decides a
slug, a file name or how a name is shortened. Values are kept as the export
has them (text unredacted, names in full, the platform's own scale): the
command decides what becomes public.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..errors import RedressError


class UnreadableExport(RedressError):
    """A whole file the parser cannot read: names the platform it expected and what it found.

    For example ``exports/reviews.csv: not a Trustpilot export: expected the columns
    Review ID, Review Created (UTC), Review Stars; found: id, name, total``.
    """

    def __init__(self, path: str, platform_name: str, message: str):
        super().__init__(
            [printable(f"{path}: not a {platform_name} export: {message}")],
            printable(f"import: {path} could not be read; nothing was written."),
        )


#: How much of a message about a file is shown: a binary file's "header row" can be kilobytes.
SHOWN_CHARS = 1000


def printable(message: str, limit: int = SHOWN_CHARS) -> str:
    """``message`` safe to print on a terminal: what a file held is shown, never obeyed.

    A binary file read as text "finds" escape sequences and control bytes
    that would move the cursor or change colours; each is shown as its
    code (``\\x1b``) instead, and a message longer than ``limit`` is cut.
    """
    shown = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in message)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


@dataclass
class ImportedProduct:
    """A product as the export knows it; matched to (or created as) a product file."""

    handle: str  # the platform's own product handle or id, used for the product's slug
    name: str = ""
    sku: str = ""
    url: str = ""


@dataclass
class ImportedReply:
    """The shop's reply on the platform. ``status`` only when the export records an outcome."""

    text: str
    date: dt.datetime | None = None  # timezone-aware
    status: str | None = None


@dataclass
class ImportedReview:
    platform: str  # "trustpilot", "google", ...: the word after `imported:` in Source
    platform_id: str  # the platform's own id for the review; the slug is made from it
    where: str  # "file:row" (or "file:#index") for messages
    date: dt.datetime  # timezone-aware, when the review was written
    rating: int | None  # on the platform's own scale, see ``scale``
    scale: int = 5  # 10 for Kiyoh
    title: str = ""
    text: str = ""  # plain text or Markdown; HTML from an export is converted to text by the parser
    author: str = ""  # the name as the platform shows it, in full
    email: str = ""  # private
    #: The order the review is about (Trustpilot's ``Reference Id``): private, written to the
    #: review's ``Order`` field so the page hides it where the reviewer typed it too.
    order: str = ""
    lang: str = ""  # the export's language code, "" when it has none
    updated: dt.datetime | None = None  # last edit on the platform: the later edit wins
    product: ImportedProduct | None = None
    replies: list[ImportedReply] = field(default_factory=list)
    #: The shop replied on the platform on this date, but the export has no reply text.
    replied_on: dt.datetime | None = None
    #: The platform itself invited the reviewer (Trustpilot's AFS, for example): shown as
    #: "invited by <platform>", never as verified by the shop.
    invited_by_platform: bool = False
    #: Imported but withheld, with one of :data:`..content.model.WITHHELD_REASONS`
    #: (a review the platform marked as spam is withheld as ``spam``). A review
    #: merely not approved yet (pending, on hold) is a :class:`Skip` instead.
    withheld: str | None = None


@dataclass(frozen=True)
class Skip:
    """A row read but not imported, and why: the command counts and lists each reason."""

    where: str
    reason: str


@dataclass(frozen=True)
class RowProblem:
    """A row the parser cannot read: ``file:row: field: problem``."""

    where: str
    field: str | None
    message: str

    def __str__(self) -> str:
        if self.field:
            return f"{self.where}: {self.field}: {self.message}"
        return f"{self.where}: {self.message}"


@dataclass
class Batch:
    reviews: list[ImportedReview] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    rows: int = 0  # rows (or objects) read, whatever became of them
