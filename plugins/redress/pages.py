"""The review pages: listings, filters, per-product pages and permalinks.

A Pelican generator that reads the shop through :func:`redress.shop.load_shop`
and writes HTML through Pelican's writer (so ``content_written`` fires and
RELATIVE_URLS works as everywhere else in Pelican). Each review's card is
rendered once per build and reused on every listing it appears on.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader
from markupsafe import Markup
from pelican.generators import Generator

from . import stats
from .i18n import Formatter, translations
from .model import ContentError, Review
from .shop import Shop, load_shop
from .urls import Urls

logger = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
#: Stands in for SITEURL inside cached cards; replaced per page, because
#: with RELATIVE_URLS every page has its own SITEURL. It cannot occur in
#: customer text (control characters are removed from it).
SITEURL_MARK = "\x1esiteurl\x1e"


@dataclass
class FilterLink:
    key: str
    count: int
    url: str
    current: bool


class ReviewsGenerator(Generator):
    """Reads the shop's review files and writes the review section."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.shop: Shop | None = None
        lang = self.settings.get("DEFAULT_LANG") or "en"
        # The theme's templates come first, so a theme can override any
        # redress/*.html; the plugin's own are the fallback.
        self.env.loader = ChoiceLoader([self.env.loader, FileSystemLoader(str(TEMPLATES_DIR))])
        # Pelican leaves autoescaping off; review pages carry customer text.
        self.env.autoescape = True
        self.env.add_extension("jinja2.ext.i18n")
        # Must match the extraction in babel.cfg, or translations won't match.
        self.env.policies["ext.i18n.trimmed"] = True
        self.env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
        self.fmt = Formatter(lang)
        self.page_lang = lang

    # -- reading ------------------------------------------------------------

    def generate_context(self) -> None:
        try:
            shop = load_shop(self.settings)
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
        self.urls = Urls(shop.settings)
        for product in shop.products.values():
            product.url = self.urls.listing(product.slug)
        for review in shop.reviews:
            review.url = self.urls.review(review.slug)
        self.context["reviews_shop"] = shop

    # -- writing ------------------------------------------------------------

    def generate_output(self, writer: Any) -> None:
        if self.shop is None:
            return
        shop = self.shop
        css_url = self._write_static()
        self.base = {
            "rs": shop.settings,
            "shop_name": shop.settings["REVIEWS_SHOP_NAME"],
            "scale": shop.scale,
            "fmt": self.fmt,
            "page_lang": self.page_lang,
            "css_url": css_url,
            "urls": self.urls,
            "SITEURL_MARK": SITEURL_MARK,
            "index_url": self.urls.listing(),
        }
        card = self.get_template("redress/review_card")
        self.cards = {
            review.slug: Markup(card.render(self.base, review=review, level=3, SITEURL=SITEURL_MARK))
            for review in shop.reviews
        }
        self._write_listing(writer, None)
        for slug in shop.products:
            self._write_listing(writer, slug)
        page = self.get_template("redress/review")
        for review in shop.reviews:
            self._write(
                writer,
                self.urls.review_save_as(review.slug),
                self.urls.review(review.slug),
                page,
                review=review,
                card=Markup(card.render(self.base, review=review, level=2, SITEURL=SITEURL_MARK)),
            )

    def _write_listing(self, writer: Any, product_slug: str | None) -> None:
        shop = self.shop
        assert shop is not None
        reviews = shop.reviews_of(product_slug)
        withheld = [r for r in shop.withheld if product_slug is None or r.product_slug == product_slug]
        summary = stats.summarise(reviews, shop.scale)
        ledger = stats.ledger(withheld)
        base_url = self.urls.listing(product_slug)
        base_save_as = self.urls.listing_save_as(product_slug)
        groups: dict[str, list[Review]] = {"all": reviews}
        for stars in range(shop.scale, 0, -1):
            groups[f"stars-{stars}"] = [r for r in reviews if r.rating == stars]
        groups["open"] = [r for r in reviews if r.is_open]
        groups["resolved"] = [r for r in reviews if r.state == "resolved"]
        template = self.get_template("redress/listing")
        per_page = max(1, int(shop.settings["REVIEWS_PER_PAGE"]))
        product = shop.products.get(product_slug) if product_slug else None
        for key, items in groups.items():
            pages = max(1, math.ceil(len(items) / per_page))
            filters = [FilterLink(k, len(v), Urls.filtered(base_url, k), k == key) for k, v in groups.items()]
            for number in range(1, pages + 1):
                chunk = items[(number - 1) * per_page : number * per_page]
                url = Urls.filtered(base_url, key, number)
                self._write(
                    writer,
                    self.urls.filtered_save_as(base_save_as, key, number),
                    url,
                    template,
                    product=product,
                    summary=summary,
                    ledger=ledger,
                    filter_key=key,
                    filters=filters,
                    reviews=chunk,
                    cards=self.cards,
                    total=len(items),
                    first_index=(number - 1) * per_page + 1,
                    page_number=number,
                    page_count=pages,
                    page_urls=[Urls.filtered(base_url, key, n) for n in range(1, pages + 1)],
                    listing_url=base_url,
                )

    def _write(self, writer: Any, save_as: str, url: str, template: Any, **kwargs: Any) -> None:
        writer.write_file(
            save_as,
            template,
            self.context,
            relative_urls=self.settings.get("RELATIVE_URLS", False),
            url=url,
            page_url=url,
            **self.base,
            **kwargs,
        )

    def _write_static(self) -> str:
        """Copy the stylesheet; its URL carries a content hash so caches never serve an old one."""
        css = (STATIC_DIR / "redress.css").read_bytes()
        theme_css = Path(self.theme) / "static" / "redress.css"
        if theme_css.is_file():
            css = theme_css.read_bytes()
        url = self.urls.static("redress.css")
        target = Path(self.output_path) / url
        os.makedirs(target.parent, exist_ok=True)
        if not target.is_file() or target.read_bytes() != css:
            target.write_bytes(css)
        return f"{url}?v={hashlib.sha256(css).hexdigest()[:10]}"


def get_generators(pelican_object: Any) -> type[Generator]:
    return ReviewsGenerator
