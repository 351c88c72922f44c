"""Where each page of the review section lives.

One place computes every URL and file name, from the REVIEWS_*_URL
settings, so pages, feeds and widgets all link to the same addresses.
Filter and archive pages hang below the listing they filter:
``<listing>stars/2/``, ``<listing>open/``, ``<listing>page/3/`` (archive
pages count from the oldest review, so their addresses keep their reviews).
"""

from __future__ import annotations

import logging
from typing import Any

from ..content.settings import save_as_for

logger = logging.getLogger(__name__)

FILTERS_FIXED = ("open", "resolved")


class Urls:
    def __init__(self, rs: dict[str, Any], siteurl: str = ""):
        self.rs = rs
        self.siteurl = siteurl.rstrip("/")
        self._warned = False

    @property
    def published(self) -> bool:
        """Whether SITEURL is the real, absolute address (not a local preview)."""
        return self.siteurl.startswith(("http://", "https://"))

    def absolute(self, url: str) -> str:
        """An absolute address for feeds, widgets and structured data.

        These are read outside the site (a feed reader, another shop page, a
        search engine), where a relative link means nothing. A build without
        SITEURL (a local preview) uses REVIEWS_PREVIEW_URL and says so.
        """
        base = self.siteurl
        if not base.startswith(("http://", "https://")):
            base = self.rs["REVIEWS_PREVIEW_URL"].rstrip("/") + ("/" + base.strip("/") if base else "")
            if not self._warned:
                logger.warning(
                    "reviews: SITEURL is not an absolute address, so feeds and widgets link to %s "
                    "(fine for a local preview; set SITEURL, e.g. in publishconf.py, before you publish)",
                    base,
                )
                self._warned = True
        return f"{base}/{url}"

    def listing(self, product_slug: str | None = None) -> str:
        if product_slug is None:
            return self.rs["REVIEWS_INDEX_URL"]
        return self.rs["REVIEWS_PRODUCT_URL"].format(slug=product_slug)

    def listing_save_as(self, product_slug: str | None = None) -> str:
        if product_slug is None:
            return self.rs["REVIEWS_INDEX_SAVE_AS"]
        return self.rs["REVIEWS_PRODUCT_SAVE_AS"].format(slug=product_slug)

    @staticmethod
    def filtered(base: str, key: str, page: int = 0) -> str:
        """The URL of one filter (``all``, ``stars-N``, ``open``, ``resolved``) of a listing.

        ``page`` 0 is the filter's first page (the newest reviews); ``page/N/``
        is archive page N, counted from the oldest review (see
        :class:`~redress.site.listings.ListingPage`).
        """
        url = base
        if key.startswith("stars-"):
            url += f"stars/{key[6:]}/"
        elif key != "all":
            url += f"{key}/"
        if page > 0:
            url += f"page/{page}/"
        return url

    def filtered_save_as(self, base_save_as: str, key: str, page: int = 0) -> str:
        folder = base_save_as.rsplit("/", 1)[0] + "/" if "/" in base_save_as else ""
        return save_as_for(self.filtered(folder, key, page)) if (key != "all" or page > 0) else base_save_as

    def review(self, slug: str) -> str:
        return self.rs["REVIEWS_REVIEW_URL"].format(slug=slug)

    def review_save_as(self, slug: str) -> str:
        return self.rs["REVIEWS_REVIEW_SAVE_AS"].format(slug=slug)

    def feed(self, kind: str, product_slug: str | None = None) -> str | None:
        """The feed of one listing: ``kind`` is "rss" or "atom"; None when turned off."""
        key = (
            f"REVIEWS_FEED_{kind.upper()}" if product_slug is None else f"REVIEWS_PRODUCT_FEED_{kind.upper()}"
        )
        url = self.rs[key]
        return url.format(slug=product_slug) if url else None

    def save_as(self, url: str) -> str:
        return save_as_for(url)

    def write(self, product_slug: str | None = None) -> str:
        """The review form: for the shop (with a product list) or for one product."""
        base = self.rs["REVIEWS_INDEX_URL"] + "write/"
        return base + f"{product_slug}/" if product_slug else base

    def thanks(self, kind: str = "review") -> str:
        """Where the inbox sends a customer after a review, or after a follow-up."""
        base = self.rs["REVIEWS_INDEX_URL"] + "thanks/"
        return base if kind == "review" else base + "follow-up/"

    def follow_up(self) -> str:
        return self.rs["REVIEWS_INDEX_URL"] + "follow-up/"

    def privacy(self) -> str:
        """The built-in privacy note (written when REVIEWS_PRIVACY_URL is None)."""
        return self.rs["REVIEWS_INDEX_URL"] + "privacy/"

    def static(self, name: str) -> str:
        return self.rs["REVIEWS_STATIC_URL"] + name
