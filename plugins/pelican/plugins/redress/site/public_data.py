"""The public data of a listing as JSON: what ``reviews.json`` and ``embed.json`` hold.

Each published review is in one data file: its product's, or the shop's
``reviews.json`` for a review of the shop itself, whose ``products`` index
says where each product's is. A product's data file is its ``reviews.json``,
or its ``embed.json`` when that already holds every review (no more than the
widget shows, ``"complete": true``); then no ``reviews.json`` is written, and
the index and the file's own ``data`` name the ``embed.json``
(:func:`redress.site.widgets.data_name` decides).

Plain dicts in a fixed key order, dumped with :func:`inert_json`; two builds
of the same content give byte-identical files (the only date that is not a
review's own is ``generated``: the newest review or entry). Only published
reviews, and only their public fields: the private ``Email``/``Order``/
``Phone`` values and a response's ``Note`` are never read here.
``static/reviews.schema.json`` documents every field.

Each review's and thread entry's text is in it once, as plain text
(``body_text``, paragraphs kept as blank lines), not also as HTML: review
services' APIs give plain text, so that is what a shop's developer expects;
plain text is safe in any consumer by construction, where HTML dropped into
``innerHTML`` is one sanitiser mistake away from running a script; and the
formatted text is on the review's own page (``url``). Carrying both cost
4.5 MB of a 10,000-review shop's 127 MB of output.

A shop with ten thousand reviews has a file of megabytes. Each review is
turned into JSON text once, with its card, and that text is reused: by the
shop's file and its product's file, and by the next build while the review's
card fingerprint (the review, its thread, templates and settings) is unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
import operator
import os
import tempfile
import weakref
from collections.abc import Iterable, Iterator
from typing import Any

from ..content import render
from ..content.model import Product, Review, ThreadEntry
from .build import Build
from .listings import Listing
from .urls import Urls

#: Bump when the shape of the data changes (also in reviews.schema.json).
FORMAT = 2
#: Reviews read from the card store and written out in one piece.
FRAGMENTS_AT_ONCE = 500

#: The shop's data file keeps the text of its own reviews in the cache folder, one
#: file per output folder (see :class:`KeptReviews`).
KEPT_REVIEWS_FILES = "redress-data-"


class KeptReviews:
    """The text of the shop's data file's reviews as the last build made it, kept under
    the key of what it was made from: the file's first line.

    Every review of the shop itself is in the shop's ``reviews.json``: at
    100,000 reviews, 15,000 reviews' JSON (16 MB) read back from the card
    cache at every rebuild, 0.2 s, while a new review or answer of a
    product leaves all of them as they were. Only the file's head (the
    summary, the products' index) changes then; the reviews' text is read
    from here. The key is the build key and the reviews' card fingerprints,
    in order: a review's JSON is made with its card. The file is replaced
    whole (written beside, then renamed), so a build that stops leaves the
    last one, which still says rightly what it was made from.
    """

    def __init__(self, path: str | None, key: str):
        self.path = path
        self.key = key

    def pieces(self) -> Iterator[str] | None:
        """The kept text in pieces, or None when none is kept under this key."""
        if self.path is None:
            return None
        try:
            handle = open(self.path, encoding="utf-8", newline="")
        except OSError:
            return None
        try:
            same = handle.readline() == self.key + "\n"
        except (OSError, UnicodeDecodeError):
            same = False
        if not same:
            handle.close()
            return None
        return _read_all(handle)

    def keeping(self, pieces: Iterable[str]) -> Iterator[str]:
        """``pieces`` as they come, kept as they pass; the kept file is replaced once all have.

        A cache folder that cannot be written costs the next build its
        speed, never this build its file.
        """
        out = None
        temporary = ""
        if self.path is not None:
            try:
                handle, temporary = tempfile.mkstemp(
                    dir=os.path.dirname(self.path) or ".", prefix=".tmp-", suffix=".data"
                )
                out = os.fdopen(handle, "w", encoding="utf-8", newline="")
                out.write(self.key + "\n")
            except OSError:
                _closed(out, temporary)
                out = None
        try:
            for piece in pieces:
                if out is not None:
                    try:
                        out.write(piece)
                    except OSError:
                        _closed(out, temporary)
                        out = None
                yield piece
            if out is not None and self.path is not None:
                try:
                    out.close()
                    os.replace(temporary, self.path)
                    out, temporary = None, ""
                except OSError:
                    pass
        finally:
            _closed(out, temporary)


def _read_all(handle: Any) -> Iterator[str]:
    with handle:
        while piece := handle.read(1 << 20):
            yield piece


def _closed(out: Any, temporary: str) -> None:
    """Close and remove a kept file that was not finished (None: nothing to keep)."""
    if out is not None:
        try:
            out.close()
        except OSError:
            pass
    if temporary:
        try:
            os.remove(temporary)
        except OSError:
            pass


#: Characters that could end a <script> element or start an HTML comment, or
#: end a line in old JavaScript parsers. In JSON they only occur inside
#: strings, where the escaped form means the same.
_INERT = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))

#: Plain text of customer HTML, once per build (JSON data and JSON-LD both need it).
_TEXTS: weakref.WeakKeyDictionary[Any, dict[str, str]] = weakref.WeakKeyDictionary()


def inert_json(data: Any) -> str:
    """JSON text that is safe inside a <script> element and never sniffed as HTML."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in _INERT:
        if char in text:
            text = text.replace(char, escaped)
    return text


