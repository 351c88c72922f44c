"""schema.org JSON-LD for review pages, following Google's review-snippet rules.

* A product's review pages carry a ``Product`` with what the product file
  knows (``name``, ``sku``, ``gtin``, ``brand``, ``image``), an
  ``aggregateRating`` and the ``Review`` of each review shown on that page.
* The shop's own listing carries nothing: ratings of the shop on the
  shop's own site (``Organization``/``LocalBusiness``) are self-serving and
  not eligible for review snippets.
* Reviews imported from another platform are shown but never marked up, and
  they do not count in the marked-up aggregate either. A review without an
  author's name is counted but not marked up (Google requires the name).
* The shop's responses stay plain HTML on the page.
* Customer text is JSON-escaped so that nothing (``</script>``, ``<!--``,
  U+2028) can end the ``<script>`` element early.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from ..content import stats
from ..content.model import Review
from .build import Build
from .listings import Listing
from .public_data import absolute_or_none, inert_json, plain_text


@dataclass
class _Memo:
    """What one build has worked out: a listing page asks for the same things many times."""

    products: dict[str | None, str | None] = field(default_factory=dict)  # JSON text without "review"
    rated: dict[str | None, bool] = field(default_factory=dict)  # has an aggregateRating
    reviews: dict[str, str] = field(default_factory=dict)  # slug -> JSON text of its Review


_MEMOS: weakref.WeakKeyDictionary[Any, _Memo] = weakref.WeakKeyDictionary()


def markable(review: Review) -> bool:
    """May this review be marked up as a schema.org Review (Google requires the author's name)?"""
    return (
        not review.imported
        and not review.withheld
        and review.rating is not None
        and bool(review.author.strip())
    )


def counted(review: Review) -> bool:
    """Does this review count in the marked-up aggregate? Imported ones do not."""
    return not review.imported and not review.withheld and review.rating is not None


def listing_jsonld(build: Build, listing: Listing, reviews: list[Any]) -> Markup:
    """The JSON-LD block for one page of a listing (empty where none is allowed)."""
    if listing.product_slug is None:
        return Markup("")
    memo = _MEMOS.setdefault(build, _Memo())
    if listing.product_slug not in memo.products:
        node = product_node(build, listing)
        memo.products[listing.product_slug] = inert_json(node) if node is not None else None
        memo.rated[listing.product_slug] = node is not None and "aggregateRating" in node
    head = memo.products[listing.product_slug]
    if head is None:
        return Markup("")
    marked = []
    for review in reviews:
        if markable(review):
            text = memo.reviews.get(review.slug)
            if text is None:
                text = memo.reviews[review.slug] = inert_json(review_node(build, review))
            marked.append(text)
    if not marked and not memo.rated[listing.product_slug]:
        return Markup("")
    if marked:
        head = head[:-1] + ',"review":[' + ",".join(marked) + "]}"
    return Markup('<script type="application/ld+json">' + head + "</script>")


def product_node(build: Build, listing: Listing) -> dict[str, Any] | None:
    product = build.shop.products.get(listing.product_slug) if listing.product_slug else None
    if product is None:
        return None
    urls = build.urls
    node: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "@id": urls.absolute(listing.url) + "#product",
        "name": product.title,
    }
    description = plain_text(build, product.description_html)
    if description:
        node["description"] = description
    if product.sku:
        node["sku"] = product.sku
    if product.gtin:
        node["gtin"] = product.gtin
    if product.brand:
        node["brand"] = {"@type": "Brand", "name": product.brand}
    image = absolute_or_none(build, product.image)
    if image:
        node["image"] = image
    shop_page = absolute_or_none(build, product.url)
    if shop_page:
        node["url"] = shop_page
    scale = build.shop.scale
    summary = stats.summarise([r for r in listing.reviews if counted(r)], scale)
    if summary.count and summary.average is not None:
        node["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": summary.average,
            "reviewCount": summary.count,
            "bestRating": scale,
            "worstRating": 1,
        }
    return node


def review_node(build: Build, review: Review) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@type": "Review",
        "url": build.urls.absolute(review.url),
        "author": {"@type": "Person", "name": review.author.strip()},
        "datePublished": review.date.isoformat(),
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": review.rating,
            "bestRating": build.shop.scale,
            "worstRating": 1,
        },
    }
    if review.title:
        node["name"] = review.title
    body = plain_text(build, review.body_html)
    if body:
        node["reviewBody"] = body
    if review.lang:
        node["inLanguage"] = review.lang
    return node
