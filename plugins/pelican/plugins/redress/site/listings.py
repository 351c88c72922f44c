"""What each listing holds: its reviews, its filters and how they split into pages.

Pure functions of the shop and the URL rules: no Pelican, no templates, no
files. The generator, the feeds, the widgets and the tests all ask this
module what a listing contains, so a filter or a page number means the same
everywhere.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate

from ..content import stats
from ..content.model import Review
from ..content.shop import Shop
from .urls import Urls


@dataclass(frozen=True)
class FilterLink:
    key: str
    count: int
    url: str  # "" when the filter has no page of its own (empty, or the listing fits one page)
    current: bool


@dataclass(frozen=True)
class ListingPage:
    """One page of one filter of a listing.

    ``number`` 0 is the filter's first page, the newest reviews, with the
    listing's summary. Archive pages are numbered from the oldest review
    (``page/1/`` holds the first REVIEWS_ARCHIVE_PER_PAGE reviews ever written), so a new
    review changes only the newest archive page: ``page/37/`` shows the same
    reviews next month, and a cache or CDN keeps every older page. The
    open and resolved cases are archived by date instead (see
    :func:`dated_spans`): a case answered today leaves one and joins the other.
    """

    key: str
    number: int
    reviews: list[Review]
    #: Archive pages this filter has (0 when its first page holds all of it).
    archive: int
    #: The archive page of the next newer reviews (0: the filter's first page).
    newer: int = 0
    #: The archive page of the next older reviews (0: none). On a first page, the
    #: archive page holding the first review it has no room for.
    older: int = 0
    #: The filter's oldest archive page (0: it has none).
    oldest: int = 0

    @property
    def is_archive(self) -> bool:
        return self.number > 0


@dataclass(frozen=True)
class Listing:
    """One scope of the review section: the whole shop or one product."""

    product_slug: str | None
    reviews: list[Review]
    #: Filter key (``all``, ``stars-5`` … ``stars-1``, ``open``, ``resolved``) to its reviews.
    groups: dict[str, list[Review]]
    scale: int
    ledger: stats.Ledger
    url: str
    save_as: str
    #: Each dated filter's archive (see :func:`dated_spans`), worked out when first asked for.
    _dated: dict[tuple[str, int], list[tuple[int, int, int]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @cached_property
    def summary(self) -> stats.Summary:
        """The listing's figures, worked out when first asked for: the files of a product
        whose reviews did not change are kept without them (see :meth:`.build.Build.unchanged`)."""
        return stats.summarise(self.reviews, self.scale)

    @cached_property
    def average(self) -> float | None:
        """The summary's average alone, for the shop's index of every product's file.

        Counted from the star filters, which hold every rated review: asked of
        each of a catalog's 2,000 products at every build, going through their
        100,000 reviews took a tenth of a second.
        """
        if "summary" in self.__dict__:
            return self.summary.average
        counts = [(stars, len(self.groups[f"stars-{stars}"])) for stars in range(1, self.scale + 1)]
        rated = sum(n for _stars, n in counts)
        if rated != len(self.reviews):  # a review without a rating in scale (made in memory, not read)
            return stats.average(self.reviews)
        return stats.one_decimal(sum(stars * n for stars, n in counts), rated) if rated else None

    def dated(self, key: str, archive_per_page: int) -> list[tuple[int, int, int]]:
        """The archive pages of dated filter ``key``: (number, start, end) into its reviews, oldest first."""
        found = self._dated.get((key, archive_per_page))
        if found is None:
            # Each review's day as its page shows it (a date's ordinal), oldest first.
            days = list(map(_ORDINAL, map(_DATE, reversed(self.groups[key]))))
            found = self._dated[key, archive_per_page] = dated_spans(days, archive_per_page, _EPOCH)
        return found

    def filter_links(self, current: str, per_page: int) -> list[FilterLink]:
        """Every filter of this listing with its count, ``current`` marked; linked if it has a page."""
        return [
            FilterLink(
                key,
                len(items),
                Urls.filtered(self.url, key) if has_page(self, key, per_page) else "",
                key == current,
            )
            for key, items in self.groups.items()
        ]


def has_page(listing: Listing, key: str, per_page: int) -> bool:
    """Whether a filter gets pages of its own.

    Not when it is empty (the filter shows its zero without a link), and not
    on a listing whose reviews all fit its first page: the reader sees every
    one of them, with its stars and state, already there. A product with two
    reviews is one page, not eight copies of it.
    """
    if key == "all":
        return True
    return bool(listing.groups[key]) and len(listing.reviews) > per_page


def archive_slice(items: list[Review], number: int, per_page: int) -> list[Review]:
    """The reviews on archive page ``number`` (from 1, counted from the oldest), newest first.

    ``items`` is newest first, so page 1 is its tail. Only the newest page
    can hold fewer than ``per_page`` reviews.
    """
    total = len(items)
    return items[max(0, total - number * per_page) : total - (number - 1) * per_page]


def archive_page_of(position: int, total: int, per_page: int) -> int:
    """The archive page holding the review at ``position`` (0 = newest) of ``total``."""
    return (total - 1 - position) // per_page + 1


#: Filters whose reviews come and go as cases are answered: their archive is by date.
DATED_FILTERS = frozenset({"open", "resolved"})

#: The dated archive's spans of days are halves of 2^16 days from 1970-01-01 (to
#: 2149, past every date a file may have, see model.DATE_YEARS).
DATED_DAYS_LOG2 = 16
_EPOCH = dt.date(1970, 1, 1).toordinal()
_DATE = operator.attrgetter("date")
_ORDINAL = dt.datetime.toordinal


def dated_spans(days: list[int], per_page: int, origin: int = 0) -> list[tuple[int, int, int]]:
    """A dated filter's archive pages: (number, start, end) into its reviews, oldest first.

    Answering a complaint takes it out of the open cases and into the
    resolved ones, anywhere in time. Pages of a fixed number of reviews
    would all move up by one after it, in both filters: hundreds of pages
    of a big shop for one answer. Here each page is a span of days, halved
    until it holds at most ``per_page`` reviews (a single day holds all of
    its own): spans 1970-01-01 + k * 2^n days long, so a page is decided
    by its own reviews alone. A case that leaves or joins a filter changes
    the page of its day; only when that page fills up does it split in
    two, and only when it and its neighbour fit one page do they join.
    A page's number is its first day counted from 1970 (plus one), so it
    keeps its address however the others split; the archive pages say
    which dates they cover, and link to the next newer and older ones.
    ``days`` is each review's day, oldest first, counted as ``origin`` is
    (a day before the first span or after the last is in it).

    A review's day is the one its page shows, in its own offset; the reviews
    are in the order of their moments. Written in two offsets (the inbox's
    with the shop's, a shop's own script in UTC), a review can show an
    earlier day than the one before it. It is counted on that review's day
    instead (at most a day or two later than its own): the spans are cut
    where the days are in order, so each page is still its days' reviews,
    and its number does not move with reviews on other pages.
    """
    days = list(accumulate(days, max))
    spans: list[tuple[int, int, int]] = []
    per_page = max(1, per_page)

    def split(start: int, end: int, first_day: int, level: int) -> None:
        if end - start <= per_page or level == 0:
            if end > start:
                spans.append((first_day - origin + 1, start, end))
            return
        middle_day = first_day + (1 << (level - 1))
        middle = bisect_left(days, middle_day, start, end)
        split(start, middle, first_day, level - 1)
        split(middle, end, middle_day, level - 1)

    split(0, len(days), origin, DATED_DAYS_LOG2)
    return spans


def listing_pages(listing: Listing, per_page: int, archive_per_page: int) -> Iterator[ListingPage]:
    """Every page of every filter of ``listing``: the first page, then the archive."""
    per_page, archive_per_page = max(1, per_page), max(1, archive_per_page)
    for key, items in listing.groups.items():
        if not has_page(listing, key, per_page):
            continue
        total = len(items)
        if total <= per_page:
            yield ListingPage(key, 0, items, 0)
            continue
        if key not in DATED_FILTERS:
            archive = math.ceil(total / archive_per_page)
            first_older = archive_page_of(per_page, total, archive_per_page)
            yield ListingPage(key, 0, items[:per_page], archive, older=first_older, oldest=1)
            for number in range(1, archive + 1):
                yield ListingPage(
                    key,
                    number,
                    archive_slice(items, number, archive_per_page),
                    archive,
                    newer=number + 1 if number < archive else 0,
                    older=number - 1,
                    oldest=1,
                )
            continue
        spans = listing.dated(key, archive_per_page)
        oldest = spans[0][0]
        # The first review the first page has no room for, counted from the oldest.
        wanted = total - 1 - per_page
        first_older = next(number for number, start, end in spans if start <= wanted < end)
        yield ListingPage(key, 0, items[:per_page], len(spans), older=first_older, oldest=oldest)
        for index, (number, start, end) in enumerate(spans):
            yield ListingPage(
                key,
                number,
                items[total - end : total - start],
                len(spans),
                newer=spans[index + 1][0] if index + 1 < len(spans) else 0,
                older=spans[index - 1][0] if index else 0,
                oldest=oldest,
            )


def archive_numbers(listing: Listing, key: str, per_page: int, archive_per_page: int) -> set[int]:
    """The numbers of a filter's archive pages (none when it has no page, or one holds it all)."""
    per_page, archive_per_page = max(1, per_page), max(1, archive_per_page)
    total = len(listing.groups[key])
    if not has_page(listing, key, per_page) or total <= per_page:
        return set()
    if key in DATED_FILTERS:
        return {number for number, _start, _end in listing.dated(key, archive_per_page)}
    return set(range(1, math.ceil(total / archive_per_page) + 1))


