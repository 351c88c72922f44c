"""The build's one line about the desk: "Responses: 3 need a look; run `redress check`".

A shop owner who never runs `redress check` still learns, on every build,
that some answers need a look. The line goes to the console only; nothing
of the checker reaches the public output. It is connected to the site's
``report_lines`` signal by the plugin's ``register()``, so the site does
not import the desk (the rooms' layers: desk is above site).
"""

from __future__ import annotations

import datetime as dt

from ..content.shop import Shop


def report_line(shop: Shop) -> str | None:
    """The line for this build, or None when no answer has a warning."""
    # Imported here: the checker's phrase lists take a tenth of a second to
    # load, and a big shop runs this in a forked process while pages are written.
    from .check import check

    warnings = check(shop, dt.datetime.now(dt.UTC)).warnings
    if not warnings:
        return None
    needs = "needs" if warnings == 1 else "need"
    return f"Responses: {warnings} {needs} a look; run `redress check`"
