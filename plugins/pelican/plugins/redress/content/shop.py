"""The whole shop: every review with its thread and product, checked across files.

:func:`load_shop` is the single entry point every part of Redress uses to get
the content: it reads the files (see :mod:`reader`), checks what only makes
sense across files (a response to a review that exists, a known product,
one slug per file), links threads to reviews, and works out each case's
state. If anything is wrong it raises :class:`~redress.model.ContentError`
with all problems at once.
"""

from __future__ import annotations

import hashlib
import logging
import operator
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..i18n import translations
from . import forked, model, privacy
from .cache import KeptDict, remove_unused
from .collector import collector_paused
from .model import ContentError, Problem, Product, Review, ThreadEntry
from .reader import ReadResult, code_stamp, contacts_of, read_content
from .settings import get_settings

logger = logging.getLogger(__name__)


@dataclass
class Shop:
    settings: dict[str, Any]
    #: Published reviews, newest first.
    reviews: list[Review] = field(default_factory=list)
    #: Reviews left off the page, each with its recorded reason.
    withheld: list[Review] = field(default_factory=list)
    products: dict[str, Product] = field(default_factory=dict)
    #: Each file's stamp (see :class:`~redress.content.reader.ReadResult`), by its ``source_path``.
    stamps: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    #: The reading the files were compared with, and this one's (see :data:`.reader.READ_TOKEN`).
    read_since: str | None = field(default=None, repr=False, compare=False)
    read_token: str | None = field(default=None, repr=False, compare=False)
    #: The reviews (published or withheld) whose file, thread or product file changed
    #: since ``read_since``, as they were and as they are: None when every one counts
    #: as changed (no reading to compare with).
    touched_reviews: frozenset[str] | None = field(default=None, repr=False, compare=False)
    #: The products (None: the shop itself) that gained, lost or changed a review
    #: there, or whose own file changed, since ``read_since``; None: every one.
    touched_products: frozenset[str | None] | None = field(default=None, repr=False, compare=False)
    #: The earliest (date, slug) of those reviews, as they were or as they are: every
    #: review before it is where it was in every listing. None: none is touched.
    touched_from: tuple[Any, str] | None = field(default=None, repr=False, compare=False)
    _by_product: dict[str, list[Review]] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def scale(self) -> int:
        return self.settings["REVIEWS_SCALE"]

    def reviews_of(self, product_slug: str | None) -> list[Review]:
        """A product's published reviews, newest first; the shop's for ``None``."""
        if product_slug is None:
            return self.reviews
        if self._by_product is None:
            # Grouped once: asked for every product, a scan per product costs products x reviews.
            self._by_product = {}
            for review in self.reviews:
                if review.product_slug is not None:
                    self._by_product.setdefault(review.product_slug, []).append(review)
        return self._by_product.get(product_slug, [])

    @property
    def entries(self) -> list[ThreadEntry]:
        """Every published thread entry, newest first."""
        items = [e for r in self.reviews for e in r.thread]
        items.sort(key=lambda e: (e.date, e.slug), reverse=True)
        return items


