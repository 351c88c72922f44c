"""Submissions in SQLite (WAL): acknowledged means committed.

Every post that reaches the inbox is one row, raw and normalised, whatever
became of it (accepted, spam, rejected). Rows are never deleted; publishing,
withholding and dismissing only fill in columns (a dismissed row's status
says so, and ``dismissed_from`` keeps what it was). A commit happens before
the service answers, so a submission it acknowledged survives the process
being killed the next instant (synchronous=NORMAL in WAL mode is safe
against a crash of the process; choose FULL to be safe against power loss
too).

An invitation verifies one review: ``used_invitations`` holds each
(order, product) an accepted review has used, with a primary key, and is
written in the same transaction as the review itself (``BEGIN IMMEDIATE``:
one writer at a time, across threads and processes alike), so two posts
with one invitation at the same instant cannot both be verified.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Callable, Sequence
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
    notify_error TEXT,
    dismissed_at TEXT,
    dismissed_reason TEXT,
    dismissed_from TEXT
);
CREATE INDEX IF NOT EXISTS submissions_waiting ON submissions (status, published_at, received_at);
"""

#: One row per (order, product) an invitation verified a review for; product "" is the shop.
USED_INVITATIONS = """
CREATE TABLE used_invitations (
    order_number TEXT NOT NULL,
    product TEXT NOT NULL,
    submission_id INTEGER NOT NULL REFERENCES submissions (id),
    PRIMARY KEY (order_number, product)
);
"""

#: What the owner's dismissal records (`redress inbox dismiss`); added to older databases on opening.
DISMISSAL_COLUMNS = ("dismissed_at", "dismissed_reason", "dismissed_from")

#: What waits for the shop owner: accepted submissions, and follow-ups that need a look
#: (no follow-up link proves they come from the reviewer; they are never published as such).
WAITING = "status IN ('accepted', 'needs-check') AND published_at IS NULL AND withheld IS NULL"

#: What a submission that used an invitation already used is stored as instead:
#: given the id of the submission that used it first.
IfUsed = Callable[[int], tuple[str, dict[str, Any]]]


@dataclass
class Submission:
    id: int
    key: str
    kind: str
    received_at: dt.datetime
    #: accepted | needs-check (a follow-up without its link) | spam | rejected | dismissed (by the owner)
    status: str
    token_status: str
    raw: dict[str, Any]
    normalised: dict[str, Any]
    published_path: str | None
    published_at: str | None
    withheld: str | None
    notified_at: str | None = None
    notify_attempts: int = 0
    dismissed_at: str | None = None
    dismissed_reason: str | None = None
    dismissed_from: str | None = None

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
            dismissed_at=row["dismissed_at"],
            dismissed_reason=row["dismissed_reason"],
            dismissed_from=row["dismissed_from"],
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
        self._add_columns(DISMISSAL_COLUMNS)
        self._add_used_invitations()

    def _add_columns(self, columns: Sequence[str]) -> None:
        """Add columns a database from an older version lacks; its rows keep everything they had."""
        with self._lock:
            have = {row["name"] for row in self._db.execute("PRAGMA table_info(submissions)")}
            for column in columns:
                if column not in have:
                    try:
                        self._db.execute(f"ALTER TABLE submissions ADD COLUMN {column} TEXT")
                    except sqlite3.OperationalError as err:
                        # Another process (the service, a cron job) added it in between.
                        if "duplicate column" not in str(err):
                            raise

    def _add_used_invitations(self) -> None:
        """Create the table of used invitations, filled from the reviews verified before it existed.

        A database from before this table has verified reviews already; their
        invitations count as used, the first review of each (order, product)
        first. Older rows do not say which product their invitation was for,
        so the review's own product (or the shop) is the one recorded.
        """
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                exists = self._db.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'used_invitations'"
                ).fetchone()
                if not exists:
                    self._db.execute(USED_INVITATIONS)
                    self._db.executemany(
                        "INSERT OR IGNORE INTO used_invitations VALUES (?, ?, ?)", self._verified_before()
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def _verified_before(self) -> list[tuple[str, str, int]]:
        """(order, product, submission) of each review verified before invitations were recorded."""
        uses = []
        rows = self._db.execute(
            "SELECT id, normalised FROM submissions WHERE kind = 'review' AND status = 'accepted' ORDER BY id"
        ).fetchall()
        for row in rows:
            n = json.loads(row["normalised"])
            if n.get("verified") and n.get("token_order"):
                product = n.get("product")
                uses += [(*use, row["id"]) for use in invitation_uses(n["token_order"], product, product)]
        return uses

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
        """Store one submission; returns (id, True) or, for a repeated key, (the first one's id, False).

        ``uses`` are the (order, product) pairs of the invitation that verified
        it. If another submission used any of them already, the submission is
        stored as ``if_used(that submission's id)`` says instead (its token
        status and normalised values: an ordinary review), and uses nothing.
        The check and both writes are one transaction, so of two posts with
        one invitation only one can be the first. A repeated key is the same
        post again: it keeps what the first one was, verified or not.
        """
        with self._lock:
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
                        json.dumps(raw, ensure_ascii=False, sort_keys=True),
                        json.dumps(normalised, ensure_ascii=False, sort_keys=True),
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
        """Accepted submissions not yet written as files, and follow-ups that need a look; newest first."""
        return self.all(WAITING)

    def count_waiting(self) -> int:
        """How many :meth:`waiting` would return, without reading them."""
        with self._lock:
            row = self._db.execute(f"SELECT COUNT(*) FROM submissions WHERE {WAITING}").fetchone()
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

    def mark_dismissed(self, submission_id: int, reason: str, when: dt.datetime) -> bool:
        """Record the owner's dismissal; False if the row was published, withheld or dismissed meanwhile.

        The row stays, with its status ``dismissed``, what it was before, the
        reason and the time: the inbox keeps everything it was ever sent.
        """
        with self._lock:
            cursor = self._db.execute(
                "UPDATE submissions SET dismissed_from = status, status = 'dismissed', "
                "dismissed_reason = ?, dismissed_at = ? "
                "WHERE id = ? AND status != 'dismissed' AND published_at IS NULL AND withheld IS NULL",
                (reason, when.isoformat(), submission_id),
            )
        return cursor.rowcount == 1

    def mark_withheld(self, submission_id: int, reason: str) -> None:
        with self._lock:
            self._db.execute("UPDATE submissions SET withheld = ? WHERE id = ?", (reason, submission_id))

    # -- notifications --------------------------------------------------------

    def to_notify(self, now: dt.datetime, limit: int = 20) -> list[Submission]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM submissions WHERE status IN ('accepted', 'needs-check') "
                "AND notified_at IS NULL AND notify_attempts < 12 "
                "AND (notify_next IS NULL OR notify_next <= ?) ORDER BY id LIMIT ?",
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


def invitation_uses(order: str, token_product: str | None, product: str | None) -> list[tuple[str, str]]:
    """The (order, product) pairs a review verified by an invitation uses up.

    The invitation's own (its product, or "" for the order's general link)
    and the product the review is about ("" for the shop): the general link
    and a product's own link are one invitation for that product, so a
    verified review of it through either uses both.
    """
    return list(dict.fromkeys([(order, token_product or ""), (order, product or "")]))
