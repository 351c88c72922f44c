"""The content model: reviews, thread entries (responses), products.

Everything in Redress (the page plugin, the feeds, the widgets, the inbox,
the CLI) works on these objects, and validates through the functions here,
so a rule about what a review may contain is written once. Values arrive as
strings (from a file's metadata or a form post) and leave as typed fields or
as :class:`Problem` lines a shop owner can act on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..errors import RedressError
from .rules import SLUG_RE, slug_words

SOURCES = ("invited", "organic")
IMPORTED_PREFIX = "imported:"
#: The platforms ``redress import`` reads, by the word after ``imported:`` in
#: ``Source``, as the page names them. A platform typed by hand that is not
#: here is shown as it was typed. (The page cannot ask the importer: the
#: content room is below it.)
PLATFORM_NAMES = {
    "trustpilot": "Trustpilot",
    "google": "Google",
    "google-play": "Google Play",
    "woocommerce": "WooCommerce",
    "shopify": "Shopify",
    "judgeme": "Judge.me",
    "kiyoh": "Kiyoh",
}
WITHHELD_REASONS = ("spam", "personal-data", "defamation", "not-a-customer", "duplicate")
STATUSES = ("in-progress", "resolved", "no-action")
REMEDIES = (
    "apology",
    "refund",
    "replacement",
    "repair",
    "discount",
    "explanation",
    "other",
)
AUTHORS = ("shop", "customer")
YES = ("yes", "true", "ja", "jah", "1")
NO = ("no", "false", "nee", "ei", "0")

REVIEW_KEYS = (
    "title",
    "date",
    "rating",
    "author",
    "product",
    "lang",
    "source",
    "verified",
    "email",
    "order",
    "phone",
    "withheld",
    # Only on reviews imported from a platform (Source: imported:<platform>):
    "invited",  # yes: the platform invited the reviewer ("Invited by Trustpilot")
    "replied",  # the date the shop replied on the platform, when the export has no reply text
)
#: Keys whose values must never reach a public file.
PRIVATE_KEYS = ("email", "order", "phone", "note")
RESPONSE_KEYS = (
    "review",
    "date",
    "from",
    "status",
    "remedy",
    "resolved",
    "author",
    "updated",
    "note",
)
PRODUCT_KEYS = ("title", "sku", "gtin", "brand", "url", "image")

#: What a review form accepts, checked the same way by the form (in the
#: browser) and by the inbox (on the server).
LIMITS = {
    "title": 120,
    "text_min": 10,
    "text": 5000,
    "name": 60,
    "email": 254,
    "order": 40,
}

#: First path segments the review section uses itself; a review slug may not
#: take one of them.
RESERVED_SLUGS = frozenset(
    {
        "page",
        "products",
        "write",
        "widgets",
        "stars",
        "open",
        "resolved",
        "static",
        "thanks",
        "follow-up",
        "privacy",
        "feed",
        "feed.rss",
        "feed.atom",
        "reviews.json",
        "reviews.schema.json",
        "index.html",
    }
)
#: The years a date in a file may have. Year 1 or 9999 is a typo, and neither
#: survives a page (an HTML ``datetime``, a feed, a time zone shift); the range
#: is fixed, not "until tomorrow", so a build of the same files never changes.
DATE_YEARS = (1970, 2100)
LANG_RE = re.compile(r"^[a-zA-Z]{2,3}([_-][a-zA-Z0-9]{2,8})*$")
URL_RE = re.compile(r"^(https?://[^\s<>\"']+|/[^\s<>\"']*)$")


def _pickled_as_fields(cls: type[Any]) -> type[Any]:
    """Pickle ``cls`` as itself and its field values in order, made again by calling it.

    The parse cache holds one of these per file (132,000 objects at
    100,000 reviews) and every build loads them all. Pickle's own way with
    a slotted dataclass sets each field by name, after a dictionary of
    them: a third of the load's time. A tuple given to the class is loaded
    in two thirds of it (0.46 s against 0.69 s at 100,000 reviews), and
    the file is a tenth smaller. Every field is passed, so nothing is left
    to a default; a field added to the class changes this module, and so
    the cache's name (:data:`~redress.content.reader.PARSING_MODULES`).
    The values are made before the object, so no object may reach itself
    through its fields: none does (an entry names its review by slug).
    """
    names = tuple(f.name for f in dataclasses.fields(cls))
    if len(names) < 2 or any(not f.init for f in dataclasses.fields(cls)):
        raise TypeError(f"{cls.__name__}: pickled as fields only with two or more fields, all passed to it")
    values = operator.attrgetter(*names)  # a tuple, for two or more names

    def __reduce__(self: Any) -> tuple[type[Any], tuple[Any, ...]]:
        if type(self) is not cls:
            # A subclass's own fields would be lost: it must be made so itself.
            raise TypeError(f"{type(self).__name__} must be decorated with _pickled_as_fields too")
        return (cls, values(self))

    cls.__reduce__ = __reduce__  # type: ignore[assignment]
    return cls


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file, said so the shop owner can fix it."""

    path: str
    field: str | None
    message: str

    def __str__(self) -> str:
        if self.field:
            return f"{self.path}: {self.field}: {self.message}"
        return f"{self.path}: {self.message}"


