"""The HTML of the review section: each review's card, its own page, and the listings.

A card is rendered once per review (and kept between builds while the
review and its thread are unchanged) and pasted into every page that shows
it; each listing's summary, filters and "How reviews work" block are
rendered once per listing, not once per page.
"""

from __future__ import annotations

import pickle
from functools import partial
from typing import Any

from jinja2 import Template
from markupsafe import Markup
from pelican.cache import FileDataCacher

from ..content.model import Review
from . import structured_data
from .build import Build
from .listings import Listing, page_window, paginate
from .output import digest
from .urls import Urls

#: Heading tags inside a cached card: the card's title is an h3 on a
#: listing and an h2 on the review's own page.
TITLE_MARK = "\x1eh-title\x1e"
PANEL_MARK = "\x1eh-panel\x1e"
CARD_MARKS = {"h_title": TITLE_MARK, "h_panel": PANEL_MARK}


def render_cards(
    shop: Any, env: Any, base: dict[str, Any], settings: dict[str, Any], build_key: str, use_cache: bool
) -> tuple[dict[str, str], dict[str, str]]:
    """Each review's card HTML and fingerprint, reusing last build's when nothing changed."""
    cacher = FileDataCacher(dict(settings, GZIP_CACHE=False), "redress-cards", use_cache, use_cache)
    previous: dict[str, tuple[str, str]] = cacher.get_cached_data("cards", {}) or {}
    template = env.get_template("redress/review_card.html")
    cards: dict[str, str] = {}
    digests: dict[str, str] = {}
    for review in shop.reviews:
        key = digest(build_key, pickle.dumps(review, protocol=pickle.HIGHEST_PROTOCOL))
        cached = previous.get(review.slug)
        cards[review.slug] = (
            cached[1] if cached is not None and cached[0] == key else template.render(base, review=review)
        )
        digests[review.slug] = key
    cacher.cache_data("cards", {slug: (digests[slug], html) for slug, html in cards.items()})
    cacher.save_cache()
    return cards, digests


def card_on_listing(card: str) -> str:
    return card.replace(TITLE_MARK, "h3").replace(PANEL_MARK, "h4")


def card_on_own_page(card: str) -> str:
    return card.replace(TITLE_MARK, "h2").replace(PANEL_MARK, "h3")


def write_review_pages(build: Build, cards: dict[str, str]) -> None:
    """Each review's own page, written in the background while the listings are written.

    The page is made when it is written (in the background process), so
    nothing per review is held in memory until then.
    """
    page = build.template("redress/review.html")
    for review in build.shop.reviews:
        build.pages.write(
            build.urls.review_save_as(review.slug),
            build.card_digests[review.slug],
            partial(render_review_page, build, page, review, cards[review.slug]),
            background=True,
        )


def render_review_page(build: Build, page: Template, review: Review, card: str) -> str:
    return page.render(
        build.base,
        review=review,
        card=Markup(card_on_own_page(card)),
        page_url=build.urls.review(review.slug),
        feed_links=build.feed_links(review.product_slug),
        write_url=build.write_url(review.product_slug),
    )


def write_listing(build: Build, listing: Listing, cards: dict[str, str]) -> None:
    """Every filter and page of one listing."""
    shop = build.shop
    product = shop.products.get(listing.product_slug) if listing.product_slug else None
    scope = dict(
        build.base,
        product=product,
        summary=listing.summary,
        ledger=listing.ledger,
        listing_url=listing.url,
        feed_links=build.feed_links(listing.product_slug),
        write_url=build.write_url(listing.product_slug),
    )
    summary_html = build.template("redress/summary.html").render(scope)
    how_html = build.template("redress/how_reviews_work.html").render(scope)
    template = build.template("redress/listing.html")
    filters_template = build.template("redress/filters.html")
    per_page = int(shop.settings["REVIEWS_PER_PAGE"])
    scope_key = digest(summary_html, how_html, pickle.dumps(product))
    for key, items in listing.groups.items():
        filters_html = filters_template.render(scope, filters=listing.filter_links(key))
        pages = list(paginate(items, per_page))
        page_urls = [Urls.filtered(listing.url, key, number) for number, _ in pages]
        for number, chunk in pages:
            inputs = "|".join(
                [scope_key, filters_html, key, str(number), str(len(pages)), str(len(items))]
                + [build.card_digests[r.slug] for r in chunk]
            )
            chunk_cards = [card_on_listing(cards[r.slug]) for r in chunk]
            context = dict(
                scope,
                filter_key=key,
                summary_html=Markup(summary_html),
                how_html=Markup(how_html),
                filters_html=Markup(filters_html),
                cards=chunk_cards,
                cards_html=Markup("\n".join(chunk_cards)),
                total=len(items),
                first_index=(number - 1) * per_page + 1,
                page_number=number,
                page_count=len(pages),
                page_urls=page_urls,
                page_window=page_window(number, len(pages)),
                page_url=page_urls[number - 1],
                # Structured data on the product's own listing, not on its filters.
                jsonld=structured_data.listing_jsonld(build, listing, chunk) if key == "all" else Markup(""),
            )
            build.pages.write(
                build.urls.filtered_save_as(listing.save_as, key, number),
                inputs,
                partial(template.render, context),
            )
