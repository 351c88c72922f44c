"""Work done by a forked process on the other core while the build goes on, its result read back.

A build runs on two cores but mostly in one process, and some of its work
needs nothing from what comes next: listing 100,000 review files while the
parse cache loads, the desk's check of every answer while pages are
written, a share of the parsing and of the cards, the review pages queued
for the background.
:func:`beside` forks a child for such work. (Only for big work: while a
child lives, each page of memory the build touches is copied. A child
forked after the shop was read, to check that the kept pages were still
on disk, saved 0.4 s at 100,000 reviews and cost as much in copies; forked
before the shop is read, it copies next to nothing.)
The child computes, sends the result through a pipe as plain data, framed
by its length, and ends without running anything of the parent's (no
``atexit`` handler, no buffered output written twice); logging is off in
it (:func:`in_child`). Success is a whole result, never the exit status,
which a process that ignores SIGCHLD cannot read. A child that fails gives
None, and the caller does the work itself or fails the build.
"""

from __future__ import annotations

import logging
import marshal
import multiprocessing
import os
import select
import signal
import sys
from collections.abc import Callable
from typing import Any, Generic, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")


class Beside(Generic[T]):
    """A forked child's work; :meth:`result` waits for it, :meth:`stop` ends it unread."""

    def __init__(self, pid: int, read_end: int, loads: Callable[[bytes], Any]):
        self._pid: int | None = pid
        self._read_end = read_end
        self._loads = loads
        self._result: T | None = None

    def result(self) -> T | None:
        """The child's result, or None if it failed; the child is reaped (asked again, the same).

        The result is framed by its length, so a whole one is taken even
        where the child's exit status cannot be had (SIGCHLD ignored: the
        system reaps children itself).
        """
        if self._pid is None:
            return self._result
        try:
            with os.fdopen(self._read_end, "rb") as pipe:
                data = pipe.read()
        finally:
            reap(self._pid)
            self._pid = None
        size, data = int.from_bytes(data[:8], "little"), data[8:]
        if len(data) == size and size:
            try:
                self._result = self._loads(data)
            except Exception:  # a torn result: the caller does the work
                self._result = None
        return self._result

    def finished(self, wait: float = 0.0) -> bool:
        """Whether the child has ended (or is sending its result): :meth:`result` will not wait long.

        Waiting at most ``wait`` seconds, and without its exit status: the
        pipe becomes readable only when the child writes its result, last
        thing, or ends without one.
        """
        if self._pid is None:
            return True
        # poll, not select: select fails on a descriptor above 1023 (a process with many files open).
        poller = select.poll()
        poller.register(self._read_end, select.POLLIN)
        return bool(poller.poll(max(0, int(wait * 1000))))

    def stop(self) -> None:
        """The build no longer needs the result (it failed): end the child and reap it."""
        if self._pid is None:
            return
        try:
            os.kill(self._pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        os.close(self._read_end)
        reap(self._pid)
        self._pid = None


def in_child() -> None:
    """What every forked child of a build does first: logging off.

    The parent's console may be held by a thread the child does not have
    (Pelican's spinner): a child that logged could wait for it for ever.
    """
    logging.disable(logging.CRITICAL)


def _lower_priority() -> None:
    """This process gives way to the build's own (see :func:`beside`); where it cannot, it does not."""
    try:
        os.nice(10)
    except OSError:
        pass


def reap(pid: int) -> None:
    """Wait for a forked child to end; one the system already reaped (SIGCHLD ignored) is fine."""
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass  # reaped by the system already (SIGCHLD ignored)


def beside(
    work: Callable[[], T],
    dumps: Callable[[Any], bytes] = marshal.dumps,
    loads: Callable[[bytes], Any] = marshal.loads,
    waits_its_turn: bool = False,
) -> Beside[T] | None:
    """Start ``work()`` in a forked child; None where processes cannot fork (no ``os.fork``,
    or the system refuses one: too many processes, too little memory, no file descriptor).

    The result crosses the pipe with ``dumps``/``loads`` (``marshal`` by
    default: plain data, the fastest to read back).

    A child that ``waits_its_turn`` runs at a lower priority (``nice``): for
    work whose result is wanted seconds later, started while the build and
    another child already keep both cores busy. At the same priority the
    three shared two cores, and the parse cache's load, which the whole
    build waits for, took a third longer (0.75-0.96 s against 0.56-0.71 s
    at 100,000 reviews, with the check of the pages on disk beside it).
    """
    if not hasattr(os, "fork"):
        return None
    try:
        read_end, write_end = os.pipe()
    except OSError as err:  # no file descriptor left
        logger.debug("reviews: no pipe for a forked process (%s); the build does the work itself", err)
        return None
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        pid = os.fork()
    except OSError as err:  # too many processes (a container's limit), too little memory
        os.close(read_end)
        os.close(write_end)
        logger.debug("reviews: no process could be forked (%s); the build does the work itself", err)
        return None
    if pid == 0:  # the child
        status = 0
        try:
            os.close(read_end)
            in_child()
            if waits_its_turn:
                _lower_priority()
            data = dumps(work())
            with os.fdopen(write_end, "wb") as out:
                out.write(len(data).to_bytes(8, "little"))
                out.write(data)
        except BaseException:
            status = 1
        os._exit(status)
    os.close(write_end)
    return Beside(pid, read_end, loads)


class SharedQueue:
    """Work shared out between a forked child and its parent: the background pages, the files to parse.

    Two numbers in memory both processes see (made before the fork): the
    child takes work from the front, the parent from the back once its
    own work is done (or at once), a few items at a time, until they meet.
    Each item is done by exactly one of them, and neither waits for the
    other while there is work left: the faster one simply does more.
    """

    #: Items taken at once: a lock per item would cost more than a small page.
    TAKE = 32

    def __init__(self, size: int):
        # Shared by fork (as the child is made), whatever the platform's default way.
        context = multiprocessing.get_context("fork")
        self._lock = context.Lock()
        self._ends = context.RawArray("q", [0, size])  # next front, end of the back

    def take_front(self) -> tuple[int, int] | None:
        with self._lock:
            start, end = self._ends[0], min(self._ends[0] + self.TAKE, self._ends[1])
            if start >= end:
                return None
            self._ends[0] = end
            return start, end

    def take_back(self) -> tuple[int, int] | None:
        # A child that died holding the lock (killed) must not hang the build:
        # the parent then stops taking work, and waiting for the child tells.
        if not self._lock.acquire(timeout=60):
            return None
        try:
            start, end = max(self._ends[1] - self.TAKE, self._ends[0]), self._ends[1]
            if start >= end:
                return None
            self._ends[1] = start
            return start, end
        finally:
            self._lock.release()


def shared_queue(size: int) -> SharedQueue | None:
    """A :class:`SharedQueue` of ``size`` items, or None where no lock can be shared.

    Some containers have no shared memory for a lock (no ``/dev/shm``):
    there the caller does the work without a queue.
    """
    try:
        return SharedQueue(size)
    except (OSError, ImportError):
        return None
