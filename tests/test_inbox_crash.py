"""kill -9 the inbox mid-stream: every acknowledged submission is there, exactly once.

Clients post concurrently to the real service on 127.0.0.1; at a random
(seeded) moment the service gets SIGKILL. Before anything is posted again,
the database must hold every submission the service acknowledged (2xx or
303). Then the service restarts, the clients send everything that was not
acknowledged again (a retry, same key or same content), and in the end every
submission is stored exactly once.

On PostgreSQL two instances share the database, as behind a load balancer:
the posts go to each in turn, one of them is killed mid-burst, the other
keeps answering, and the retries go to the one still running.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from inbox_server import ORIGIN, InboxServer, database_rows, make_site

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


def stored(db: Any, run: str) -> Counter[int]:
    """How many rows each submission of this run has, read straight from the database."""
    counts: Counter[int] = Counter()
    for status, raw in database_rows(db, "SELECT status, raw FROM submissions"):
        title = json.loads(raw)["fields"].get("title", "")
        if title.startswith(f"Crash {run} "):
            assert status == "accepted"
            counts[int(title.rsplit(" ", 1)[1])] += 1
    return counts


def integrity(db: Any) -> str:
    return str(database_rows(db, "PRAGMA integrity_check")[0][0])


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
    db = server.config().database

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


@pytest.mark.parametrize("seed_offset", [0, 1])
def test_kill_9_of_one_of_two_instances_on_postgresql_loses_nothing(
    tmp_path: Path, postgres: Any, seed_offset: int
) -> None:
    started = time.monotonic()
    rng = random.Random(BASE_SEED + 100 + seed_offset)
    run = uuid.uuid4().hex[:8]
    forms = [submission(i, run, rng) for i in range(TOTAL)]
    kill_after = rng.randint(TOTAL // 10, TOTAL // 2)
    kill_delay = rng.uniform(0, 0.01)
    site = make_site(tmp_path / "crash", demo=False, db=postgres.new_database())
    instances = [InboxServer(site).start(), InboxServer(site).start()]
    victim, survivor = instances[seed_offset % 2], instances[1 - seed_offset % 2]
    db = survivor.config().database

    lock = threading.Lock()
    queue = list(range(TOTAL))
    acked: dict[int, InboxServer] = {}
    after_kill: list[int] = []
    enough = threading.Event()
    killed = threading.Event()

    def worker(number: int) -> None:
        # Each client's posts go to the instances in turn, as a load balancer sends them.
        clients = [Client(instance.port) for instance in instances]
        turn = number
        while True:
            with lock:
                if not queue:
                    break
                index = queue.pop(0)
            turn += 1
            instance = instances[turn % 2]
            if acknowledged(clients[turn % 2].post(forms[index])):
                with lock:
                    acked[index] = instance
                    if killed.is_set() and instance is survivor:
                        after_kill.append(index)
                    if len(acked) >= kill_after:
                        enough.set()
        for client in clients:
            client.close()

    def killer() -> None:
        enough.wait(timeout=30)
        time.sleep(kill_delay)
        victim.kill()
        killed.set()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(CLIENTS)]
    kill_thread = threading.Thread(target=killer)
    kill_thread.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=40)
    kill_thread.join(timeout=40)
    try:
        assert victim.process is not None and victim.process.returncode == -9, "one instance was killed"
        assert survivor.process is not None and survivor.process.poll() is None, "the other runs on"
        first_round = set(acked)
        assert kill_after <= len(first_round) < TOTAL, "the kill came mid-stream"
        assert after_kill, "the other instance kept acknowledging after the kill"
        assert {acked[i] for i in first_round} == set(instances), "both took posts before the kill"

        # Before anything is sent again: every acknowledged submission is in the database, once.
        after_crash = stored(db, run)
        lost = sorted(first_round - set(after_crash))
        assert lost == [], f"acknowledged but lost in the crash: {lost}"
        assert max(after_crash.values()) == 1
        unacknowledged_but_kept = set(after_crash) - first_round

        # The customers whose posts got no answer send them again; they reach the instance running.
        client = Client(survivor.port)
        retried = [i for i in range(TOTAL) if i not in first_round]
        statuses = {i: client.post(forms[i]) for i in retried}
        client.close()
        assert all(acknowledged(s) for s in statuses.values()), Counter(statuses.values())
        final = stored(db, run)
        assert set(final) == set(range(TOTAL))
        twice = sorted(i for i, n in final.items() if n != 1)
        assert twice == [], f"stored more than once: {twice}"
        with survivor.store() as store:
            assert store.count() == {"accepted": TOTAL}
        print(
            f"seed {BASE_SEED + 100 + seed_offset}: one of two killed after {len(first_round)} acknowledged "
            f"({len(after_kill)} by the other after the kill); {len(unacknowledged_but_kept)} stored but "
            "unanswered, kept once after the retry"
        )
    finally:
        for instance in instances:
            instance.stop()
    assert time.monotonic() - started < 90
