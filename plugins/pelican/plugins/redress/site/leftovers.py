"""Pages an earlier build left behind, found without a page record.

With a cache, the page record names every file the section wrote, and a
build removes the ones it no longer writes. Without one (REVIEWS_CACHE off,
or a site that keeps no cache: no CACHE_PATH, CACHE_CONTENT off), a review
whose file was deleted or renamed kept its own page online, its author's
name and words with it, until the output folder was emptied. A customer
who asks for their review to be taken down expects it gone at the next
build. So without a record, the folder of the reviews' own pages is
looked through: a page at the reviews' address pattern whose review is
no longer in the shop, and which is a review's page of this section (it
carries that review's card, with its anchor, in the section's region), is
removed. Nothing else in that folder is touched: another plugin's or the
blog's pages there stay, and so do the pages of a theme whose own card
template writes the card otherwise.

A deleted product's pages (its listing, filters, widgets, feeds and form)
cannot all be told apart from other files this way: its listing page is
found like a review's page, and the build says which folder to remove.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator

from ..content.rules import SLUG_RE
from .build import Build

logger = logging.getLogger(__name__)

#: A page is read up to this many bytes to find its anchor (a review's page is 10 to 50 KB).
READ_AT_MOST = 1024 * 1024


def name_left_pages(build: Build) -> None:
    """Name the left-over review pages (see the module) as gone; warn about left-over products."""
    shop = build.shop
    rs = shop.settings
    present = {review.slug for review in shop.reviews}
    for slug, save_as in _at_pattern(build, rs["REVIEWS_REVIEW_SAVE_AS"]):
        card = rb'<article class="review[^"]*" id="review-' + re.escape(slug.encode()) + rb'"'
        if slug not in present and _carries(build, save_as, card):
            build.pages.gone(save_as)
    products = set(shop.products)
    for slug, save_as in _at_pattern(build, rs["REVIEWS_PRODUCT_SAVE_AS"]):
        if slug not in products and _carries(build, save_as, rb'<section class="review-list"'):
            folders = [os.path.dirname(save_as) or save_as]
            form = build.urls.save_as(build.urls.write(slug))
            if os.path.isfile(build.pages.path_of(form)):
                folders.append(os.path.dirname(form))
            logger.warning(
                "reviews: %s %s the pages of a product no longer in the shop (%s); without a cache "
                "Redress keeps no record of the files it wrote, so it removes only review pages: "
                "delete %s, or set CACHE_PATH in the settings so the next removals are done for you",
                " and ".join(f"{folder}/" for folder in folders),
                "hold" if len(folders) > 1 else "holds",
                slug,
                "them" if len(folders) > 1 else "it",
            )


def _at_pattern(build: Build, pattern: str) -> Iterator[tuple[str, str]]:
    """(slug, file) for each file in the output that ``pattern`` (with one ``{slug}``) could have made.

    Only the one folder the pattern's slug is in is listed: ``reviews/`` for
    ``reviews/{slug}/index.html``, as for ``reviews/{slug}.html``.
    """
    if pattern.count("{slug}") != 1:
        return
    prefix, suffix = pattern.split("{slug}")
    folder, _, lead = prefix.rpartition("/")
    tail = suffix.split("/", 1)[0]  # what follows the slug in the same name
    try:
        names = os.listdir(build.pages.path_of(folder) if folder else build.pages.root)
    except (OSError, RuntimeError):
        return
    for name in names:
        if not (name.startswith(lead) and name.endswith(tail)) or len(name) <= len(lead) + len(tail):
            continue
        slug = name[len(lead) : len(name) - len(tail)]
        if SLUG_RE.match(slug):
            yield slug, prefix + slug + suffix


def _carries(build: Build, save_as: str, mark: bytes) -> bool:
    """Whether ``save_as`` is a page of this section this build did not write, holding ``mark``.

    The section's pages put their content in one element of class "redress"
    (the page's body, or the region of the site theme's page).
    """
    if save_as in build.pages.current:
        return False
    try:
        with open(build.pages.path_of(save_as), "rb") as handle:
            head = handle.read(READ_AT_MOST)
    except (OSError, RuntimeError):
        return False
    return b'class="redress"' in head and re.search(mark, head) is not None
