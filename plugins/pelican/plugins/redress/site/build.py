"""What one build of the review section hands to each of its writers.

Feeds, forms, widgets, public data and structured data each get this
frozen :class:`Build`, never the generator itself: they see the shop, the
addresses, the templates, the page writer and the listings, and nothing of
Pelican's machinery. :func:`base_context` is the context every page starts
from, in the build and in the inbox's pages alike; in the build,
:func:`page_context` puts it over Pelican's own context and names the
layout the pages extend.
"""

from __future__ import annotations

import hashlib
import operator
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, Template

from ..content.shop import Shop
from ..i18n import Formatter, translations
from ..templating import STATIC_DIR, ThemeLayout, jinja_environment_setting
from .listings import Listing
from .output import HEAD_MARKS, OUTPUT_FILE_MARK, PageWriter, digest
from .urls import Urls

#: The template every Redress page extends (``redress/layout.html``) picks its
#: parent by this name: Redress's own page, or the adapter to the theme's.
STANDALONE_LAYOUT = "redress/base.html"
THEME_LAYOUT = "redress/in_theme.html"


def base_context(rs: Mapping[str, Any], urls: Urls, lang: str, siteurl: str, css_url: str) -> dict[str, Any]:
    """The names every Redress page template can use."""
    return {
        "rs": rs,
        "shop_name": rs["REVIEWS_SHOP_NAME"],
        "scale": rs["REVIEWS_SCALE"],
        "fmt": Formatter(lang),
        "page_lang": lang,
        "css_url": css_url,
        "urls": urls,
        "index_url": urls.listing(),
        "SITEURL": siteurl,
    }


def page_context(
    pelican_context: Mapping[str, Any],
    redress: Mapping[str, Any],
    layout: ThemeLayout | None,
    settings: Mapping[str, Any],
) -> dict[str, Any]:
    """Pelican's whole template context with Redress's names over it, and the chosen layout.

    A theme's ``base.html`` (and a header override in the standalone layout)
    draws its menu, sidebar and footer from Pelican's names: ``SITENAME``,
    ``MENUITEMS``, ``pages``, ``categories``, ``THEME_STATIC_DIR``, ``FEED_*``.
    Redress's own names (``SITEURL`` among them, a mark replaced per page)
    win where both have one.
    """
    context = dict(pelican_context)
    context.update(redress)
    context["redress_layout"] = THEME_LAYOUT if layout else STANDALONE_LAYOUT
    context["redress_theme"] = layout.as_context() if layout else {}
    # The window title names the shop once: the theme writes the site's name before it.
    context["title_names_shop"] = bool(
        layout and layout.title_names_site and context.get("shop_name") == pelican_context.get("SITENAME")
    )
    context["redress_head_marks"] = HEAD_MARKS
    context["output_file"] = OUTPUT_FILE_MARK
    context["JINJA_ENVIRONMENT"] = jinja_environment_setting(settings)
    return context


def layout_key(env: Environment, context: Mapping[str, Any]) -> str:
    """A fingerprint of what surrounds every page: the layout rendered with no page in it.

    In the theme's layout that is the theme's templates and whatever of the
    blog they show (its menu, its pages, its latest articles): when the
    blog changes them, every review page is written again.
    """
    return digest(env.get_template("redress/layout.html").render(context))


def static_file(name: str, theme: str | None) -> bytes:
    """One of Redress's static files; a theme's ``static/<name>`` wins."""
    if theme:
        theme_file = Path(theme) / "static" / name
        if theme_file.is_file():
            return theme_file.read_bytes()
    return (STATIC_DIR / name).read_bytes()


def versioned_url(urls: Urls, name: str, data: bytes) -> str:
    """A static file's URL with a content hash, so browsers never keep an old copy."""
    return f"{urls.static(name)}?v={hashlib.sha256(data).hexdigest()[:10]}"


#: Entries (responses, follow-ups) a product has before it gets feeds of its own.
PRODUCT_FEED_ENTRIES = 2


def has_feed(shop: Shop, product_slug: str | None) -> bool:
    """Whether a listing has feeds of its own: the shop always; a product from its second entry.

    A feed's entries are responses and follow-ups. A product's feed with no
    entry would be an empty page, and one with a single entry says only what
    the shop's feed says: two files (RSS and Atom) for each of a catalogue's
    hundreds of small products. Until its second entry a product's pages
    announce the shop's feed, which has every response.
    """
    if product_slug is None:
        return True
    entries = 0
    for review in shop.reviews_of(product_slug):
        entries += len(review.thread)
        if entries >= PRODUCT_FEED_ENTRIES:
            return True
    return False


_SLUG = operator.attrgetter("slug")


