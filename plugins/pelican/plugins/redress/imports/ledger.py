"""The importer's private record of what it wrote, so a second run knows its own files.

For every file ``redress import`` wrote it keeps the SHA-256 of the text it
wrote; for every platform id (a review, a reply, a product) the file it
became, and for a review the fingerprint of what the platform said. With
that a run can tell apart:

* a file exactly as this import would write it: already there;
* a file untouched since the import wrote it, while the platform's version
  changed: "changed on the platform", replaced only with ``--update``;
* a file someone edited since (its text is not what the import wrote), or a
  file the import never wrote: never replaced, only reported.

It holds the platforms' own ids, which are not for the public, so it lives
beside the settings file (``REVIEWS_IMPORT_LEDGER``), never in the content,
output or theme folders, and is replaced in one step so a crash leaves the
old one or the new one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import RedressError

FORMAT = 1


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Ledger:
    path: Path
    #: A file (relative to the content folder, with /) -> the SHA-256 of the text the import wrote.
    files: dict[str, str] = field(default_factory=dict)
    #: A platform id (``trustpilot:<id>``, ``trustpilot:<id>#reply-1``, ``woocommerce:product:<id>``)
    #: -> the file it became.
    ids: dict[str, str] = field(default_factory=dict)
    #: A review's platform id -> the fingerprint of what the platform said about it.
    records: dict[str, str] = field(default_factory=dict)
    #: A review's platform id -> the language guessed for it (the export named none): a guess is
    #: made once, so a later export (with other languages around it) never changes the file.
    langs: dict[str, str] = field(default_factory=dict)
    #: A review's platform id -> when the platform says it was last edited (ISO, UTC), as
    #: imported: an older export run later never undoes a newer edit.
    edited: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Ledger:
        """The ledger at ``path``; an empty one when there is none yet."""
        try:
            data: Any = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise RedressError(
                f"{path}: the import ledger cannot be read ({err}); restore it from your backup, or move "
                "it away to start a new one (then files written by earlier imports are never replaced)"
            ) from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise RedressError(f"{path}: is not an import ledger of this version of Redress; move it away")
        return cls(
            path,
            files=dict(data.get("files") or {}),
            ids=dict(data.get("ids") or {}),
            records=dict(data.get("records") or {}),
            langs=dict(data.get("langs") or {}),
            edited=dict(data.get("edited") or {}),
        )

    def wrote(self, relpath: str, text: str, key: str) -> None:
        self.files[relpath] = fingerprint(text)
        self.ids[key] = relpath

    def save(self) -> None:
        """Write the ledger in one step (a temporary file renamed over it)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "format": FORMAT,
            "about": "What `redress import` wrote: keep it beside your settings, private, and never edit it.",
            "files": dict(sorted(self.files.items())),
            "ids": dict(sorted(self.ids.items())),
            "records": dict(sorted(self.records.items())),
            "langs": dict(sorted(self.langs.items())),
            "edited": dict(sorted(self.edited.items())),
        }
        handle, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".ledger-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False, indent=0)
                out.write("\n")
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise
