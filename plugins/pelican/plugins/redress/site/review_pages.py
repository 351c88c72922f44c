"""The HTML of the review section: each review's card, its own page, and the listings.

A card is rendered once per review (and kept between builds while the
review and its thread are unchanged, see :mod:`.cards`) and pasted into
every page that shows it; each listing's summary, filters and "How reviews work" block are
rendered once per listing, not once per page. A review's own page is the
whole layout around a few values of its own, so the pages of a product's
reviews are filled into a shell rendered once (:class:`PageShells`), and
only where that gives exactly the page a render would.
"""

from __future__ import annotations

import logging
import os
import pickle
import secrets
from collections.abc import Callable
from functools import partial
from typing import Any

from jinja2 import Template
from markupsafe import Markup, escape

from ..content.model import Review
from ..templating import TEMPLATES_DIR, render
from . import public_data, structured_data
from .build import Build
from .cards import CardStore, Reading
from .listings import DATED_FILTERS, Listing, ListingPage, archive_numbers, has_page, listing_pages
from .output import digest
from .urls import Urls

logger = logging.getLogger(__name__)

#: Heading tags inside a cached card: the card's title is an h3 on a
#: listing and an h2 on the review's own page.
TITLE_MARK = "\x1eh-title\x1e"
PANEL_MARK = "\x1eh-panel\x1e"
#: Around the card's "about <product>": said on the shop's listings, not on a page of that product.
ABOUT_MARK = "\x1eabout\x1e"
#: Around each tag of the title's link to the review's own page: not on that page itself.
LINK_MARK = "\x1elink\x1e"
CARD_MARKS = {"h_title": TITLE_MARK, "h_panel": PANEL_MARK, "about_mark": ABOUT_MARK, "link_mark": LINK_MARK}


#: The group of the pages of the reviews of the shop itself (no product; a
#: product's slug is a file's name, which has no NUL).
SHOP_REVIEWS = "\x00shop"


def render_cards(
    shop: Any,
    env: Any,
    base: dict[str, Any],
    settings: dict[str, Any],
    build_key: str,
    use_cache: bool,
    urls: Urls,
) -> tuple[CardStore, dict[str, str]]:
    """Each review's card and JSON (made only when its review changed) and its fingerprint."""
    store = CardStore(settings.get("CACHE_PATH") if use_cache else None, settings.get("OUTPUT_PATH", ""))
    template = env.get_template("redress/review_card.html")
    read = Reading(shop.read_since, shop.read_token, shop.touched_reviews) if shop.read_token else None
    return store, store.update(
        shop.reviews, template, base, build_key, partial(public_data.review_fragment, urls), shop.stamps, read
    )


def card_on_listing(card: str, of_product: bool = False) -> str:
    """The card on a listing; on a product's own listing without naming the product again."""
    card = _marked(_marked(card, ABOUT_MARK, of_product), LINK_MARK, False)
    return card.replace(TITLE_MARK, "h3").replace(PANEL_MARK, "h4")


def card_on_own_page(card: str) -> str:
    """The card on the review's own page: its heading and breadcrumb name the product, and
    its title is not a link to the page it is on."""
    card = _marked(_marked(card, ABOUT_MARK, True), LINK_MARK, True)
    return card.replace(TITLE_MARK, "h2").replace(PANEL_MARK, "h3")


def _marked(card: str, mark: str, cut: bool) -> str:
    """The card with the marked parts (between the 1st and 2nd mark, the 3rd and 4th, …) cut or kept."""
    parts = card.split(mark)
    if len(parts) % 2 == 0 or len(parts) == 1:  # a theme's own card without the marks: as it is
        return card
    return "".join(parts[::2]) if cut else "".join(parts)


