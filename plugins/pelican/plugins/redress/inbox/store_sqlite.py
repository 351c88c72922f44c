"""The inbox in one SQLite file (WAL): the embedded default, nothing else to run.

One connection per store, used by one thread at a time (a lock), in
autocommit: a statement on its own is committed when it returns. A
submission's writes share one ``BEGIN IMMEDIATE`` transaction: one writer at
a time, across threads and processes alike (two `serve` processes on one
file, or a `publish` cron job beside the service), waiting up to five
seconds for another. synchronous=NORMAL in WAL mode is safe against a crash
of the process; FULL is safe against power loss too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from .schema import migrate_sqlite
from .store import Database, IfUsed, Store, StoreUnavailable, as_json

#: How long opening the inbox waits for other instances opening it at the same moment.
OPEN_WAIT_S = 30.0


def _switch_to_wal(db: sqlite3.Connection) -> None:
    """Put the file in WAL mode, waiting for other instances that are opening it too.

    With several connections switching a new file at the same moment, SQLite
    was seen to answer "database is locked" long before its timeout (it
    does not wait for every lock that switch takes): one of six instances
    started together, as a server's workers are, failed now and then on a
    busy disk. The switch is tried again until OPEN_WAIT_S has passed.
    """
    deadline = time.monotonic() + OPEN_WAIT_S
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() >= deadline:
                raise
        time.sleep(0.02)


class SQLiteStore(Store):
    def __init__(self, database: Database, synchronous: str = "NORMAL"):
        super().__init__()
        assert database.path is not None
        self.database = database
        self.path = database.path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        # Opening may wait longer than a request does: instances started together
        # take turns to switch the file to WAL and to create the tables.
        self._db = sqlite3.connect(
            str(self.path), check_same_thread=False, isolation_level=None, timeout=OPEN_WAIT_S
        )
        self._db.row_factory = sqlite3.Row
        try:
            with self._errors():
                _switch_to_wal(self._db)
                self._db.execute(
                    f"PRAGMA synchronous={'FULL' if synchronous.upper() == 'FULL' else 'NORMAL'}"
                )
                with self._lock:
                    migrate_sqlite(self._db, str(self.path))
                self._db.execute("PRAGMA busy_timeout=5000")  # a request waits 5 s at most
        except BaseException:
            self._db.close()
            raise

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """SQLite's own failures (locked too long, disk full, unreadable) as a line for the owner."""
        try:
            yield
        except sqlite3.OperationalError as err:
            raise StoreUnavailable(f"{self.path}: the inbox's database: {err}") from err

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._lock, self._errors():
            return [dict(row) for row in self._db.execute(sql, tuple(params)).fetchall()]

    def _run(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self._lock, self._errors():
            return self._db.execute(sql, tuple(params)).rowcount

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add(
        self,
        *,
        key: str,
        kind: str,
        received_at: dt.datetime,
        status: str,
        token_status: str,
        raw: dict[str, Any],
        normalised: dict[str, Any],
        uses: Sequence[tuple[str, str]] = (),
        if_used: IfUsed | None = None,
    ) -> tuple[int, bool]:
        with self._lock, self._errors():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute("SELECT id FROM submissions WHERE key = ?", (key,)).fetchone()
                if row is not None:
                    self._db.execute("COMMIT")
                    return int(row["id"]), False
                used_by = self._used_by(uses)
                if used_by is not None and if_used is not None:
                    token_status, normalised = if_used(used_by)
                cursor = self._db.execute(
                    "INSERT INTO submissions (key, kind, received_at, status, token_status, raw, normalised) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        key,
                        kind,
                        received_at.isoformat(),
                        status,
                        token_status,
                        as_json(raw),
                        as_json(normalised),
                    ),
                )
                submission_id = int(cursor.lastrowid or 0)
                if used_by is None:
                    self._db.executemany(
                        "INSERT INTO used_invitations VALUES (?, ?, ?)",
                        [(order, product, submission_id) for order, product in dict.fromkeys(uses)],
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return submission_id, True

    def _used_by(self, uses: Sequence[tuple[str, str]]) -> int | None:
        """The first submission that used any of these (order, product) pairs, if one did."""
        first: int | None = None
        for order, product in uses:
            row = self._db.execute(
                "SELECT submission_id FROM used_invitations WHERE order_number = ? AND product = ?",
                (order, product),
            ).fetchone()
            if row is not None and (first is None or row["submission_id"] < first):
                first = int(row["submission_id"])
        return first
