"""Slow clients against the real `redress inbox serve`: they cannot jam it, nor flood its log.

The attack: connections that send a request's headers a byte a second, more
of them than the service has files for. Before, each held its connection
(an open file) for ever; once the file limit was reached every accept
failed, customers got nothing, and asyncio logged a traceback per failed
attempt (65 MB in 40 s).

Here the service runs as a process under a lowered open-file limit
(``RLIMIT_NOFILE`` 256, set in the child before it starts) with short
deadlines, and this test holds more slow connections than that from one
thread (re-opening each one the service closes, a second later, as an
attacker would) while it measures ordinary posts and health checks. Every
number is bounded: a fixed count of slow connections, a fixed measuring
time, and timeouts on every socket, so the test ends by itself even against
a service that does not cope. Only 127.0.0.1 is used.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import resource
import selectors
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from inbox_server import ORIGIN, inbox_env, make_site, review_fields, wait_for
from sites import LISTENING

#: The open-file limit the service runs under: a quarter of the common 1024, so the test stays small.
NOFILE = 256
#: More slow connections than the service has files for.
SLOW = 320
HEADER_TIMEOUT = 2.0
BODY_TIMEOUT = 3.0
#: How long ordinary requests are measured while the slow connections are held.
MEASURE_SECONDS = 8.0
#: An ordinary request (a post, a health check) on loopback takes a few milliseconds; under the
#: attack the service also accepts, reads and closes a few hundred slow connections a second. One
#: second for the 99th percentile leaves room for two shared cores under other tests, and is far
#: below what a jammed service gives: no answer until a slow connection times out (HEADER_TIMEOUT),
#: or none at all.
P99_BOUND = 1.0
#: How late after HEADER_TIMEOUT a slow connection may still be open: the deadline runs from the
#: accept, and the test notices a close within its own loop's tick.
LATE = 1.5
#: What the service may log besides its one line per submission: the start, and a line or two about
#: the slow connections it closed (once a minute at most).
LOG_BOUND = 4096


def start_serve(
    site: Path, env: dict[str, str], log_path: Path, extra_files: Sequence[int] = ()
) -> tuple[subprocess.Popen[bytes], int]:
    """`redress inbox serve --port 0` with RLIMIT_NOFILE at :data:`NOFILE`; returns it and its port.

    As :func:`sites.start_inbox`, with the limit set in the child before it
    runs (so the service sees it from the start) and `extra_files` handed down
    open, files the service does not know it holds.
    """

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (NOFILE, NOFILE))

    command = [sys.executable, "-m", "pelican.plugins.redress.cli", "inbox", "--settings"]
    command += [str(site / "pelicanconf.py"), "serve", "--port", "0"]
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=limit,  # noqa: PLW1509 - only setrlimit, before exec
            pass_fds=tuple(extra_files),
        )
    deadline = time.monotonic() + 30
    port = 0
    while time.monotonic() < deadline and process.poll() is None:
        found = LISTENING.search(log_path.read_text(encoding="utf-8", errors="replace"))
        if found:
            port = int(found["port"])
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as reply:  # noqa: S310
                    if reply.status == 200:
                        return process, port
            except OSError:
                pass
        time.sleep(0.05)
    process.kill()
    process.wait(timeout=10)
    raise RuntimeError(f"the inbox did not start:\n{log_path.read_text(errors='replace')}")


@contextmanager
def serving(site: Path, extra_files: Sequence[int] = ()) -> Iterator[tuple[int, Path]]:
    env = inbox_env(
        REDRESS_INBOX_HEADER_TIMEOUT=str(HEADER_TIMEOUT),
        REDRESS_INBOX_BODY_TIMEOUT=str(BODY_TIMEOUT),
    )
    log_path = site / f"inbox-{uuid.uuid4().hex[:8]}.log"
    process, port = start_serve(site, env, log_path, extra_files)
    try:
        yield port, log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@dataclass
class Attack:
    """:data:`SLOW` connections sending a request's headers a byte a second, from one thread.

    Each connection the service closes is noted with how long it lived, and
    opened again at its next tick. Ends by itself at `until`.
    """

    port: int
    until: float
    lifetimes: list[float] = field(default_factory=list)
    opened: int = 0
    most_open: int = 0
    oldest_at_end: float = 0.0
    errors: list[str] = field(default_factory=list)

    def run(self) -> None:
        selector = selectors.DefaultSelector()
        slots: dict[socket.socket, list[float]] = {}  # socket -> [opened at, next byte at]

        def open_one(stagger: float) -> None:
            sock = socket.socket()
            sock.settimeout(2)
            try:
                sock.connect(("127.0.0.1", self.port))
                sock.sendall(b"POST /reviews HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            except OSError as err:
                self.errors.append(repr(err))
                sock.close()
                return
            sock.setblocking(False)
            now = time.monotonic()
            slots[sock] = [now, now + 1 + stagger]
            selector.register(sock, selectors.EVENT_READ)
            self.opened += 1

        def closed(sock: socket.socket) -> None:
            self.lifetimes.append(time.monotonic() - slots.pop(sock)[0])
            selector.unregister(sock)
            sock.close()

        try:
            for i in range(SLOW):
                open_one(i / SLOW)
            reopen: list[float] = []
            while time.monotonic() < self.until:
                for key, _events in selector.select(timeout=0.05):
                    sock = key.fileobj
                    assert isinstance(sock, socket.socket)
                    try:
                        data = sock.recv(4096)
                    except BlockingIOError:
                        continue
                    except OSError:
                        data = b""
                    if not data:  # closed by the service (whatever it said before)
                        closed(sock)
                        reopen.append(time.monotonic() + 1)
                now = time.monotonic()
                for sock, slot in list(slots.items()):
                    if slot[1] <= now:
                        slot[1] = now + 1
                        try:
                            sock.send(b"a")
                        except OSError:
                            closed(sock)
                            reopen.append(now + 1)
                due = [t for t in reopen if t <= now]
                reopen = [t for t in reopen if t > now]
                for _ in due:
                    open_one(0)
                self.most_open = max(self.most_open, len(slots))
            now = time.monotonic()
            self.oldest_at_end = max((now - slot[0] for slot in slots.values()), default=0.0)
        finally:
            for sock in list(slots):
                selector.unregister(sock)
                sock.close()
            selector.close()


def ordinary_requests(port: int, seconds: float) -> tuple[list[float], list[object]]:
    """Posts and health checks one after another for `seconds` (at least one): each one's time and status."""
    latencies: list[float] = []
    statuses: list[object] = []
    end = time.monotonic() + seconds
    n = 0
    while n == 0 or time.monotonic() < end:
        n += 1
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=HEADER_TIMEOUT * 3)
        try:
            if n % 2:
                body = urlencode(review_fields(f"ordinary-{uuid.uuid4().hex[:8]}")).encode("ascii")
                headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": ORIGIN}
                connection.request("POST", "/reviews", body=body, headers=headers)
            else:
                connection.request("GET", "/health")
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
        except OSError as err:
            statuses.append(type(err).__name__)
        finally:
            connection.close()
        latencies.append(time.monotonic() - started)
        time.sleep(0.02)
    return latencies, statuses


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def log_besides_submissions(text: str) -> str:
    """The log without its one JSON line per submission (those are the service's record, by design)."""
    kept = []
    for line in text.splitlines(keepends=True):
        if line.startswith("{") and json.loads(line).get("event") == "submission":
            continue
        if re.match(r"inbox: review \d+ received", line):
            continue
        kept.append(line)
    return "".join(kept)


