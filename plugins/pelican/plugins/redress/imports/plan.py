"""Records to files: what `redress import` would write, decided before anything is written.

Each :class:`~.records.ImportedReview` becomes a review file, each reply of
the shop a response file under it (``From: shop``, with a ``Status`` only
when the export recorded one), each unknown product a product file, all as
text made by :mod:`..content.files`, the one writer of the format. Here is
decided:

* the file names, from the platform's own ids (``2024-03-02-trustpilot-
  k3f9a2b1c0``), so the same review gets the same file in every run, and the
  ledger's name when an earlier run chose one;
* one review per platform id, however many files or rows repeat it (the
  later edit wins);
* what becomes public: the name shortened (``REVIEWS_IMPORT_NAMES``), the
  e-mail address in the private ``Email`` field only, no platform ids;
* the language, the rating on the page's scale, the product;
* what cannot be imported: a skip with its reason, or a row problem.

Nothing here touches a file; :mod:`.writer` does, with the ledger.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..content import files, model
from ..content.model import Product
from ..content.rules import slugify, strip_control
from .langs import Guesser, languages_in_files, primary, record_lang, shop_languages
from .ledger import Ledger
from .names import shown_name
from .records import Batch, ImportedProduct, ImportedReview, RowProblem, Skip

#: A platform id used in a file name as it is; any other is hashed to a short token.
SIMPLE_ID = re.compile(r"^[a-z0-9]{1,12}$")
#: Hex digits of the hashed token: 48 bits. Two reviews of one platform on one day would need
#: the same 48 bits to share a file name, and then the second is numbered (``-2``) anyway.
TOKEN_CHARS = 12
KINDS = ("review", "response", "product")


@dataclass
class Site:
    """What planning needs to know of the site: its folders, settings and the files it has."""

    content: Path
    settings: dict[str, Any]
    rs: dict[str, Any]
    tz: dt.tzinfo
    #: The shop's product files, read by the one reader (those with a problem are left out).
    products: dict[str, Product]
    #: Per kind, every file name (slug) in its folder -> its path relative to ``content``.
    existing: dict[str, dict[str, str]]

    def folder(self, kind: str) -> str:
        return str(self.rs[f"REVIEWS_{kind.upper()}_DIR"]).strip("/")

    def relpath(self, kind: str, slug: str) -> str:
        return self.existing[kind].get(slug) or f"{self.folder(kind)}/{slug}.md"


@dataclass(frozen=True)
class Options:
    product: str | None = None  # --product: every review of the run is about this product
    lang: str | None = None  # --lang: for reviews whose export names no language


@dataclass
class Planned:
    """One file the import would write."""

    kind: str  # review | response | product
    relpath: str  # relative to the content folder, with /
    slug: str
    text: str
    key: str  # its platform id in the ledger
    platform: str
    review_key: str  # the review it belongs to (itself, for a review); "" for a product
    where: str
    withheld: bool = False
    #: For a review and its replies: the fingerprint of what the platform said about the review.
    said: str = ""
    #: For a review whose export named no language: the one guessed (kept in the ledger).
    guessed_lang: str = ""
    #: For a review: when the platform says it was last edited (ISO, UTC; kept in the ledger).
    edited: str = ""
    #: A reply new to a review the ledger knows: when its name holds a file the import did not
    #: write (the shop's own response), it may take the next name (see :mod:`.writer`).
    fallback: bool = False


@dataclass
class Plan:
    files: list[Planned] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    #: A review's platform id -> the fingerprint of what the platform said (for "changed on …").
    records: dict[str, str] = field(default_factory=dict)
    rows: int = 0
    #: Reviews met more than once (in two files, or twice in one): one file each, the later edit.
    duplicates: int = 0
    #: The product files the shop already had that reviews were mapped to.
    products_matched: set[str] = field(default_factory=set)


def review_key(record: ImportedReview) -> str:
    return f"{record.platform}:{record.platform_id}"


def short_id(platform_id: str) -> str:
    """The platform's id in a file name: as it is when short and plain, else a stable hash token."""
    if SIMPLE_ID.match(platform_id):
        return platform_id
    return hashlib.sha256(platform_id.encode("utf-8")).hexdigest()[:TOKEN_CHARS]


