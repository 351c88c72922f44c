"""Each review's card and JSON: made once, kept between builds, read only where a page needs them.

A card is pasted into the review's own page and every listing page that
shows it. Keeping every card of a big shop in memory (and loading and saving
all of them with each build) cost more than the cards themselves: 100,000
cards are some 200 MB of text. So they live in a small SQLite file in the
site's cache folder, keyed by the review's slug with the fingerprint of
what the card was made from; a build renders the cards whose fingerprint
changed and reads the others one page at a time. Without a cache (the site
keeps none, or REVIEWS_CACHE is off) they are kept in memory for the build.

SQLite, from the standard library, because a forked writer reads the same
cards: each process opens its own connection.
"""

from __future__ import annotations

import logging
import operator
import os
import pickle
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import Template

from ..content import forked
from ..templating import render
from .output import digest

logger = logging.getLogger(__name__)

#: The table's shape and what its JSON holds (4: no body_html); a file of another shape is a
#: cache from another version, started again.
SCHEMA = 4
#: Cards rendered before they are written to the file in one go.
BATCH = 500
#: With at least this many cards to make, a forked process shares the work.
FORK_MIN_CARDS = 2000
#: Every card's fingerprint, read at each build, from an index of its own: a few
#: megabytes, not the table of whole cards (0.08 s against 0.23 s at 100,000).
FINGERPRINTS = "SELECT slug, fingerprint FROM cards"
INDEX = "CREATE INDEX IF NOT EXISTS fingerprints ON cards (slug, fingerprint)"
#: SQLite's limit on parameters of one statement is 999 in old builds.
CHUNK = 900
#: The cards a build makes are also kept in memory for its pages, as UTF-8, up to
#: this many bytes (cards and JSON; 10,000 reviews' are 28 MB): see :meth:`CardStore.update`.
FRESH_BYTES = 32 * 1024 * 1024