def write_review_pages(build: Build, cards: CardStore) -> None:
    """Each review's own page, written in the background while the listings are written.

    The page is made when it is written (in the background process), so
    nothing per review but its place in the queue is held in memory until
    then. Within a group, the pages of one shape share a shell (see
    :class:`PageShells`).
    """
    page = build.template("redress/review.html")
    for review in build.shop.withheld:
        build.pages.gone(build.urls.review_save_as(review.slug))  # never online, cache or not
    # A product's reviews' pages belong to its group: while its listing is
    # unchanged (the same cards, the same feeds), they are kept with it.
    by_product: dict[str | None, list[Review]] = {}
    for review in build.shop.reviews:
        by_product.setdefault(review.product_slug, []).append(review)
    listings = {listing.product_slug: listing for listing in build.listings}
    for slug, reviews in by_product.items():
        # The card, and the feeds the page announces (a product's own from its second entry).
        announced = digest(repr(build.feed_links(slug)))
        if slug is None:
            # The shop's own reviews (no product) are a group of their own.
            group = SHOP_REVIEWS
            kept = build.pages.kept_key(group) if build.untouched(None) else None
            key = kept or digest(announced, *build.digests_of(reviews))
            if build.pages.group_unchanged(group, key):
                continue
        elif build.unchanged(listings[slug]):
            continue
        else:
            group = slug
        shells = PageShells(build, page, cards)
        with build.pages.group(group):
            for review in reviews:
                written = build.pages.written
                build.pages.write(
                    build.urls.review_save_as(review.slug),
                    build.card_digests[review.slug] + announced,
                    partial(shells.render, review),
                    background=True,
                )
                if build.pages.written != written:
                    shells.pending.append(review)  # to be rendered (the writer skips an unchanged page)


def render_review_page(build: Build, page: Template, review: Review, cards: CardStore) -> str:
    """One review's own page, rendered from the template as it stands (no shell)."""
    return _render_full(build, page, review, cards[review.slug])


def _render_full(build: Build, page: Template, review: Review, card: str) -> str:
    return render(
        page,
        build.base,
        review=review,
        card=Markup(card_on_own_page(card)),
        page_url=build.urls.review(review.slug),
        feed_links=build.feed_links(review.product_slug),
        write_url=build.write_url(review.product_slug),
    )


# -- shells: one render for the pages of one shape ------------------------------------------

#: Whether review pages are filled into shells (tests turn it off to compare with
#: a page-by-page render).
SHELLS = True
#: A shell costs one render more; it pays from this many pages of one shape in a group.
SHELL_MIN_PAGES = 3
#: In :attr:`Build.memo`: why shells are off for the rest of the build (one failed).
SHELLS_OFF = "review-page-shells-off"
#: In :attr:`Build.memo`: whether a review's page is made only of Redress's own templates.
OWN_TEMPLATES = "review-page-own-templates"
#: Cards read at once while planning and filling a group's shells.
PLAN_CHUNK = 500
#: The templates a review's page is made of: a theme's own version of any of
#: them gets every page rendered (a shell is proven on one page; a theme's
#: template may treat the next page's value otherwise, in ways no probe sees).
SHELL_TEMPLATES = ("redress/review.html", "redress/layout.html")


def _own_templates(build: Build) -> bool:
    for name in SHELL_TEMPLATES:
        filename = build.template(name).filename or ""
        if os.path.dirname(os.path.dirname(os.path.abspath(filename))) != os.path.abspath(TEMPLATES_DIR):
            return False
    return True


#: What a page shows of its review, as a template reads it, and the slot each fills
#: (``thread`` only ever decides a branch: it is part of the shape, never a slot).
_REVIEW_SLOTS = ("title", "rating", "url", "slug", "anchor")
#: The slots of the page's own names.
_PAGE_SLOTS = ("page_url", "card")
SLOTS = _REVIEW_SLOTS + _PAGE_SLOTS
#: Where a probe starts: a control character, which the reader removes from all content,
#: followed by a random mark of the shell.
PROBE_START = "\x02"
#: Characters that the usual filters change (case, escaping, entities, white space,
#: non-ASCII): a probe that comes out of a template other than escaped whole was transformed.
_PROBE_BODY = " Aé  \t\n&<>\"' z"


class ShellUnsafe(Exception):
    """A template did more with a review's value than print it: its page is rendered in full.

    Not an AttributeError, TypeError or LookupError: Jinja turns those into
    an undefined value or a filter's default and carries on.
    """


