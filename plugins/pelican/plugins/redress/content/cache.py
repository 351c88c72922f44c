"""A big dictionary kept between builds, saved as a base file and a small file of changes.

Why: a shop with 100,000 reviews keeps one parsed record per file and one
fingerprint per page between builds. Pelican's own cacher pickles the whole
dictionary again after every build, so adding one response cost seconds of
writing 130,000 records that did not change. Here a build that changes a
few records writes only those, to a second file beside the base; the base is
written whole again only when the changes have grown to a good part of it.
Both files are replaced atomically (written beside, then renamed), so a
build killed halfway leaves the previous state, never half a file.
"""

from __future__ import annotations

import logging
import marshal
import os
import pickle
import re
import tempfile
import time
from typing import Any

from . import forked

logger = logging.getLogger(__name__)

#: The first frame of each file (a file without it is another version's, not read).
_MAGIC = "redress-kept-3"
#: Records per frame of a file.
FRAME_RECORDS = 5000
#: Removed keys in the file of changes.
_GONE = object()
_GONE_MARK = ("redress-cache-removed",)
#: Not any value a record can have: a key not in the records (see :meth:`KeptDict.replace`).
_ABSENT = object()
#: The base is written again once the changes reach 1/REWRITE_SHARE of it; a
#: dictionary of fewer than REWRITE_MIN records is always written whole.
REWRITE_SHARE = 8
REWRITE_MIN = 2000
#: A kept file of older code that no build has used for this long is removed
#: (see :func:`remove_unused`); one of this code and other settings, after the second.
UNUSED_FOR = 7 * 24 * 3600
SETTINGS_UNUSED_FOR = 61 * 24 * 3600
#: A kept file half-written by a build that was killed (``kill -9``, a machine
#: that lost power) is removed once untouched for this long: a build writing
#: one touches it with every frame, and no build takes a day to write one.
LEFT_FOR = 24 * 3600
#: Such half-written files: this module's (``.cache``) and the shop data's (``.data``).
LEFT_RE = re.compile(r"\.tmp-[^/]*\.(?:cache|data)")
#: A whole base of this many records may be written by a forked process (see
#: :meth:`KeptDict.save`); above the most, the child would copy too much of the
#: build's memory as it reads every record (a gigabyte at a million reviews).
SAVE_BESIDE_MIN = 5000
SAVE_BESIDE_MAX = 300_000


