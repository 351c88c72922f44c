"""Measure how many review posts a second the inbox takes, and how fast it answers.

Why: the issue's target for `redress inbox serve` is at least 300 accepted
posts a second on loopback with 2 cores, a p99 latency under 100 ms, and no
acknowledged submission lost. This script starts the real service (a
subprocess, rate limit off, on the loopback port it binds and reports:
``--port 0``) with a temporary site written by the tests' ``sites.py``,
drives it from the same machine with K keep-alive connections (asyncio, raw
HTTP/1.1) for T seconds, then counts the rows in the database.

Two modes:

* closed loop (default): every connection sends its next post as soon as the
  previous one is answered, so the figure is the most the service sustains;
* ``--rate R``: open loop at R posts a second whatever the answers do;
  latency counts from the moment a post was due (no coordinated omission).

Half the posts are the plain form (answered 303), half what write.js sends
(a key, ``Accept: application/json``, answered 200); every one is unique.
The client shares the machine's cores with the service, so the figures are
a lower bound of what the service does alone. It prints a summary and one
line ``bench_inbox: posts_per_s=… p99_ms=… lost=…`` for CI logs. Exit 0
unless --check is given and a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "tests"))
import sites  # noqa: E402 - the tests' site helpers: one copy of a test site's settings

SECRET = "bench-secret-0123456789abcdefghijklmnopqrstuv"
SITEURL = "https://bench.example"
TARGET_POSTS_PER_S = 300.0
TARGET_P99_MS = 100.0


def make_site(folder: Path) -> Path:
    """An empty shop (no reviews yet) with its settings file; returns the settings file."""
    for sub in ("reviews", "responses", "products"):
        (folder / "content" / sub).mkdir(parents=True, exist_ok=True)
    return sites.write_settings(
        folder,
        comment="Benchmark site written by scripts/bench_inbox.py.",
        SITENAME="Bench shop",
        SITEURL=SITEURL,
        REVIEWS_FORM_ACTION="/inbox/reviews",
    )


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)  # seconds, acknowledged posts only
    acknowledged: set[str] = field(default_factory=set)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0  # no answer at all
    sent: int = 0


def request_bytes(port: int, run: str, number: int) -> tuple[str, bytes]:
    marker = f"{run}-{number}"
    fields = {
        "rating": str(number % 5 + 1),
        "title": f"Bench {marker}",
        "text": f"Benchmark review {marker}: quick delivery, good beans, would buy again.",
        "name": "Bench B.",
        "lang": "en",
        "consent": "yes",
        "website": "",
        "t": "",
        "ui": "en",
    }
    as_fetch = number % 2 == 1
    if as_fetch:
        fields["key"] = marker
    body = urlencode(fields).encode("ascii")
    head = (
        f"POST /reviews HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
        f"Origin: {SITEURL}\r\nReferer: {SITEURL}/reviews/write/\r\n"
        f"Accept: {'application/json' if as_fetch else 'text/html'}\r\n\r\n"
    )
    return marker, head.encode("ascii") + body


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if length:
        await reader.readexactly(length)
    return status


class Connection:
    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, data: bytes) -> int | None:
        try:
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            self.writer.write(data)
            await self.writer.drain()
            assert self.reader is not None
            return await asyncio.wait_for(read_response(self.reader), timeout=10)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
            await self.close()
            return None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
            self.writer = self.reader = None


def record(results: Results, marker: str, status: int | None, latency: float) -> None:
    if status is None:
        results.errors += 1
        return
    results.statuses[status] = results.statuses.get(status, 0) + 1
    if status in (200, 303):
        results.acknowledged.add(marker)
        results.latencies.append(latency)


async def closed_loop(port: int, run: str, connections: int, seconds: float, results: Results) -> float:
    counter = iter(range(10**9))
    started = time.perf_counter()
    deadline = started + seconds

    async def client() -> None:
        connection = Connection(port)
        while time.perf_counter() < deadline:
            marker, data = request_bytes(port, run, next(counter))
            sent = time.perf_counter()
            results.sent += 1
            status = await connection.post(data)
            record(results, marker, status, time.perf_counter() - sent)
        await connection.close()

    await asyncio.gather(*(client() for _ in range(connections)))
    return time.perf_counter() - started


async def open_loop(
    port: int, run: str, connections: int, seconds: float, rate: float, results: Results
) -> float:
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(Connection(port))
    started = time.perf_counter()
    total = int(seconds * rate)
    tasks = []

    async def one(number: int, due: float) -> None:
        connection = await pool.get()
        marker, data = request_bytes(port, run, number)
        results.sent += 1
        status = await connection.post(data)
        record(results, marker, status, time.perf_counter() - due)
        pool.put_nowait(connection)

    for number in range(total):
        due = started + number / rate
        pause = due - time.perf_counter()
        if pause > 0:
            await asyncio.sleep(pause)
        tasks.append(asyncio.create_task(one(number, due)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    while not pool.empty():
        await pool.get_nowait().close()
    return elapsed


def stored_markers(db: Path, run: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    with sqlite3.connect(db) as connection:
        for (raw,) in connection.execute("SELECT raw FROM submissions WHERE status = 'accepted'"):
            title = json.loads(raw)["fields"].get("title", "")
            if title.startswith(f"Bench {run}-"):
                marker = title[len("Bench ") :]
                counts[marker] = counts.get(marker, 0) + 1
    return counts


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def runqueue_wait(pid: int) -> float:
    """Seconds the process's threads spent ready to run but waiting for a core (Linux schedstat)."""
    total = 0
    for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            total += int(stat.read_text().split()[1])
        except (OSError, IndexError, ValueError):
            pass
    return total / 1e9


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="how long to post (default 20)")
    parser.add_argument(
        "--connections", type=int, default=16, help="concurrent keep-alive clients (default 16)"
    )
    parser.add_argument(
        "--rate", type=float, default=0, help="open loop at this many posts/s (default: closed loop)"
    )
    parser.add_argument("--synchronous", default="NORMAL", help="REDRESS_INBOX_SYNCHRONOUS (NORMAL or FULL)")
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="run the service and this client at this nice value, e.g. -5 on a shared machine (root only)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary site and the service's log")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="bench-inbox-"))
    conf = make_site(folder)
    env = sites.inbox_environment(
        SECRET,
        REDRESS_INBOX_RATE_PER_MINUTE="0",
        REDRESS_INBOX_SYNCHRONOUS=args.synchronous,
        PYTHONPATH=str(REPO_ROOT / "plugins"),
    )
    log_path = folder / "inbox.log"
    if args.nice:
        os.nice(args.nice)  # the service inherits it, with every thread it starts
    process, port = sites.start_inbox(conf, env, log_path)
    try:
        run = uuid.uuid4().hex[:8]
        results = Results()
        load_before = os.getloadavg()[0]
        server_cpu = cpu_seconds(process.pid)
        server_wait = runqueue_wait(process.pid)
        client_cpu = time.process_time()
        if args.rate > 0:
            elapsed = asyncio.run(open_loop(port, run, args.connections, args.seconds, args.rate, results))
        else:
            elapsed = asyncio.run(closed_loop(port, run, args.connections, args.seconds, results))
        server_cpu = cpu_seconds(process.pid) - server_cpu
        server_wait = runqueue_wait(process.pid) - server_wait
        client_cpu = time.process_time() - client_cpu
        load_after = os.getloadavg()[0]
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    stored = stored_markers(folder / "inbox" / "inbox.sqlite3", run)
    lost = len(results.acknowledged - set(stored))
    twice = sum(1 for n in stored.values() if n > 1)
    rate = len(results.acknowledged) / elapsed
    p50, p95, p99 = (percentile(results.latencies, q) * 1000 for q in (50, 95, 99))
    refused = sum(n for status, n in results.statuses.items() if status not in (200, 303))
    mode = f"open loop at {args.rate:g}/s" if args.rate > 0 else "closed loop"
    print(
        f"inbox on 127.0.0.1:{port}, {mode}, {args.connections} connections, {elapsed:.1f} s"
        + (f", nice {args.nice}" if args.nice else "")
    )
    print(
        f"cores: {os.cpu_count()}, shared by the service and this client; "
        f"load average {load_before:.1f} before, {load_after:.1f} after"
    )
    posts = max(1, results.sent)
    print(
        f"CPU per post: service {server_cpu / posts * 1000:.2f} ms "
        f"(about {posts / server_cpu if server_cpu else float('nan'):.0f} posts/s per core), "
        f"client {client_cpu / posts * 1000:.2f} ms"
    )
    print(
        f"the service's threads waited {server_wait:.1f} s in all for a free core "
        f"(ran {server_cpu:.1f} s) in {elapsed:.1f} s: the higher, the more the figures measure the machine"
    )
    print(f"sent {results.sent}, acknowledged {len(results.acknowledged)}, statuses {results.statuses}")
    print(f"accepted posts/s: {rate:.0f}   latency ms: p50 {p50:.1f}  p95 {p95:.1f}  p99 {p99:.1f}")
    print(f"errors: {results.errors} without an answer, {refused} refused; rows stored twice: {twice}")
    print(f"lost (acknowledged but not in the database): {lost}")
    if args.keep:
        print(f"site and log kept in {folder}")
    else:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    print(f"bench_inbox: posts_per_s={rate:.0f} p99_ms={p99:.1f} lost={lost}")
    missed = rate < TARGET_POSTS_PER_S and args.rate <= 0 or p99 >= TARGET_P99_MS or lost or twice
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
