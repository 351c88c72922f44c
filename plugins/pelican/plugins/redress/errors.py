"""The one kind of error a shop owner can act on.

Every mistake in what the owner keeps (settings, review files, an order
export, the signing secret, the inbox's state) is a :class:`RedressError`:
it carries the problem lines, each naming the file and the field and the
fix, and the exit code. Nothing below the edges turns it into an exit.
The two edges are the ``redress`` command's ``main`` (it prints the lines
and returns the code) and Pelican's own ``main`` (it exits with the
exception's ``exitcode``, and ``pelican -r`` logs it and keeps watching).
A traceback is for a bug in Redress, never for a mistake in content.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any


class RedressError(Exception):
    """A shop owner's mistake: the lines say what to fix; ``exitcode`` is for the edge."""

    exitcode = 1

    def __init__(self, problems: str | Iterable[object], summary: str | None = None):
        #: The problems, each an object whose text is one line (a str, or a Problem).
        self.problems: list[Any] = [problems] if isinstance(problems, str) else list(problems)
        #: One closing line (how many problems, what happens now), or None.
        self.summary = summary
        super().__init__(summary or "\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        """What the owner reads: every problem, then the summary."""
        return [*(str(p) for p in self.problems), *([self.summary] if self.summary else [])]


class UsageError(RedressError):
    """A command was given something it cannot use (a file, an option, a missing secret)."""

    exitcode = 2


class ProblemLinesOnly(logging.Filter):
    """Keep Pelican's report of a shop owner's mistake to its problem lines.

    Pelican's ``main()`` logs any exception that ends a build with
    ``logger.critical("%s: %s", name, e, exc_info=True)`` on the ``pelican``
    logger, which prints a traceback. By then the generator has logged every
    problem line, so for a :class:`RedressError` this filter drops the
    traceback from that one record and lets the line through. It sits on the
    ``pelican`` logger itself (a logger's filters see only its own records),
    so other loggers and Redress's own bugs keep their tracebacks.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], RedressError):
            record.exc_info = None
            record.exc_text = None
        return True
