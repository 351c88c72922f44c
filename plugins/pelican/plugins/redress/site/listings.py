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
    url: str
    current: bool


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

    def filter_links(self, current: str) -> list[FilterLink]:
        """Every filter of this listing with its count, ``current`` marked."""
        return [
            FilterLink(key, len(items), Urls.filtered(self.url, key), key == current)
            for key, items in self.groups.items()
        ]


def make_listing(shop: Shop, urls: Urls, product_slug: str | None = None) -> Listing:
    """The listing of the whole shop (``None``) or of one product.

    Every star value gets a filter, empty ones too: the low bars are never
    hidden. Open cases and resolved ones are filters of their own.
    """
    reviews = shop.reviews_of(product_slug)
    withheld = [r for r in shop.withheld if product_slug is None or r.product_slug == product_slug]
    groups: dict[str, list[Review]] = {"all": reviews}
    for stars in range(shop.scale, 0, -1):
        groups[f"stars-{stars}"] = [r for r in reviews if r.rating == stars]
    groups["open"] = [r for r in reviews if r.is_open]
    groups["resolved"] = [r for r in reviews if r.state == "resolved"]
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
    return [make_listing(shop, urls, None)] + [make_listing(shop, urls, slug) for slug in shop.products]


def page_count(items: int, per_page: int) -> int:
    """Pages a filter needs; an empty filter still has its one page saying so."""
    return max(1, math.ceil(items / max(1, per_page)))


def paginate(items: list[Review], per_page: int) -> Iterator[tuple[int, list[Review]]]:
    """Page numbers (from 1) with the reviews on each page."""
    per_page = max(1, per_page)
    for number in range(1, page_count(len(items), per_page) + 1):
        yield number, items[(number - 1) * per_page : number * per_page]


def page_window(number: int, count: int, around: int = 2) -> list[int | None]:
    """Page numbers to link: first, last, and a few around the current; None is a gap."""
    shown = sorted({1, count, *range(max(1, number - around), min(count, number + around) + 1)})
    window: list[int | None] = []
    for page in shown:
        if window and page - (window[-1] or 0) > 1:
            window.append(None)
        window.append(page)
    return window