class CardStore:
    def __init__(self, cache_path: str | None, output_path: str = ""):
        # One file per output folder, as the page record: a preview and a publish build
        # (other SITEURL, other cards) never take each other's cards.
        name = f"redress-cards-{digest(os.path.abspath(output_path))[:12]}.sqlite3"
        self.path = os.path.join(cache_path, name) if cache_path else None
        self._memory: dict[str, tuple[str, str]] = {}
        self._fresh: dict[str, tuple[bytes, bytes]] = {}
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        #: Cards made (rendered) by the last :meth:`update`; the others were unchanged.
        self.made = 0

    def _conn(self) -> sqlite3.Connection:
        assert self.path is not None
        if self._db is None or self._pid != os.getpid():
            # A forked process never uses its parent's connection.
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            self._db = self._open()
            self._pid = os.getpid()
        return self._db

    def _open(self) -> sqlite3.Connection:
        assert self.path is not None
        for attempt in (1, 2):
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            try:
                # A cache: losing it to a power cut costs one slower build, so no fsync.
                db.execute("PRAGMA synchronous=OFF")
                if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA:
                    db.execute("DROP TABLE IF EXISTS cards")
                    db.execute(f"PRAGMA user_version={SCHEMA}")
                db.execute(
                    "CREATE TABLE IF NOT EXISTS cards (slug TEXT PRIMARY KEY, "
                    "fingerprint TEXT NOT NULL, html TEXT NOT NULL, json TEXT NOT NULL)"
                )
                db.execute(INDEX)
                db.execute("CREATE TABLE IF NOT EXISTS made_by (build_key TEXT NOT NULL)")
                # The reading of the files the cards were last brought up to date with
                # (see reader.READ_TOKEN): while it is the one the build compares with,
                # only the reviews touched since can have another card.
                db.execute("CREATE TABLE IF NOT EXISTS read_by (token TEXT NOT NULL)")
                return db
            except sqlite3.DatabaseError:
                db.close()
                if attempt == 2:
                    raise
                logger.warning("reviews: the card cache %s was unreadable; starting it again", self.path)
                os.remove(self.path)
        raise AssertionError("unreachable")

    def update(
        self,
        reviews: Iterable[Any],
        template: Template,
        context: dict[str, Any],
        build_key: str,
        json_of: Callable[[Any], str],
        stamps: Mapping[str, int] | None = None,
        read: Reading | None = None,
    ) -> dict[str, str]:
        """Make the cards (and JSON) of reviews that changed; return every card's fingerprint.

        With ``read`` (what the files changed since a reading, see
        :class:`Reading`) and cards last brought up to date with that same
        reading, only the reviews it touched are looked at: the others'
        fingerprints are the ones kept. At 100,000 reviews, working out
        every card's fingerprint again and comparing it was half a second
        of a rebuild that adds one response.

        The cards made here are also kept in memory for this build's pages,
        up to FRESH_BYTES: a first build reads each card back four to six
        times (its own page, its listings' pages), and reading them from the
        file cost 0.7 s of a 10,000-review first build. They are kept as
        UTF-8, which takes half the memory of the text (a card's stars make
        Python keep it at two bytes a character) and a few microseconds to
        read. A rebuild makes few cards and reads the rest from the file; a
        big shop's first build keeps its first cards only, so memory does not
        grow with the shop.
        """
        stamps = stamps or {}
        fingerprints: dict[str, str] = {}
        if self.path is None:
            for review in reviews:
                fingerprints[review.slug] = _fingerprint(review, stamps)
                self._memory[review.slug] = (render(template, context, review=review), json_of(review))
            self.made = len(fingerprints)
            return fingerprints
        try:
            return self._update(reviews, template, context, build_key, json_of, stamps, read)
        except sqlite3.DatabaseError:
            # A damaged cache (a power cut with synchronous off): start it again, once.
            logger.warning("reviews: the card cache %s was damaged; making it again", self.path)
            assert self.path is not None
            if self._db is not None:
                self._db.close()
                self._db = None
            os.remove(self.path)
            return self._update(reviews, template, context, build_key, json_of, stamps, None)

    def _update(
        self,
        reviews: Iterable[Any],
        template: Template,
        context: dict[str, Any],
        build_key: str,
        json_of: Callable[[Any], str],
        stamps: Mapping[str, int],
        read: Reading | None,
    ) -> dict[str, str]:
        self._fresh = {}
        db = self._conn()
        db.execute("BEGIN")
        # Cards made with other templates, settings or code are all made again.
        same_key = db.execute("SELECT build_key FROM made_by").fetchall() == [(build_key,)]
        if not same_key:
            db.execute("DELETE FROM cards")
            db.execute("DELETE FROM made_by")
            db.execute("INSERT INTO made_by VALUES (?)", (build_key,))
        up_to_date = db.execute("SELECT token FROM read_by").fetchall()
        known = dict(db.execute(FINGERPRINTS))
        reviews = reviews if isinstance(reviews, list) else list(reviews)
        found = None
        if read is not None and read.touched is not None and same_key and up_to_date == [(read.since,)]:
            found = _touched_only(reviews, known, read.touched, stamps)
        fingerprints, todo = found or _every_one(reviews, known, stamps)
        self.made = len(todo)
        insert = "INSERT OR REPLACE INTO cards VALUES (?, ?, ?, ?)"
        assert self.path is not None
        # Into an empty table (a first build, other templates or code) every card goes:
        # the index is made once after them, not kept up card by card.
        bulk = not known and len(todo) >= BATCH
        if bulk:
            db.execute("DROP INDEX IF EXISTS fingerprints")
        room = FRESH_BYTES
        for batch in _rendered(todo, template, context, json_of, os.path.dirname(self.path)):
            db.executemany(insert, batch)
            for slug, _key, html, json in batch:
                if room <= 0:
                    break
                kept = self._fresh[slug] = (html.encode(), json.encode())
                room -= len(kept[0]) + len(kept[1])
        if bulk:
            db.execute(INDEX)
        gone = [(slug,) for slug in known.keys() - fingerprints.keys()]
        db.executemany("DELETE FROM cards WHERE slug = ?", gone)
        db.execute("DELETE FROM read_by")
        if read is not None:
            db.execute("INSERT INTO read_by VALUES (?)", (read.token,))
        db.execute("COMMIT")
        return fingerprints

    def __getitem__(self, slug: str) -> str:
        if self.path is None:
            return self._memory[slug][0]
        if slug in self._fresh:
            return self._fresh[slug][0].decode()
        row = self._conn().execute("SELECT html FROM cards WHERE slug = ?", (slug,)).fetchone()
        if row is None:
            raise KeyError(slug)
        return str(row[0])

    def many(self, slugs: Sequence[str]) -> list[str]:
        """The cards of ``slugs``, in that order: one query for a page of them."""
        return self._column("html", 0, slugs)

    def fragments(self, slugs: Sequence[str]) -> list[str]:
        """The reviews' JSON text (see :func:`~.public_data.review_fragment`), in that order."""
        return self._column("json", 1, slugs)

    def _column(self, column: str, index: int, slugs: Sequence[str]) -> list[str]:
        if self.path is None:
            return [self._memory[slug][index] for slug in slugs]
        fresh = self._fresh
        found = {slug: fresh[slug][index].decode() for slug in slugs if slug in fresh} if fresh else {}
        wanted = [slug for slug in slugs if slug not in found]
        if wanted:
            db = self._conn()
            for start in range(0, len(wanted), CHUNK):
                part = wanted[start : start + CHUNK]
                marks = ",".join("?" * len(part))
                found.update(db.execute(f"SELECT slug, {column} FROM cards WHERE slug IN ({marks})", part))
        return [found[slug] for slug in slugs]


