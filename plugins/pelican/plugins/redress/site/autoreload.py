"""Under ``pelican -r``, a build that failed is built again after a change, not at once.

Why: Pelican 4.12's autoreload loop waits for a change only after a build
that went through; after one that raised (Redress stops a build on a shop
owner's mistake, such as a review with ``Rating: five``), it builds again at
once, and again: one core at 100 % and the same problem lines every few
milliseconds, tens of thousands of them, until the file is fixed. So the
next build in the same process waits first for the change that autoreload
skipped waiting for. A change made while the failed build ran is not
waited for: that build is started at once, as autoreload would have.

Only inside Pelican's own ``autoreload``: a program that runs Pelican twice
in a row (tests, a script) gets its second build at once, as before.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import Any

logger = logging.getLogger(__name__)

#: When the build now running in this process began, and whether it went through (None: no
#: build yet). A build that began and never reached Pelican's ``finalized`` failed.
_began: float | None = None
_finished = True


def build_begins(pelican_object: Any) -> None:
    """At the start of each build (``get_generators``): wait for a change if the last one failed."""
    global _began, _finished
    if not _finished and _began is not None:
        loop = _autoreload_loop()
        if loop is not None:
            _wait_for_a_change(*loop, since=_began)
    _began, _finished = time.time(), False


def build_finished(pelican_object: Any) -> None:
    """At Pelican's ``finalized``: the build went through."""
    global _finished
    _finished = True


def _autoreload_loop() -> tuple[str, Any] | None:
    """The settings file and settings Pelican's ``autoreload`` watches, if this build runs in it."""
    import pelican

    code = getattr(getattr(pelican, "autoreload", None), "__code__", None)
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code is code:
            args, settings = frame.f_locals.get("args"), frame.f_locals.get("settings")
            settings_file = getattr(args, "settings", None)
            if isinstance(settings_file, str) and hasattr(settings, "get"):
                return settings_file, settings
            return None
        frame = frame.f_back  # type: ignore[assignment]
    return None


def _wait_for_a_change(settings_file: str, settings: Any, since: float) -> None:
    from pelican.utils import wait_for_changes

    if _changed_since(settings_file, settings, since):
        return
    logger.warning("reviews: the last build stopped; the next one starts when a file changes")
    wait_for_changes(settings_file, settings)


def _changed_since(settings_file: str, settings: Any, since: float) -> bool:
    """Whether a file autoreload watches (settings, theme, content) changed after ``since``."""
    content = settings.get("PATH", "") or ""
    paths = [settings_file, settings.get("THEME", "") or "", content]
    paths += [os.path.join(content, path) for path in settings.get("STATIC_PATHS", []) or []]
    for path in filter(None, paths):
        for folder, _folders, files in os.walk(path) if os.path.isdir(path) else [("", [], [path])]:
            for name in files:
                try:
                    if os.stat(os.path.join(folder, name)).st_mtime > since:
                        return True
                except OSError:
                    continue  # removed meanwhile: its folder's time says so
            try:
                if folder and os.stat(folder).st_mtime > since:
                    return True
            except OSError:
                return True  # a watched folder gone: a change
    return False
