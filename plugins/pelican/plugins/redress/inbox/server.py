"""`redress inbox serve`'s HTTP server: uvicorn, with deadlines for slow clients and a log that cannot flood.

uvicorn waits for a request's headers as long as the client likes. A client
that sends a byte every few seconds holds a connection, and so an open file,
forever; about a thousand of them use up the common `ulimit -n 1024`. Then
every accept fails, nothing else gets in, and Python 3.11's asyncio logs a
traceback for each failed attempt (up to the listen backlog's 2048 of them
per turn of the loop): 65 MB of log in 40 seconds. uvicorn's own
``limit_concurrency`` does not help: it counts the held connections too, so
at the limit it answers the ordinary customer 503 and keeps the slow ones.

What this module adds, and why each:

* Deadlines per connection (:class:`GuardedProtocol`, uvicorn's httptools
  protocol with a clock): a request's headers must arrive within
  REVIEWS_INBOX_HEADER_TIMEOUT of the connection (or of the request's first
  byte, on a kept-alive one), and its body within REVIEWS_INBOX_BODY_TIMEOUT
  of the headers. The app answers a slow body itself (408, see
  :mod:`.app`); the clock here allows it a second more and then closes
  whatever is left, including a body the app never reads because it has
  answered already. An idle kept-alive connection is closed after uvicorn's
  keep-alive time even if it sends stray line breaks (which would stop
  uvicorn's own timer). Headers larger than :data:`MAX_HEADER_BYTES` get 431.
* A connection limit that sheds the slow, not the new
  (:class:`ConnectionGuard`): REVIEWS_INBOX_MAX_CONNECTIONS at once, and
  never more than the open-file limit leaves room for (:func:`connection_budget`
  raises the soft limit as far as needed and allowed). Beyond it, the
  connection that has waited longest for its client is closed: an ordinary
  request sends its headers at once and is answered in milliseconds, so it
  is never the oldest waiting; a slow one always soon is. asyncio accepts
  connections before the guard sees them, as many in one turn of its loop
  as the listen backlog it was given, so it is given :data:`ACCEPT_BURST`
  (and the socket's own queue set back to :data:`LISTEN_BACKLOG`), and the
  budget leaves room for a few such turns.
* Should files run out all the same (files held elsewhere in the process),
  the listening socket (:class:`SheddingSocket`) uses a file kept spare to
  accept the next waiting connection and close it at once, as libuv does:
  the queue moves on (customers behind it get in as soon as slow
  connections reach their deadlines), and asyncio never sees the failure.
  asyncio's own handling of it would log a traceback per attempt, and in
  Python 3.11 schedule a retry per attempt too, each of which fails the
  same way.
* A log that says each thing once per interval: running out of files once
  with what to do, closed slow connections as one line of counts, and
  whatever asyncio and uvicorn repeat (:class:`OncePerInterval`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import errno
import json
import logging
import os
import socket
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .config import InboxConfig

try:
    import resource
except ImportError:  # pragma: no cover - not on Windows
    resource = None  # type: ignore[assignment]

logger = logging.getLogger("redress.inbox")

#: Files the service needs besides its connections: the database (and its WAL and
#: shared-memory files), the listening socket and its spare, the log, a notice being sent,
#: Python's own (about ten when idle), and the content files while it re-reads them.
RESERVED_FILES = 32
#: Connections asyncio accepts in one turn of its loop, before the guard sees them.
ACCEPT_BURST = 16
#: Accepted and not yet seen by the guard, or closed and not yet released: a few turns' worth.
IN_FLIGHT = 3 * ACCEPT_BURST
#: The kernel's queue of connections waiting to be accepted (as `redress inbox serve` listens).
LISTEN_BACKLOG = 2048
#: The most header bytes a request may have; a browser sends one or two kilobytes.
MAX_HEADER_BYTES = 64 * 1024
#: The app answers a slow body (408) at REVIEWS_INBOX_BODY_TIMEOUT; the connection is closed this much later.
BODY_GRACE_SECONDS = 1.0
#: At most one log line per kind of trouble in this many seconds.
LOG_INTERVAL = 60.0

#: asyncio's message when accept() fails for want of files or memory.
ACCEPT_FAILED = "socket.accept() out of system resource"


def connection_budget(wanted: int) -> tuple[int, int | None]:
    """How many connections the service may hold at once, and the open-file limit that allows.

    A connection is an open file. The soft limit is raised (as far as the
    hard limit allows) to make room for `wanted` connections, those in
    flight and :data:`RESERVED_FILES`; where it cannot be raised far enough,
    fewer connections are allowed, so that accepting never fails for want of
    files.
    """
    if resource is None:
        return wanted, None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    headroom = RESERVED_FILES + IN_FLIGHT
    need = wanted + headroom
    if soft != resource.RLIM_INFINITY and soft < need:
        raised = need if hard == resource.RLIM_INFINITY else min(need, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return wanted, None
    room = soft - headroom if soft > 2 * headroom else soft // 2
    return max(1, min(wanted, room)), soft


class OncePerInterval(logging.Filter):
    """Let each kind of log message through at most once per `interval` seconds; count the rest.

    The kind is the logger and the message's first line (without its
    arguments), so a message repeated for every bad connection is written
    once, and the next one that gets through says how many were left out.
    asyncio's failed accept (should :class:`SheddingSocket` have no spare
    file) is rewritten into one line saying what to do, without its traceback.
    """

    def __init__(self, interval: float = LOG_INTERVAL, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.interval = interval
        self.clock = clock
        self.last: dict[str, float] = {}
        self.held: Counter[str] = Counter()

    def filter(self, record: logging.LogRecord) -> bool:
        first_line = str(record.msg).split("\n", 1)[0]
        kind = f"{record.name}:{first_line}"
        now = self.clock()
        if now - self.last.get(kind, float("-inf")) < self.interval:
            self.held[kind] += 1
            return False
        self.last[kind] = now
        if first_line == ACCEPT_FAILED:
            error = record.exc_info[1] if record.exc_info else None
            record.msg = out_of_files_line(error if isinstance(error, OSError) else None)
            record.args = None
            record.exc_info = None
            record.exc_text = None
        held = self.held.pop(kind, 0)
        if held:
            record.msg = f"{record.msg} ({held} more like this in the last {self.interval:g} s not logged)"
        return True


def out_of_files_line(error: OSError | None) -> str:
    """What the log says when accepting fails for want of files: why, and what to do."""
    why = error.strerror.lower() if error is not None and error.strerror else "out of open files"
    if resource is not None:
        why += f" (the limit is {resource.getrlimit(resource.RLIMIT_NOFILE)[0]})"
    return (
        f"redress inbox: cannot accept connections: {why}; new ones are closed at once until "
        "connections end. Raise the open-file limit (LimitNOFILE= in the systemd unit) "
        "or lower REVIEWS_INBOX_MAX_CONNECTIONS"
    )


class SheddingSocket(socket.socket):
    """The listening socket: out of files, it accepts the next connection with a spare one and closes it.

    Without a file for it, a waiting connection cannot be accepted, and the
    kernel keeps the queue in order: everyone behind it waits, and asyncio
    (which calls :meth:`accept`) reports the failure on every attempt. With
    the spare file the connection is accepted and closed at once, the spare
    is taken again, and asyncio is told there is nothing more to accept this
    turn. `on_shed` is told each time (for the log).
    """

    def __init__(self, sock: socket.socket, on_shed: Callable[[OSError], None]):
        super().__init__(sock.family, sock.type, sock.proto, fileno=sock.detach())
        self.on_shed = on_shed
        self.spare: int | None = _spare_file()

    def accept(self) -> tuple[socket.socket, Any]:
        try:
            accepted = super().accept()
        except OSError as err:
            if err.errno not in (errno.EMFILE, errno.ENFILE) or self.spare is None:
                raise
            os.close(self.spare)
            self.spare = None
            try:
                connection, _address = super().accept()
                connection.close()
            except OSError:
                pass  # gone already, or nothing waiting: either way the queue moved
            self.spare = _spare_file()
            self.on_shed(err)
            raise BlockingIOError(errno.EAGAIN, "a connection was shed for want of files") from None
        if self.spare is None:
            self.spare = _spare_file()
        return accepted

    def close(self) -> None:
        if self.spare is not None:
            os.close(self.spare)
            self.spare = None
        super().close()


def _spare_file() -> int | None:
    try:
        return os.open(os.devnull, os.O_RDONLY)
    except OSError:
        return None


class ConnectionGuard:
    """What all connections of one server share: the deadlines, the limit, the counts of what was closed.

    ``waiting`` holds the connections waiting for their client (for a
    request, its headers or its body), oldest wait first: the first is the
    one closed when a new connection would go over the limit.
    """

    def __init__(
        self,
        header_timeout: float,
        body_timeout: float,
        max_connections: int,
        log_interval: float = LOG_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.header_timeout = header_timeout
        self.body_timeout = body_timeout
        self.max_connections = max_connections
        self.log_interval = log_interval
        self.clock = clock
        self.open: set[GuardedProtocol] = set()
        self.waiting: OrderedDict[GuardedProtocol, None] = OrderedDict()
        self.closed: Counter[str] = Counter()
        self._reported_at = float("-inf")
        self._report: asyncio.TimerHandle | None = None
        self._out_of_files_said = float("-inf")

    def protocol(self) -> type[GuardedProtocol]:
        """The protocol class for uvicorn's ``http=``, its connections guarded by this guard."""
        return type("InboxProtocol", (GuardedProtocol,), {"guard": self})

    def admit(self, connection: GuardedProtocol) -> bool:
        """A new connection; over the limit, close the one that waited longest (False: this one)."""
        self.open.add(connection)
        if len(self.open) <= self.max_connections:
            return True
        oldest = next(iter(self.waiting), connection)
        self.close(oldest, "over the connection limit")
        return oldest is not connection

    def close(self, connection: GuardedProtocol, why: str) -> None:
        """Close a connection for being slow or over the limit; counted for the log, not logged."""
        connection.stop_clock()
        self.leave(connection)
        if not connection.transport.is_closing():
            connection.transport.close()
        self.count(why)

    def shed(self, error: OSError) -> None:
        """A new connection was closed for want of files (:class:`SheddingSocket`): said once an interval."""
        now = self.clock()
        if now - self._out_of_files_said >= self.log_interval:
            self._out_of_files_said = now
            logger.error(out_of_files_line(error))
        self.count("no file to accept it")

    def count(self, why: str) -> None:
        self.closed[why] += 1
        self._log_soon(asyncio.get_running_loop())

    def leave(self, connection: GuardedProtocol) -> None:
        self.open.discard(connection)
        self.waiting.pop(connection, None)

    def wait_for_client(self, connection: GuardedProtocol, again: bool) -> None:
        """The connection waits for its client; `again` starts a new wait (at the end of the queue)."""
        if again:
            self.waiting.pop(connection, None)
        if connection in self.open:
            self.waiting.setdefault(connection, None)

    def serving(self, connection: GuardedProtocol) -> None:
        """The request is complete: the server's turn, nothing to close it for."""
        self.waiting.pop(connection, None)

    def _log_soon(self, loop: asyncio.AbstractEventLoop) -> None:
        """The counts now if nothing was logged for an interval, else once the interval is over."""
        now = self.clock()
        if now - self._reported_at >= self.log_interval:
            self._log_counts()
        elif self._report is None:
            self._report = loop.call_later(self._reported_at + self.log_interval - now, self._log_counts)

    def _log_counts(self) -> None:
        self._report = None
        if not self.closed:
            return
        since = self._reported_at
        self._reported_at = self.clock()
        record = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "event": "slow-clients",
            "closed": dict(sorted(self.closed.items())),
            "open": len(self.open),
            "limit": self.max_connections,
        }
        if since != float("-inf"):
            record["seconds"] = round(self._reported_at - since, 1)
        self.closed.clear()
        logger.warning(json.dumps(record))


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's HTTP protocol with a clock: a connection waiting for its client waits only so long.

    Whose turn it is decides the deadline: the client's for a request's
    headers (REVIEWS_INBOX_HEADER_TIMEOUT), its body (the body timeout and a
    second more), or the next request on a kept-alive connection (uvicorn's
    keep-alive time); the server's from a complete request until its answer
    is sent, with no deadline here.
    """

    guard: ConnectionGuard

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._clock: asyncio.TimerHandle | None = None
        self._waiting_for = ""
        self._header_bytes = 0

    # -- the connection ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if self.guard.admit(self):
            self._wait("headers")

    def connection_lost(self, exc: Exception | None) -> None:
        self.stop_clock()
        self.guard.leave(self)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._waiting_for == "headers" and not self.transport.is_closing():
            self._header_bytes += len(data)
            if self._header_bytes > MAX_HEADER_BYTES:
                self.transport.write(
                    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                    b"content-length: 0\r\nconnection: close\r\n\r\n"
                )
                self.guard.close(self, "headers too large")

    # -- the parser's steps -----------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_bytes = 0
        if self._waiting_for != "headers":  # the first request's clock runs from the connection
            self._wait("headers")

    def on_headers_complete(self) -> None:
        self._wait("body")
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        if self.cycle is not None and self.cycle.response_complete:
            self._wait("next request")  # answered before the body was in (an early 4xx)
        else:
            self._serve()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.transport.is_closing() or self._waiting_for:
            return  # closing, or the request's body is still on its way: its clock runs on
        if self.cycle is None or self.cycle.response_complete:
            self._wait("next request")

    # -- the clock --------------------------------------------------------------------------

    def _wait(self, what: str) -> None:
        self.stop_clock()
        seconds = {
            "headers": self.guard.header_timeout,
            "body": self.guard.body_timeout + BODY_GRACE_SECONDS,
            "next request": float(self.timeout_keep_alive),
        }[what]
        self.guard.wait_for_client(self, again=what != "body")
        self._waiting_for = what
        self._clock = self.loop.call_later(seconds, self._too_slow, what)

    def _serve(self) -> None:
        self.stop_clock()
        self._waiting_for = ""
        self.guard.serving(self)

    def stop_clock(self) -> None:
        if self._clock is not None:
            self._clock.cancel()
            self._clock = None

    def _too_slow(self, what: str) -> None:
        self._clock = None
        if self.transport.is_closing():
            return
        if what == "next request":
            self.guard.leave(self)
            self.transport.close()  # an ordinary end of a kept-alive connection
        else:
            self.guard.close(self, f"{what} too slow")


class InboxServer(uvicorn.Server):
    """uvicorn's server, accepting at most :data:`ACCEPT_BURST` connections a turn from a long queue."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        # asyncio took `backlog` for both the kernel's queue and its accepts per turn; only the
        # second should be small (ACCEPT_BURST): customers may queue as long as before.
        for sock in sockets or []:
            sock.listen(LISTEN_BACKLOG)


