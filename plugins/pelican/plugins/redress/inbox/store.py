"""Submissions in a database: acknowledged means committed, on either engine.

Every post that reaches the inbox is one row, raw and normalised, whatever
became of it (accepted, spam, rejected). Rows are never deleted; publishing,
withholding and dismissing only fill in columns (a dismissed row's status
says so, and ``dismissed_from`` keeps what it was). A commit happens before
the service answers, so a submission it acknowledged survives the process
being killed the next instant.

Two engines keep the same promises behind this one interface (the SQL they
share is here, written once):

* SQLite (:mod:`.store_sqlite`), the embedded default: one file next to the
  settings, no service to run. Its writers take turns (``BEGIN IMMEDIATE``),
  across threads and processes alike.
* PostgreSQL (:mod:`.store_postgres`), for two or more inbox instances behind
  one load balancer: ``REVIEWS_INBOX_DB`` is a ``postgresql://`` URL.

What several instances share goes through the database, never a process's
memory: the same post sent to two instances is one row (a unique key); an
invitation verifies one review (``used_invitations``, whose primary key is
written in the same transaction as the review); the per-address rate limit is
one token bucket per address (:meth:`Store.take_token`); a submission being
written by `publish`, or a notice being sent, is claimed first, so two
machines never write or send the same one twice. The schema is the inbox's
own, versioned and migrated on opening (:mod:`.schema`).
"""

from __future__ import annotations

import abc
import datetime as dt
import hashlib
import json
import os
import socket
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from ..errors import RedressError

#: What a ``REVIEWS_INBOX_DB`` starts with when it names a PostgreSQL database rather than a file.
POSTGRES_SCHEMES = ("postgresql://", "postgres://")

#: What waits for the shop owner: accepted submissions, and follow-ups that need a look
#: (no follow-up link proves they come from the reviewer; they are never published as such).
WAITING = "status IN ('accepted', 'needs-check') AND published_at IS NULL AND withheld IS NULL"

#: How long a claim holds (a `publish` run writing a file, an instance sending a notice): a
#: claim a crashed run left behind is free again after this; writing one file takes milliseconds.
CLAIM_SECONDS = 600

#: Old rate-limit rows are removed this often (seconds): a bucket untouched for a minute is full,
#: which is what no row means.
PRUNE_SECONDS = 60.0

#: What a submission that used an invitation already used is stored as instead:
#: given the id of the submission that used it first.
IfUsed = Callable[[int], tuple[str, dict[str, Any]]]


class StoreUnavailable(RedressError):
    """The database did not answer (down, restarting, locked too long): nothing was stored or changed.

    The service answers such a post 503 ("try again in a minute"), never
    "thank you"; a command stops with this line and can simply be run again.
    """


