"""The response feeds: follow how the shop answers, in any feed reader.

An RSS 2.0 and an Atom feed of thread entries (shop responses and customer
follow-ups), site-wide and per product, written with feedgen. Item ids are
the entry's permalink (review page + entry anchor), so they never change
when other content does; the channel's dates are the newest entry's, so two
builds of the same content write byte-identical feeds.
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
from functools import partial
from html import escape
from typing import Any
from urllib.parse import urlparse

from feedgen.feed import FeedGenerator

from ..content import render
from ..content.model import Review, ThreadEntry
from ..i18n import translations
from .build import Build, has_feed

logger = logging.getLogger(__name__)

QUOTE_CHARS = 200
#: For a shop with nothing to report yet: any fixed date keeps builds reproducible.
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
STYLESHEET = "feed.xsl"


class FeedText:
    """The words of a feed, in the site's language."""

    def __init__(self, lang: str, scale: int):
        self.gettext = translations(lang).gettext
        self.scale = scale

    def item_title(self, review: Review, entry: ThreadEntry) -> str:
        _ = self.gettext
        subject = _("a %(stars)s-star review") % {"stars": review.rating}
        if review.title:
            subject = _("%(subject)s, “%(title)s”") % {"subject": subject, "title": review.title}
        if not entry.by_shop:
            if entry.resolved is True:
                return _("Customer confirms it is fixed: follow-up on %(subject)s") % {"subject": subject}
            if entry.resolved is False:
                return _("Customer says it is not fixed: follow-up on %(subject)s") % {"subject": subject}
            return _("Customer follow-up on %(subject)s") % {"subject": subject}
        if entry.status == "resolved":
            return _("Resolved: response to %(subject)s") % {"subject": subject}
        if entry.status == "in-progress":
            return _("Resolution in progress: response to %(subject)s") % {"subject": subject}
        if entry.status == "no-action":
            return _("No further action: response to %(subject)s") % {"subject": subject}
        return _("Response to %(subject)s") % {"subject": subject}

    def status(self, status: str) -> str:
        _ = self.gettext
        return {
            "in-progress": _("Resolution in progress"),
            "resolved": _("Resolved"),
            "no-action": _("No further action"),
        }[status]

    def remedy(self, remedy: str) -> str:
        _ = self.gettext
        return {
            "apology": _("apology"),
            "refund": _("refund"),
            "replacement": _("replacement"),
            "repair": _("repair"),
            "discount": _("discount"),
            "explanation": _("explanation"),
        }.get(remedy, _("other"))


def entry_html(review: Review, entry: ThreadEntry, text: FeedText) -> str:
    """The item's body: a quote of the review (as escaped text), then the entry itself."""
    _ = text.gettext
    quote = render.html_to_text(review.body_html)
    if len(quote) > QUOTE_CHARS:
        quote = quote[:QUOTE_CHARS].rsplit(" ", 1)[0] + "…"
    parts = []
    stars = _("%(stars)s out of %(scale)s stars") % {"stars": review.rating, "scale": text.scale}
    by = review.author or _("Anonymous customer")
    parts.append(
        "<p>" + escape(_("The review (%(stars)s) by %(author)s:") % {"stars": stars, "author": by}) + "</p>"
    )
    if quote:
        parts.append(f'<blockquote lang="{escape(review.lang)}"><p>{escape(quote)}</p></blockquote>')
    if entry.by_shop and entry.status:
        parts.append(f"<p><strong>{escape(text.status(entry.status))}</strong></p>")
    if entry.remedies:
        remedies = ", ".join(text.remedy(r) for r in entry.remedies)
        parts.append(f"<p>{escape(_('What we did:'))} {escape(remedies)}</p>")
    if not entry.by_shop and entry.resolved is not None:
        verdict = _("Customer confirms: fixed") if entry.resolved else _("Customer says: not fixed")
        parts.append(f"<p><strong>{escape(verdict)}</strong></p>")
    if entry.body_html:
        parts.append(entry.body_html)
    elif entry.by_shop and entry.status == "no-action":
        parts.append("<p>" + escape(_("The shop decided not to respond to this review.")) + "</p>")
    return "\n".join(parts)


def feed_entries(build: Build, product_slug: str | None) -> list[tuple[Review, ThreadEntry]]:
    """The thread entries one listing's feed carries, newest first.

    Only the listings whose feeds are written ask: on a rebuild, the shop's
    and a changed product's. Each takes its newest from its own reviews'
    entries, without sorting them all: every entry of a 100,000-review shop
    (30,000) was sorted at each rebuild for feeds of 50.
    """
    memo = build.memo.setdefault("feed-entries", {})
    chosen = memo.get(product_slug)
    if chosen is None:
        limit = max(0, int(build.shop.settings["REVIEWS_FEED_MAX_ITEMS"]))
        pairs = [(r, e) for r in build.shop.reviews_of(product_slug) for e in r.thread]
        chosen = memo[product_slug] = heapq.nlargest(limit, pairs, key=_newest_first)
    return list(chosen)


def _newest_first(pair: tuple[Review, ThreadEntry]) -> tuple[Any, str]:
    """An entry's place in a feed: by date, then slug (no two entries share one)."""
    return pair[1].date, pair[1].slug