def run(app: Any, sock: socket.socket, config: InboxConfig) -> None:
    """Serve `app` on the bound socket `sock` until stopped (SIGINT, SIGTERM)."""
    allowed, files = connection_budget(config.max_connections)
    if allowed < config.max_connections:
        logger.warning(
            "redress inbox: the open-file limit is %s, so at most %d connections at once "
            "(REVIEWS_INBOX_MAX_CONNECTIONS is %d); raise LimitNOFILE= in the systemd unit for more",
            files,
            allowed,
            config.max_connections,
        )
    guard = ConnectionGuard(config.header_timeout, config.body_timeout, allowed)
    listening = SheddingSocket(sock, guard.shed)
    server = InboxServer(
        uvicorn.Config(
            app,
            http=guard.protocol(),
            # asyncio's loop, which calls the socket's accept() (uvloop would accept in libuv).
            loop="asyncio",
            backlog=ACCEPT_BURST,
            log_level="warning",
            access_log=False,
            # The app trusts X-Forwarded-For itself (REVIEWS_INBOX_TRUST_PROXY), see create_app.
            proxy_headers=False,
            server_header=False,
            # The guard limits connections; uvicorn's limit would count the slow ones too.
            limit_concurrency=None,
        )
    )
    # After uvicorn's Config, which sets up its loggers (and keeps other filters).
    once = OncePerInterval()
    for name in ("asyncio", "uvicorn.error"):
        logging.getLogger(name).addFilter(once)
    try:
        server.run(sockets=[listening])
    finally:
        listening.close()
