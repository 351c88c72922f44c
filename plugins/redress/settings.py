"""Every REVIEWS_* default in one place.

A site's ``pelicanconf.py`` overrides any of these; :func:`get_settings`
overlays them on these defaults, so the rest of the package never has to
guess a default of its own. The README's settings table mirrors this file.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    # Where the shop owner keeps the files, relative to Pelican's PATH.
    "REVIEWS_REVIEW_DIR": "reviews",
    "REVIEWS_RESPONSE_DIR": "responses",
    "REVIEWS_PRODUCT_DIR": "products",
    # The rating scale: 5 (stars) or 10.
    "REVIEWS_SCALE": 5,
    # Ratings at or below this count as negative. None: 2 on a 1..5 scale,
    # 4 on a 1..10 scale.
    "REVIEWS_NEGATIVE_MAX": None,
    "REVIEWS_PER_PAGE": 20,
    # The shop's name on the pages; None uses SITENAME.
    "REVIEWS_SHOP_NAME": None,
    # URLs, in the manner of Pelican's *_URL / *_SAVE_AS. A SAVE_AS of None
    # is the URL plus "index.html".
    "REVIEWS_INDEX_URL": "reviews/",
    "REVIEWS_INDEX_SAVE_AS": None,
    "REVIEWS_REVIEW_URL": "reviews/{slug}/",
    "REVIEWS_REVIEW_SAVE_AS": None,
    "REVIEWS_PRODUCT_URL": "reviews/products/{slug}/",
    "REVIEWS_PRODUCT_SAVE_AS": None,
    "REVIEWS_STATIC_URL": "reviews/static/",
    # Publication rules, shown in "How reviews work". The hold window is the
    # same for every review whatever its rating.
    "REVIEWS_HOLD_HOURS": 0,
    # A sentence describing an incentive for reviewing, or None for none.
    # Whatever it is, it never depends on the rating.
    "REVIEWS_INCENTIVE": None,
    # How the shop checks that a reviewer bought something; None uses the
    # built-in text (an order behind invited or checked reviews).
    "REVIEWS_VERIFICATION": None,
    # The shop's promise about responses; None uses the built-in text.
    "REVIEWS_RESPONSE_POLICY": None,
    # Link to the shop's privacy notice (shown next to forms); optional.
    "REVIEWS_PRIVACY_URL": None,
    # Link back to the shop itself; None uses SITEURL.
    "REVIEWS_SHOP_URL": None,
    # The response feeds (RSS 2.0 and Atom); None turns one off.
    "REVIEWS_FEED_RSS": "reviews/feed.rss",
    "REVIEWS_FEED_ATOM": "reviews/feed.atom",
    "REVIEWS_PRODUCT_FEED_RSS": "reviews/products/{slug}/feed.rss",
    "REVIEWS_PRODUCT_FEED_ATOM": "reviews/products/{slug}/feed.atom",
    "REVIEWS_FEED_MAX_ITEMS": 50,
    # The feed's title and description; None uses the built-in text.
    "REVIEWS_FEED_TITLE": None,
    "REVIEWS_FEED_DESCRIPTION": None,
    # Stop the build when SITEURL is not absolute (publishconf.py sets it):
    # a published feed must never carry preview addresses.
    "REVIEWS_REQUIRE_SITEURL": False,
    # Feeds, widgets and structured data need absolute addresses. Without a
    # SITEURL (a local preview build) they use this one, with a warning.
    "REVIEWS_PREVIEW_URL": "http://127.0.0.1:8000",
    # Cache parsed and rendered reviews between builds.
    "REVIEWS_CACHE": True,
}

SCALES = (5, 10)


def get_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """Return the REVIEWS_* settings with defaults filled in and derived values set."""
    merged = {key: settings.get(key, default) for key, default in DEFAULTS.items()}
    for key in settings:
        if key.startswith("REVIEWS_") and key not in DEFAULTS:
            logger.warning(
                "reviews: unknown setting %s in your settings file; known: %s",
                key,
                ", ".join(sorted(DEFAULTS)),
            )
    if merged["REVIEWS_SCALE"] not in SCALES:
        raise ValueError(f"REVIEWS_SCALE is {merged['REVIEWS_SCALE']!r}; use 5 or 10")
    if merged["REVIEWS_NEGATIVE_MAX"] is None:
        merged["REVIEWS_NEGATIVE_MAX"] = merged["REVIEWS_SCALE"] * 2 // 5
    for kind in ("INDEX", "REVIEW", "PRODUCT"):
        url = merged[f"REVIEWS_{kind}_URL"]
        if merged[f"REVIEWS_{kind}_SAVE_AS"] is None:
            merged[f"REVIEWS_{kind}_SAVE_AS"] = save_as_for(url)
    if merged["REVIEWS_SHOP_NAME"] is None:
        merged["REVIEWS_SHOP_NAME"] = settings.get("SITENAME", "")
    if merged["REVIEWS_SHOP_URL"] is None:
        merged["REVIEWS_SHOP_URL"] = settings.get("SITEURL", "") or ""
    return merged


def save_as_for(url: str) -> str:
    """The file a URL is served from: directories get an index.html."""
    return url + "index.html" if (url == "" or url.endswith("/")) else url