def load_shop(
    settings: dict[str, Any],
    saving: list[forked.Beside[bool]] | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> Shop:
    """Read, check and link all content of a site. Raises ContentError.

    A caller that passes ``saving`` gets the forked processes still writing
    a cache in it, and waits for them (see :meth:`.cache.KeptDict.save`);
    one that passes ``meanwhile`` has it called while the files are listed
    (see :func:`.reader.read_content`).
    """
    rs = get_settings(settings)
    raw = read_content(settings, rs, saving, meanwhile)
    # Linking makes a list per review and touches every object: no collector
    # passes over the shop while it grows (see collector_paused).
    with collector_paused():
        return _linked(settings, rs, raw)


def _linked(settings: dict[str, Any], rs: dict[str, Any], raw: ReadResult) -> Shop:
    """The shop the files make, or all that is wrong across them (see :func:`load_shop`)."""
    problems: list[Problem] = list(raw.problems)

    unreadable = _unreadable_products(raw.problems, settings, rs)
    products: dict[str, Product] = {}
    for product in raw.products:
        if product.slug in products:
            problems.append(_duplicate(product.source_path, products[product.slug].source_path))
        else:
            products[product.slug] = product

    negative_max = rs["REVIEWS_NEGATIVE_MAX"]
    reviews: dict[str, Review] = {}
    for review in raw.reviews:
        if review.slug in reviews:
            problems.append(_duplicate(review.source_path, reviews[review.slug].source_path))
            continue
        reviews[review.slug] = review
        review.thread = []
        review.negative = review.rating is not None and review.rating <= negative_max
        if review.product_slug is not None:
            reviewed = products.get(review.product_slug)
            # A product file with a problem of its own is reported there, once, not on each review.
            if reviewed is None and review.product_slug not in unreadable:
                known = ", ".join(sorted(products)) or "none yet"
                problems.append(
                    Problem(
                        review.source_path,
                        "Product",
                        f"{review.product_slug!r} is not a product in "
                        f"{rs['REVIEWS_PRODUCT_DIR']}/ (known: {known}); fix the slug, "
                        "add the product file, or remove the line for a review of the shop",
                    )
                )
            review.product = reviewed

    seen_entries: dict[str, ThreadEntry] = {}
    for entry in raw.entries:
        if entry.slug in seen_entries:
            problems.append(_duplicate(entry.source_path, seen_entries[entry.slug].source_path))
            continue
        seen_entries[entry.slug] = entry
        answered = reviews.get(entry.review_slug)
        if answered is None:
            problems.append(
                Problem(
                    entry.source_path,
                    "Review",
                    f"{entry.review_slug!r} is not a review in {rs['REVIEWS_REVIEW_DIR']}/; "
                    "use the review's file name without .md",
                )
            )
            continue
        if entry.date < answered.date:
            problems.append(
                Problem(
                    entry.source_path,
                    "Date",
                    f"is before the review it answers ({answered.date:%Y-%m-%d %H:%M}); check the date",
                )
            )
        answered.thread.append(entry)

    if problems:
        raise ContentError(problems + _foreign_files(problems, settings, rs))

    shop = Shop(settings=rs, products=products, stamps=raw.stamps, read_since=raw.since, read_token=raw.token)
    if raw.since is not None:
        shop.touched_reviews, shop.touched_products, shop.touched_from = _touched(raw.changed, reviews)
    contacts = contacts_of(settings, rs)
    redacted = RedactedThreads(settings, rs, contacts)
    for review in reviews.values():
        if review.thread:  # most reviews have none: nothing to order, name or hide
            if len(review.thread) > 1:  # most threads are one answer: no sort called for them
                review.thread.sort(key=_BY_DATE)
            for entry in review.thread:
                if not entry.by_shop and not entry.author:
                    entry.author = review.author
            redacted.apply(review, raw.stamps)
        review.state = model.case_state(review)
        (shop.withheld if review.withheld else shop.reviews).append(review)
    redacted.save()
    shop.reviews.sort(key=_BY_DATE, reverse=True)
    shop.withheld.sort(key=_BY_DATE, reverse=True)
    logger.info(
        "reviews: read %d reviews (%d withheld), %d thread entries, %d products",
        len(reviews),
        len(shop.withheld),
        len(seen_entries),
        len(products),
    )
    return shop


def _touched(
    changed: list[Any], reviews: dict[str, Review]
) -> tuple[frozenset[str], frozenset[str | None], tuple[Any, str] | None]:
    """The reviews and products that what changed since the last reading touches, and the
    earliest (date, slug) of those reviews as they were or are (see :attr:`Shop.touched_from`).

    ``changed`` is each item of a file new, changed or gone, as it was and
    as it is (see :attr:`.reader.ReadResult.changed`): a review moved to
    another product touches both, a response moved to another review both
    reviews, and a product's file every review of it (its card names it).
    """
    touched: set[str] = set()
    products: set[str | None] = set()
    product_files: set[str] = set()
    keys: list[tuple[Any, str]] = []
    for item in changed:
        if isinstance(item, Review):
            touched.add(item.slug)
            products.add(item.product_slug)
            keys.append((item.date, item.slug))
        elif isinstance(item, ThreadEntry):
            touched.add(item.review_slug)
        elif isinstance(item, Product):
            product_files.add(item.slug)
    for slug in touched:
        review = reviews.get(slug)
        if review is not None:
            products.add(review.product_slug)
    if product_files:
        products.update(product_files)
        touched.update(r.slug for r in reviews.values() if r.product_slug in product_files)
    keys += [(reviews[slug].date, slug) for slug in touched if slug in reviews]
    return frozenset(touched), frozenset(products), min(keys) if keys else None


#: Reviews and thread entries in the order of their dates (a tie by slug): a key
#: made in C, asked for 100,000 times a build.
_BY_DATE = operator.attrgetter("date", "slug")


#: The redacted threads' files are named ``redress-threads-<code>-<settings>``.
THREADS_CACHE_FILES = "redress-threads-"


class RedactedThreads:
    """Each thread as :func:`_redact_thread` left it, kept between builds.

    Hiding a reviewer's e-mail, order and phone in their thread runs the
    privacy patterns over every answer; on a shop with 100,000 reviews that
    is seconds on every build, for threads that did not change. A thread's
    result is kept under the stamps of its review's and entries' files (and
    the code and shop contacts that decide it), and reused while they match.
    """

    def __init__(self, settings: dict[str, Any], rs: dict[str, Any], contacts: privacy.ShopContacts):
        self.contacts = contacts
        # Everything that decides a redacted text besides the files: the code, the
        # shop's contacts, the site's language (the note that replaces a value, for
        # a review without a Lang) and time zone.
        code = code_stamp()
        decided_by = (
            code,
            str(settings.get("PATH")),
            contacts,
            settings.get("DEFAULT_LANG"),
            settings.get("TIMEZONE"),
            rs["REVIEWS_SCALE"],
        )
        name = f"{THREADS_CACHE_FILES}{code}-" + hashlib.sha256(repr(decided_by).encode()).hexdigest()[:12]
        path = os.path.join(settings["CACHE_PATH"], name)
        self._kept = KeptDict(path, bool(rs["REVIEWS_CACHE"]))
        if rs["REVIEWS_CACHE"]:
            remove_unused(path, THREADS_CACHE_FILES, code)
        self._seen: set[str] = set()

    def apply(self, review: Review, stamps: dict[str, int]) -> None:
        if not review.thread or not any(len(v) >= 3 for v in review.private.values()):
            return
        key = (stamps.get(review.source_path), *(stamps.get(e.source_path) for e in review.thread))
        self._seen.add(review.slug)
        kept = self._kept.get(review.slug)
        if kept is not None and kept[0] == key:
            for entry, (body_html, author, quoted) in zip(review.thread, kept[1], strict=True):
                entry.body_html, entry.author, entry.quoted = body_html, author, quoted
            return
        _redact_thread(review, self.contacts)
        self._kept[review.slug] = (key, tuple((e.body_html, e.author, e.quoted) for e in review.thread))

    def save(self) -> None:
        for slug in self._kept.keys() - self._seen:
            self._kept.pop(slug)
        self._kept.save()


def _redact_thread(review: Review, contacts: privacy.ShopContacts) -> None:
    """Hide the review's own e-mail, order and phone wherever the thread quotes them.

    A shop's entry that quotes them is marked (``entry.quoted``) for the
    desk's ``contact-data`` rule: the page hides them, but they do not
    belong in the file either. The reader already hid any e-mail address
    or phone number in the text; its fingerprints say whether one was the
    reviewer's.
    """
    private = {k: v for k, v in review.private.items() if len(v) >= 3}
    if not private or not review.thread:
        return
    gettext = translations(review.lang).gettext
    prints = {privacy.fingerprint(k, private[k]): k for k in ("email", "phone") if k in private}
    # No quick "does the text contain it" test first: a quote may differ in
    # case or in its dashes and spaces (bb-77779 for BB-77779), which only
    # redact() knows to match.
    for entry in review.thread:
        keep = contacts if entry.by_shop else privacy.NO_CONTACTS
        found: set[str] = set()
        entry.body_html = privacy.redact(entry.body_html, private, gettext, keep=keep, found=found)
        entry.author = privacy.redact(entry.author, private, gettext)
        if entry.by_shop:
            kinds = {f.removeprefix("private:") for f in found if f.startswith("private:")}
            kinds.update(prints[f] for f in entry.hidden if f in prints)
            entry.quoted = tuple(k for k in ("email", "phone", "order") if k in kinds)


#: Keys of Pelican's own articles and pages that no Redress file has: a file in
#: Redress's folder with one of them is most likely the blog's own. (Not
#: Status: a shop's response has one, and a review given one by mistake is not
#: a blog post.)
PELICAN_KEYS = frozenset(
    "category tags slug summary modified authors save_as template subtitle keywords".split()
)


def _foreign_files(problems: list[Problem], settings: dict[str, Any], rs: dict[str, Any]) -> list[Problem]:
    """One more line per Redress folder that holds the blog's own files: the setting that moves it.

    A blog that already keeps articles in ``content/reviews/`` gets a
    problem line per field of each of them ("Category: is not a review
    field"), which says nothing of why Redress reads that folder at all.
    Those articles are also gone from the blog, since Redress keeps its
    folders out of Pelican's articles and pages.
    """
    content = Path(settings["PATH"])
    lines = []
    for key, kind in (
        ("REVIEWS_REVIEW_DIR", "review"),
        ("REVIEWS_RESPONSE_DIR", "response"),
        ("REVIEWS_PRODUCT_DIR", "product"),
    ):
        folder = (content / rs[key]).resolve()
        foreign = [
            p
            for p in problems
            if p.field
            and p.field.lower() in PELICAN_KEYS
            and folder in (content.parent / p.path).resolve().parents
        ]
        if not foreign:
            continue
        files = len({p.path for p in foreign})
        keys = ", ".join(sorted({p.field or "" for p in foreign}))
        look = "1 file in it looks" if files == 1 else f"{files} files in it look"
        lines.append(
            Problem(
                f"{os.path.relpath(content / rs[key], content.parent)}/",
                None,
                f"is Redress's {kind} folder ({key}): Redress reads every file in it as a {kind} and keeps "
                f"it out of your blog's articles and pages, but {look} like your blog's own ({keys}); "
                f'move Redress\'s folder with {key} = "customer-{rs[key]}", or move your own files elsewhere',
            )
        )
    return lines


def _unreadable_products(problems: list[Problem], settings: dict[str, Any], rs: dict[str, Any]) -> set[str]:
    """The slugs of product files that exist but could not be read, for their problems.

    A review of such a product names a product that is there: the file's
    problem (a bad URL, say) is already reported on the file, and fixing it
    fixes the reviews too, so they are not reported as naming no product.
    """
    content = Path(settings["PATH"])
    folder = (content / rs["REVIEWS_PRODUCT_DIR"]).resolve()
    slugs = set()
    for problem in problems:
        path = (content.parent / problem.path).resolve()
        if folder in path.parents:
            slugs.add(path.stem)
    return slugs


def _duplicate(path: str, first: str) -> Problem:
    return Problem(
        path,
        None,
        f"has the same file name as {first}; each file name (slug) must be unique, rename one",
    )