def _render_rows(
    todo: Sequence[tuple[Any, str]],
    template: Template,
    context: dict[str, Any],
    json_of: Callable[[Any], str],
) -> Iterator[list[tuple[str, str, str, str]]]:
    """Cards and JSON of ``todo`` (review, fingerprint), a batch at a time."""
    for start in range(0, len(todo), BATCH):
        yield [
            (review.slug, key, render(template, context, review=review), json_of(review))
            for review, key in todo[start : start + BATCH]
        ]


def _rendered(
    todo: list[tuple[Any, str]],
    template: Template,
    context: dict[str, Any],
    json_of: Callable[[Any], str],
    folder: str,
) -> Iterator[list[tuple[str, str, str, str]]]:
    """The cards of ``todo``, shared with a forked process when there are many.

    A first build renders every card, a tenth of a big shop's build. Both
    processes take cards from a :class:`forked.SharedQueue` until it is
    empty, so neither waits while the other has some left (the parent also
    stores every card, so it makes fewer). The child writes its batches to a
    nameless file in the cache folder (not a pipe: the parent reads it only
    when its own part is done, and holding a hundred megabytes of cards in
    memory would cost more than the file; nameless, so a build killed
    half-way leaves nothing behind). If the child fails, the cards it took
    are made here; if the build fails, the child is stopped.
    """
    queue = forked.shared_queue(len(todo)) if len(todo) >= FORK_MIN_CARDS and hasattr(os, "fork") else None
    if queue is None:
        yield from _render_rows(todo, template, context, json_of)
        return
    with tempfile.TemporaryFile(dir=folder) as part:
        parent = os.getpid()

        def their_part() -> bool:  # in the child: renders and writes, nothing else
            while span := queue.take_front():
                for batch in _render_rows(todo[span[0] : span[1]], template, context, json_of):
                    if os.getppid() != parent:  # the build is gone: so is its cache
                        return False
                    pickle.dump(batch, part, protocol=pickle.HIGHEST_PROTOCOL)
            part.flush()
            return True

        child = forked.beside(their_part)
        if child is None:
            yield from _render_rows(todo, template, context, json_of)
            return
        theirs_end = len(todo)  # the parent takes from the back: the child's share is todo[:theirs_end]
        try:
            while span := queue.take_back():
                theirs_end = span[0]
                yield from _render_rows(todo[span[0] : span[1]], template, context, json_of)
        except BaseException:
            child.stop()  # the build failed: no need for the rest
            raise
        done = child.result() is True
        if done:
            try:
                part.seek(0)
                while True:
                    try:
                        batch = pickle.load(part)
                    except EOFError:
                        break
                    yield batch
            except (OSError, pickle.UnpicklingError):
                done = False
        if not done:  # the child failed: its cards are made here (a card written twice is replaced)
            yield from _render_rows(todo[:theirs_end], template, context, json_of)