class ContentError(RedressError):
    """The content has problems; the build stops and lists all of them."""

    def __init__(self, problems: list[Problem]):
        super().__init__(
            problems,
            f"reviews: {len(problems)} problem(s) in the review files; nothing was published. "
            "Fix the lines above and build again.",
        )


@_pickled_as_fields
@dataclass(slots=True)
class Product:
    slug: str
    title: str
    sku: str = ""
    gtin: str = ""
    brand: str = ""
    url: str = ""
    image: str = ""
    description_html: str = ""
    source_path: str = ""
    #: The product's review page in this section (set by the page plugin);
    #: ``url`` above is the product's page in the shop.
    page_url: str = ""


@_pickled_as_fields
@dataclass(slots=True)
class ThreadEntry:
    """One entry in the thread under a review: a shop response or a customer follow-up."""

    slug: str
    review_slug: str
    date: dt.datetime
    by: str  # "shop" | "customer"
    author: str = ""
    status: str | None = None
    remedies: tuple[str, ...] = ()
    resolved: bool | None = None
    updated: dt.datetime | None = None
    body_html: str = ""
    source_path: str = ""
    #: Whether the file has a private ``Note`` (its words are never kept): the
    #: desk leaves a case the shop closed as ``no-action`` with a note alone.
    noted: bool = False
    #: What the reader hid in a shop's entry, as :func:`privacy.fingerprint`\ s,
    #: and which of the reviewer's private fields (email, order, phone) the
    #: entry quoted, as the shop found when it linked the thread. For the
    #: desk's ``contact-data`` rule; never shown.
    hidden: frozenset[str] = field(default_factory=frozenset, repr=False)
    quoted: tuple[str, ...] = ()

    @property
    def by_shop(self) -> bool:
        return self.by == "shop"

    @property
    def anchor(self) -> str:
        return "entry-" + self.slug


@_pickled_as_fields
@dataclass(slots=True)
class Review:
    slug: str
    date: dt.datetime
    rating: int | None
    title: str = ""
    author: str = ""
    product_slug: str | None = None
    lang: str = ""
    source: str = "organic"  # "invited" | "organic" | "imported"
    platform: str = ""  # for imported reviews: where from
    verified: bool = False
    withheld: str | None = None
    #: Imported reviews: the platform invited the reviewer (``Invited: yes``). Never "verified":
    #: the shop did not check the order, the platform asked whoever it asks.
    platform_invited: bool = False
    #: Imported reviews: the shop replied on the platform then, but the export kept no words
    #: (``Replied:``). The page says so; the case counts as answered.
    replied_on: dt.datetime | None = None
    body_html: str = ""
    source_path: str = ""
    #: Private values (e-mail, order, phone): kept for the inbox and checks,
    #: never handed to a template.
    private: dict[str, str] = field(default_factory=dict, repr=False)
    thread: list[ThreadEntry] = field(default_factory=list)
    product: Product | None = None
    # Filled in by shop.load_shop() and the page plugin; read by templates.
    negative: bool = False
    state: str = "none"
    url: str = ""

    @property
    def anchor(self) -> str:
        return "review-" + self.slug

    @property
    def imported(self) -> bool:
        return self.source == "imported"

    @property
    def platform_name(self) -> str:
        """``Trustpilot`` for ``imported:trustpilot``; an unknown platform as it was typed."""
        return platform_name(self.platform)

    @property
    def first_response(self) -> ThreadEntry | None:
        for entry in self.thread:
            if entry.by_shop and entry.body_html:
                return entry
        return None

    @property
    def customer_verdict(self) -> ThreadEntry | None:
        """The customer's latest say on whether it was fixed."""
        for entry in reversed(self.thread):
            if not entry.by_shop and entry.resolved is not None:
                return entry
        return None

    @property
    def is_open(self) -> bool:
        return self.negative and self.state in OPEN_STATES