def feeds_key(build: Build, product_slug: str | None, entries: list[tuple[Review, ThreadEntry]]) -> str:
    """Everything a listing's feeds are made of besides the build key, without making them.

    A review's card fingerprint covers the review and its whole thread; with
    no entries the channel's date is the newest review's.
    """
    product = build.shop.products.get(product_slug) if product_slug else None
    parts = [product_slug or "", product.title if product else ""]
    parts += [f"{e.slug}:{build.card_digests[r.slug]}" for r, e in entries]
    if not entries:
        newest = max((r.date for r in build.shop.reviews_of(product_slug)), default=EPOCH)
        parts.append(newest.isoformat())
    return "|".join(parts)


def build_feeds(
    build: Build, product_slug: str | None, entries: list[tuple[Review, ThreadEntry]] | None = None
) -> dict[str, str]:
    """RSS and Atom text of one listing's feed, keyed by file name (save_as)."""
    shop = build.shop
    urls = build.urls
    rs = shop.settings
    rss_url = urls.feed("rss", product_slug)
    atom_url = urls.feed("atom", product_slug)
    if not rss_url and not atom_url:
        return {}
    lang = build.lang
    text = FeedText(lang, shop.scale)
    _ = text.gettext
    product = shop.products.get(product_slug) if product_slug else None
    shop_name = rs["REVIEWS_SHOP_NAME"]
    if entries is None:
        entries = feed_entries(build, product_slug)
    if product is not None:
        title = _("Responses from %(shop)s on %(product)s") % {"shop": shop_name, "product": product.title}
    else:
        title = rs["REVIEWS_FEED_TITLE"] or _("Responses from %(shop)s") % {"shop": shop_name}
    description = rs["REVIEWS_FEED_DESCRIPTION"] or _(
        "How %(shop)s answers its customers' reviews: every response, and whether the customer says "
        "it was fixed."
    ) % {"shop": shop_name}
    newest = max((e.updated or e.date for _r, e in entries), default=None)
    if newest is None:
        newest = max((r.date for r in shop.reviews_of(product_slug)), default=EPOCH)
    page_url = urls.absolute(urls.listing(product_slug))
    stylesheet = urlparse(urls.absolute(urls.static(STYLESHEET))).path

    def generator(self_url: str) -> FeedGenerator:
        fg = FeedGenerator()
        fg.load_extension("dc", atom=False, rss=True)
        fg.id(self_url)
        fg.title(title)
        fg.subtitle(description)
        fg.language(lang)
        fg.generator("Redress")
        fg.author({"name": shop_name})
        fg.link(href=self_url, rel="self")
        # For RSS the channel <link> is the last link given: the review page.
        fg.link(href=page_url, rel="alternate")
        fg.updated(newest)
        fg.pubDate(newest)
        for review, entry in reversed(entries):  # add_entry prepends: oldest first
            item = fg.add_entry()
            link = urls.absolute(review.url) + "#" + entry.anchor
            item.id(link)
            item.guid(link, permalink=True)
            item.title(text.item_title(review, entry))
            item.link(href=link, rel="alternate")
            item.published(entry.date)
            item.updated(entry.updated or entry.date)
            author = (
                entry.author or (shop_name if entry.by_shop else review.author) or _("Anonymous customer")
            )
            item.author({"name": author})
            item.dc.dc_creator(author)
            item.content(entry_html(review, entry, text), type="html")
            if entry.by_shop and entry.status:
                item.category(term=entry.status, label=text.status(entry.status))
            for remedy in entry.remedies:
                item.category(term=remedy, label=text.remedy(remedy))
            if review.product is not None:
                item.category(term=review.product.slug, label=review.product.title)
        return fg

    feeds: dict[str, str] = {}
    declaration = "<?xml version='1.0' encoding='UTF-8'?>\n"
    pi = f'<?xml-stylesheet type="text/xsl" href="{escape(stylesheet)}"?>\n'
    if rss_url:
        xml = generator(urls.absolute(rss_url)).rss_str(pretty=True, xml_declaration=False).decode("utf-8")
        feeds[rss_url] = declaration + pi + xml
    if atom_url:
        xml = generator(urls.absolute(atom_url)).atom_str(pretty=True, xml_declaration=False).decode("utf-8")
        feeds[atom_url] = declaration + pi + xml
    return feeds


def write_feeds(build: Build) -> None:
    """Write every listing's feeds and the stylesheet that shows them in a browser."""
    for listing in build.listings:
        slug = listing.product_slug
        if not has_feed(build.shop, slug):
            # Not written (nor announced). One written before may hold a review withheld
            # since: it goes, record or not (without a cache there is no record).
            for kind in ("rss", "atom"):
                build.pages.gone(build.urls.feed(kind, slug) or "")
            continue
        if build.unchanged(listing):
            continue  # an unchanged one is kept
        entries = feed_entries(build, slug)
        key = feeds_key(build, slug, entries)
        made: dict[str, str] = {}

        def make(save_as: str, slug: str | None = slug, entries: list = entries, made: dict = made) -> str:
            # Both feeds of a listing are made together, and only when one of them changed.
            if not made:
                made.update(build_feeds(build, slug, entries))
            return made[save_as]

        with build.pages.group(slug):
            for kind in ("rss", "atom"):
                save_as = build.urls.feed(kind, slug)
                if save_as:
                    build.pages.write(save_as, key, partial(make, save_as))
    if any(build.urls.feed(kind) for kind in ("rss", "atom")) or build.shop.products:
        xsl = build.template("redress/feed.xsl")
        save_as = build.urls.static(STYLESHEET)
        build.pages.write(save_as, "", lambda: xsl.render(build.base))
