"""kill -9 the inbox mid-stream: every acknowledged submission is there, exactly once.

Clients post concurrently to the real service on 127.0.0.1; at a random
(seeded) moment the service gets SIGKILL. Before anything is posted again,
the database must hold every submission the service acknowledged (2xx or
303). Then the service restarts, the clients send everything that was not
acknowledged again (a retry, same key or same content), and in the end every
submission is stored exactly once.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import sqlite3
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import pytest
from inbox_server import ORIGIN, InboxServer, make_site

TOTAL = 300
CLIENTS = 8
BASE_SEED = int(os.environ.get("REDRESS_CRASH_SEED", "20261123"))


def submission(index: int, run: str, rng: random.Random) -> dict[str, str]:
    """Half as write.js sends (with a key), half as a plain form (deduplicated by content)."""
    fields = {
        "rating": str(rng.randint(1, 5)),
        "title": f"Crash {run} {index}",
        "text": f"Submission {index:04d} of run {run}, written to survive a crash.",
        "consent": "yes",
        "lang": "en",
        "ui": "en",
        "website": "",
    }
    if index % 2 == 0:
        fields["key"] = f"{run}-{index:04d}"
    return fields


class Client:
    """One keep-alive connection, reopened after any failure."""

    def __init__(self, port: int):
        self.port = port
        self.connection: http.client.HTTPConnection | None = None

    def post(self, fields: dict[str, str]) -> int | None:
        """The status, or None when no answer came (refused, reset, killed mid-request)."""
        body = urlencode(fields).encode("ascii")
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": ORIGIN,
            "Accept": "application/json" if "key" in fields else "text/html",
        }
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            self.connection.request("POST", "/reviews", body=body, headers=headers)
            response = self.connection.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            self.close()
            return None

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def stored(db: Path, run: str) -> Counter[int]:
    """How many rows each submission of this run has, read straight from SQLite."""
    counts: Counter[int] = Counter()
    with sqlite3.connect(db) as connection:
        for status, raw in connection.execute("SELECT status, raw FROM submissions"):
            title = json.loads(raw)["fields"].get("title", "")
            if title.startswith(f"Crash {run} "):
                assert status == "accepted"
                counts[int(title.rsplit(" ", 1)[1])] += 1
    return counts


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]


def acknowledged(status: int | None) -> bool:
    return status is not None and (200 <= status < 300 or status == 303)


@pytest.mark.parametrize("seed_offset", [0, 1, 2])
def test_kill_9_mid_stream_loses_no_acknowledged_submission(tmp_path: Path, seed_offset: int) -> None:
    started = time.monotonic()
    rng = random.Random(BASE_SEED + seed_offset)
    run = uuid.uuid4().hex[:8]
    forms = [submission(i, run, rng) for i in range(TOTAL)]
    kill_after = rng.randint(TOTAL // 10, TOTAL // 2)  # acknowledgements before the kill …
    kill_delay = rng.uniform(0, 0.01)  # … and then a random instant more
    site = make_site(tmp_path / "crash", demo=False)
    server = InboxServer(site).start()
    db = server.config().db_path

    lock = threading.Lock()
    queue = list(range(TOTAL))
    acked: set[int] = set()
    enough = threading.Event()

    def worker() -> None:
        client = Client(server.port)
        while True:
            with lock:
                if not queue:
                    break
                index = queue.pop(0)
            if acknowledged(client.post(forms[index])):
                with lock:
                    acked.add(index)
                    if len(acked) >= kill_after:
                        enough.set()
        client.close()

    def killer() -> None:
        enough.wait(timeout=30)
        time.sleep(kill_delay)
        server.kill()

    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    kill_thread = threading.Thread(target=killer)
    kill_thread.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=40)
    kill_thread.join(timeout=40)
    try:
        assert server.process is not None and server.process.returncode == -9, "the service was killed"
        first_round = set(acked)
        assert kill_after <= len(first_round) < TOTAL, "the kill came mid-stream"

        # Before anything is sent again: every acknowledged submission is on disk, once.
        assert integrity(db) == "ok"
        after_crash = stored(db, run)
        lost = sorted(first_round - set(after_crash))
        assert lost == [], f"acknowledged but lost in the crash: {lost}"
        assert max(after_crash.values()) == 1
        unacknowledged_but_kept = set(after_crash) - first_round

        # Restart and send again what was not acknowledged: a customer's retry. The new
        # process binds a port of its own and says which; server.port is that one.
        server.start()
        client = Client(server.port)
        retried = [i for i in range(TOTAL) if i not in first_round]
        statuses = {i: client.post(forms[i]) for i in retried}
        client.close()
        assert all(acknowledged(s) for s in statuses.values()), Counter(statuses.values())
        final = stored(db, run)
        assert set(final) == set(range(TOTAL))
        twice = sorted(i for i, n in final.items() if n != 1)
        assert twice == [], f"stored more than once: {twice}"
        with server.store() as store:
            assert store.count() == {"accepted": TOTAL}
        print(
            f"seed {BASE_SEED + seed_offset}: killed after {len(first_round)} acknowledged; "
            f"{len(unacknowledged_but_kept)} stored but unanswered, kept once after the retry"
        )
    finally:
        server.stop()
    assert time.monotonic() - started < 60