#: States of a negative review that is not settled: nothing from the shop
#: yet, work under way, answered without an outcome, or the customer says
#: the shop's "resolved" did not fix it.
OPEN_STATES = frozenset({"awaiting", "in-progress", "answered", "disputed"})


def case_state(review: Review) -> str:
    """Where the case of a review stands, read from its thread alone.

    The customer's own word outranks the shop's claim: a "resolved" followed
    by a customer follow-up saying "no" is disputed, not resolved.
    """
    last_status: ThreadEntry | None = None
    answered = False
    for entry in review.thread:
        if entry.by_shop:
            if entry.status:
                last_status = entry
            if entry.body_html:
                answered = True
    if last_status is not None:
        if last_status.status == "resolved":
            later = [
                e
                for e in review.thread
                if not e.by_shop and e.resolved is not None and e.date >= last_status.date
            ]
            if later and later[-1].resolved is False:
                return "disputed"
            return "resolved"
        return last_status.status or "answered"
    if answered or review.replied_on is not None:
        # A reply on the platform whose words the export did not keep is still an answer.
        return "answered"
    return "awaiting" if review.negative else "none"


def platform_name(platform: str) -> str:
    """The name a visitor knows a platform by (see :data:`PLATFORM_NAMES`)."""
    return PLATFORM_NAMES.get(platform.strip().lower(), platform)


#: The rating scale of each platform in :data:`PLATFORM_NAMES` that does not rate with 1 to 5 stars.
PLATFORM_SCALES = {"kiyoh": 10}


def platform_scale(platform: str) -> int | None:
    """The scale a known platform rates on; None for a platform typed by hand."""
    key = platform.strip().lower()
    return PLATFORM_SCALES.get(key, 5) if key in PLATFORM_NAMES else None


def rescale(rating: int, scale: int, to: int) -> int:
    """A rating on ``scale`` as the nearest whole rating on ``to``, on a straight line between the ends.

    The worst stays the worst and the best the best. From 1-10 to 5 stars
    that is half the rating rounded up (1-2 is 1 star, 3-4 is 2, 5-6 is 3,
    7-8 is 4, 9-10 is 5); from 5 stars to 1-10: 1, 3, 6, 8, 10. "How
    reviews work" says so on every page that shows such a review.
    """
    if scale == to:
        return rating
    exact = Decimal(1) + Decimal(rating - 1) * Decimal(to - 1) / Decimal(scale - 1)
    return int(exact.quantize(Decimal(1), ROUND_HALF_UP))


# --- validation of single values -------------------------------------------
# Each returns (value, problem message or None). Field functions are shared
# by the file reader and the inbox so both accept exactly the same input.


def parse_rating(value: str, scale: int) -> tuple[int | None, str | None]:
    text = value.strip()
    if re.fullmatch(r"[0-9]{1,2}", text):
        number = int(text)
        if 1 <= number <= scale:
            return number, None
    return None, f"{value!r} is not a whole number from 1 to {scale}"


def parse_yes_no(value: str) -> tuple[bool | None, str | None]:
    text = value.strip().lower()
    if text in YES:
        return True, None
    if text in NO:
        return False, None
    return None, f"{value!r} is not yes or no"