def test_slow_clients_cannot_jam_the_inbox_or_flood_its_log(tmp_path: Path) -> None:
    site = make_site(tmp_path / "slow", demo=False)
    with serving(site) as (port, log_path):
        started_log = log_path.stat().st_size
        attack = Attack(port, until=time.monotonic() + 1.5 + MEASURE_SECONDS)
        attacker = threading.Thread(target=attack.run, daemon=True)
        attacker.start()
        time.sleep(1.5)  # every slow connection is open, and the service is over its limit
        held_while_measuring = attack.most_open
        latencies, statuses = ordinary_requests(port, MEASURE_SECONDS)
        attacker.join(timeout=15)
        log = log_path.read_text(encoding="utf-8", errors="replace")
        grown = log_path.stat().st_size - started_log

    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    other = log_besides_submissions(log)
    report = (
        f"\nslow connections: {SLOW} wanted, {held_while_measuring} open at once from the client's side, "
        f"{attack.opened} opened in all, {len(attack.lifetimes)} closed by the service "
        f"(longest {max(attack.lifetimes, default=0):.2f} s, "
        f"median {statistics.median(attack.lifetimes or [0]):.2f} s)"
        f"\nordinary requests: {len(latencies)}, p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
        f"max {max(latencies) * 1000:.1f} ms"
        f"\nlog: {grown} bytes in all, {len(other.encode())} bytes besides the submission lines"
    )
    print(report)
    assert not attacker.is_alive()
    assert held_while_measuring > NOFILE, "the attack held more connections than the service has files"
    assert set(statuses) <= {200, 303}, (statuses, report)
    assert len(latencies) >= 50, report
    assert p99 < P99_BOUND, report
    assert attack.lifetimes, "the service closed slow connections"
    assert max(attack.lifetimes) < HEADER_TIMEOUT + LATE, report
    assert attack.oldest_at_end < HEADER_TIMEOUT + LATE, report
    assert len(other.encode()) < LOG_BOUND, other[-2000:]
    assert "Traceback" not in log
    assert "cannot accept connections" not in log, "the connection limit left room for every accept"
    (summary,) = [json.loads(line) for line in other.splitlines() if '"slow-clients"' in line]
    assert summary["closed"], summary