class _Probe:
    """Stands in for one value of a review in a shell: it can be printed (escaped), nothing else.

    Printed, it is its text, escaped as Jinja escapes any text, and the page
    is filled there with the real value escaped the same way. Anything else a
    template could do with the value (compare it, count it, slice it, call
    its methods, turn it into text for a filter) would make the page depend
    on the value in a way a filled shell cannot repeat: it raises
    :class:`ShellUnsafe`. Marking it safe (``|safe``) prints it escaped all
    the same, which no probe can tell: that is why only Redress's own
    templates get shells (see :data:`SHELL_TEMPLATES`).
    """

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __html__(self) -> Markup:
        return escape(self.text)  # printed with autoescape, joined with ~, or put in a {% trans %}

    def __format__(self, spec: str) -> str:
        if spec:
            raise ShellUnsafe("a formatted review value")
        return self.text  # an address put together in Python (Urls.absolute)

    def __str__(self) -> str:
        # A filter that works on the text (replace, string, center, a theme's own)
        # could treat the probe and the first page alike and a later page otherwise.
        raise ShellUnsafe("a review's value as text")

    def __bool__(self) -> bool:
        return True  # the shell's shape says the real value is there (not "" or None)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)  # __html__ and the like: "not here", as a str has none
        raise ShellUnsafe(name)

    def _unsafe(self, *args: Any, **kwargs: Any) -> Any:
        raise ShellUnsafe("an operation on a review's value")

    __len__ = __iter__ = __getitem__ = __contains__ = __call__ = _unsafe
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _unsafe
    __add__ = __radd__ = __mul__ = __rmul__ = __mod__ = __rmod__ = _unsafe
    __int__ = __float__ = __index__ = __round__ = __neg__ = __abs__ = _unsafe
    __hash__ = object.__hash__


class _CardProbe(_Probe):
    """Stands in for the card, which the page gets as Markup: printed as it is, not escaped."""

    __slots__ = ()

    def __html__(self) -> Markup:
        return Markup(self.text)

    def __format__(self, spec: str) -> str:
        raise ShellUnsafe("the card as text")