def parse_source(value: str) -> tuple[tuple[str, str] | None, str | None]:
    text = value.strip()
    low = text.lower()
    if low in SOURCES:
        return (low, ""), None
    if low.startswith(IMPORTED_PREFIX) and text[len(IMPORTED_PREFIX) :].strip():
        return ("imported", text[len(IMPORTED_PREFIX) :].strip()), None
    return None, (
        f"{value!r} is not a known source; use invited, organic or "
        "imported:<platform> (for example imported:trustpilot)"
    )


def parse_choice(value: str, allowed: tuple[str, ...]) -> tuple[str | None, str | None]:
    text = value.strip().lower()
    if text in allowed:
        return text, None
    return None, f"{value!r} is not allowed; use one of: {', '.join(allowed)}"


def parse_remedies(value: str) -> tuple[tuple[str, ...], str | None]:
    items = [item.strip().lower() for item in value.split(",") if item.strip()]
    unknown = [item for item in items if item not in REMEDIES]
    if unknown:
        return (), (
            f"{', '.join(repr(u) for u in unknown)} not allowed; "
            f"use one or more of: {', '.join(REMEDIES)} (comma-separated)"
        )
    return tuple(dict.fromkeys(items)), None


def check_date_range(value: str, date: dt.datetime) -> str | None:
    """A date outside :data:`DATE_YEARS`, said as the problem of the field that holds it."""
    first, last = DATE_YEARS
    if first <= date.year <= last:
        return None
    return f"{value!r} is not a date between {first} and {last}; check the year"


#: Language codes ISO 639 replaced, which Java and Android still write (a Google Play
#: export's ``iw`` for Hebrew): a lang="iw" is no language to a browser or screen reader.
_REPLACED_LANGS = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro"}


#: The longest language tag read: RFC 5646 asks every reader to take 35 characters
#: (a language, extlangs, script, region and variants); a tag is written into each
#: review's ``lang`` attributes, so a longer one would only weigh down the pages.
LANG_MAX = 35


def parse_lang(value: str) -> tuple[str | None, str | None]:
    text = value.strip()
    if len(text) > LANG_MAX:
        shown = text[:20] + "…"
        return None, f"{shown!r} is longer than {LANG_MAX} characters; use a language code like nl, en or et"
    if LANG_RE.match(text):
        code = text.replace("_", "-").lower()
        primary, _, rest = code.partition("-")
        if primary in _REPLACED_LANGS:
            code = _REPLACED_LANGS[primary] + (f"-{rest}" if rest else "")
        return code, None
    return None, f"{value!r} is not a language code; use one like nl, en or et"


def parse_url(value: str) -> tuple[str | None, str | None]:
    text = value.strip()
    if URL_RE.match(text):
        return text, None
    return None, f"{value!r} is not an http(s) address or a path starting with /"


def parse_gtin(value: str) -> tuple[str | None, str | None]:
    digits = value.strip().replace(" ", "")
    if not re.fullmatch(r"[0-9]{8}|[0-9]{12,14}", digits):
        return None, f"{value!r} is not a GTIN (8, 12, 13 or 14 digits)"
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    if (10 - total % 10) % 10 != check:
        return None, f"{value!r} has a wrong check digit"
    return digits, None


#: The longest name a file's suggested new name keeps (file systems allow 255 bytes).
FILE_SLUG_CHARS = 200


def check_slug(slug: str, kind: str) -> str | None:
    if not SLUG_RE.match(slug):
        # The whole name lower-cased, not a few of its words: two files told to take
        # the same name (dated reviews often share their first words) would clash.
        suggestion = "-".join(slug_words(slug))[:FILE_SLUG_CHARS].strip("-") or kind
        return (
            f"the file name {slug!r} cannot be used in a web address; "
            f"use lowercase letters, digits and hyphens, e.g. {suggestion}.md"
        )
    if kind == "review" and slug in RESERVED_SLUGS:
        return (
            f"the file name {slug!r} is a path the review section uses itself "
            f"({', '.join(sorted(RESERVED_SLUGS))}); rename the file, e.g. {slug}-review.md"
        )
    return None


def unknown_keys(meta: dict[str, Any], known: tuple[str, ...]) -> list[str]:
    return [key for key in meta if key not in known]