class KeptDict:
    """A dictionary loaded from ``path`` (and ``path.changes``), saved by :meth:`save`.

    With ``enabled`` false it starts empty and is never saved (REVIEWS_CACHE = False).
    With ``fast``, keys and values must be plain data (str, int, float, bool,
    None, bytes, tuple, list, dict, set, frozenset): they are kept with
    ``marshal``, which reads plain data several times faster than ``pickle``
    (the desk's kept cases). A file ``marshal`` of another Python wrote is not
    read. Objects (the parsed reviews, entries and products) are kept with
    ``pickle``: read back whole, they come faster than when they were
    rebuilt from plain data.
    """

    def __init__(self, path: str, enabled: bool = True, fast: bool = False):
        self.path = path
        self.enabled = enabled
        self._codec: Any = marshal if fast else pickle
        self._data: dict[Any, Any] = {}
        self._changes: dict[Any, Any] = {}  # since the base was written: value or _GONE
        self._dirty = False
        self._generation = 0  # of the base file; a file of changes names the base it goes with
        if enabled:
            _mark_used(path)
            self._generation, self._data = self._load(path, self._codec)
            generation, changes = self._load(path + ".changes", self._codec)
            if generation != self._generation:
                changes = {}  # left by a build stopped between writing a new base and removing it
            for key, value in changes.items():
                if value == _GONE_MARK:
                    self._data.pop(key, None)
                    self._changes[key] = _GONE
                else:
                    self._data[key] = value
                    self._changes[key] = value

    @staticmethod
    def _load(path: str, codec: Any) -> tuple[int, dict[Any, Any]]:
        """(generation, records) of one file; (0, {}) for a missing or unreadable one."""
        try:
            with open(path, "rb") as handle:
                head = _read_frame(handle, codec)
                if not (
                    isinstance(head, tuple)
                    and len(head) == 2
                    and head[0] == _MAGIC
                    and isinstance(head[1], int)
                ):
                    return 0, {}
                records: dict[Any, Any] = {}
                while (frame := _read_frame(handle, codec)) is not None:
                    records.update(frame)
                return head[1], records
        except FileNotFoundError:
            return 0, {}
        except Exception as err:  # a cache from another version, or a torn disk: start afresh
            logger.debug("reviews: cache %s could not be read (%s); starting afresh", path, err)
            return 0, {}

    def get(self, key: Any, default: Any = None) -> Any:
        return self._data.get(key, default)

    def getter(self) -> Any:
        """The records' own ``get``, for a loop over every file: a method call per key
        cost a tenth of a second of a rebuild at 132,000 files. It reads the records as they
        stand until :meth:`replace` takes over another dictionary (on a cache that was empty)."""
        return self._data.get

    def __contains__(self, key: Any) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def keys(self) -> Any:
        return self._data.keys()

    def __setitem__(self, key: Any, value: Any) -> None:
        if key in self._data and self._data[key] == value:
            return
        self._data[key] = value
        if self._generation:  # with no base yet, the base is written whole
            self._changes[key] = value
        self._dirty = True

    def pop(self, key: Any) -> None:
        if key in self._data:
            del self._data[key]
            if self._generation:
                self._changes[key] = _GONE
            self._dirty = True

    def replace(self, data: dict[Any, Any]) -> None:
        """Make the dictionary ``data``, recording only what differs."""
        if not self._data and not self._generation:
            self._data = data  # taken over, not copied (cold build: nothing to diff against)
            self._dirty = bool(data)
            return
        for key in self._data.keys() - data.keys():
            self.pop(key)
        # The changed records found in one comprehension, and only they set through
        # __setitem__: the page record of a big shop is 127,000 names, most as they were.
        get = self._data.get
        changed = [(k, v) for k, v in data.items() if (old := get(k, _ABSENT)) is _ABSENT or old != v]
        for key, value in changed:
            self[key] = value

    def save(self, beside: bool = False) -> forked.Beside[bool] | None:
        """Write what changed: the changes alone, or a whole new base.

        With ``beside``, a whole base of SAVE_BESIDE_MIN to SAVE_BESIDE_MAX
        records is written by a forked process, returned for the caller to wait for:
        a first build of 10,000 reviews spent 0.12 s writing its parse cache
        (1.3 s at 100,000) between reading and linking, with the other core
        idle. The child writes from the records as they are at the fork.
        If it fails, the files stay as the last build left them, which
        still say rightly what each file was: the next build reads the
        files changed since again.
        """
        if not self.enabled or not self._dirty:
            return None
        folder = os.path.dirname(self.path) or "."
        os.makedirs(folder, exist_ok=True)
        if (
            not self._generation
            or len(self._data) < REWRITE_MIN
            or len(self._changes) * REWRITE_SHARE >= len(self._data)
        ):
            # A new base, with a new generation: a file of changes left beside it is not applied.
            generation = int.from_bytes(os.urandom(7), "big") or 1
            child = None
            if beside and SAVE_BESIDE_MIN <= len(self._data) <= SAVE_BESIDE_MAX:
                path, data, codec = self.path, self._data, self._codec
                child = forked.beside(lambda: _write_base(path, generation, data, codec))
            if child is None:
                _write_base(self.path, generation, self._data, self._codec)
            self._generation = generation
            self._changes = {}
            self._dirty = False
            return child
        changes = {k: (_GONE_MARK if v is _GONE else v) for k, v in self._changes.items()}
        _dump(self.path + ".changes", self._generation, changes, self._codec)
        self._dirty = False
        return None


def _write_base(path: str, generation: int, records: dict[Any, Any], codec: Any) -> bool:
    """A whole new base at ``path``; the file of changes beside it, of the base before, goes."""
    _dump(path, generation, records, codec)
    try:
        os.remove(path + ".changes")
    except FileNotFoundError:
        pass
    return True


