"""The review pages: listings, filters, per-product pages and permalinks.

A Pelican generator that reads the shop through :func:`redress.shop.load_shop`
and writes HTML through :class:`redress.output.PageWriter`. Work is done once
and reused: each review's card is rendered once (and kept between builds
while the review and its thread are unchanged), and each listing's summary,
filters and "How reviews work" block once per listing, not once per page.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader
from markupsafe import Markup
from pelican.cache import FileDataCacher
from pelican.generators import Generator
from pelican.log import console

from . import feeds, forms, stats, structured_data, widgets
from .i18n import LANGUAGES, TRANSLATIONS_DIR, Formatter, has_catalog, translations
from .model import ContentError, Review
from .output import SITEURL_MARK, PageWriter, digest
from .settings import SettingsError
from .shop import Shop, load_shop
from .urls import Urls

logger = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
#: Heading tags inside a cached card: the card's title is an h3 on a
#: listing and an h2 on the review's own page.
TITLE_MARK = "\x1eh-title\x1e"
PANEL_MARK = "\x1eh-panel\x1e"
#: Settings that change how pages look, besides the REVIEWS_* ones.
PAGE_SETTINGS = ("SITENAME", "SITEURL", "DEFAULT_LANG", "TIMEZONE", "RELATIVE_URLS", "THEME")


@dataclass
class FilterLink:
    key: str
    count: int
    url: str
    current: bool


@dataclass
class Listing:
    """One scope of the review section: the whole shop or one product."""

    product_slug: str | None
    reviews: list[Review]
    groups: dict[str, list[Review]]
    summary: stats.Summary
    ledger: stats.Ledger
    url: str
    save_as: str


def page_window(number: int, count: int, around: int = 2) -> list[int | None]:
    """Page numbers to link: first, last, and a few around the current; None is a gap."""
    shown = sorted({1, count, *range(max(1, number - around), min(count, number + around) + 1)})
    window: list[int | None] = []
    for page in shown:
        if window and page - (window[-1] or 0) > 1:
            window.append(None)
        window.append(page)
    return window


class ReviewsGenerator(Generator):
    """Reads the shop's review files and writes the review section."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.shop: Shop | None = None
        self._feed_links: dict[str | None, list[dict[str, str]]] = {}
        lang = self.settings.get("DEFAULT_LANG") or "en"
        if not has_catalog(lang):
            logger.warning(
                "reviews: DEFAULT_LANG %r has no translation; the review pages use English (available: %s)",
                lang,
                ", ".join(LANGUAGES),
            )
        # The theme's templates come first, so a theme can override any
        # redress/*.html; the plugin's own are the fallback.
        self.env.loader = ChoiceLoader([self.env.loader, FileSystemLoader(str(TEMPLATES_DIR))])
        # Pelican leaves autoescaping off; review pages carry customer text.
        self.env.autoescape = True
        # Templates do not change during a build; skip a stat() per include.
        self.env.auto_reload = False
        self.env.add_extension("jinja2.ext.i18n")
        # Must match the extraction in babel.cfg, or translations won't match.
        self.env.policies["ext.i18n.trimmed"] = True
        self.env.install_gettext_translations(translations(lang), newstyle=False)  # type: ignore[attr-defined]
        self.fmt = Formatter(lang)
        self.page_lang = lang

    # -- reading ------------------------------------------------------------

    def generate_context(self) -> None:
        try:
            shop = load_shop(self.settings)
        except SettingsError as err:
            for problem in err.problems:
                logger.error("%s", problem)
            logger.error("reviews: fix the settings above in your settings file and build again.")
            raise SystemExit(1) from None
        except ContentError as err:
            for problem in err.problems:
                logger.error("%s", problem)
            logger.error(
                "reviews: %d problem(s) in the review files; nothing was published. "
                "Fix the lines above and build again.",
                len(err.problems),
            )
            raise SystemExit(1) from None
        self.shop = shop
        siteurl = self.settings.get("SITEURL", "") or ""
        if shop.settings["REVIEWS_REQUIRE_SITEURL"] and not siteurl.startswith(("http://", "https://")):
            logger.error(
                "reviews: SITEURL is %r, but feeds, widgets and structured data need the absolute "
                'address the site is published at; set SITEURL = "https://…" in your settings '
                "(REVIEWS_REQUIRE_SITEURL is on)",
                siteurl,
            )
            raise SystemExit(1)
        self.urls = Urls(shop.settings, siteurl)
        for product in shop.products.values():
            product.page_url = self.urls.listing(product.slug)
        for review in shop.reviews:
            review.url = self.urls.review(review.slug)
        self.context["reviews_shop"] = shop

    # -- writing ------------------------------------------------------------

    def generate_output(self, writer: Any) -> None:
        if self.shop is None:
            return
        shop = self.shop
        css_url = self.write_static("redress.css")
        self.write_static("favicon.svg")
        self.base = {
            "rs": shop.settings,
            "shop_name": shop.settings["REVIEWS_SHOP_NAME"],
            "scale": shop.scale,
            "fmt": self.fmt,
            "page_lang": self.page_lang,
            "css_url": css_url,
            "urls": self.urls,
            "index_url": self.urls.listing(),
            "SITEURL": SITEURL_MARK,
            "h_title": TITLE_MARK,
            "h_panel": PANEL_MARK,
        }
        # The shop's header and footer are the same on every page: render them once.
        for part in ("site_header", "site_footer"):
            self.base[f"{part}_html"] = Markup(self.get_template(f"redress/{part}").render(self.base))
        use_cache = bool(shop.settings["REVIEWS_CACHE"])
        build_key = self._build_key(css_url)
        self.pages = PageWriter(self.settings, self.output_path, build_key, use_cache)
        self._render_cards(build_key, use_cache)
        # Each review's own page is written in the background (a second
        # process on a big shop) while the listings are written here.
        page = self.get_template("redress/review")
        for review in shop.reviews:
            # The page is made when it is written (in the background process):
            # nothing per review is held in memory until then.
            self.pages.write(
                self.urls.review_save_as(review.slug),
                self.card_digests[review.slug],
                lambda review=review: page.render(
                    self.base,
                    review=review,
                    card=Markup(self.cards[review.slug].replace(TITLE_MARK, "h2").replace(PANEL_MARK, "h3")),
                    page_url=self.urls.review(review.slug),
                    feed_links=self.feed_links_for(review.product_slug),
                    write_url=self._write_url(review.product_slug),
                ),
                self.context,
                background=True,
            )
        self.pages.start_background()
        self.listings = [self._listing(None)] + [self._listing(slug) for slug in shop.products]
        for listing in self.listings:
            self._write_listing(listing)
        feeds.write_feeds(self)
        forms.write_forms(self)
        widgets.write_widgets(self)
        self.pages.finish()
        self._report()

    def _report(self) -> None:
        """One line for the shop owner beside Pelican's own "Done" line."""
        assert self.shop is not None
        shop = self.shop
        line = (
            f"Reviews: {len(shop.reviews)} published, {len(shop.withheld)} withheld, "
            f"{len(shop.entries)} responses and follow-ups; "
            f"{self.pages.written} files written, {self.pages.skipped} unchanged."
        )
        logger.info("reviews: %s", line)
        if logger.isEnabledFor(logging.WARNING):
            console.print(line)

    def _listing_card(self, slug: str) -> str:
        """A review's card as listings show it (an h3 title)."""
        return self.cards[slug].replace(TITLE_MARK, "h3").replace(PANEL_MARK, "h4")

    def _write_url(self, product_slug: str | None) -> str:
        return (
            self.urls.write(product_slug) if self.shop and self.shop.settings["REVIEWS_FORM_ACTION"] else ""
        )

    def feed_links_for(self, product_slug: str | None) -> list[dict[str, str]]:
        """The feeds a page announces: its product's first, then the shop's."""
        cached = self._feed_links.get(product_slug)
        if cached is not None:
            return cached
        _ = translations(self.page_lang).gettext
        shop_name = self.shop.settings["REVIEWS_SHOP_NAME"] if self.shop else ""
        links = []
        for scope in [product_slug, None] if product_slug else [None]:
            product = self.shop.products.get(scope) if scope and self.shop else None
            for kind, mime, label in (
                ("rss", "application/rss+xml", "RSS"),
                ("atom", "application/atom+xml", "Atom"),
            ):
                url = self.urls.feed(kind, scope)
                if not url:
                    continue
                if product is not None:
                    title = _("Responses from %(shop)s on %(product)s") % {
                        "shop": shop_name,
                        "product": product.title,
                    }
                else:
                    title = _("Responses from %(shop)s") % {"shop": shop_name}
                links.append({"kind": kind, "type": mime, "url": url, "title": f"{title} ({label})"})
        self._feed_links[product_slug] = links
        return links

    def _build_key(self, css_url: str) -> str:
        """Everything every page depends on: templates, catalogs, settings, stylesheet."""
        parts: list[str] = [css_url, repr(sorted(self.base["rs"].items(), key=lambda kv: kv[0]))]
        parts += [repr(self.settings.get(key)) for key in PAGE_SETTINGS]
        for name in sorted(self.env.list_templates(filter_func=lambda n: n.startswith("redress/"))):
            parts.append(name)
            parts.append(self.env.loader.get_source(self.env, name)[0])
        # Redress's own code and catalogs: an upgrade rewrites every page.
        for source in sorted([*PACKAGE_DIR.glob("*.py"), *TRANSLATIONS_DIR.glob("*/LC_MESSAGES/*.po")]):
            parts.append(hashlib.sha256(source.read_bytes()).hexdigest())
        return digest(*parts)

    def _render_cards(self, build_key: str, use_cache: bool) -> None:
        """Render each review's card once, reusing last build's when nothing changed."""
        assert self.shop is not None
        cacher = FileDataCacher(dict(self.settings, GZIP_CACHE=False), "redress-cards", use_cache, use_cache)
        previous: dict[str, tuple[str, str]] = cacher.get_cached_data("cards", {}) or {}
        template = self.get_template("redress/review_card")
        self.cards: dict[str, str] = {}
        self.card_digests: dict[str, str] = {}
        for review in self.shop.reviews:
            key = digest(build_key, pickle.dumps(review, protocol=pickle.HIGHEST_PROTOCOL))
            cached = previous.get(review.slug)
            if cached is not None and cached[0] == key:
                html = cached[1]
            else:
                html = template.render(self.base, review=review)
            self.cards[review.slug] = html
            self.card_digests[review.slug] = key
        cacher.cache_data("cards", {slug: (self.card_digests[slug], h) for slug, h in self.cards.items()})
        cacher.save_cache()

    def _listing(self, product_slug: str | None) -> Listing:
        assert self.shop is not None
        shop = self.shop
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
            url=self.urls.listing(product_slug),
            save_as=self.urls.listing_save_as(product_slug),
        )

    def _write_listing(self, listing: Listing) -> None:
        assert self.shop is not None
        shop = self.shop
        product = shop.products.get(listing.product_slug) if listing.product_slug else None
        scope = dict(
            self.base,
            product=product,
            summary=listing.summary,
            ledger=listing.ledger,
            listing_url=listing.url,
            feed_links=self.feed_links_for(listing.product_slug),
            write_url=self._write_url(listing.product_slug),
        )
        summary_html = self.get_template("redress/summary").render(scope)
        how_html = self.get_template("redress/how_reviews_work").render(scope)
        template = self.get_template("redress/listing")
        filters_template = self.get_template("redress/filters")
        per_page = max(1, int(shop.settings["REVIEWS_PER_PAGE"]))
        scope_key = digest(summary_html, how_html, pickle.dumps(product))
        for key, items in listing.groups.items():
            filters = [
                FilterLink(k, len(v), Urls.filtered(listing.url, k), k == key)
                for k, v in listing.groups.items()
            ]
            filters_html = filters_template.render(scope, filters=filters)
            pages = max(1, math.ceil(len(items) / per_page))
            page_urls = [Urls.filtered(listing.url, key, n) for n in range(1, pages + 1)]
            for number in range(1, pages + 1):
                chunk = items[(number - 1) * per_page : number * per_page]
                inputs = "|".join(
                    [scope_key, filters_html, key, str(number), str(pages), str(len(items))]
                    + [self.card_digests[r.slug] for r in chunk]
                )
                cards = [self._listing_card(r.slug) for r in chunk]
                context = dict(
                    scope,
                    filter_key=key,
                    summary_html=Markup(summary_html),
                    how_html=Markup(how_html),
                    filters_html=Markup(filters_html),
                    cards=cards,
                    cards_html=Markup("\n".join(cards)),
                    total=len(items),
                    first_index=(number - 1) * per_page + 1,
                    page_number=number,
                    page_count=pages,
                    page_urls=page_urls,
                    page_window=page_window(number, pages),
                    page_url=page_urls[number - 1],
                    # Structured data on the product's own listing, not on its filters.
                    jsonld=structured_data.listing_jsonld(self, listing, chunk)
                    if key == "all"
                    else Markup(""),
                )
                self.pages.write(
                    self.urls.filtered_save_as(listing.save_as, key, number),
                    inputs,
                    lambda context=context: template.render(context),
                    self.context,
                )

    def write_static(self, name: str) -> str:
        """Copy one of Redress's static files (a theme's static/<name> wins).

        The returned URL carries a content hash, so browsers never keep an old copy.
        """
        data = (STATIC_DIR / name).read_bytes()
        theme_file = Path(self.theme) / "static" / name
        if theme_file.is_file():
            data = theme_file.read_bytes()
        url = self.urls.static(name)
        target = Path(self.output_path) / url
        os.makedirs(target.parent, exist_ok=True)
        if not target.is_file() or target.read_bytes() != data:
            target.write_bytes(data)
        return f"{url}?v={hashlib.sha256(data).hexdigest()[:10]}"


def get_generators(pelican_object: Any) -> type[Generator]:
    return ReviewsGenerator
