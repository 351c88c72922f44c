"""schema.org JSON-LD for review pages, following Google's review-snippet rules.

* A product's review pages carry a ``Product`` with what the product file
  knows (``name``, ``sku``, ``gtin``, ``brand``, ``image``), an
  ``aggregateRating`` and the ``Review`` of each review shown on that page.
* The shop's own listing carries nothing: ratings of the shop on the
  shop's own site (``Organization``/``LocalBusiness``) are self-serving and
  not eligible for review snippets.
* Reviews imported from another platform are shown but never marked up, and
  they do not count in the marked-up aggregate either; a product page with
  imported reviews shows the marked-up figures too (see shown_apart). A
  review without an author's valid name (see is_a_name) is counted but not
  marked up (Google requires the name).
* Only what the page shows is marked up: not the product file's text, which
  the page does not show.
* The shop's responses stay plain HTML on the page.
* Customer text is JSON-escaped so that nothing (``</script>``, ``<!--``,
  U+2028) can end the ``<script>`` element early.
"""

from __future__ import annotations

import functools
import weakref
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from ..content import privacy, stats
from ..content.model import Review
from ..content.rules import visible
from ..i18n import LANGUAGES, translations
from .build import Build
from .listings import Listing
from .public_data import absolute_or_none, inert_json, plain_text


@dataclass
class _Memo:
    """What one build has worked out: a listing page asks for the same things many times."""

    products: dict[str | None, str | None] = field(default_factory=dict)  # JSON text without "review"
    rated: dict[str | None, bool] = field(default_factory=dict)  # has an aggregateRating
    reviews: dict[str, str] = field(default_factory=dict)  # slug -> JSON text of its Review
    summaries: dict[str | None, stats.Summary] = field(default_factory=dict)  # of the counted reviews


_MEMOS: weakref.WeakKeyDictionary[Any, _Memo] = weakref.WeakKeyDictionary()


#: Google: a reviewer's name "must be shorter than 100 characters".
NAME_MAX = 99


def markable(review: Review) -> bool:
    """May this review be marked up as a schema.org Review (Google requires the author's valid name)?"""
    return (
        not review.imported
        and not review.withheld
        and review.rating is not None
        and is_a_name(review.author, review.lang)
    )


def is_a_name(author: str, lang: str) -> bool:
    """Whether an author's name may be marked up as a Person's name.

    Not a name with nothing visible, not one of 100 characters or more, and
    not one that holds a note of something hidden ("[e-mail address hidden]"
    where a customer typed their address as their name): the review is then
    counted but not marked up, as one without a name.
    """
    name = author.strip()
    if not visible(name) or len(name) > NAME_MAX:
        return False
    return not any(note in name for note in _notes(lang))


@functools.lru_cache(maxsize=64)
def _notes(lang: str) -> tuple[str, ...]:
    # Every language's notes: a name is redacted in its review's language, but a note in
    # any of them is no part of a name.
    notes = (privacy.hidden_notes(translations(code).gettext) for code in (lang, *LANGUAGES))
    found = {note for by_kind in notes for note in by_kind.values()}
    return tuple(sorted(found))


def counted(review: Review) -> bool:
    """Does this review count in the marked-up aggregate? Imported ones do not."""
    return not review.imported and not review.withheld and review.rating is not None


def marked_summary(build: Build, listing: Listing) -> stats.Summary:
    """The figures the markup's aggregate carries: those of the reviews written here (see counted)."""
    memo = _MEMOS.setdefault(build, _Memo())
    summary = memo.summaries.get(listing.product_slug)
    if summary is None:
        summary = stats.summarise([r for r in listing.reviews if counted(r)], build.shop.scale)
        memo.summaries[listing.product_slug] = summary
    return summary


def shown_apart(build: Build, listing: Listing) -> stats.Summary | None:
    """The marked-up figures when they are not the page's own, for the page to show them too.

    A product with imported reviews shows its average of all of them, but the
    markup counts only the reviews written here (Google takes no ratings from
    other sites), and a figure in the markup must be on the page. None on
    the shop's own listing (no markup) and where the two are the same.
    """
    if listing.product_slug is None or listing.product_slug not in build.shop.products:
        return None
    marked = marked_summary(build, listing)
    shown = listing.summary
    if not marked.count or (marked.count, marked.average) == (shown.count, shown.average):
        return None
    return marked


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
    summary = marked_summary(build, listing)
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