class _Flag:
    """Stands in for a review's thread: it is there (the shape says so), and nothing else."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise ShellUnsafe(name)

    def _unsafe(self, *args: Any, **kwargs: Any) -> Any:
        raise ShellUnsafe("an operation on a review's thread")

    __len__ = __iter__ = __getitem__ = __contains__ = __str__ = _unsafe
    __eq__ = __ne__ = _unsafe
    __hash__ = object.__hash__


class _StandIn:
    """Stands in for the review in a shell: its product as it is, its own values as probes.

    A name a template reads that is not here (the author, the date, the
    text) raises :class:`ShellUnsafe`: that page cannot be a shell.
    """

    __slots__ = ("title", "rating", "thread", "product", "product_slug", "url", "slug", "anchor")

    def __init__(self, review: Review, probes: dict[str, Any]):
        self.product = review.product
        self.product_slug = review.product_slug
        self.thread = _Flag() if review.thread else review.thread
        self.title = probes.get("title", review.title)
        self.rating = probes.get("rating", review.rating)
        self.url = probes["url"]
        self.slug = probes["slug"]
        self.anchor = probes["anchor"]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise ShellUnsafe(f"review.{name}")

    def _unsafe(self, *args: Any, **kwargs: Any) -> Any:
        raise ShellUnsafe("an operation on the review")

    __getitem__ = __str__ = __len__ = __iter__ = _unsafe
    __eq__ = __ne__ = _unsafe
    __hash__ = object.__hash__


class _Shell:
    """A page with holes: literal text and, between each two pieces, the slot that fills it."""

    __slots__ = ("pieces", "slots")

    def __init__(self, pieces: list[str], slots: list[str]):
        self.pieces = pieces
        self.slots = slots

    def fill(self, values: dict[str, str]) -> str:
        out = [self.pieces[0]]
        for slot, piece in zip(self.slots, self.pieces[1:], strict=True):
            out.append(values[slot])
            out.append(piece)
        return "".join(out)


#: A shape whose shell failed: its pages (and, after the first failure, all the
#: build's) are rendered in full.
_FAILED = _Shell([], [])


def _slot_values(build: Build, review: Review, card: str) -> dict[str, str]:
    """What fills each slot on this review's page: each value escaped as Jinja's autoescape would.

    ``card`` is the card as its own page shows it (:func:`card_on_own_page`),
    printed as it is; planning passes the card as it is kept, which is never
    shorter (see :meth:`PageShells._plan`).
    """
    return {
        "title": str(escape(review.title)),
        "rating": str(escape(review.rating)),
        "url": str(escape(review.url)),
        "slug": str(escape(review.slug)),
        "anchor": str(escape(review.anchor)),
        "page_url": str(escape(build.urls.review(review.slug))),
        "card": card,
    }


def _shape(review: Review, values: dict[str, str]) -> tuple[Any, ...] | None:
    """The pages that can share a shell: those whose branches a template could take the same way.

    A template may test whether a value is there (a title, a rating, a
    response), so each combination has its own shell. None: this page is
    rendered in full, because a value starts or ends with white space (a
    template's ``trim`` around it would cut the value, never the probe).
    """
    for value in values.values():
        if value != value.strip():
            return None
    return (
        bool(review.title),
        review.rating if not review.rating else True,
        bool(review.thread),
        id(review.product),
    )


def _probes(nonce: str, review: Review, longest: dict[str, int]) -> tuple[dict[str, Any], dict[str, str]]:
    """The probes of one shell, and the text each leaves in the page (escaped, as Jinja prints it).

    Each probe is longer than any value of its slot among the pages of the
    shape and has more words: a template that cuts or counts a part of the
    page holding it (``truncate``, ``length``, ``wordcount``) cuts the probe
    or counts it differently from the first page, and the shell is refused.
    """
    probes: dict[str, Any] = {}
    printed: dict[str, str] = {}
    for index, slot in enumerate(SLOTS):
        if slot in ("title", "rating") and not getattr(review, slot):
            continue  # not there: the real value ("" or None) is in the shell itself
        text = f"{PROBE_START}{nonce}{index:02d}{_PROBE_BODY}{' x' * (longest.get(slot, 0) // 2 + 1)}\x03"
        printed[slot] = str(escape(text))
        probes[slot] = _CardProbe(printed[slot]) if slot == "card" else _Probe(text)
    return probes, printed


def _shell_parts(text: str, marker: str, printed: dict[str, str]) -> _Shell | None:
    """Cut a rendered shell at its probes; None if any probe is not there whole and escaped."""
    by_index = {f"{SLOTS.index(slot):02d}": (slot, probe) for slot, probe in printed.items()}
    pieces: list[str] = []
    slots: list[str] = []
    start = 0
    while True:
        found = text.find(marker, start)
        if found < 0:
            break
        slot, probe = by_index.get(text[found + len(marker) : found + len(marker) + 2], ("", ""))
        if not slot or not text.startswith(probe, found):
            return None  # transformed (upper-cased, cut, unescaped, escaped twice...)
        pieces.append(text[start:found])
        slots.append(slot)
        start = found + len(probe)
    pieces.append(text[start:])
    if any(PROBE_START in piece for piece in pieces):
        return None  # a probe's remains: its marker was changed (``|upper`` on a joined text)
    return _Shell(pieces, slots)


class PageShells:
    """The pages of one group's reviews, those of one shape filled into one shell.

    Rendering a review's page runs the whole layout (head, Open Graph,
    feeds, header, footer, translations) for a handful of values that differ
    from the group's other pages: the title, the rating, the card, the
    address. So the first page of each shape (which values are there, the
    same product) is rendered in full, and once more with a probe in place
    of each of its own values; the shell is that second render cut at the
    probes. The shell is used only if it filled with the first page's values
    gives exactly the full page (and every probe came out whole and escaped):
    a template that does more with a value than print it (``|upper``,
    ``{% if review.rating < 3 %}``, the author, which no probe stands in for)
    turns shells off for the rest of the build, and every page is rendered
    in full, as it would be without shells. Only Redress's own page
    templates get shells (:data:`SHELL_TEMPLATES`): the probes are a second
    safeguard, not a proof. Made in the parent, filled in the process that
    renders the pages (the forked writer on a big shop).
    """

    def __init__(self, build: Build, page: Template, cards: CardStore):
        self.build = build
        self.page = page
        self.cards = cards
        #: The reviews whose pages the writer will render, in order.
        self.pending: list[Review] = []
        self._planned = False
        self._cards: dict[str, str] = {}  # the next few pages' cards (a chunk at a time)
        self._next = 0  # where in ``pending`` the next chunk starts
        # A review's place in ``pending``, made when the parent asks out of order.
        self._position: dict[int, int] | None = None
        self._shapes: dict[str, tuple[Any, ...] | None] = {}
        self._count: dict[tuple[Any, ...], int] = {}
        self._left: dict[tuple[Any, ...], int] = {}
        self._longest: dict[tuple[Any, ...], dict[str, int]] = {}
        self._shells: dict[tuple[Any, ...], _Shell] = {}
        self._parent = os.getpid()

    def render(self, review: Review) -> str:
        if not self._planned:
            self._plan()
        if review.slug not in self._cards:
            self._load_chunk(review)
        card = self._cards.pop(review.slug, None)
        if card is None:  # not planned (never so): as without shells
            return render_review_page(self.build, self.page, review, self.cards)
        shape = self._shapes.get(review.slug)
        if shape is None or self._count[shape] < SHELL_MIN_PAGES or SHELLS_OFF in self.build.memo:
            return _render_full(self.build, self.page, review, card)
        values = _slot_values(self.build, review, card_on_own_page(card))
        self._left[shape] -= 1
        shell = self._shells.get(shape)
        if shell is None:
            text = _render_full(self.build, self.page, review, card)
            self._shells[shape] = self._make_shell(review, values, text, self._longest.pop(shape))
        elif shell is _FAILED:
            text = _render_full(self.build, self.page, review, card)
        else:
            text = shell.fill(values)
        if not self._left[shape]:
            del self._shells[shape]  # the shape's last page: the writer goes on with other groups
        return text

    def _load_chunk(self, review: Review) -> None:
        """The cards of the next pages, one query for a chunk: a product of 100,000 reviews
        never has all its cards in memory at once.

        The writer asks in order, chunk after chunk. The parent, which takes
        pages from the end of the queue once it has nothing else to do (see
        :class:`redress.content.forked.SharedQueue`), may ask for any review: then the
        chunk holding that review is read.
        """
        start = self._next
        if not any(r is review for r in self.pending[start : start + PLAN_CHUNK]):
            if self._position is None:
                self._position = {id(r): i for i, r in enumerate(self.pending)}
            index = self._position.get(id(review))
            if index is None:
                self._cards = {}
                return
            start = index - index % PLAN_CHUNK
        part = [r.slug for r in self.pending[start : start + PLAN_CHUNK]]
        self._next = start + len(part)
        self._cards = dict(zip(part, self.cards.many(part), strict=True))

    def _plan(self) -> None:
        """Each page's shape, and the longest value of each slot per shape, at the first page rendered.

        The cards are read a chunk at a time and let go; they are read again
        when their pages are rendered. They are planned as they are kept, not
        made for their own page (that took a tenth of the background
        writer's time, twice per page). The card on its own page only loses
        marks and the parts between them, so the kept card's length is an
        upper bound for a probe's; and a kept card with no white space at
        either end has none once made, because a mark is white space to
        ``str.strip`` and what it cuts or replaces lies between marks.
        """
        self._planned = True
        if not (SHELLS and self.build.memo.setdefault(OWN_TEMPLATES, _own_templates(self.build))):
            return
        for start in range(0, len(self.pending), PLAN_CHUNK):
            part = self.pending[start : start + PLAN_CHUNK]
            for review, card in zip(part, self.cards.many([r.slug for r in part]), strict=True):
                values = _slot_values(self.build, review, card)
                shape = self._shapes[review.slug] = _shape(review, values)
                if shape is None:
                    continue
                self._count[shape] = self._left[shape] = self._count.get(shape, 0) + 1
                longest = self._longest.setdefault(shape, {})
                for slot, value in values.items():
                    longest[slot] = max(longest.get(slot, 0), len(value))

    def _make_shell(
        self, review: Review, values: dict[str, str], full: str, longest: dict[str, int]
    ) -> _Shell:
        nonce = secrets.token_hex(6)
        probes, printed = _probes(nonce, review, longest)
        why = ""
        try:
            text = render(
                self.page,
                self.build.base,
                review=_StandIn(review, probes),
                card=probes["card"],
                page_url=probes["page_url"],
                feed_links=self.build.feed_links(review.product_slug),
                write_url=self.build.write_url(review.product_slug),
            )
        except Exception as error:  # noqa: BLE001 - any error: the template is not one for shells
            why = f"{type(error).__name__}: {error}"
        else:
            shell = _shell_parts(text, PROBE_START + nonce, printed)
            if shell is None:
                why = "a template changed a value it printed"
            elif shell.fill(values) != full:
                why = "a template made a page differ from its shell"
            else:
                return shell
        self.build.memo[SHELLS_OFF] = why
        if os.getpid() == self._parent:  # the forked writer logs nothing (see output.PageWriter)
            logger.debug("reviews: the review pages are rendered one by one (%s, on %s)", why, review.slug)
        return _FAILED


def write_listing(build: Build, listing: Listing, cards: CardStore, part: str) -> None:
    """The pages of every filter of one listing: ``part`` is "first" or "archive".

    A first page carries the listing's summary, filters with counts and the
    "How reviews work" block, so it changes with every review. An archive
    page carries only its own reviews and links that do not move (newer,
    older, the first page), so it is written again only when one of its own
    reviews changes or the newest page fills up. Archive pages go to the
    background writer with the reviews' own pages (call with "archive"
    before it starts, then with "first").
    """
    shop = build.shop
    product = shop.products.get(listing.product_slug) if listing.product_slug else None
    scope = dict(
        build.base,
        product=product,
        summary=listing.summary,
        ledger=listing.ledger,
        listing_url=listing.url,
        feed_links=build.feed_links(listing.product_slug),
        write_url=build.write_url(listing.product_slug),
    )
    per_page = int(shop.settings["REVIEWS_PER_PAGE"])
    archive_per_page = int(shop.settings["REVIEWS_ARCHIVE_PER_PAGE"])
    # Links to filters with a page of their own; the others show their count unlinked.
    scope["filter_urls"] = {link.key: link.url for link in listing.filter_links("", per_page)}
    scope_key = ""
    if part == "first":
        # What the summary and "How reviews work" blocks are made of, so an unchanged
        # listing is skipped without rendering them (a shop has a listing per product).
        # Only the first pages show them: the archive's call does not go through the
        # shop's 100,000 reviews for it.
        platforms = sorted({r.platform for r in listing.reviews if r.platform})
        # The structured data's aggregate counts the reviews that may be marked up, not all of them.
        counted = [r.rating for r in listing.reviews if structured_data.counted(r)]
        scope["marked_summary"] = structured_data.shown_apart(build, listing)
        scope_key = digest(
            repr((len(counted), sum(r or 0 for r in counted))),
            repr(listing.summary),
            repr(listing.ledger),
            pickle.dumps(product),
            repr(scope["feed_links"]),
            scope["write_url"],
            repr(scope["filter_urls"]),
            repr(platforms),
        )
    # What an archive page shows besides its reviews: never a count.
    archive_key = digest(pickle.dumps(product), repr(scope["feed_links"]), scope["write_url"])
    # While that is as the last build had it, an archive page of reviews older than any
    # that changed is the last build's page (see Build.before_any_change).
    same_around = False
    if part == "archive":
        same_around = build.pages.noted("archive:" + listing.save_as) == archive_key
        build.pages.note("archive:" + listing.save_as, archive_key)
    blocks: dict[str, Markup] = {}

    def shared_blocks() -> dict[str, Markup]:
        if not blocks:
            blocks["summary_html"] = Markup(render(build.template("redress/summary.html"), scope))
            # "How reviews work" reads the settings, the ledger and two facts of the summary:
            # most products share one, made once.
            summary = listing.summary
            platforms_shown = getattr(summary, "platforms", ())
            how_key = "how:" + repr(
                (listing.ledger, summary.platform_invited, summary.rescaled, platforms_shown)
            )
            how = build.memo.get(how_key)
            if how is None:
                how = build.memo[how_key] = Markup(
                    render(build.template("redress/how_reviews_work.html"), scope)
                )
            blocks["how_html"] = how
        return blocks

    def context_of(page: ListingPage, **more: Any) -> dict[str, Any]:
        # Made only for a page that is written: most pages of a rebuild are skipped.
        return dict(
            scope,
            filter_key=page.key,
            page_number=page.number,
            archive_count=page.archive,
            page_url=Urls.filtered(listing.url, page.key, page.number),
            first_url=Urls.filtered(listing.url, page.key),
            oldest_url=Urls.filtered(listing.url, page.key, page.oldest) if page.oldest else "",
            **more,
        )

    if part == "first":
        _gone_filter_pages(build, listing, per_page, archive_per_page)
    for page in listing_pages(listing, per_page, archive_per_page):
        if page.is_archive != (part == "archive"):
            continue
        items = listing.groups[page.key]
        save_as = build.urls.filtered_save_as(listing.save_as, page.key, page.number)
        if page.is_archive:
            # Kept when the next newer page (its link) holds the same reviews as before too:
            # the newest review of that page, and so all of this one's, came before any change.
            if (
                same_around
                and page.key not in DATED_FILTERS
                and page.newer
                and build.before_any_change(items[max(0, len(items) - page.newer * max(1, archive_per_page))])
                and build.pages.keep(save_as)
            ):
                continue
            links = (page.number, page.newer, page.older, page.oldest)
            inputs = "|".join(
                [archive_key, "archive", page.key, repr(links), *build.digests_of(page.reviews)]
            )
            build.pages.write(
                save_as,
                inputs,
                partial(_render_archive, build, context_of, page, cards, listing),
                background=True,
            )
            continue
        older = ""
        if page.older:
            # The archive page holding the first review this page has no room for.
            older = Urls.filtered(listing.url, page.key, page.older) + "#" + items[len(page.reviews)].anchor
        filters = listing.filter_links(page.key, per_page)
        inputs = "|".join(
            [scope_key, repr(filters), page.key, str(len(items)), older, *build.digests_of(page.reviews)]
        )
        context = partial(context_of, page, filters=filters, total=len(items), older_url=older)
        build.pages.write(
            save_as, inputs, partial(_render_first, build, context, page, cards, listing, shared_blocks)
        )


def _gone_filter_pages(build: Build, listing: Listing, per_page: int, archive_per_page: int) -> None:
    """Name the filter and archive pages this listing no longer has, so they are removed.

    A filter that empties, or an archive that loses a page (a review
    withheld), leaves pages that may show a withheld review's row. The page
    record removes them; without a cache there is none, so the first page of
    every filter without a page, and the archive pages past a filter's last
    one found in its folder, are named here (see :meth:`.output.PageWriter.gone`).
    """
    # Every filter's pages are in the folder of the listing's own page (the output
    # folder for a listing that is not written, SAVE_AS ""): on a first build none
    # is there yet, and there is nothing to look through.
    folder = build.pages.root
    if listing.save_as:
        try:
            folder = os.path.dirname(build.pages.path_of(listing.save_as))
        except RuntimeError:
            pass  # not a page of the output folder: the output folder is looked at
    if not os.path.isdir(folder):
        return
    per_page, archive_per_page = max(1, per_page), max(1, archive_per_page)
    for key in listing.groups:
        if not has_page(listing, key, per_page):
            build.pages.gone(build.urls.filtered_save_as(listing.save_as, key))
        numbers = archive_numbers(listing, key, per_page, archive_per_page)
        # The folder of the archive pages: that of page N's folder (``…/page/N/index.html``).
        beyond = build.urls.filtered_save_as(listing.save_as, key, 1)
        try:
            folder = os.path.dirname(os.path.dirname(build.pages.path_of(beyond)))
            names = os.listdir(folder)
        except (OSError, RuntimeError):
            continue  # no archive folder: nothing left over
        for name in names:
            if name.isdigit() and int(name) > 0 and int(name) not in numbers:
                build.pages.gone(build.urls.filtered_save_as(listing.save_as, key, int(name)))


def _with_cards(build: Build, context: dict[str, Any], page: ListingPage, cards: CardStore) -> dict[str, Any]:
    """The page's reviews: whole cards on "All", a row each on a filter (see ``review_rows.html``)."""
    if page.key != "all":
        rows = render(build.template("redress/review_rows.html"), context, reviews=page.reviews)
        return dict(context, cards=page.reviews, cards_html=Markup(rows))
    of_product = context.get("product") is not None
    chunk = [card_on_listing(card, of_product) for card in cards.many([r.slug for r in page.reviews])]
    return dict(context, cards=chunk, cards_html=Markup("\n".join(chunk)))


def _render_archive(
    build: Build,
    context_of: Callable[..., dict[str, Any]],
    page: ListingPage,
    cards: CardStore,
    listing: Listing,
) -> str:
    context = context_of(
        page,
        newer_url=Urls.filtered(listing.url, page.key, page.newer),
        older_url=Urls.filtered(listing.url, page.key, page.older) if page.older else "",
        dated=page.key in DATED_FILTERS,
        first_date=page.reviews[-1].date,
        last_date=page.reviews[0].date,
    )
    return render(build.template("redress/archive.html"), _with_cards(build, context, page, cards))


def _render_first(
    build: Build,
    context: Callable[[], dict[str, Any]],
    page: ListingPage,
    cards: CardStore,
    listing: Listing,
    shared_blocks: Callable[[], dict[str, Markup]],
) -> str:
    full = _with_cards(build, context(), page, cards)
    full.update(shared_blocks())
    full["filters_html"] = Markup(render(build.template("redress/filters.html"), full))
    # Structured data on the product's own listing, not on its filters.
    full["jsonld"] = (
        structured_data.listing_jsonld(build, listing, page.reviews) if page.key == "all" else Markup("")
    )
    return render(build.template("redress/listing.html"), full)