def is_postgres_url(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower().startswith(POSTGRES_SCHEMES)


def shown_url(url: str) -> str:
    """A database URL fit for a log or a terminal: any password replaced by ``***``."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on an address that cannot be read
    except ValueError:
        return url.split("://", 1)[0] + "://(an address that cannot be read)"
    netloc = parts.netloc
    if parts.password is not None:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.split(':', 1)[0]}:***@{host}"
    query = [
        (k, "***" if k.lower() in ("password", "sslpassword") else v) for k, v in parse_qsl(parts.query, True)
    ]
    return urlunsplit(parts._replace(netloc=netloc, query=urlencode(query, safe="/*")))


def scrubbed(err: BaseException, url: str) -> str:
    """An error's text for a terminal or a log, without the URL's password in it.

    libpq quotes what it could not use, and that can be the URL or a piece of
    the password; a password may also come from the environment's URL.
    """
    text = " ".join(str(err).split()) or type(err).__name__
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    for secret in (url, password):
        if secret:
            text = text.replace(secret, "***")
    if password is not None and len(password) >= 4:
        text = text.replace(unquote(password), "***")
    return text


@dataclass(frozen=True)
class Database:
    """Where the inbox keeps everything: a SQLite file (``path``) or a PostgreSQL database (``url``).

    ``str()`` of it is what the commands print: the file, or the URL without
    its password.
    """

    path: Path | None = None
    url: str | None = None

    @classmethod
    def from_setting(cls, value: str | os.PathLike[str], base: Path) -> Database:
        """``REVIEWS_INBOX_DB``'s value: a ``postgresql://`` URL, or a file relative to `base`."""
        if is_postgres_url(value):
            return cls(url=str(value).strip())
        path = Path(value)
        return cls(path=path if path.is_absolute() else base / path)

    @property
    def engine(self) -> str:
        return "postgresql" if self.url else "sqlite"

    def __str__(self) -> str:
        return shown_url(self.url) if self.url else str(self.path)


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
    def from_row(cls, row: Mapping[str, Any]) -> Submission:
        return cls(
            id=int(row["id"]),
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


def as_json(value: dict[str, Any]) -> str:
    """A submission's raw or normalised values as stored: the same text on either engine."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def address_key(client: str) -> str:
    """What the rate limit keeps of a client's address: a short hash, not the address itself."""
    return hashlib.sha256(client.encode()).hexdigest()[:16]


def claimant() -> str:
    """A name for this run or instance in a claim: the machine, the process and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Store(abc.ABC):
    """The inbox's database. Open one with :func:`open_store`; close it when done.

    The engines implement how a statement runs (:meth:`_rows`,
    :meth:`_run`), the one write that must decide under a lock
    (:meth:`add`) and :meth:`close`; everything else is the SQL here, which
    both engines speak. Placeholders are ``?``; times are ISO 8601 text in UTC,
    so rows read the same from either engine and compare in order as text.
    """

    database: Database
    #: The engine's names for the smaller and the larger of two values.
    LEAST = "min"
    GREATEST = "max"

    def __init__(self) -> None:
        self._pruned_at = 0.0

    # -- what each engine implements ------------------------------------------------------

    @abc.abstractmethod
    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run one statement on its own (committed when it returns) and return its rows."""

    @abc.abstractmethod
    def _run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement on its own (committed when it returns); return the rows it changed."""

    @abc.abstractmethod
    def close(self) -> None:
        """Close the connection (SQLite) or the pool (PostgreSQL)."""

    @abc.abstractmethod
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
        one invitation only one can be the first, whichever instance each
        reached. A repeated key is the same post again: it keeps what the
        first one was, verified or not. Committed before it returns.
        """

    # -- reading --------------------------------------------------------------------------

    def get(self, submission_id: int) -> Submission | None:
        rows = self._rows("SELECT * FROM submissions WHERE id = ?", (submission_id,))
        return Submission.from_row(rows[0]) if rows else None

    def all(self, where: str = "1 = 1", params: Sequence[Any] = ()) -> list[Submission]:
        rows = self._rows(
            f"SELECT * FROM submissions WHERE {where} ORDER BY received_at DESC, id DESC", params
        )
        return [Submission.from_row(row) for row in rows]

    def waiting(self) -> list[Submission]:
        """Accepted submissions not yet written as files, and follow-ups that need a look; newest first."""
        return self.all(WAITING)

    def count_waiting(self) -> int:
        """How many :meth:`waiting` would return, without reading them."""
        return int(self._rows(f"SELECT COUNT(*) AS n FROM submissions WHERE {WAITING}")[0]["n"])

    def count(self) -> dict[str, int]:
        rows = self._rows("SELECT status, COUNT(*) AS n FROM submissions GROUP BY status")
        return {row["status"]: int(row["n"]) for row in rows}

    # -- publishing, withholding, dismissing ----------------------------------------------

    def claim(self, submission_id: int, by: str, now: dt.datetime | None = None) -> bool:
        """Claim a waiting submission for writing its file; False if it is done, or another run has it.

        Two `publish` runs (two machines, or a cron job and the owner) may see
        the same submission waiting; only the one whose claim succeeds writes
        it. A claim older than :data:`CLAIM_SECONDS` is a crashed run's and
        may be taken over (that run's file, if any, is found again by its text).
        """
        now = now or dt.datetime.now(dt.UTC)
        stale = (now - dt.timedelta(seconds=CLAIM_SECONDS)).isoformat()
        changed = self._run(
            "UPDATE submissions SET claimed_by = ?, claimed_at = ? "
            "WHERE id = ? AND published_at IS NULL AND withheld IS NULL AND status != 'dismissed' "
            "AND (claimed_by IS NULL OR claimed_by = ? OR claimed_at < ?)",
            (by, now.isoformat(), submission_id, by, stale),
        )
        return changed == 1

    def release(self, submission_id: int, by: str) -> None:
        """Give up a claim without publishing (the file could not be written): the next run tries again."""
        self._run(
            "UPDATE submissions SET claimed_by = NULL, claimed_at = NULL WHERE id = ? AND claimed_by = ?",
            (submission_id, by),
        )

    def mark_published(self, submission_id: int, path: str, when: dt.datetime) -> None:
        self._run(
            "UPDATE submissions SET published_path = ?, published_at = ?, "
            "claimed_by = NULL, claimed_at = NULL WHERE id = ? AND published_at IS NULL",
            (path, when.isoformat(), submission_id),
        )

    def mark_dismissed(self, submission_id: int, reason: str, when: dt.datetime) -> bool:
        """Record the owner's dismissal; False if the row was published, withheld or dismissed meanwhile.

        Or if a `publish` run holds it this moment (its claim): its file may be on its way.

        The row stays, with its status ``dismissed``, what it was before, the
        reason and the time: the inbox keeps everything it was ever sent.
        """
        stale = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=CLAIM_SECONDS)).isoformat()
        changed = self._run(
            "UPDATE submissions SET dismissed_from = status, status = 'dismissed', "
            "dismissed_reason = ?, dismissed_at = ? "
            "WHERE id = ? AND status != 'dismissed' AND published_at IS NULL AND withheld IS NULL "
            "AND (claimed_by IS NULL OR claimed_at < ?)",
            (reason, when.isoformat(), submission_id, stale),
        )
        return changed == 1

    def mark_not_spam(self, submission_id: int, status: str) -> bool:
        """A post the honeypot caught, taken back by the owner as a person's: False if it is no
        longer spam (taken back or dismissed by another command meanwhile)."""
        changed = self._run(
            "UPDATE submissions SET status = ? WHERE id = ? AND status = 'spam'", (status, submission_id)
        )
        return changed == 1

    def mark_withheld(self, submission_id: int, reason: str) -> None:
        self._run("UPDATE submissions SET withheld = ? WHERE id = ?", (reason, submission_id))

    # -- notifications --------------------------------------------------------------------

    def to_notify(self, now: dt.datetime, limit: int = 20) -> list[Submission]:
        rows = self._rows(
            "SELECT * FROM submissions WHERE status IN ('accepted', 'needs-check') "
            "AND notified_at IS NULL AND notify_attempts < 12 "
            "AND (notify_next IS NULL OR notify_next <= ?) ORDER BY id LIMIT ?",
            (now.isoformat(), limit),
        )
        return [Submission.from_row(row) for row in rows]

    def claim_notice(self, submission_id: int, now: dt.datetime) -> bool:
        """Take a notice due now for sending; False if another instance took it first.

        The claim is a time: the notice is not due again until
        :data:`CLAIM_SECONDS` later, so an instance killed while sending it
        leaves it to be sent again then (a notice may come twice after a
        crash, never not at all).
        """
        changed = self._run(
            "UPDATE submissions SET notify_next = ? WHERE id = ? AND notified_at IS NULL "
            "AND (notify_next IS NULL OR notify_next <= ?)",
            ((now + dt.timedelta(seconds=CLAIM_SECONDS)).isoformat(), submission_id, now.isoformat()),
        )
        return changed == 1

    def mark_notified(self, submission_id: int, when: dt.datetime) -> None:
        self._run(
            "UPDATE submissions SET notified_at = ?, notify_error = NULL WHERE id = ?",
            (when.isoformat(), submission_id),
        )

    def mark_notify_failed(self, submission_id: int, error: str, next_try: dt.datetime) -> None:
        self._run(
            "UPDATE submissions SET notify_attempts = notify_attempts + 1, notify_error = ?, "
            "notify_next = ? WHERE id = ?",
            (error[:500], next_try.isoformat(), submission_id),
        )

    # -- the rate limit -------------------------------------------------------------------

    def take_token(self, address: str, per_minute: int, now: float) -> bool:
        """Take one post from the address's bucket; False when it is empty (the post gets 429).

        A token bucket per address, as the inbox had in memory, kept in the
        database so that every instance draws from the same one: it holds
        `per_minute` posts and refills steadily (`per_minute` a minute). One
        statement reads and updates it (an upsert), so two instances cannot
        both take the last token. `now` is seconds since the epoch; a clock a
        little behind another instance's refills nothing rather than going back.
        """
        rate = per_minute / 60.0
        refilled = f"{self.LEAST}(?, b.tokens + {self.GREATEST}(0, ? - b.updated) * ?)"
        rows = self._rows(
            "INSERT INTO rate_limits AS b (address, tokens, updated, allowed) VALUES (?, ?, ?, TRUE) "
            "ON CONFLICT (address) DO UPDATE SET "
            f"tokens = CASE WHEN {refilled} >= 1 THEN {refilled} - 1 ELSE {refilled} END, "
            f"allowed = {refilled} >= 1, "
            f"updated = {self.GREATEST}(b.updated, ?) "
            "RETURNING allowed",
            (address, per_minute - 1, now, *(per_minute, now, rate) * 4, now),
        )
        if now - self._pruned_at > PRUNE_SECONDS:
            self._pruned_at = now
            # Untouched for a minute: refilled to the brim, the same as no row at all.
            self._run("DELETE FROM rate_limits WHERE updated < ?", (now - 60.0,))
        return bool(rows[0]["allowed"])


def open_store(database: Database, synchronous: str = "NORMAL") -> Store:
    """The store for `database`, its schema created or brought up to date.

    ``synchronous`` is SQLite's (NORMAL survives a crash of the process, FULL
    a power cut too); PostgreSQL's durability is the server's own
    (``synchronous_commit``, on by default).
    """
    if database.url:
        from .store_postgres import PostgresStore

        return PostgresStore(database)
    from .store_sqlite import SQLiteStore

    return SQLiteStore(database, synchronous)


def invitation_uses(order: str, token_product: str | None, product: str | None) -> list[tuple[str, str]]:
    """The (order, product) pairs a review verified by an invitation uses up.

    The invitation's own (its product, or "" for the order's general link)
    and the product the review is about ("" for the shop): the general link
    and a product's own link are one invitation for that product, so a
    verified review of it through either uses both.
    """
    return list(dict.fromkeys([(order, token_product or ""), (order, product or "")]))
