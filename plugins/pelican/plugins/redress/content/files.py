"""Model to files: how the inbox (and any importer) writes reviews and follow-ups.

The inverse of :mod:`redress.reader`: the text written here is read back by
the same reader as a file the shop owner typed. Writing never replaces a
file: a new file is created next to its final name and linked into place,
which fails if the name is taken, so two runs can never overwrite a review.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from .rules import CONTROL_RE, slugify


def one_line(value: str) -> str:
    """A metadata value: one line, no control characters, so it cannot start a new field.

    ``split()`` also breaks on every Unicode line separator (U+2028, U+0085, …).
    """
    return " ".join(CONTROL_RE.sub(" ", value).split())


def review_slug(date: dt.datetime, title: str, text: str) -> str:
    """``2026-10-02-pakket-kwam-beschadigd-aan``: date first, so files sort by date."""
    return f"{date:%Y-%m-%d}-{slugify(title or text)}"


def _fields(pairs: list[tuple[str, object]]) -> str:
    lines = []
    for key, value in pairs:
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, dt.datetime):
            # In the site's TIMEZONE, as a shop owner writes dates by hand.
            value = f"{value:%Y-%m-%d %H:%M}"
        lines.append(f"{key}: {one_line(str(value))}")
    return "\n".join(lines)


def review_text(
    *,
    date: dt.datetime,
    rating: int | None,
    text: str,
    title: str = "",
    author: str = "",
    product: str | None = None,
    lang: str = "",
    source: str = "organic",
    verified: bool = False,
    email: str = "",
    order: str = "",
    withheld: str | None = None,
) -> str:
    head = _fields(
        [
            ("Title", title),
            ("Date", date),
            ("Rating", rating),
            ("Author", author),
            ("Product", product),
            ("Lang", lang),
            ("Source", source),
            ("Verified", verified),
            ("Email", email),
            ("Order", order),
            ("Withheld", withheld),
        ]
    )
    return head + "\n\n" + _body(text)


def follow_up_text(
    *, review: str, date: dt.datetime, resolved: bool | None, text: str, author: str = ""
) -> str:
    head = _fields(
        [("Review", review), ("Date", date), ("From", "customer"), ("Resolved", resolved), ("Author", author)]
    )
    return head + "\n\n" + _body(text)


def _body(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    return text + "\n" if text else ""


def write_new(folder: Path, slug: str, text: str) -> Path:
    """Write ``<slug>.md`` (or ``<slug>-2.md``, …) in ``folder`` without replacing any file."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=folder, prefix=".incoming-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        for number in range(1, 1000):
            target = folder / (f"{slug}.md" if number == 1 else f"{slug}-{number}.md")
            try:
                os.link(temp, target)
            except FileExistsError:
                # The same text already there (a run that stopped before it
                # recorded the file): that file is this one, not a duplicate.
                if target.read_text(encoding="utf-8") == text:
                    return target
                continue
            return target
        raise FileExistsError(f"{folder}/{slug}.md: no free file name")
    finally:
        os.unlink(temp)
