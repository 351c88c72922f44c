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
import tempfile
from collections.abc import Iterator
from typing import Any

logger = logging.getLogger(__name__)

#: The first item of each file (a file without it is another version's, not read).
_MAGIC = "redress-kept-1"
#: Removed keys in the file of changes.
_GONE = object()
_GONE_MARK = ("redress-cache-removed",)
#: The base is written again once the changes reach 1/REWRITE_SHARE of it; a
#: dictionary of fewer than REWRITE_MIN records is always written whole.
REWRITE_SHARE = 8
REWRITE_MIN = 2000


class KeptDict:
    """A dictionary loaded from ``path`` (and ``path.changes``), saved by :meth:`save`.

    With ``enabled`` false it starts empty and is never saved (REVIEWS_CACHE = False).
    With ``fast``, keys and values must be plain data (str, int, float, bool,
    None, bytes, tuple, list, dict, set, frozenset): they are kept with
    ``marshal``, which reads a shop's 130,000 parsed files five times faster
    than ``pickle``. A file ``marshal`` of another Python wrote is not read.
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
                kept = codec.loads(handle.read())  # marshal.load reads a file piece by piece: slow
        except FileNotFoundError:
            return 0, {}
        except Exception as err:  # a cache from another version, or a torn disk: start afresh
            logger.debug("reviews: cache %s could not be read (%s); starting afresh", path, err)
            return 0, {}
        if (
            isinstance(kept, tuple)
            and len(kept) == 3
            and kept[0] == _MAGIC
            and isinstance(kept[1], int)
            and isinstance(kept[2], dict)
        ):
            return kept[1], kept[2]
        return 0, {}

    def get(self, key: Any, default: Any = None) -> Any:
        return self._data.get(key, default)

    def __contains__(self, key: Any) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._data)

    def keys(self) -> Any:
        return self._data.keys()

    def items(self) -> Any:
        return self._data.items()

    def __setitem__(self, key: Any, value: Any) -> None:
        if key in self._data and self._data[key] == value:
            return
        self._data[key] = value
        self._changes[key] = value
        self._dirty = True

    def pop(self, key: Any) -> None:
        if key in self._data:
            del self._data[key]
            self._changes[key] = _GONE
            self._dirty = True

    def replace(self, data: dict[Any, Any]) -> None:
        """Make the dictionary ``data``, recording only what differs."""
        for key in self._data.keys() - data.keys():
            self.pop(key)
        for key, value in data.items():
            self[key] = value

    def save(self) -> None:
        if not self.enabled or not self._dirty:
            return
        folder = os.path.dirname(self.path) or "."
        os.makedirs(folder, exist_ok=True)
        if (
            not self._generation
            or len(self._data) < REWRITE_MIN
            or len(self._changes) * REWRITE_SHARE >= len(self._data)
        ):
            # A new base, with a new generation: a file of changes left beside it is not applied.
            self._generation = int.from_bytes(os.urandom(7), "big") or 1
            _dump(self.path, (_MAGIC, self._generation, self._data), self._codec)
            try:
                os.remove(self.path + ".changes")
            except FileNotFoundError:
                pass
            self._changes = {}
        else:
            changes = {k: (_GONE_MARK if v is _GONE else v) for k, v in self._changes.items()}
            _dump(self.path + ".changes", (_MAGIC, self._generation, changes), self._codec)
        self._dirty = False


def _dump(path: str, data: tuple[Any, ...], codec: Any) -> None:
    """Write ``data`` to ``path`` whole or not at all."""
    folder = os.path.dirname(path) or "."
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".cache")
    try:
        with os.fdopen(handle, "wb") as out:
            if codec is pickle:
                pickle.dump(data, out, protocol=pickle.HIGHEST_PROTOCOL)
            else:
                codec.dump(data, out)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.remove(temporary)
        except FileNotFoundError:
            pass
        raise
