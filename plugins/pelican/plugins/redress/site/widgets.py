"""Embeddable widgets and the public JSON data of the review build.

Everything here is a static file the shop serves itself; none of it loads
anything from anyone else. For the whole shop (in ``<reviews>/widgets/``)
and for each product (next to its review page):

* ``badge.svg`` and ``badge-dark.svg``: average, stars and count (under 2 KB);
* ``embed.html``: a compact widget for an ``<iframe>``: summary,
  distribution, the three newest reviews with how complaints were fixed; no
  JavaScript, inline CSS, under 10 KB, its height computed from its content;
* ``embed.json``: the same data as ``reviews.json`` with only the newest
  reviews, for ``embed.js`` (the widget drawn into the shop's own page);
* ``reviews.json``: every published review of a product with its thread
  (see :mod:`redress.public_data` and ``static/reviews.schema.json``); the
  shop's holds the reviews of the shop itself and the index of the
  products' files. A product with no more reviews than ``embed.json``
  shows has none: its ``embed.json`` holds every review already and is its
  data file (:func:`data_name`), which the index and the file itself name.

Once per site: ``embed.js`` and ``embed.css`` in ``<reviews>/widgets/``,
``reviews.schema.json`` beside the shop's ``reviews.json``, and the gallery
``<reviews>/widgets/index.html`` with each widget live, its code and sizes.
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from jinja2 import Template
from pelican.utils import sanitised_join

from ..content.model import Product
from ..templating import STATIC_DIR, render
from . import embed, public_data
from .build import Build
from .listings import Listing
from .output import digest

logger = logging.getLogger(__name__)


SCHEMA_FILE = "reviews.schema.json"
#: Each listing's widget files (a small product has no reviews.json: see :func:`data_name`).
WIDGET_FILES = ("badge.svg", "badge-dark.svg", "embed.html", "embed.json", "reviews.json")
#: What each widget may weigh, in bytes (the issue's limits).
BUDGETS = {"badge.svg": 2048, "badge-dark.svg": 2048, "embed.html": 10 * 1024, "embed.js": 4096}


@dataclass
class Place:
    """Where one listing's widgets live, as URLs and as files."""

    product: Product | None
    name: str
    listing: Listing
    page: str  # the listing page, site-relative
    url: str  # the listing page, absolute
    widgets_url: str  # folder of badge/embed files (site-relative)
    widgets_save_as: str
    data_url: str  # folder of reviews.json (site-relative)
    data_save_as: str
    #: The file that holds every review: "reviews.json", or a small product's "embed.json".
    data_name: str = "reviews.json"
    #: File name -> site-relative URL. Under "reviews.json", where the listing's
    #: every review is: its data file, which is its embed.json for a small product.
    files: dict[str, str] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    badge_size: tuple[int, int] = (0, 0)
    height: int = 0

    @property
    def summary(self) -> Any:
        """The listing's :class:`~redress.content.stats.Summary` (worked out when asked for)."""
        return self.listing.summary

    def widget(self, name: str) -> tuple[str, str]:
        if name == "reviews.json":
            return self.data_url + name, self.data_save_as + name
        return self.widgets_url + name, self.widgets_save_as + name

    @property
    def data(self) -> str:
        """The site-relative URL of the file with every review of the listing."""
        return self.widget(self.data_name)[0]


#: The page of each product's widget code, in the shop's widget folder.
PRODUCTS_PAGE = "products/"


def data_name(listing: Listing) -> str:
    """The file that holds every review of a listing: ``reviews.json``, or ``embed.json``.

    A product with no more reviews than ``embed.json`` shows has them all
    there already ("complete": true); a ``reviews.json`` beside it would be
    the same data again, and most products of a long catalog have only a few
    reviews. The shop's ``reviews.json`` is always there: it is the index.
    """
    if listing.product_slug is not None and len(listing.reviews) <= embed.EMBED_REVIEWS:
        return "embed.json"
    return "reviews.json"


def folder(path: str) -> str:
    """The folder a listing's URL or file name stands for: ``reviews/`` for ``reviews/index.html``."""
    if path == "" or path.endswith("/"):
        return path
    head, tail = posixpath.split(path)
    if tail in ("index.html", "index.htm"):
        return head + "/" if head else ""
    return posixpath.splitext(path)[0] + "/"


