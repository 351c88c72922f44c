"""Python's cycle collector paused while long-lived objects pile up.

A big shop is a million objects (reviews, entries, their dates and lists)
that live until the run ends and hold no garbage cycles. While they are
made, every few thousand allocations trigger a collection, and the full
ones walk all of them again: at 100,000 reviews that was more time than
the reading or the checking itself. Reference counting still frees
everything; only cycles wait until the collector runs again. Not for
parsing Markdown, which leaves garbage only the collector frees.
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


@contextlib.contextmanager
def collector_running() -> Iterator[None]:
    """The collector on inside the block, even within a paused one: for parsing Markdown."""
    was_enabled = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not was_enabled:
            gc.disable()