@dataclass(frozen=True, eq=False)
class Build:
    """One build of the review section (identity-hashed, so writers can memoise per build)."""

    shop: Shop
    urls: Urls
    #: The context every page starts from (see :func:`base_context`).
    base: Mapping[str, Any]
    env: Environment
    pages: PageWriter
    listings: tuple[Listing, ...]
    #: The interface language of every page.
    lang: str
    output_path: str
    theme: str | None
    #: Each review's card fingerprint: a page showing it changes when it does.
    card_digests: Mapping[str, str]
    #: Each review's card and JSON text (a :class:`~.cards.CardStore`); None outside a build.
    cards: Any = None
    _feed_links: dict[str | None, list[dict[str, str]]] = field(default_factory=dict, repr=False)
    #: Parts that many pages share, made once per build (by the writer that knows their key).
    memo: dict[str, Any] = field(default_factory=dict, repr=False)
    _unchanged: dict[str, bool] = field(default_factory=dict, repr=False)

    def digests_of(self, reviews: Iterable[Any]) -> list[str]:
        """The card fingerprints of ``reviews``, in order.

        Looked up by ``map`` rather than a loop in Python: every listing and
        page of a big shop asks for its reviews' at every build, 100,000 of
        them for the shop's own listing alone.
        """
        return list(map(self.card_digests.__getitem__, map(_SLUG, reviews)))

    def unchanged(self, listing: Listing) -> bool:
        """Whether a product's listing is as the last build wrote it: its files are then kept whole.

        A product's pages, feeds and widgets are made from its reviews (each
        card's fingerprint covers the review, its thread and the product's
        file), its withheld reviews (the ledger), the feeds and form it links
        to, and what the build key covers. The shop's own listing changes
        with every review and is written page by page.
        """
        name = listing.product_slug
        if name is None:
            return False
        known = self._unchanged.get(name)
        if known is None and self.untouched(name):
            key = self.pages.kept_key(name)
            if key is not None:
                known = self._unchanged[name] = self.pages.group_unchanged(name, key)
        if known is None:
            product = self.shop.products.get(name)
            parts = [
                name,
                str(self.shop.stamps.get(product.source_path)) if product is not None else "",
                repr(self.feed_links(name)),
                self.write_url(name),
                repr(listing.ledger),
            ]
            parts += self.digests_of(listing.reviews)
            known = self._unchanged[name] = self.pages.group_unchanged(name, digest(*parts))
        return known

    def untouched(self, product_slug: str | None) -> bool:
        """Whether nothing of a product (None: the shop's own reviews) changed since the
        reading the last build's files were made from: its group's key is then the kept one.

        Its files are made from its reviews, their threads, its own file and
        its withheld reviews, all read from files; from the build key's
        settings, templates and code (a record of another key is not used);
        and from nothing of another product.
        """
        touched = self.shop.touched_products
        return touched is not None and self._same_reading() and product_slug not in touched

    def _same_reading(self) -> bool:
        """Whether the last build's pages were made from the reading this one compared the files with."""
        since = self.shop.read_since
        return since is not None and self.shop.touched_reviews is not None and self.pages.read_since == since

    def before_any_change(self, review: Any) -> bool:
        """Whether ``review`` comes before every review touched since the reading the last
        build's pages were made from: every review up to it is then where it was, as it was.

        A counted archive page of such reviews is the last build's page
        (its links count from the oldest), as long as what every page of its
        listing shows besides its reviews is the same (the caller asks).
        """
        if not self._same_reading():
            return False
        first = self.shop.touched_from
        return first is None or (review.date, review.slug) < first

    def template(self, name: str) -> Template:
        return self.env.get_template(name)

    def static(self, name: str) -> str:
        """Copy one static file into the output; its URL carries a content hash.

        Copied as it is (a theme's may be in any encoding), and named in the
        page record like every page, so a build that no longer needs it (no
        forms, the static files moved) removes it.
        """
        data = static_file(name, self.theme)
        url = self.urls.static(name)
        target = Path(self.pages.path_of(url))
        os.makedirs(target.parent, exist_ok=True)
        if not target.is_file() or target.read_bytes() != data:
            target.write_bytes(data)
        self.pages.copied(url, hashlib.sha256(data).hexdigest())
        return versioned_url(self.urls, name, data)

    def write_url(self, product_slug: str | None) -> str:
        """The "Write a review" link of a listing, or "" when the shop has no forms."""
        return self.urls.write(product_slug) if self.shop.settings["REVIEWS_FORM_ACTION"] else ""

    def feed_links(self, product_slug: str | None) -> list[dict[str, str]]:
        """The feeds a page announces: of each kind, its product's when there is one, else the shop's.

        One feed of each kind, the most specific: a reader who follows a
        product's page gets that product's responses, and the shop's pages
        announce the shop's feed. Four links on every review's page weighed
        more than the review's own stars and byline.
        """
        cached = self._feed_links.get(product_slug)
        if cached is not None:
            return cached
        _ = translations(self.lang).gettext
        shop_name = self.shop.settings["REVIEWS_SHOP_NAME"]
        product = self.shop.products.get(product_slug) if product_slug else None
        own = product is not None and has_feed(self.shop, product_slug)
        links = []
        for kind, mime, label in (
            ("rss", "application/rss+xml", "RSS"),
            ("atom", "application/atom+xml", "Atom"),
        ):
            url = self.urls.feed(kind, product_slug) if own else ""
            if url:
                assert product is not None
                names = {"shop": shop_name, "product": product.title}
                title = _("Responses from %(shop)s on %(product)s") % names
            else:
                url = self.urls.feed(kind, None)
                title = _("Responses from %(shop)s") % {"shop": shop_name}
            if url:
                links.append({"kind": kind, "type": mime, "url": url, "title": f"{title} ({label})"})
        self._feed_links[product_slug] = links
        return links
