"""The build's one line about the desk: "Responses: 3 need a look; run `redress check`".

A shop owner who never runs `redress check` still learns, on every build,
that some answers need a look. The line goes to the console only; nothing
of the checker reaches the public output. It is connected to the site's
``report_lines`` signal by the plugin's ``register()``, so the site does
not import the desk (the rooms' layers: desk is above site).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path
from typing import Any

from ..content.cache import KeptDict, remove_unused
from ..content.collector import collector_paused
from ..content.reader import code_stamp, contacts_of
from ..content.shop import Shop

#: The kept cases' files are named ``redress-desk-<code>-<settings>`` in the site's cache,
#: the kept comparison of the answers (:class:`~redress.desk.canned.Index`) likewise.
DESK_CACHE_FILES = "redress-desk-"
COPIES_CACHE_FILES = "redress-desk-copies-"


def report_line(shop: Shop, settings: dict[str, Any] | None = None) -> str | None:
    """The line for this build, or None when no answer has a warning.

    With the site's ``settings`` and REVIEWS_CACHE on, what each case's words
    gave is kept in the site's cache between builds: the checker reads every
    answer of the shop, and at 100,000 reviews that was a second of every
    rebuild's time, most of it for answers that did not change.
    """
    # Imported here: the checker's phrase lists take a tenth of a second to
    # load, and a big shop runs this in a forked process while pages are written.
    from .check import check

    with collector_paused():  # (loading the kept cases makes a few hundred thousand objects)
        kept, kept_copies = _kept(shop, settings) or (None, None)
        warnings = check(shop, dt.datetime.now(dt.UTC), kept=kept, kept_copies=kept_copies).warnings
        for each in (kept, kept_copies):
            if each is not None:
                each.save()
    if not warnings:
        return None
    needs = "needs" if warnings == 1 else "need"
    return f"Responses: {warnings} {needs} a look; run `redress check`"


def _kept(shop: Shop, settings: dict[str, Any] | None) -> tuple[KeptDict, KeptDict] | None:
    """The kept cases and copies, tied to the code that checks them and all else that decides them."""
    if settings is None or not shop.settings["REVIEWS_CACHE"] or not settings.get("CACHE_PATH"):
        return None
    desk = Path(__file__).parent
    package = desk.parent
    code = hashlib.sha256(code_stamp().encode())
    # The checker's code, and what makes a case besides the files: the linking
    # (negative, state, the quoted fields) and the words that stand for hidden values.
    sources = [*desk.glob("*.py"), *(desk / "phrases").glob("*.py"), package / "content" / "shop.py"]
    sources += [package / "i18n.py", *(package / "translations").glob("*/LC_MESSAGES/*.po")]
    for source in sorted(sources):
        code.update(str(source.relative_to(package)).encode() + source.read_bytes())
    stamp = code.hexdigest()[:12]
    decided_by = repr(
        (
            sorted(shop.settings.items(), key=lambda item: item[0]),
            # The shop's own addresses stay in its answers, others are hidden:
            # SITEURL's domain is one of them (a publish build's differs).
            contacts_of(settings, shop.settings),
            str(settings.get("PATH")),
            settings.get("DEFAULT_LANG"),
            settings.get("TIMEZONE"),
        )
    )
    kept = []
    for kind in (DESK_CACHE_FILES, COPIES_CACHE_FILES):
        name = f"{kind}{stamp}-" + hashlib.sha256(decided_by.encode()).hexdigest()[:12]
        path = os.path.join(settings["CACHE_PATH"], name)
        remove_unused(path, kind, stamp)
        kept.append(KeptDict(path, fast=True))
    return kept[0], kept[1]
