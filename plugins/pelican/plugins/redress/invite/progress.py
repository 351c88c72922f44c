"""Progress for long commands: a bar on a terminal, a line every 10 % in a log.

A shop owner running `redress invite` on a month of orders should see that
it moves; a cron job's log should get a few lines, not a bar's escape codes.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any

#: Without a terminal, progress lines are printed only for this many items or more.
LINES_MIN_TOTAL = 1000


class Progress:
    """A progress bar on a terminal (rich), else a line every 10 % of a long run; a context manager."""

    def __init__(
        self,
        total: int,
        enabled: bool = True,
        stream: Any = None,
        label: str = "progress",
        unit: str = "items",
    ):
        self.total = total
        self.done = 0
        self.label = label
        self.unit = unit
        self.stream = stream or sys.stderr
        self.bar: Any = None
        self.lines = False
        if not enabled or total == 0:
            return
        if self.stream.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
            from rich.progress import Progress as Bar

            # No refresh thread: the worker processes are forked while this runs.
            self.bar = Bar(
                TextColumn(label),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(file=self.stream),
                auto_refresh=False,
                transient=True,
            )
            self.task = self.bar.add_task(label, total=total)
        else:
            self.lines = total >= LINES_MIN_TOTAL

    def __enter__(self) -> Progress:
        if self.bar is not None:
            self.bar.start()
            self.bar.refresh()
        return self

    def advance(self, count: int) -> None:
        before, self.done = self.done, self.done + count
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done, refresh=True)
        elif self.lines and self.done * 10 // self.total > before * 10 // self.total:
            percent = self.done * 100 // self.total
            print(f"{self.label}: {self.done} of {self.total} {self.unit} ({percent} %)", file=self.stream)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.bar is not None:
            self.bar.stop()
