"""The HTML of the review section: each review's card, its own page, and the listings.

A card is rendered once per review (and kept between builds while the
review and its thread are unchanged, see :mod:`.cards`) and pasted into
every page that shows it; each listing's summary, filters and "How reviews work" block are
rendered once per listing, not once per page.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from functools import partial
from typing import Any

from jinja2 import Template
from markupsafe import Markup

from ..content.model import Review
from . import public_data, structured_data
from .build import Build
from .cards import CardStore
from .listings import Listing, ListingPage, archive_page_of, listing_pages
from .output import digest
from .urls import Urls

#: Heading tags inside a cached card: the card's title is an h3 on a
#: listing and an h2 on the review's own page.
TITLE_MARK = "\x1eh-title\x1e"
PANEL_MARK = "\x1eh-panel\x1e"
CARD_MARKS = {"h_title": TITLE_MARK, "h_panel": PANEL_MARK}


#: The group of the pages of the reviews of the shop itself (no product; a
#: product's slug is a file's name, which has no NUL).
SHOP_REVIEWS = "\x00shop"


def render_cards(
    shop: Any,
    env: Any,
    base: dict[str, Any],
    settings: dict[str, Any],
    build_key: str,
    use_cache: bool,
    urls: Urls,
) -> tuple[CardStore, dict[str, str]]:
    """Each review's card and JSON (made only when its review changed) and its fingerprint."""
    store = CardStore(settings.get("CACHE_PATH") if use_cache else None, settings.get("OUTPUT_PATH", ""))
    template = env.get_template("redress/review_card.html")
    return store, store.update(
        shop.reviews, template, base, build_key, partial(public_data.review_fragment, urls), shop.stamps
    )


def card_on_listing(card: str) -> str:
    return card.replace(TITLE_MARK, "h3").replace(PANEL_MARK, "h4")


def card_on_own_page(card: str) -> str:
    return card.replace(TITLE_MARK, "h2").replace(PANEL_MARK, "h3")


def write_review_pages(build: Build, cards: CardStore) -> None:
    """Each review's own page, written in the background while the listings are written.

    The page is made when it is written (in the background process), so
    nothing per review is held in memory until then.
    """
    page = build.template("redress/review.html")
    for review in build.shop.withheld:
        build.pages.gone(build.urls.review_save_as(review.slug))  # never online, cache or not
    # A product's reviews' pages belong to its group: while its listing is
    # unchanged (the same cards, the same feeds), they are kept with it.
    by_product: dict[str | None, list[Review]] = {}
    for review in build.shop.reviews:
        by_product.setdefault(review.product_slug, []).append(review)
    listings = {listing.product_slug: listing for listing in build.listings}
    for slug, reviews in by_product.items():
        # The card, and the feeds the page announces (a product's appears with its first response).
        announced = digest(repr(build.feed_links(slug)))
        if slug is None:
            # The shop's own reviews (no product) are a group of their own.
            group = SHOP_REVIEWS
            key = digest(announced, *(build.card_digests[r.slug] for r in reviews))
            if build.pages.group_unchanged(group, key):
                continue
        elif build.unchanged(listings[slug]):
            continue
        else:
            group = slug
        with build.pages.group(group):
            for review in reviews:
                build.pages.write(
                    build.urls.review_save_as(review.slug),
                    build.card_digests[review.slug] + announced,
                    partial(render_review_page, build, page, review, cards),
                    background=True,
                )


def render_review_page(build: Build, page: Template, review: Review, cards: CardStore) -> str:
    return page.render(
        build.base,
        review=review,
        card=Markup(card_on_own_page(cards[review.slug])),
        page_url=build.urls.review(review.slug),
        feed_links=build.feed_links(review.product_slug),
        write_url=build.write_url(review.product_slug),
    )


