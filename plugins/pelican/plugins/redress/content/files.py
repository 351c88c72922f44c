"""Model to files: how the inbox, `redress respond` and `redress import` write reviews, responses, products.

The inverse of :mod:`redress.reader`: the text written here is read back by
the same reader as a file the shop owner typed. Writing never replaces a
file: a new file is written whole, then linked under its final name, which
fails if the name is taken, so two runs can never overwrite a review, and
a run killed half-way never leaves half a file under a final name.

A file's name becomes the review's address, its element ids and its key in
reviews.json, so it is made from the customer's words only after the same
redaction as the page shows (no phone number, order number or e-mail in a
URL), and it is short whatever the customer typed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
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
    numbered: bool = True,
) -> Path:
    """Write ``<slug>.md`` (or the next of :func:`candidate_names`) in ``folder`` without replacing any file.

    The text is written first and the file is then linked under its final
    name, which fails if the name is taken: a file under a final name is
    always whole, even when the writer is killed half-way. On Linux the file
    has no name at all until then (``O_TMPFILE``), so a kill leaves nothing;
    elsewhere it is a temporary file, removed after, or by a later run when
    a kill left it (:func:`remove_stale_temps`).

    A name taken by a file with exactly this text is this file, written by a
    run that stopped before it recorded it, unless ``claimed`` says that file
    belongs to another writer (the inbox knows which submission wrote which
    file): then two submissions with the same words get two files. Raises
    :class:`NoFreeName` when every name is taken. ``numbered=False`` tries
    ``<slug>.md`` only: a file whose name is its identity (an imported
    review, named after the platform's id) must not move to ``<slug>-2.md``.

    ``sync=False`` leaves flushing to disk to the caller: an import of a
    hundred thousand files syncs once at the end (a sync per file would
    take most of its time), and can be run again after a crash.
    """
    data = text.encode("utf-8")
    names = candidate_names(slug, unique) if numbered else [slug]
    if _UNNAMED:
        written = _write_unnamed(folder, names, data, sync=sync, claimed=claimed)
        if written is not None:
            return written
    try:
        handle, temp = tempfile.mkstemp(dir=folder, prefix=TEMP_PREFIXES[0], suffix=TEMP_SUFFIX)
    except FileNotFoundError:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=folder, prefix=TEMP_PREFIXES[0], suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            if sync:
                out.flush()
                os.fsync(out.fileno())
        return _link(temp, folder, names, data, claimed, None)
    finally:
        os.unlink(temp)


#: Whether files may be made without a name and named when whole (Linux's ``O_TMPFILE`` and its
#: ``/proc/self/fd``); set to False at the first sign that this system or file system cannot.
_UNNAMED = hasattr(os, "O_TMPFILE")


def _write_unnamed(
    folder: Path, names: list[str], data: bytes, *, sync: bool, claimed: Callable[[Path], bool] | None
) -> Path | None:
    """:func:`write_new` the Linux way: as fast as creating the file in place, and never half there.

    ``None`` when the system cannot (then :data:`_UNNAMED` is cleared and the caller writes a
    temporary file instead).
    """
    global _UNNAMED
    flags = os.O_TMPFILE | os.O_WRONLY
    try:
        try:
            handle = os.open(folder, flags, 0o600)
        except FileNotFoundError:
            folder.mkdir(parents=True, exist_ok=True)
            handle = os.open(folder, flags, 0o600)
    except OSError as err:
        if err.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
            raise
        _UNNAMED = False  # a file system (or kernel) without O_TMPFILE
        return None
    with os.fdopen(handle, "wb") as out:
        out.write(data)
        out.flush()
        if sync:
            os.fsync(handle)
        try:
            return _link(f"/proc/self/fd/{handle}", folder, names, data, claimed, handle)
        except FileNotFoundError:
            if not Path("/proc/self/fd").is_dir():
                _UNNAMED = False  # no /proc to name the file by
                return None
            raise


def _link(
    source: str,
    folder: Path,
    names: list[str],
    data: bytes,
    claimed: Callable[[Path], bool] | None,
    handle: int | None,
) -> Path:
    """Give ``source`` the first of ``names`` that is free (or that holds exactly ``data``, unclaimed).

    With ``handle`` (the open unnamed file) ``source`` is its ``/proc/self/fd`` link, which must
    be followed: :func:`os.link` asks ``linkat`` to follow only when given a directory fd, and
    ``linkat`` ignores that fd for an absolute source, so the file's own is passed.
    """
    for name in names:
        target = folder / f"{name}.md"
        try:
            if handle is None:
                os.link(source, target)
            else:
                os.link(source, target, src_dir_fd=handle)
        except FileExistsError:
            if same_file(target, data) and not (claimed and claimed(target)):
                return target
            continue
        return target
    if len(names) == 1:
        raise NoFreeName(f"{folder / names[0]}.md: is there already, with other text")
    raise NoFreeName(
        f"{folder / names[0]}.md: every file name this review may take is used by another file "
        f"({names[0]}.md to {names[-1]}.md)"
    )


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


def same_file(path: Path, data: bytes) -> bool:
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