@dataclass(frozen=True)
class Reading:
    """What the files changed since one reading of them (see :data:`.reader.READ_TOKEN`)."""

    #: The reading compared with (None: none, every file counts as changed), and this one.
    since: str | None
    token: str
    #: The slugs of the reviews whose card may have changed since (see
    #: :attr:`.shop.Shop.touched_reviews`); None: every one.
    touched: frozenset[str] | None


def _every_one(
    reviews: list[Any], known: Mapping[str, str], stamps: Mapping[str, int]
) -> tuple[dict[str, str], list[tuple[Any, str]]]:
    """Every review's fingerprint, and the reviews whose card is not the one kept."""
    fingerprints: dict[str, str] = {}
    todo: list[tuple[Any, str]] = []
    for review in reviews:
        key = fingerprints[review.slug] = _fingerprint(review, stamps)
        if known.get(review.slug) != key:
            todo.append((review, key))
    return fingerprints, todo


def _touched_only(
    reviews: list[Any], known: Mapping[str, str], touched: frozenset[str], stamps: Mapping[str, int]
) -> tuple[dict[str, str], list[tuple[Any, str]]] | None:
    """As :func:`_every_one`, looking only at the reviews touched since the cards' reading.

    The others' cards are the ones kept, with their fingerprints. None if
    the kept cards are not exactly the other reviews (a card missing): then
    every one is looked at.
    """
    fingerprints = dict(known)
    for slug in touched:
        fingerprints.pop(slug, None)
    todo: list[tuple[Any, str]] = []
    for review in reviews:
        if review.slug in touched:
            key = fingerprints[review.slug] = _fingerprint(review, stamps)
            if known.get(review.slug) != key:
                todo.append((review, key))
    if len(fingerprints) != len(reviews) or fingerprints.keys() != set(map(_SLUG, reviews)):
        return None
    return fingerprints, todo


_SLUG = operator.attrgetter("slug")


def _fingerprint(review: Any, stamps: Mapping[str, int]) -> str:
    """What a card is made from: the review's, its thread's and its product's files.

    Those files' stamps (which cover their names) say whether a card
    changed, without pickling the review (two seconds at 100,000 reviews)
    or hashing strings per review: Python's hash of the stamps, ints, whose
    hash is the same in every process. The build key (templates, settings,
    code) is kept once beside the cards. Without a stamp for each file (a
    shop assembled in memory), the review itself is the fingerprint.
    """
    try:
        product = review.product
        product_stamp = stamps[product.source_path] if product is not None else 0
        numbers: tuple[int, ...] = (stamps[review.source_path], product_stamp)
        if review.thread:  # most reviews have none: no list made for them (asked 100,000 times a build)
            numbers += tuple([stamps[entry.source_path] for entry in review.thread])
    except KeyError:
        return digest(pickle.dumps(review, protocol=pickle.HIGHEST_PROTOCOL))
    return "%016x" % (hash(numbers) & 0xFFFFFFFFFFFFFFFF)
