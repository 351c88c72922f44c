"""Python's cycle collector paused while long-lived objects pile up.

A big shop is a million objects (reviews, entries, their dates and lists)
that live until the run ends and hold no garbage cycles. While they are
made, every few thousand allocations trigger a collection, and the full
ones walk all of them again: at 100,000 reviews that was more time than
the reading or the checking itself. Reference counting still frees
everything; only cycles wait until the collector runs again. The parser
runs the collector's young passes itself (``reader._parse``), for any
cycles parsing leaves.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (nested blocks are fine)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