def plain_text(build: Build, html: str) -> str:
    """The visible text of sanitised HTML, remembered for the rest of the build."""
    if not html:
        return ""
    memo = _TEXTS.setdefault(build, {})
    text = memo.get(html)
    if text is None:
        text = memo[html] = render.html_to_text(html)
    return text


def absolute_or_none(build: Build, url: str) -> str | None:
    """An owner-given address (http(s) or a path on the shop) as an absolute one, or None."""
    if url.startswith(("http://", "https://")):
        return url
    shop = build.shop.settings.get("REVIEWS_SHOP_URL") or ""
    if url.startswith("/") and shop.startswith(("http://", "https://")):
        return shop.rstrip("/") + url
    return None


def _time(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def newest_date(reviews: list[Review]) -> dt.datetime | None:
    """The newest date of the reviews and their thread entries: the data's "generated".

    The reviews' dates and threads are gathered by ``map`` (the shop's listing
    has every review, and most have no thread): a loop in Python over them
    was the biggest single cost of writing the shop's data on a rebuild.
    """
    newest = max(map(_DATE, reviews), default=None)
    for thread in filter(None, map(_THREAD, reviews)):
        for entry in thread:
            date = max(entry.date, entry.updated or entry.date)
            if newest is None or date > newest:
                newest = date
    return newest


_DATE = operator.attrgetter("date")
_THREAD = operator.attrgetter("thread")


def review_data(urls: Urls, review: Review) -> dict[str, Any]:
    """One review's public data: its fields, text and thread, with absolute links."""
    url = urls.absolute(review.url)
    return {
        "id": review.slug,
        "url": url,
        "date": _time(review.date),
        "rating": review.rating,
        "title": review.title,
        "author": review.author,
        "lang": review.lang,
        "product": review.product_slug,
        "labels": {
            "verified": review.verified,
            "source": review.source,
            "platform": review.platform or None,
            "platform_name": review.platform_name or None,
            "platform_invited": review.platform_invited,
        },
        "negative": review.negative,
        "state": review.state,
        "body_text": render.html_to_paragraphs(review.body_html),
        "thread": [_entry(entry, url) for entry in review.thread],
    }


def _entry(entry: ThreadEntry, review_url: str) -> dict[str, Any]:
    return {
        "id": entry.slug,
        "url": f"{review_url}#{entry.anchor}",
        "date": _time(entry.date),
        "updated": _time(entry.updated),
        "by": entry.by,
        "author": entry.author,
        "status": entry.status,
        "remedies": list(entry.remedies),
        "resolved": entry.resolved,
        "body_text": render.html_to_paragraphs(entry.body_html),
    }


def review_fragment(urls: Urls, review: Review) -> str:
    """A review's JSON text as ``reviews.json`` holds it; kept with its card between builds."""
    return inert_json(review_data(urls, review))


class PublicData:
    """Builds the JSON of each listing from JSON text made once per review.

    A review's text is made with its card (:mod:`.cards`), kept between
    builds while the review is unchanged, and read back a few hundred at a
    time: the shop-wide file of a big shop is a hundred megabytes that never
    has to be one string in memory, nor made again for one new review.
    """

    def __init__(self, build: Build, schema_url: str):
        self.build = build
        self.schema_url = schema_url
        self._generated: dict[str | None, dt.datetime | None] = {}

    def generated(self, listing: Listing) -> dt.datetime | None:
        """The listing's newest date (see :func:`newest_date`), worked out once:
        its files' keys and each of its files (``embed.json``, ``reviews.json``) ask."""
        name = listing.product_slug
        if name not in self._generated:
            self._generated[name] = newest_date(listing.reviews)
        return self._generated[name]

    def review(self, review: Review) -> dict[str, Any]:
        return review_data(self.build.urls, review)

    def product(self, product: Product) -> dict[str, Any]:
        urls = self.build.urls
        return {
            "slug": product.slug,
            "title": product.title,
            "sku": product.sku or None,
            "gtin": product.gtin or None,
            "brand": product.brand or None,
            "image": absolute_or_none(self.build, product.image),
            "url": absolute_or_none(self.build, product.url),
            "page": urls.absolute(urls.listing(product.slug)),
        }

    def listing(
        self,
        listing: Listing,
        data_url: str,
        complete: bool = True,
        products: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Everything about one listing but its reviews (``"reviews": []``, always the last key).

        ``products`` is the shop's index of the products' files (only in the
        shop's ``reviews.json``).
        """
        build = self.build
        shop = build.shop
        summary = listing.summary
        product = shop.products.get(listing.product_slug) if listing.product_slug else None
        shop_url = shop.settings.get("REVIEWS_SHOP_URL") or ""
        median = summary.median_first_response
        return {
            "$schema": self.schema_url,
            "format": FORMAT,
            "generated": _time(self.generated(listing)),
            "complete": complete,
            "lang": build.lang,
            "shop": {
                "name": shop.settings["REVIEWS_SHOP_NAME"],
                "url": shop_url if shop_url.startswith(("http://", "https://")) else None,
            },
            "product": self.product(product) if product is not None else None,
            "page": build.urls.absolute(listing.url),
            "data": data_url,
            "scale": shop.scale,
            "summary": {
                "count": summary.count,
                "average": summary.average,
                "distribution": {str(bar.stars): bar.count for bar in summary.bars},
                "open": summary.open_count,
                "resolved": summary.resolved_count,
            },
            "responsiveness": {
                "negative": summary.negative_count,
                "negative_answered": summary.negative_answered,
                "median_first_response_seconds": int(median.total_seconds()) if median is not None else None,
            },
            "withheld": {"total": listing.ledger.total, "by_reason": dict(listing.ledger.by_reason)},
            **({"products": products} if products is not None else {}),
            "reviews": [],
        }

    def product_file(self, listing: Listing, data_url: str) -> dict[str, Any]:
        """A product's entry in the shop's index: where its reviews are, and how many.

        ``data_url`` is the product's data file: its ``reviews.json``, or its
        ``embed.json`` when that holds every review.
        """
        assert listing.product_slug is not None
        product = self.build.shop.products[listing.product_slug]
        return {
            "slug": product.slug,
            "title": product.title,
            "page": self.build.urls.absolute(listing.url),
            "data": data_url,
            "count": len(listing.reviews),
            "average": listing.average,
        }

    def listing_chunks(
        self,
        listing: Listing,
        data_url: str,
        limit: int | None = None,
        products: list[dict[str, Any]] | None = None,
        kept: KeptReviews | None = None,
    ) -> Iterator[str]:
        """The JSON text of one listing, in pieces.

        With ``limit``, only that many newest reviews (``embed.json``):
        ``"complete"`` says whether that is all of them (then ``data_url`` is
        the ``embed.json`` itself for a product). With ``products`` (the
        shop's ``reviews.json``), only the reviews of the shop itself, and the
        index of the products' files that hold the rest.
        """
        if products is not None:
            reviews = [r for r in listing.reviews if r.product_slug is None]
            complete = True
        else:
            reviews = listing.reviews if limit is None else listing.reviews[:limit]
            complete = len(reviews) == len(listing.reviews)
        head = inert_json(self.listing(listing, data_url, complete=complete, products=products))
        assert head.endswith('"reviews":[]}')
        yield head[:-2]
        # ``kept``: the reviews' text as the last build made it, if it is what these give.
        body = kept.pieces() if kept is not None else None
        if body is None:
            body = self._fragments(reviews)
            if kept is not None:
                body = kept.keeping(body)
        yield from body
        yield "]}\n"

    def _fragments(self, reviews: list[Review]) -> Iterator[str]:
        """The reviews' JSON text, comma-separated, read from the card store a few hundred at a time."""
        cards = self.build.cards
        for start in range(0, len(reviews), FRAGMENTS_AT_ONCE):
            part = reviews[start : start + FRAGMENTS_AT_ONCE]
            texts = (
                cards.fragments([r.slug for r in part])
                if cards
                else [review_fragment(self.build.urls, r) for r in part]
            )
            yield ("," if start else "") + ",".join(texts)