def test_running_out_of_files_anyway_is_logged_once_not_per_attempt(tmp_path: Path) -> None:
    """If files run out all the same (here: 200 the service does not know it holds), accept fails.

    The service's connection budget assumes it holds few files besides its
    connections; these break that on purpose. Every accept then fails until
    slow connections reach their deadline, and asyncio reports each failed
    attempt (before: with a traceback, up to 2048 of them per turn of its
    loop). The log must say it once, with what to do, and the service must
    answer again once the slow connections are gone.
    """
    site = make_site(tmp_path / "no-files", demo=False)
    hidden = [os.open(os.devnull, os.O_RDONLY) for _ in range(200)]
    try:
        with serving(site, extra_files=hidden) as (port, log_path):
            started_log = log_path.stat().st_size
            attack = Attack(port, until=time.monotonic() + 4)
            attack.run()
            # The service may still be closing what the attack left behind; then it answers.
            back = time.monotonic()
            recovered = wait_for(lambda: set(ordinary_requests(port, 0)[1]) <= {200, 303}, timeout=5)
            back = time.monotonic() - back
            after, statuses = ordinary_requests(port, 0.5)
            log = log_path.read_text(encoding="utf-8", errors="replace")
            grown = log_path.stat().st_size - started_log
    finally:
        for fd in hidden:
            os.close(fd)
    other = log_besides_submissions(log)
    print(
        f"\nout of files: {attack.opened} slow connections opened, log {grown} bytes; answering again "
        f"{back:.2f} s after the attack, then {len(after)} requests, max {max(after) * 1000:.0f} ms"
    )
    accept_lines = [line for line in other.splitlines() if "cannot accept connections" in line]
    assert len(accept_lines) == 1, other[-3000:]
    assert "too many open files" in accept_lines[0] and "LimitNOFILE" in accept_lines[0]
    assert "Traceback" not in log
    assert len(other.encode()) < LOG_BOUND, other[-2000:]
    assert recovered and back < HEADER_TIMEOUT + LATE, back
    assert set(statuses) <= {200, 303} and max(after) < HEADER_TIMEOUT + LATE, (statuses, after)


def test_a_form_sent_too_slowly_gets_408_and_oversized_headers_431(tmp_path: Path) -> None:
    """The body's deadline answers (408, and the connection ends); a flood of header bytes gets 431."""
    site = make_site(tmp_path / "slow-body", demo=False)
    with serving(site) as (port, _log_path):
        body = urlencode(review_fields(f"slow-{uuid.uuid4().hex[:8]}")).encode("ascii")
        head = (
            f"POST /reviews HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {ORIGIN}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        with socket.create_connection(("127.0.0.1", port), timeout=BODY_TIMEOUT + 3) as sock:
            started = time.monotonic()
            sock.sendall(head.encode("ascii"))
            reply = b""
            sent = 0
            closed = False
            sock.settimeout(0.5)
            while time.monotonic() - started < BODY_TIMEOUT + 3:
                if sent < len(body) and not closed:
                    try:
                        sock.sendall(body[sent : sent + 1])
                        sent += 1
                    except OSError:
                        # The service answered and closed between two bytes (a slow machine):
                        # what it answered is still there to read.
                        closed = True
                try:
                    data = sock.recv(65536)
                except TimeoutError:
                    continue
                except ConnectionResetError:
                    break
                if not data:
                    break  # the service closed the connection after its answer
                reply += data
            took = time.monotonic() - started
        assert reply.startswith(b"HTTP/1.1 408 "), reply[:200]
        assert b"connection: close" in reply.lower()
        assert BODY_TIMEOUT - 0.5 < took < BODY_TIMEOUT + 1.5, took
        assert sent < len(body)

        # Headers past the limit: 431 and closed. The answer may be lost to a reset when the
        # service closes with some of the flood unread; either way the connection ends at once.
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            started = time.monotonic()
            answer, ended = b"", "timeout"
            try:
                sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                for _ in range(70):
                    sock.sendall(b"X-Padding: " + b"a" * 1000 + b"\r\n")
                while chunk := sock.recv(65536):
                    answer += chunk
                ended = "closed"
            except TimeoutError:
                pass
            except OSError:
                ended = "reset"
            took = time.monotonic() - started
        assert ended in ("closed", "reset") and took < 2, (ended, took)
        assert answer.startswith(b"HTTP/1.1 431 ") or (ended == "reset" and not answer), answer[:200]