def write_listing(build: Build, listing: Listing, cards: CardStore, part: str) -> None:
    """The pages of every filter of one listing: ``part`` is "first" or "archive".

    A first page carries the listing's summary, filters with counts and the
    "How reviews work" block, so it changes with every review. An archive
    page carries only its own reviews and links that do not move (newer,
    older, the first page), so it is written again only when one of its own
    reviews changes or the newest page fills up. Archive pages go to the
    background writer with the reviews' own pages (call with "archive"
    before it starts, then with "first").
    """
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
    per_page = int(shop.settings["REVIEWS_PER_PAGE"])
    archive_per_page = int(shop.settings["REVIEWS_ARCHIVE_PER_PAGE"])
    # Links to filters with a page of their own; the others show their count unlinked.
    scope["filter_urls"] = {link.key: link.url for link in listing.filter_links("", per_page)}
    # What the summary and "How reviews work" blocks are made of, so an unchanged
    # listing is skipped without rendering them (a shop has a listing per product).
    platforms = sorted({r.platform for r in listing.reviews if r.platform})
    # The structured data's aggregate counts the reviews that may be marked up, not all of them.
    counted = [r.rating for r in listing.reviews if structured_data.counted(r)]
    scope_key = digest(
        repr((len(counted), sum(r or 0 for r in counted))),
        repr(listing.summary),
        repr(listing.ledger),
        pickle.dumps(product),
        repr(scope["feed_links"]),
        scope["write_url"],
        repr(scope["filter_urls"]),
        repr(platforms),
    )
    # What an archive page shows besides its reviews: never a count.
    archive_key = digest(pickle.dumps(product), repr(scope["feed_links"]), scope["write_url"])
    blocks: dict[str, Markup] = {}

    def shared_blocks() -> dict[str, Markup]:
        if not blocks:
            blocks["summary_html"] = Markup(build.template("redress/summary.html").render(scope))
            # "How reviews work" reads the settings, the ledger and two facts of the summary:
            # most products share one, made once.
            summary = listing.summary
            platforms_shown = getattr(summary, "platforms", ())
            how_key = "how:" + repr(
                (listing.ledger, summary.platform_invited, summary.rescaled, platforms_shown)
            )
            how = build.memo.get(how_key)
            if how is None:
                how = build.memo[how_key] = Markup(
                    build.template("redress/how_reviews_work.html").render(scope)
                )
            blocks["how_html"] = how
        return blocks

    def context_of(page: ListingPage, **more: Any) -> dict[str, Any]:
        # Made only for a page that is written: most pages of a rebuild are skipped.
        return dict(
            scope,
            filter_key=page.key,
            page_number=page.number,
            archive_count=page.archive,
            page_url=Urls.filtered(listing.url, page.key, page.number),
            first_url=Urls.filtered(listing.url, page.key),
            oldest_url=Urls.filtered(listing.url, page.key, 1) if page.archive else "",
            **more,
        )

    for page in listing_pages(listing, per_page, archive_per_page):
        if page.is_archive != (part == "archive"):
            continue
        items = listing.groups[page.key]
        digests = [build.card_digests[r.slug] for r in page.reviews]
        save_as = build.urls.filtered_save_as(listing.save_as, page.key, page.number)
        if page.is_archive:
            newer = page.number + 1 if page.number < page.archive else 0
            inputs = "|".join([archive_key, "archive", page.key, str(page.number), str(newer), *digests])
            build.pages.write(
                save_as,
                inputs,
                partial(_render_archive, build, context_of, page, newer, cards, listing),
                background=True,
            )
            continue
        older = ""
        if page.archive:
            # The archive page holding the first review this page has no room for.
            number = archive_page_of(len(page.reviews), len(items), archive_per_page)
            older = Urls.filtered(listing.url, page.key, number) + "#" + items[len(page.reviews)].anchor
        filters = listing.filter_links(page.key, per_page)
        inputs = "|".join([scope_key, repr(filters), page.key, str(len(items)), older, *digests])
        context = partial(context_of, page, filters=filters, total=len(items), older_url=older)
        build.pages.write(
            save_as, inputs, partial(_render_first, build, context, page, cards, listing, shared_blocks)
        )


def _with_cards(context: dict[str, Any], page: ListingPage, cards: CardStore) -> dict[str, Any]:
    chunk = [card_on_listing(card) for card in cards.many([r.slug for r in page.reviews])]
    return dict(context, cards=chunk, cards_html=Markup("\n".join(chunk)))


def _render_archive(
    build: Build,
    context_of: Callable[..., dict[str, Any]],
    page: ListingPage,
    newer: int,
    cards: CardStore,
    listing: Listing,
) -> str:
    context = context_of(
        page,
        newer_url=Urls.filtered(listing.url, page.key, newer),
        older_url=Urls.filtered(listing.url, page.key, page.number - 1) if page.number > 1 else "",
        first_date=page.reviews[-1].date,
        last_date=page.reviews[0].date,
    )
    return build.template("redress/archive.html").render(_with_cards(context, page, cards))


def _render_first(
    build: Build,
    context: Callable[[], dict[str, Any]],
    page: ListingPage,
    cards: CardStore,
    listing: Listing,
    shared_blocks: Callable[[], dict[str, Markup]],
) -> str:
    full = _with_cards(context(), page, cards)
    full.update(shared_blocks())
    full["filters_html"] = Markup(build.template("redress/filters.html").render(full))
    # Structured data on the product's own listing, not on its filters.
    full["jsonld"] = (
        structured_data.listing_jsonld(build, listing, page.reviews) if page.key == "all" else Markup("")
    )
    return build.template("redress/listing.html").render(full)
