"""Writing the review section's files: only what changed, and nothing stale.

A shop with ten thousand reviews has ten thousand permalink pages, and a
new response changes one of them. Each page is written with a fingerprint
of everything it was made from; the next build skips pages whose
fingerprint and file are unchanged. Pages the previous build wrote and this
one does not (a review that has since been withheld, a page number that no
longer exists) are removed, so a withheld review never lingers online.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from typing import Any

from pelican import signals
from pelican.cache import FileDataCacher
from pelican.utils import get_relative_path, path_to_url, sanitised_join

logger = logging.getLogger(__name__)

#: Stands in for SITEURL while a page is rendered; replaced by the page's
#: own SITEURL (which differs per page with RELATIVE_URLS). Control
#: characters are removed from all content, so no text can forge it.
SITEURL_MARK = "\x1esiteurl\x1e"


def digest(*parts: str | bytes) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part)
        h.update(b"\x00")
    return h.hexdigest()


class PageWriter:
    def __init__(self, settings: dict[str, Any], output_path: str, build_key: str, use_cache: bool):
        self.settings = settings
        self.output_path = output_path
        self.build_key = build_key
        self.relative = bool(settings.get("RELATIVE_URLS"))
        self.siteurl = settings.get("SITEURL", "") or ""
        self.cache = FileDataCacher(dict(settings, GZIP_CACHE=False), "redress-pages", use_cache, use_cache)
        self.previous: dict[str, str] = self.cache.get_cached_data("pages", {}) or {}
        self.current: dict[str, str] = {}
        self.written = 0
        self.skipped = 0

    def siteurl_for(self, save_as: str) -> str:
        if self.relative:
            return path_to_url(get_relative_path(save_as))
        return self.siteurl

    def write(self, save_as: str, inputs: str, render: Callable[[], str], context: dict[str, Any]) -> None:
        """Write one page, rendered by ``render()`` with SITEURL_MARK for SITEURL.

        ``inputs`` must capture everything the page shows besides the build
        key (templates, settings, stylesheet); if it and the file are
        unchanged since the last build, the page is not rendered again.
        """
        if not save_as:
            return
        if save_as in self.current:
            logger.warning("reviews: %s would be written twice; keeping the first", save_as)
            return
        path = sanitised_join(self.output_path, save_as)
        fingerprint = digest(self.build_key, save_as, inputs)
        self.current[save_as] = fingerprint
        if self.previous.get(save_as) == fingerprint and os.path.isfile(path):
            self.skipped += 1
            return
        siteurl = self.siteurl_for(save_as)
        html = render().replace(SITEURL_MARK, siteurl)
        _write_file(path, html)
        self.written += 1
        signals.content_written.send(path, context=dict(context, SITEURL=siteurl, output_file=save_as))

    def _remove_empty_folders(self, folder: str) -> None:
        root = os.path.abspath(self.output_path)
        folder = os.path.abspath(folder)
        while folder.startswith(root + os.sep) and not os.listdir(folder):
            os.rmdir(folder)
            folder = os.path.dirname(folder)

    def finish(self) -> None:
        """Remove pages this section wrote last time but not now; remember this build."""
        for save_as in self.previous.keys() - self.current.keys():
            path = sanitised_join(self.output_path, save_as)
            if os.path.isfile(path):
                os.remove(path)
                logger.info("reviews: removed %s, which is no longer part of the review section", save_as)
                self._remove_empty_folders(os.path.dirname(path))
        self.cache.cache_data("pages", self.current)
        self.cache.save_cache()
        logger.info("reviews: wrote %d pages, %d unchanged", self.written, self.skipped)


def _write_file(path: str, html: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(html)