def write_widgets(build: Build) -> None:
    """Write badges, embeds, reviews.json and the widget gallery for every listing."""
    urls = build.urls
    shop_folder_url = folder(urls.listing())
    shop_folder_save_as = folder(urls.listing_save_as())
    schema_url = shop_folder_url + SCHEMA_FILE
    data = public_data.PublicData(build, urls.absolute(schema_url))
    places = [_place(build, listing, shop_folder_url, shop_folder_save_as) for listing in build.listings]
    # The shop's reviews.json is the index of the products' files.
    index = [
        data.product_file(listing, urls.absolute(place.data))
        for listing, place in zip(build.listings, places, strict=True)
        if place.product is not None
    ]
    for listing, place in zip(build.listings, places, strict=True):
        if place.data_name != "reviews.json":
            # A product that had more reviews left a reviews.json whose numbers
            # are no longer the index's: it goes, whether or not the last
            # build's record (the cache) knows it was written.
            build.pages.gone(place.widget("reviews.json")[1])
        if build.unchanged(listing):
            # Its files are kept as they are; the gallery still shows its code.
            for name in WIDGET_FILES:
                place.files[name] = place.widget(name)[0]
            place.files["reviews.json"] = place.data
            place.height = embed.LAYOUT.room(build.shop.scale, len(listing.reviews), listing.ledger.total > 0)
            place.badge_size = _kept_badge_size(build, place, len(listing.reviews), listing.average)
        else:
            with build.pages.group(listing.product_slug):
                _write_listing(build, data, listing, place, index if place.product is None else None)
    shared = _write_shared(build, shop_folder_url, shop_folder_save_as)
    _write_gallery(build, places, shared)
    _check_budgets(shared["files"], shared["sizes"])


def _place(build: Build, listing: Listing, shop_url: str, shop_save_as: str) -> Place:
    product = build.shop.products.get(listing.product_slug) if listing.product_slug else None
    if product is None:
        widgets_url, widgets_save_as = shop_url + "widgets/", shop_save_as + "widgets/"
        data_url, data_save_as = shop_url, shop_save_as
        name = build.shop.settings["REVIEWS_SHOP_NAME"]
    else:
        data_url = widgets_url = folder(listing.url)
        data_save_as = widgets_save_as = folder(listing.save_as)
        name = product.title
    return Place(
        product=product,
        name=name,
        listing=listing,
        page=listing.url,
        url=build.urls.absolute(listing.url),
        widgets_url=widgets_url,
        widgets_save_as=widgets_save_as,
        data_url=data_url,
        data_save_as=data_save_as,
        data_name=data_name(listing),
    )