def make_listing(
    shop: Shop, urls: Urls, product_slug: str | None = None, withheld: list[Review] | None = None
) -> Listing:
    """The listing of the whole shop (``None``) or of one product.

    Every star value gets a filter, empty ones too: the low bars are never
    hidden. Open cases and resolved ones are filters of their own.
    ``withheld`` is the listing's withheld reviews, if already sorted out.
    """
    reviews = shop.reviews_of(product_slug)
    if withheld is None:
        withheld = [r for r in shop.withheld if product_slug is None or r.product_slug == product_slug]
    groups: dict[str, list[Review]] = {"all": reviews}
    by_stars: dict[int | None, list[Review]] = {stars: [] for stars in range(shop.scale, 0, -1)}
    open_cases: list[Review] = []
    resolved: list[Review] = []
    for review in reviews:  # one pass, in the listing's order
        if review.rating in by_stars:
            by_stars[review.rating].append(review)
        if review.is_open:
            open_cases.append(review)
        if review.state == "resolved":
            resolved.append(review)
    for stars in range(shop.scale, 0, -1):
        groups[f"stars-{stars}"] = by_stars[stars]
    groups["open"] = open_cases
    groups["resolved"] = resolved
    return Listing(
        product_slug=product_slug,
        reviews=reviews,
        groups=groups,
        scale=shop.scale,
        ledger=stats.ledger(withheld),
        url=urls.listing(product_slug),
        save_as=urls.listing_save_as(product_slug),
    )


def make_listings(shop: Shop, urls: Urls) -> list[Listing]:
    """The shop's listing first, then one per product."""
    # The withheld reviews dealt out to their products once, not looked through per product.
    withheld: dict[str | None, list[Review]] = {}
    for review in shop.withheld:
        withheld.setdefault(review.product_slug, []).append(review)
    return [make_listing(shop, urls, None, shop.withheld)] + [
        make_listing(shop, urls, slug, withheld.get(slug, [])) for slug in shop.products
    ]