def review_slug(record: ImportedReview, tz: dt.tzinfo) -> str:
    """``2024-03-02-trustpilot-k3f9a2b1c0``: the day in the site's zone, the platform, its id."""
    return f"{record.date.astimezone(tz):%Y-%m-%d}-{record.platform}-{short_id(record.platform_id)}"


def record_fingerprint(record: ImportedReview) -> str:
    """What the platform said about a review (not where in which file it said it)."""
    product = record.product
    said = (
        record.date,
        record.rating,
        record.scale,
        record.title,
        record.text,
        record.author,
        record.email,
        record.order,
        record.lang,
        record.updated,
        (product.handle, product.name, product.sku, product.url) if product else None,
        [(r.text, r.date, r.status) for r in record.replies],
        record.replied_on,
        record.invited_by_platform,
        record.withheld,
    )
    return hashlib.sha256(repr(said).encode("utf-8")).hexdigest()[:16]


def merge(batches: Iterable[Batch]) -> tuple[list[ImportedReview], Plan]:
    """Every review once (the later ``updated``, else ``date``, wins); skips, problems and rows summed."""
    plan = Plan()
    chosen: dict[str, ImportedReview] = {}
    for batch in batches:
        plan.rows += batch.rows
        plan.skips += batch.skips
        plan.problems += batch.problems
        for record in batch.reviews:
            key = review_key(record)
            earlier = chosen.get(key)
            if earlier is not None:
                plan.duplicates += 1
                if _edited(record) < _edited(earlier):
                    continue
            chosen[key] = record
    reviews = sorted(chosen.values(), key=lambda r: (r.date, review_key(r)))
    return reviews, plan


def _edited(record: ImportedReview) -> dt.datetime:
    return record.updated or record.date