def _write_listing(
    build: Build,
    data: public_data.PublicData,
    listing: Listing,
    place: Place,
    index: list[dict[str, Any]] | None,
) -> None:
    """A listing's badges, frame and data; ``index`` (the products' files) only for the shop's."""
    pages = build.pages
    summary_key = repr((listing.summary, listing.ledger, place.name, place.url, embed.LAYOUT))
    newest = build.digests_of(listing.reviews[: embed.EMBED_REVIEWS])
    badge = build.template("redress/widgets/badge.svg")
    badge_key = repr((listing.summary.count, listing.summary.average))
    for name, dark in (("badge.svg", False), ("badge-dark.svg", True)):
        url, save_as = place.widget(name)
        make = partial(_badge, build, badge, listing.summary, dark)
        pages.write(save_as, badge_key, partial(_within_budget, url, make))
        place.files[name] = url

    withheld = listing.ledger.total > 0
    frame = build.template("redress/widgets/embed.html")
    url, save_as = place.widget("embed.html")

    def render_frame() -> str:
        items = embed.embed_items(build, listing.reviews)
        return render(
            frame,
            build.base,
            heading=place.name,
            page_url=place.url,
            summary=listing.summary,
            ledger=listing.ledger,
            items=items,
            L=embed.LAYOUT,
        )

    pages.write(save_as, "|".join([summary_key, *newest]), partial(_within_budget, url, render_frame))
    place.files["embed.html"] = url
    if place.product is None:
        # The shop's code says how tall the widget is now (the gallery says so);
        # a product's says how tall it can be, so it is not stale the day after.
        items = embed.embed_items(build, listing.reviews)
        place.height = embed.LAYOUT.height(build.shop.scale, items, withheld)
    else:
        place.height = embed.LAYOUT.room(build.shop.scale, listing.summary.count, withheld)

    absolute_full = build.urls.absolute(place.data)
    product_key = repr(data.product(place.product)) if place.product is not None else ""
    # The data says when it was "generated" (the newest review or answer of the
    # listing): an answer to an older review changes it, not only the newest cards.
    generated = str(data.generated(listing))
    kept = None
    if index is None:
        in_full = build.digests_of(listing.reviews)
    else:  # the shop's file: its own reviews, and where each product's are
        in_full = build.digests_of(r for r in listing.reviews if r.product_slug is None)
        kept = public_data.KeptReviews(kept_reviews_path(build), digest(build.pages.build_key, *in_full))
        in_full.append(repr(index))
    # A small product's embed.json holds every review and names itself as the
    # data (absolute_full): its key changes with its data's address.
    files: list[tuple[str, int | None, list[str], list[dict[str, Any]] | None, Any]] = [
        ("embed.json", embed.EMBED_REVIEWS, newest, None, None)
    ]
    if place.data_name == "reviews.json":
        files.append(("reviews.json", None, in_full, index, kept))
    for name, limit, digests, products, kept_reviews in files:
        url, save_as = place.widget(name)
        pages.write(
            save_as,
            "|".join([str(public_data.FORMAT), summary_key, product_key, absolute_full, generated, *digests]),
            partial(data.listing_chunks, listing, absolute_full, limit, products, kept_reviews),
        )
        place.files[name] = url
    place.files["reviews.json"] = place.data

    if place.product is None:
        # Only the shop's sizes are shown (a product's are alike); each widget's
        # budget is checked when it is made.
        for name in place.files:
            _url, save_as = place.widget(name)
            place.sizes[name] = _size(build, save_as)
    place.badge_size = _svg_size(build, place.widget("badge.svg")[1])


def kept_reviews_path(build: Build) -> str | None:
    """Where the shop's data file's reviews are kept (see :class:`.public_data.KeptReviews`):
    beside the page record, one per output folder; None without the cache."""
    record = build.pages.record
    if not record.enabled:
        return None
    name = public_data.KEPT_REVIEWS_FILES + digest(os.path.abspath(build.output_path))[:12]
    return os.path.join(os.path.dirname(record.path) or ".", name)


def _badge(build: Build, template: Template, summary: Any, dark: bool) -> str:
    """A badge, made once per count and average: most of a catalogue's small products share one."""
    memo = build.memo.setdefault("badges", {})
    key = (summary.count, summary.average, dark)
    text = memo.get(key)
    if text is None:
        text = memo[key] = render(template, build.base, summary=summary, dark=dark)
    return str(text)


def _finished(finish: Callable[[str], str], template: Template, context: Mapping[str, Any]) -> str:
    return finish(render(template, context, L=embed.LAYOUT))


def _write_shared(build: Build, shop_url: str, shop_save_as: str) -> dict[str, Any]:
    """embed.js, embed.css and the JSON Schema: one each per site."""
    pages = build.pages
    shared: dict[str, Any] = {"files": {}, "sizes": {}}
    for name, finish in (("embed.js", embed.compact_js), ("embed.css", str)):
        template = build.template(f"redress/widgets/{name}")
        save_as = shop_save_as + "widgets/" + name
        pages.write(
            save_as,
            repr(embed.LAYOUT),
            partial(_finished, finish, template, build.base),
        )
        shared["files"][name] = shop_url + "widgets/" + name
        shared["sizes"][name] = _size(build, save_as)
    schema = (STATIC_DIR / SCHEMA_FILE).read_text(encoding="utf-8")
    save_as = shop_save_as + SCHEMA_FILE
    pages.write(save_as, schema, lambda: schema)
    shared["files"][SCHEMA_FILE] = shop_url + SCHEMA_FILE
    shared["sizes"][SCHEMA_FILE] = _size(build, save_as)
    return shared


