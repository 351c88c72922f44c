"""What each listing holds: its reviews, its filters and how they split into pages.

Pure functions of the shop and the URL rules: no Pelican, no templates, no
files. The generator, the feeds, the widgets and the tests all ask this
module what a listing contains, so a filter or a page number means the same
everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

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
    reviews next month, and a cache or CDN keeps every older page.
    """

    key: str
    number: int
    reviews: list[Review]
    #: Archive pages this filter has (0 when its first page holds all of it).
    archive: int

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
    summary: stats.Summary
    ledger: stats.Ledger
    url: str
    save_as: str

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


def archive_count(items: int, per_page: int, archive_per_page: int) -> int:
    """Archive pages of a filter; none when its first page (``per_page`` reviews) shows everything."""
    return 0 if items <= max(1, per_page) else math.ceil(items / max(1, archive_per_page))


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


def listing_pages(listing: Listing, per_page: int, archive_per_page: int) -> Iterator[ListingPage]:
    """Every page of every filter of ``listing``: the first page, then the archive."""
    per_page, archive_per_page = max(1, per_page), max(1, archive_per_page)
    for key, items in listing.groups.items():
        if not has_page(listing, key, per_page):
            continue
        archive = archive_count(len(items), per_page, archive_per_page)
        yield ListingPage(key, 0, items[:per_page], archive)
        for number in range(1, archive + 1):
            yield ListingPage(key, number, archive_slice(items, number, archive_per_page), archive)


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
        summary=stats.summarise(reviews, shop.scale),
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