class Planner:
    """Turns merged records into :class:`Planned` files for one site, one run."""

    def __init__(self, site: Site, ledger: Ledger, options: Options):
        self.site = site
        self.ledger = ledger
        self.options = options
        self.scale = int(site.rs["REVIEWS_SCALE"])
        self.names = str(site.rs["REVIEWS_IMPORT_NAMES"])
        self.default_lang = primary(site.settings.get("DEFAULT_LANG") or "en")
        self._guesser: Guesser | None = None
        self._emit: Callable[[Planned], None] | None = None
        self._record_langs: set[str] = set()
        #: Slugs planned in this run, per kind, so two records never share a file.
        self._taken: dict[str, set[str]] = {kind: set() for kind in KINDS}
        self._sku = {p.sku.strip().lower(): slug for slug, p in site.products.items() if p.sku.strip()}
        self._product_by_key: dict[str, str] = {}

    def plan(self, batches: Iterable[Batch], emit: Callable[[Planned], None] | None = None) -> Plan:
        """The plan; ``emit`` gets each file as soon as it is planned (a writer can start on it)."""
        reviews, plan = merge(batches)
        self._emit = emit
        self._record_langs = {primary(lang) for r in reviews if (lang := record_lang(r.lang))}
        for record in reviews:
            self._plan_review(record, plan)
        return plan

    def _add(self, plan: Plan, item: Planned) -> None:
        plan.files.append(item)
        if self._emit is not None:
            self._emit(item)

    # -- one review ----------------------------------------------------------------------

    def _plan_review(self, record: ImportedReview, plan: Plan) -> None:
        where = record.where
        problems = self._problems(record)
        if problems:
            plan.problems += problems
            return
        text = strip_control(record.text).strip()
        rating = None if record.rating is None else model.rescale(record.rating, record.scale, self.scale)
        if rating is None and not record.withheld:
            reason = "no rating (a review on the page needs one)" if text else "no text and no rating"
            plan.skips.append(Skip(where, reason))
            return
        key = review_key(record)
        edited = (record.updated or record.date).astimezone(dt.UTC)
        before = _when(self.ledger.edited.get(key))
        if before is not None and edited < before:
            # An older export run after a newer one: its version would undo the reviewer's edit.
            stays = f"edited {before:%Y-%m-%d %H:%M} UTC"
            plan.skips.append(Skip(where, f"older than the version imported before ({stays}), which stays"))
            return
        said = plan.records[key] = record_fingerprint(record)
        slug = self._slug("review", key, review_slug(record, self.site.tz))
        product = self._product(record, plan)
        replies = self._replies(record, slug, key, said)
        replied = None
        if not replies:
            dated = [r.date for r in record.replies if r.date and not r.text.strip()]
            replied = record.replied_on or (dated[0] if dated else None)
            replied = max(replied, record.date) if replied else None
        title = files.one_line(record.title)
        lang, guessed = self._lang(record, key, title, text)
        body = files.review_text(
            date=record.date.astimezone(self.site.tz),
            rating=rating,
            text=text,
            title=title,
            author=shown_name(files.one_line(record.author), self.names),
            product=product,
            lang=lang,
            source=f"{model.IMPORTED_PREFIX}{record.platform}",
            verified=None,
            email=files.one_line(record.email),
            order=files.one_line(record.order),
            withheld=record.withheld,
            invited=True if record.invited_by_platform else None,
            replied=replied.astimezone(self.site.tz) if replied else None,
        )
        self._add(
            plan,
            Planned(
                "review",
                self.site.relpath("review", slug),
                slug,
                body,
                key,
                record.platform,
                key,
                where,
                withheld=bool(record.withheld),
                said=said,
                guessed_lang=guessed,
                edited=edited.isoformat(),
            ),
        )
        for reply in replies:
            self._add(plan, reply)

    def _problems(self, record: ImportedReview) -> list[RowProblem]:
        """What would make a file the build refuses: each a ``file:row: field: problem`` line."""
        where = record.where
        found = []
        if not record.platform_id.strip():
            found.append(
                RowProblem(where, "id", "the review has no id, so it cannot be told apart from others")
            )
        dates = [
            ("date", record.date),
            ("updated", record.updated),
            ("reply date", record.replied_on),
            *(("reply date", reply.date) for reply in record.replies),
        ]
        for name, date in dates:
            problem = _date_problem(date)
            if problem:
                found.append(RowProblem(where, name, problem))
        if record.rating is not None and (
            isinstance(record.rating, bool)
            or not isinstance(record.rating, int)
            or not 1 <= record.rating <= record.scale
            or record.scale < 2
        ):
            found.append(
                RowProblem(
                    where, "rating", f"{record.rating!r} is not a whole number from 1 to {record.scale}"
                )
            )
        if record.withheld is not None and record.withheld not in model.WITHHELD_REASONS:
            found.append(
                RowProblem(
                    where,
                    "withheld",
                    f"{record.withheld!r} is not a reason the page knows "
                    f"({', '.join(model.WITHHELD_REASONS)})",
                )
            )
        for reply in record.replies:
            if reply.status is not None and reply.status not in model.STATUSES:
                found.append(
                    RowProblem(
                        where, "reply status", f"{reply.status!r} is not one of {', '.join(model.STATUSES)}"
                    )
                )
        return found

    def _slug(self, kind: str, key: str, made: str) -> str:
        """The ledger's file for this id when an earlier run wrote one, else ``made`` (numbered if taken)."""
        known = self.ledger.ids.get(key)
        slug = _stem(known) if known else made
        if slug in self._taken[kind]:
            number = 2
            while f"{slug}-{number}" in self._taken[kind]:
                number += 1
            slug = f"{slug}-{number}"
        self._taken[kind].add(slug)
        return slug

    def _lang(self, record: ImportedReview, key: str, title: str, text: str) -> tuple[str, str]:
        """The review's language, and the same again when it was guessed ("" otherwise)."""
        lang = record_lang(record.lang) or self.options.lang
        if lang:
            return lang, ""
        known = self.ledger.langs.get(key)
        if known:
            return known, known
        if self._guesser is None:
            languages = [
                *shop_languages(self.site.settings),
                *sorted(self._record_langs),
                *sorted(languages_in_files(self.site.content / self.site.folder("review"))),
            ]
            self._guesser = Guesser(languages, self.default_lang)
        guess = self._guesser.guess(f"{title}\n{text}".strip())
        return guess, guess

    # -- replies -----------------------------------------------------------------------------

    def _replies(self, record: ImportedReview, slug: str, key: str, said: str) -> list[Planned]:
        """Each reply with words (or a recorded outcome) as ``<review>-N``, N its place in date order.

        The name is the same in every run, so a run after a lost ledger or a
        killed run finds the reply already there instead of writing it again
        under the next free number; the writer decides what a file under
        that name is (this reply, someone else's, or an empty leftover).
        """
        planned = []
        written = [r for r in record.replies if r.text.strip() or r.status]
        written.sort(key=lambda r: r.date or record.date)
        review_known = key in self.ledger.ids
        for number, reply in enumerate(written, start=1):
            reply_key = f"{key}#reply-{number}"
            known = self.ledger.ids.get(reply_key)
            reply_slug = _stem(known) if known else f"{slug}-{number}"
            date = max(reply.date or _edited(record), record.date)
            text = files.response_text(
                review=slug,
                date=date.astimezone(self.site.tz),
                text=strip_control(reply.text).strip(),
                status=reply.status,
            )
            planned.append(
                Planned(
                    "response",
                    self.site.relpath("response", reply_slug),
                    reply_slug,
                    text,
                    reply_key,
                    record.platform,
                    key,
                    record.where,
                    said=said,
                    fallback=review_known and not known,
                )
            )
        return planned

    # -- products ---------------------------------------------------------------------------

    def _product(self, record: ImportedReview, plan: Plan) -> str | None:
        """The slug of the product file the review is about: one the shop has, or one planned here."""
        if self.options.product:
            return self.options.product
        item = record.product
        if item is None or not (item.handle.strip() or item.name.strip()):
            return None
        key = f"{record.platform}:product:{item.handle.strip() or item.name.strip()}"
        slug = self._product_by_key.get(key) or self._match(key, item)
        if slug is not None:
            self._product_by_key[key] = slug
            if slug in self.site.existing["product"]:
                plan.products_matched.add(slug)
            return slug
        known = self.ledger.ids.get(key)
        slug = base = _stem(known) if known else _new_product_slug(record.platform, item)
        number = 2
        while slug in self.site.existing["product"] or slug in self._taken["product"]:
            slug, number = f"{base}-{number}", number + 1
        self._taken["product"].add(slug)
        self._product_by_key[key] = slug
        self._add(
            plan,
            Planned(
                "product",
                self.site.relpath("product", slug),
                slug,
                files.product_text(
                    title=files.one_line(item.name) or files.one_line(item.handle),
                    sku=files.one_line(item.sku),
                    url=item.url.strip() if model.parse_url(item.url)[1] is None else "",
                ),
                key,
                record.platform,
                "",
                record.where,
            ),
        )
        return slug

    def _match(self, key: str, item: ImportedProduct) -> str | None:
        """A product file the shop already has: an earlier import's, or by handle, SKU or name."""
        files_there = self.site.existing["product"]
        known = self.ledger.ids.get(key)
        if known and _stem(known) in files_there:
            return _stem(known)
        by_handle = slugify(files.one_line(item.handle), "") if item.handle.strip() else ""
        if by_handle and by_handle in files_there:
            return by_handle
        for reference in (item.sku, item.handle):  # a shop whose handles are its SKUs (BB-ESP-X1)
            if reference.strip() and reference.strip().lower() in self._sku:
                return self._sku[reference.strip().lower()]
        by_name = slugify(files.one_line(item.name), "") if item.name.strip() else ""
        if by_name and by_name in files_there:
            return by_name
        return None