def _write_gallery(build: Build, places: list[Place], shared: dict[str, Any]) -> None:
    """The shop owner's widget pages: the shop's widgets, and each product's code on a page of its own.

    The shop's widgets are shown live with today's numbers, so their page
    changes with every review. A product's code carries no numbers (names,
    addresses, badge size, frame height): on a page of its own, a catalog's
    code (2.7 MB at 2,000 products) is written again only when a product's
    code changes, not with every review.
    """
    shop_place = next(p for p in places if p.product is None)
    products = [p for p in places if p.product is not None]
    save_as = shop_place.widgets_save_as + "index.html"
    products_url = shop_place.widgets_url + PRODUCTS_PAGE
    # What each product's code is made of: no counts, the same while reviews arrive.
    code = [(p.name, p.page, p.url, p.files, p.data, p.data_name, p.badge_size, p.height) for p in products]
    # The shop's widgets as they are now.
    shop_now = (shop_place.summary, shop_place.sizes, shop_place.badge_size, shop_place.height)
    logger.info("reviews: the widgets, with code to copy into your shop, are in %s", save_as)
    template = build.template("redress/widgets/gallery.html")
    build.pages.write(
        save_as,
        # The products' code too: Redress's gallery only links to it, but a theme's own
        # gallery.html (from an earlier version) may still show it.
        repr([*code, products_url, shop_now, shared]),
        lambda: render(
            template,
            build.base,
            shop=shop_place,
            products=products,
            products_url=products_url,
            shared=shared,
            page_url=shop_place.widgets_url,
            absolute=build.urls.absolute,
        ),
    )
    products_save_as = shop_place.widgets_save_as + PRODUCTS_PAGE + "index.html"
    if not products:
        build.pages.gone(products_save_as)  # the last product went: so does its page, cache or not
        return
    of_products = build.template("redress/widgets/gallery_products.html")
    build.pages.write(
        products_save_as,
        repr([*code, shared]),
        lambda: render(
            of_products,
            build.base,
            products=products,
            shared=shared,
            gallery_url=shop_place.widgets_url,
            page_url=products_url,
            absolute=build.urls.absolute,
        ),
    )


def _check_budgets(files: dict[str, str], sizes: dict[str, int]) -> None:
    for name, limit in BUDGETS.items():
        if sizes.get(name, 0) > limit:
            _over_budget(files[name], sizes[name], limit)


def _within_budget(url: str, make: Callable[[], str]) -> str:
    """A widget's text, with a warning when it weighs more than its budget."""
    text = make()
    limit = BUDGETS.get(posixpath.basename(url))
    if limit is not None:
        size = len(text.encode("utf-8"))
        if size > limit:
            _over_budget(url, size, limit)
    return text


def _over_budget(url: str, size: int, limit: int) -> None:
    logger.warning(
        "reviews: %s is %d bytes, more than the %d bytes it should weigh; "
        "a very long shop or product name can do this",
        url,
        size,
        limit,
    )


def _size(build: Build, save_as: str) -> int:
    path = sanitised_join(build.output_path, save_as)
    return os.path.getsize(path) if os.path.isfile(path) else 0


def _kept_badge_size(build: Build, place: Place, count: int, average: float | None) -> tuple[int, int]:
    """The size of a badge kept from the last build, read once per count and average.

    A badge is made from its count and average alone (see :func:`_badge`), so
    the catalog's small products share a few sizes: reading each of 2,000
    kept badges back took a tenth of a second of every rebuild.
    """
    sizes = build.memo.setdefault("kept badge sizes", {})
    size = sizes.get((count, average))
    if size is None:
        size = _svg_size(build, place.widget("badge.svg")[1])
        if size != (0, 0):  # a badge not on disk says nothing of the others
            sizes[count, average] = size
    return size


_SVG_SIZE_RE = re.compile(r'<svg[^>]*?\swidth="(\d+)"[^>]*?\sheight="(\d+)"')


def _svg_size(build: Build, save_as: str) -> tuple[int, int]:
    """The badge's width and height, read back from the file (the template lays it out)."""
    path = sanitised_join(build.output_path, save_as)
    try:
        with open(path, encoding="utf-8") as handle:
            match = _SVG_SIZE_RE.search(handle.read(600))
    except OSError:
        return (0, 0)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)
