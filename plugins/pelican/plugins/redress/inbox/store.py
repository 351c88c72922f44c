"""Submissions in SQLite (WAL): acknowledged means committed.

Every post that reaches the inbox is one row, raw and normalised, whatever
became of it (accepted, spam, rejected). Rows are never deleted; publishing
and withholding only fill in columns. A commit happens before the service
answers, so a submission it acknowledged survives the process being killed
the next instant (synchronous=NORMAL in WAL mode is safe against a crash of
the process; choose FULL to be safe against power loss too).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    received_at TEXT NOT NULL,
    status TEXT NOT NULL,
    token_status TEXT NOT NULL,
    raw TEXT NOT NULL,
    normalised TEXT NOT NULL,
    published_path TEXT,
    published_at TEXT,
    withheld TEXT,
    notified_at TEXT,
    notify_attempts INTEGER NOT NULL DEFAULT 0,
    notify_next TEXT,
    notify_error TEXT
);
CREATE INDEX IF NOT EXISTS submissions_waiting ON submissions (status, published_at, received_at);
"""


@dataclass
class Submission:
    id: int
    key: str
    kind: str
    received_at: dt.datetime
    status: str  # accepted | spam | rejected
    token_status: str
    raw: dict[str, Any]
    normalised: dict[str, Any]
    published_path: str | None
    published_at: str | None
    withheld: str | None
    notified_at: str | None = None
    notify_attempts: int = 0

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Submission:
        return cls(
            id=row["id"],
            key=row["key"],
            kind=row["kind"],
            received_at=dt.datetime.fromisoformat(row["received_at"]),
            status=row["status"],
            token_status=row["token_status"],
            raw=json.loads(row["raw"]),
            normalised=json.loads(row["normalised"]),
            published_path=row["published_path"],
            published_at=row["published_at"],
            withheld=row["withheld"],
            notified_at=row["notified_at"],
            notify_attempts=row["notify_attempts"],
        )


class Store:
    def __init__(self, path: Path | str, synchronous: str = "NORMAL"):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous={'FULL' if synchronous.upper() == 'FULL' else 'NORMAL'}")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)

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
    ) -> tuple[int, bool]:
        """Store one submission; returns (id, True) or, for a repeated key, (the first one's id, False)."""
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO submissions (key, kind, received_at, status, token_status, raw, normalised) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO NOTHING",
                (
                    key,
                    kind,
                    received_at.isoformat(),
                    status,
                    token_status,
                    json.dumps(raw, ensure_ascii=False, sort_keys=True),
                    json.dumps(normalised, ensure_ascii=False, sort_keys=True),
                ),
            )
            if cursor.rowcount == 1:
                return int(cursor.lastrowid or 0), True
            row = self._db.execute("SELECT id FROM submissions WHERE key = ?", (key,)).fetchone()
            return int(row["id"]), False

    def get(self, submission_id: int) -> Submission | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM submissions WHERE id = ?", (submission_id,)).fetchone()
        return Submission.from_row(row) if row else None

    def all(self, where: str = "1", params: tuple[Any, ...] = ()) -> list[Submission]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT * FROM submissions WHERE {where} ORDER BY received_at DESC, id DESC", params
            ).fetchall()
        return [Submission.from_row(row) for row in rows]

    def waiting(self) -> list[Submission]:
        """Accepted submissions not yet written as files, newest first."""
        return self.all("status = 'accepted' AND published_at IS NULL AND withheld IS NULL")

    def count_waiting(self) -> int:
        """How many :meth:`waiting` would return, without reading them."""
        with self._lock:
            row = self._db.execute(
                "SELECT COUNT(*) FROM submissions "
                "WHERE status = 'accepted' AND published_at IS NULL AND withheld IS NULL"
            ).fetchone()
        return int(row[0])

    def count(self) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute(
                "SELECT status, COUNT(*) AS n FROM submissions GROUP BY status"
            ).fetchall()
        return {row["status"]: row["n"] for row in rows}

    def mark_published(self, submission_id: int, path: str, when: dt.datetime) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE submissions SET published_path = ?, published_at = ? "
                "WHERE id = ? AND published_at IS NULL",
                (path, when.isoformat(), submission_id),
            )

    def mark_withheld(self, submission_id: int, reason: str) -> None:
        with self._lock:
            self._db.execute("UPDATE submissions SET withheld = ? WHERE id = ?", (reason, submission_id))

    # -- notifications --------------------------------------------------------

    def to_notify(self, now: dt.datetime, limit: int = 20) -> list[Submission]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM submissions WHERE status = 'accepted' AND notified_at IS NULL "
                "AND notify_attempts < 12 AND (notify_next IS NULL OR notify_next <= ?) "
                "ORDER BY id LIMIT ?",
                (now.isoformat(), limit),
            ).fetchall()
        return [Submission.from_row(row) for row in rows]

    def mark_notified(self, submission_id: int, when: dt.datetime) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE submissions SET notified_at = ?, notify_error = NULL WHERE id = ?",
                (when.isoformat(), submission_id),
            )

    def mark_notify_failed(self, submission_id: int, error: str, next_try: dt.datetime) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE submissions SET notify_attempts = notify_attempts + 1, notify_error = ?, "
                "notify_next = ? WHERE id = ?",
                (error[:500], next_try.isoformat(), submission_id),
            )