def _when(text: str | None) -> dt.datetime | None:
    """A time the ledger kept (ISO), or None for none or one it cannot read."""
    try:
        return dt.datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _date_problem(date: dt.datetime | None) -> str | None:
    """Why the build would refuse this date (or could not even write it), or ``None``.

    A year outside :data:`~..content.model.DATE_YEARS` (Google's
    ``9999-12-31``) is refused by the reader, and near the ends of the
    calendar it cannot even be moved into the site's time zone.
    """
    if date is None:
        return None
    if date.tzinfo is None:
        return "has no time zone (a bug in the platform's reader)"
    first, last = model.DATE_YEARS
    if first <= date.year <= last:  # most dates: said without making the text of one
        return None
    return model.check_date_range(date.date().isoformat(), date)


def _new_product_slug(platform: str, item: ImportedProduct) -> str:
    """A handle with letters (``espresso-x1``) names the file; a number (Woo's 42) does not, the name does."""
    handle = files.one_line(item.handle)  # "espresso\u2028x1" is espresso-x1, not espressox1
    if any(ch.isalpha() for ch in handle):
        return slugify(handle, "product")
    if item.name.strip():
        return slugify(files.one_line(item.name), "product")
    return f"{platform}-product-{slugify(handle, 'product')}"


def _stem(relpath: str) -> str:
    """``reviews/x.md`` -> ``x``, without a Path (a second run asks this for every file)."""
    return os.path.splitext(relpath.rpartition("/")[2])[0]
