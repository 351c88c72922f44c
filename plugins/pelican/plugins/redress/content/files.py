"""Model to files: how the inbox, `redress respond` and `redress import` write reviews, responses, products.

The inverse of :mod:`redress.reader`: the text written here is read back by
the same reader as a file the shop owner typed. Writing never replaces a
file: a new file is created next to its final name and linked into place,
which fails if the name is taken, so two runs can never overwrite a review.

A file's name becomes the review's address, its element ids and its key in
reviews.json, so it is made from the customer's words only after the same
redaction as the page shows (no phone number, order number or e-mail in a
URL), and it is short whatever the customer typed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from . import privacy
from .rules import CONTROL_RE, join_slug, slug_words

#: Names tried as ``<slug>``, ``<slug>-2`` … up to this number before the
#: writer's short id is added: a popular title ("Great") costs a few tries,
#: never hundreds of files read again.
NUMBERED_TRIES = 5
#: The writer's temporary files; one left by a killed run is removed by a later one.
TEMP_PREFIXES = (".incoming-", ".withhold-")
TEMP_SUFFIX = ".tmp"
#: How old a temporary file must be before a later run removes it: no write takes this long,
#: so a file this old belongs to no run still going.
STALE_SECONDS = 60.0
#: A word of this many digits is never part of a file name: it is a number
#: (an order, an account, a phone) even where no rule recognised it.
_NUMBER_DIGITS = 5


class NoFreeName(FileExistsError):
    """Every name this writer may use for a file is taken by a different file."""


def one_line(value: str) -> str:
    """A metadata value: one line, no control characters, so it cannot start a new field.

    ``split()`` also breaks on every Unicode line separator (U+2028, U+0085, …).
    """
    return " ".join(CONTROL_RE.sub(" ", value).split())


def review_slug(date: dt.datetime, title: str, text: str, private: Mapping[str, str] | None = None) -> str:
    """``2026-10-02-pakket-kwam-beschadigd-aan``: date first, so files sort by date.

    The words come from the title (or the text, without one) after
    :func:`privacy.redact` with the submission's ``private`` values has taken
    out what the page hides, its notes left out too; words that are long
    numbers are dropped as well. With nothing left it is ``<date>-review``,
    and the writer tells such files apart by number or short id.
    """
    for source in (title, text):
        words = _public_words(source, private or {})
        if words:
            return f"{date:%Y-%m-%d}-{join_slug(words)}"
    return f"{date:%Y-%m-%d}-review"


def _public_words(text: str, private: Mapping[str, str]) -> list[str]:
    public = privacy.redact(text, private, lambda _note: " ")
    return [w for w in slug_words(public) if sum(c.isdigit() for c in w) < _NUMBER_DIGITS]


def format_date(value: dt.datetime) -> str:
    """``2026-10-25T02:30+01:00``: the local time a shop owner reads, with its offset.

    Without the offset, the hour that occurs twice when daylight saving time
    ends would be read back as the first one, and a follow-up written in the
    second could come out older than its review. The reader takes this
    form as the README documents it.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        return f"{value:%Y-%m-%d %H:%M}"
    return value.isoformat(timespec="minutes")


def _fields(pairs: list[tuple[str, object]]) -> str:
    lines = []
    for key, value in pairs:
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, dt.datetime):
            value = format_date(value)
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
    verified: bool | None = False,
    email: str = "",
    order: str = "",
    withheld: str | None = None,
    invited: bool | None = None,
    replied: dt.datetime | None = None,
) -> str:
    """A review file. ``None`` leaves a field out (``verified=None``: no ``Verified`` line).

    ``invited`` and ``replied`` are the platform's facts about an imported
    review: the platform invited the reviewer; the shop replied on the
    platform on that date, with no words in the export.
    """
    head = _fields(
        [
            ("Title", title),
            ("Date", date),
            ("Rating", rating),
            ("Author", author),
            ("Product", product),
            ("Lang", lang),
            ("Source", source),
            ("Invited", invited),
            ("Replied", replied),
            ("Verified", verified),
            ("Email", email),
            ("Order", order),
            ("Withheld", withheld),
        ]
    )
    return head + "\n\n" + _body(text)


def response_text(
    *,
    review: str,
    date: dt.datetime,
    text: str,
    status: str | None = None,
    remedies: tuple[str, ...] = (),
    author: str = "",
    updated: dt.datetime | None = None,
) -> str:
    """A shop's response file (``From: shop``): ``redress respond`` and ``redress import`` write these.

    ``status`` only when someone recorded the outcome: an answer is not a resolution.
    """
    head = _fields(
        [
            ("Review", review),
            ("Date", date),
            ("From", "shop"),
            ("Status", status),
            ("Remedy", ", ".join(remedies)),
            ("Author", author),
            ("Updated", updated),
        ]
    )
    return head + "\n\n" + _body(text)


