"""The shop's content as the running inbox knows it: it follows the files, and survives their mistakes.

The inbox runs for weeks while the shop owner edits ``content/``. Read once
at start, a product added later would be refused until a restart, and a
removed one would still be accepted and then break the build; a mistake in
any file would stop the service from starting at all (a crash loop under
systemd's ``Restart=always``), so the forms would fail while the owner was
away. So:

* :class:`Catalog` re-reads the content when its files change, through the
  one reader (:func:`~redress.content.shop.load_shop`), never a second
  parser. Whether they changed is a walk over the three content folders
  comparing each file's name, size and modification time: a few hundred
  ``stat`` calls, done at most once every :data:`CHECK_SECONDS`, and only
  when a request comes.
* Content with a mistake never stops the inbox: it keeps the last product
  list it could read, and logs the problem lines once (again only when they
  change). With no good list at all it takes any product name
  (:class:`AnyProduct`), and ``redress inbox publish`` checks it.
* :func:`unknown_products` is that check at publish: a review naming a
  product the content does not have (removed, or never known) is reported
  and stays in the inbox instead of becoming a file that breaks the build.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..content.model import ContentError
from ..content.settings import get_settings
from ..content.shop import Shop, load_shop
from .store import Submission

logger = logging.getLogger("redress.inbox")

#: How often, at most, the inbox looks whether the content files changed.
CHECK_SECONDS = 2.0

#: A file's name, size and modification time: what says it changed.
Stamp = frozenset[tuple[str, int, int]]


class AnyProduct(set[str]):
    """Every product name, for an inbox that could not read the content yet.

    The inbox cannot tell a product from a typo without the product files,
    and refusing every review of a product until the owner fixes an unrelated
    file would lose them. So it takes the name, and `redress inbox publish`
    (:func:`unknown_products`) checks it against the content of that day.
    """

    def __contains__(self, item: object) -> bool:
        return True


def content_stamp(settings: dict[str, Any], rs: dict[str, Any]) -> Stamp:
    """Every content file's name, size and modification time, as the reader would find them.

    Hidden files and folders are left out as the reader leaves them out (an
    editor's swap file is not a change of content).
    """
    base = Path(settings["PATH"])
    found: set[tuple[str, int, int]] = set()
    for key in ("REVIEWS_REVIEW_DIR", "REVIEWS_RESPONSE_DIR", "REVIEWS_PRODUCT_DIR"):
        folders = [base / rs[key]]
        while folders:
            try:
                entries = list(os.scandir(folders.pop()))
            except OSError:
                continue  # a folder that is not there (yet) has no files
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                try:
                    if entry.is_dir():
                        folders.append(Path(entry.path))
                    else:
                        info = entry.stat()
                        found.add((entry.path, info.st_size, info.st_mtime_ns))
                except OSError:
                    continue  # removed while we looked: the next look sees it gone
    return frozenset(found)


class Catalog:
    """The last content the inbox could read, re-read when the files change.

    ``shop`` is None until the content could be read once; ``products`` is
    then :class:`AnyProduct`. ``problems`` are the lines of the last failed
    read (empty when the content is fine). Checks run in a worker thread
    (:meth:`refresh`); :meth:`due` says, cheaply and in the event loop,
    whether it is time for one.
    """

    def __init__(
        self,
        settings: dict[str, Any],
        interval: float = CHECK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.settings = settings
        self.rs = get_settings(settings)
        self.interval = interval
        self.clock = clock
        self.shop: Shop | None = None
        self.read_at: dt.datetime | None = None
        self.problems: list[str] = []
        self._stamp: Stamp | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()

    @property
    def products(self) -> set[str]:
        return set(self.shop.products) if self.shop is not None else AnyProduct()

    def due(self) -> bool:
        """Is it time to look at the files again? Claims the look, so one request makes it."""
        now = self.clock()
        if now - self._checked < self.interval:
            return False
        self._checked = now
        return True

    def refresh(self) -> bool:
        """Read the content again if its files changed; True when a new shop was read.

        A read that finds problems keeps the last good shop and logs the
        problem lines, once for each new set of them.
        """
        if not self._lock.acquire(blocking=False):
            return False  # another thread is reading it right now
        try:
            stamp = content_stamp(self.settings, self.rs)
            if stamp == self._stamp:
                return False
            self._stamp = stamp
            try:
                shop = load_shop(self.settings)
            except ContentError as err:
                self._failed(err.lines())
                return False
            if self.problems:
                logger.warning("redress inbox: the content can be read again; the inbox follows it")
            self.problems = []
            self.shop = shop
            self.read_at = dt.datetime.now(dt.UTC)
            return True
        finally:
            self._lock.release()

    def _failed(self, lines: list[str]) -> None:
        if lines == self.problems:
            return
        self.problems = lines
        for line in lines:
            logger.error("redress inbox: %s", line)
        if self.shop is None:
            still = "any product name, checked when you run `redress inbox publish`"
        else:
            when = f"{self.read_at:%Y-%m-%d %H:%M} UTC" if self.read_at else "earlier"
            still = f"the {len(self.shop.products)} products it read at {when}"
        logger.error(
            "redress inbox: keeps receiving with %s; fix the lines above and it follows the content again",
            still,
        )


def unknown_products(shop: Shop, submissions: Iterable[Submission]) -> dict[int, str]:
    """The reviews that name a product the content does not have: {submission id: product}.

    A review file naming an unknown product stops the build, so such a
    review is not written: the product was removed after the post (or the
    inbox took the name while it could not read the content).
    """
    return {
        s.id: s.normalised["product"]
        for s in submissions
        if s.kind == "review" and s.normalised.get("product") and s.normalised["product"] not in shop.products
    }