def _dump(path: str, generation: int, records: dict[Any, Any], codec: Any) -> None:
    """Write ``records`` to ``path`` whole or not at all, a frame at a time.

    A frame is its length (8 bytes) and one ``codec`` dump: the first says
    which file this is, each next one holds up to FRAME_RECORDS records. So
    neither writing nor reading a shop's cache holds all of it as bytes
    (100 MB at 100,000 reviews) beside the records themselves.
    """
    folder = os.path.dirname(path) or "."
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".cache")
    try:
        with os.fdopen(handle, "wb") as out:
            _write_frame(out, (_MAGIC, generation), codec)
            keys = list(records)
            for start in range(0, len(keys), FRAME_RECORDS):
                part = keys[start : start + FRAME_RECORDS]
                _write_frame(out, {k: records[k] for k in part}, codec)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.remove(temporary)
        except FileNotFoundError:
            pass
        raise


def _write_frame(out: Any, value: Any, codec: Any) -> None:
    """One frame: its length, a letter for how it is kept, and the value.

    A frame ``marshal`` cannot keep (a str subclass such as Markup, an
    object) is kept with ``pickle``, whole: nothing is lost, one frame is
    slower to read.
    """
    data = b""
    if codec is marshal:
        try:
            data = b"M" + marshal.dumps(value)
        except ValueError:
            data = b""
    if not data:
        data = b"P" + pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(len(data).to_bytes(8, "little"))
    out.write(data)


def _read_frame(handle: Any, codec: Any) -> Any:
    """The next frame's value, or None at the end of the file (a cut-off frame raises)."""
    size = handle.read(8)
    if not size:
        return None
    length = int.from_bytes(size, "little")
    data = handle.read(length)
    if len(size) != 8 or len(data) != length or not data:
        raise ValueError("the file ends inside a frame")
    if data[:1] == b"M" and codec is marshal:
        return marshal.loads(memoryview(data)[1:])
    if data[:1] == b"P":
        return pickle.loads(memoryview(data)[1:])
    raise ValueError("a frame of another kind")


def _mark_used(path: str) -> None:
    """Give the kept files the time of this build, so :func:`remove_unused` knows they are in use.

    Their contents are written only when something changed, so their own
    times say nothing about whether a build still reads them.
    """
    for name in (path, path + ".changes"):
        try:
            os.utime(name)
        except OSError:
            pass


def remove_unused(path: str, kind: str, code: str) -> None:
    """Remove the files beside ``path`` of the same ``kind`` that no build still uses.

    The parse cache and the redacted threads are named ``<kind><code>-<settings>``:
    after the code and the settings that made them. So an upgrade starts new
    files and the old ones would stay for good: a gigabyte at a million
    reviews. A file of older code (or of the names before the code was in
    them) goes once no build has used it for a week. A file of this code and
    other settings is another build's (``publishconf.py`` with its own
    SITEURL, an i18n subsite): it goes only after two months unused, so a site
    previewed every day and published once a month keeps both. Files in use
    are marked at each build (:func:`_mark_used`). Half a kept file that a
    killed build left (see :data:`LEFT_FOR`) goes after a day.
    """
    folder, own = os.path.split(path)
    pattern = re.compile(re.escape(kind) + r"(?:([0-9a-f]{12})-)?[0-9a-f]{12}(?:\.changes)?")
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        match = pattern.fullmatch(name)
        if match is None and LEFT_RE.fullmatch(name):
            # Half a kept file, left by a build killed while writing it: 100 MB at
            # 100,000 reviews, and never a build's again (see _dump).
            _remove_if_older(entry, now - LEFT_FOR, "half-written by a build that was stopped")
            continue
        if match is None or name in (own, own + ".changes"):
            continue
        unused_for = SETTINGS_UNUSED_FOR if match.group(1) == code else UNUSED_FOR
        _remove_if_older(entry, now - unused_for, "a cache no build uses any more")


def _remove_if_older(entry: os.DirEntry[str], before: float, why: str) -> None:
    """Remove a file of the cache folder last changed before ``before``, saying ``why``."""
    try:
        if entry.stat(follow_symlinks=False).st_mtime < before:
            os.remove(entry.path)
            logger.info("reviews: removed %s, %s", entry.path, why)
    except OSError:
        pass