def product_text(
    *,
    title: str,
    sku: str = "",
    gtin: str = "",
    brand: str = "",
    url: str = "",
    image: str = "",
    text: str = "",
) -> str:
    """A product file; only ``title`` is required."""
    head = _fields(
        [("Title", title), ("SKU", sku), ("GTIN", gtin), ("Brand", brand), ("URL", url), ("Image", image)]
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


def candidate_names(slug: str, unique: str = "") -> list[str]:
    """The file names (without ``.md``) the writer tries for ``slug``, in order.

    ``<slug>``, ``<slug>-2`` … ``<slug>-5``, then with the submission's short
    id, which no other submission has: ``<slug>-<id>``, ``<slug>-<id>-2``,
    ``<slug>-<id>-3``. A bounded list, so a thousand reviews titled "Great"
    cost each at most a few tries.
    """
    names = [slug] + [f"{slug}-{n}" for n in range(2, NUMBERED_TRIES + 1)]
    if unique:
        names += [f"{slug}-{unique}"] + [f"{slug}-{unique}-{n}" for n in (2, 3)]
    return names


def write_new(
    folder: Path,
    slug: str,
    text: str,
    *,
    unique: str = "",
    claimed: Callable[[Path], bool] | None = None,
    sync: bool = True,
    in_place: bool = False,
) -> Path:
    """Write ``<slug>.md`` (or the next of :func:`candidate_names`) in ``folder`` without replacing any file.

    A name taken by a file with exactly this text is this file, written by a
    run that stopped before it recorded it, unless ``claimed`` says that file
    belongs to another writer (the inbox knows which submission wrote which
    file): then two submissions with the same words get two files. Raises
    :class:`NoFreeName` when every name is taken.

    ``sync=False`` leaves flushing to disk to the caller: an import of a
    hundred thousand files syncs once at the end (a sync per file would
    take most of its time), and can be run again after a crash.
    ``in_place=True`` creates ``<slug>.md`` itself, exclusively (so it still
    never replaces a file), and writes into it: one file-system operation
    instead of three. A run killed in between can leave the start of the
    text under the final name, so only a writer that recognises its own
    unfinished files (``redress import``, by its ledger) may ask for it.
    """
    if in_place:
        return _create(folder, slug, text.encode("utf-8"))
    folder.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    handle, temp = tempfile.mkstemp(dir=folder, prefix=TEMP_PREFIXES[0], suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            if sync:
                out.flush()
                os.fsync(out.fileno())
        for name in candidate_names(slug, unique):
            target = folder / f"{name}.md"
            try:
                os.link(temp, target)
            except FileExistsError:
                if _same_file(target, data) and not (claimed and claimed(target)):
                    return target
                continue
            return target
        raise NoFreeName(
            f"{folder / slug}.md: every file name this review may take is used by another file "
            f"({slug}.md to {candidate_names(slug, unique)[-1]}.md)"
        )
    finally:
        os.unlink(temp)


def _create(folder: Path, slug: str, data: bytes) -> Path:
    """``<slug>.md`` created exclusively with ``data``; a file of that name with the same data is this one.

    Readable by its owner only, as :func:`tempfile.mkstemp` makes the files of :func:`write_new`.
    """
    target = folder / f"{slug}.md"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        handle = os.open(target, flags, 0o600)
    except FileNotFoundError:
        folder.mkdir(parents=True, exist_ok=True)
        handle = os.open(target, flags, 0o600)
    except FileExistsError:
        if _same_file(target, data):
            return target
        raise NoFreeName(f"{target}: is there already, with other text") from None
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    return target


def overwrite(path: Path, text: str, *, sync: bool = True) -> None:
    """Replace ``path`` with ``text`` in one step: a reader sees the old file or the new, never half.

    Only for a file its writer knows it wrote and nobody changed since
    (``redress import --update`` keeps a ledger of that); every other write
    goes through :func:`write_new`, which never replaces anything.
    """
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIXES[0], suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(text.encode("utf-8"))
            if sync:
                out.flush()
                os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def _same_file(path: Path, data: bytes) -> bool:
    """Does ``path`` hold exactly ``data``? Its size says no without reading, most of the time."""
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def remove_stale_temps(
    folder: Path, older_than: float = STALE_SECONDS, now: float | None = None
) -> list[Path]:
    """Remove the writer's temporary files that a killed run left in ``folder``; returns them.

    A run removes its own temporary file when it is done, even after an
    error; only a kill (``kill -9``, a power cut) leaves one. It is never
    read (the reader skips hidden files), but it would stay forever. A file
    younger than ``older_than`` seconds may belong to a run still writing,
    and stays.
    """
    now = time.time() if now is None else now
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not (entry.name.startswith(TEMP_PREFIXES) and entry.name.endswith(TEMP_SUFFIX)):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and now - entry.stat().st_mtime > older_than:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue  # gone already, or not ours to remove
    return removed
