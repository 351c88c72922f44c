"""The inbox in PostgreSQL: one database for two or more inbox instances behind a load balancer.

psycopg 3 (the well-kept PostgreSQL driver for Python) with its connection
pool: each instance holds a few connections and lends one to a request for
the length of one statement or one transaction. Connections are in
autocommit, so a statement on its own is committed (with the server's
``synchronous_commit``, on by default: on disk) when it returns, before
the service answers.

A submission is one ``INSERT … ON CONFLICT (key) DO NOTHING``: the same post
reaching two instances at once is one row, whichever commits first, and the
other is told it is a repeat. A review verified by an invitation is one
transaction that first takes an advisory lock per (order, product) it would
use (in a fixed order, so two never wait for each other), then looks in
``used_invitations`` and writes: of two posts with one invitation on two
instances, the second waits for the first to commit and then sees it. The
primary key of ``used_invitations`` would refuse a second use all the same.

Credentials never come from the settings file (the settings check refuses a
password there): libpq reads ``PGPASSWORD``, ``~/.pgpass`` (or
``PGPASSFILE``), ``PGUSER`` and the other ``PG*`` variables from the service's
environment, or the whole URL comes from ``REDRESS_INBOX_DB``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ..errors import UsageError
from .schema import migrate_postgres
from .store import Database, IfUsed, Store, StoreUnavailable, as_json, scrubbed

try:
    import psycopg
    from psycopg.rows import dict_row
    from psycopg_pool import ConnectionPool, PoolTimeout
except ImportError as err:  # pragma: no cover - the `postgresql` extra is not installed
    raise UsageError(
        "REVIEWS_INBOX_DB is a PostgreSQL URL, but psycopg is not installed here: "
        "pip install 'pelican-redress[postgresql]'"
    ) from err

#: Connections an instance holds at most: requests beyond these wait their turn (up to
#: POOL_WAIT seconds) rather than each opening one of the server's limited connections.
POOL_SIZE = 8
POOL_WAIT = 5.0
#: Seconds to wait for the server when connecting.
CONNECT_TIMEOUT = 10
#: For the request path only (not the first connection, which creates or migrates the
#: tables and may wait for another instance doing so): a statement stuck behind a lock,
#: or a connection that died without a word, becomes a 503 ("send it again in a
#: minute") within seconds instead of holding a customer's request for minutes.
REQUEST_LIMITS = {
    "options": "-c statement_timeout=5000 -c lock_timeout=3000 -c idle_in_transaction_session_timeout=10000",
    "keepalives": 1,
    "keepalives_idle": 10,
    "tcp_user_timeout": 10000,
}

logger = logging.getLogger(__name__)
T = TypeVar("T")


def lock_key(*parts: str) -> int:
    """A 64-bit advisory lock key for a name (a hash: two names sharing one only wait for each other)."""
    digest = hashlib.blake2b("\x00".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _sql(sql: str) -> str:
    """The shared SQL's ``?`` placeholders as psycopg's ``%s`` (and a literal % escaped)."""
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresStore(Store):
    LEAST = "LEAST"
    GREATEST = "GREATEST"

    def __init__(self, database: Database, *, pool_size: int = POOL_SIZE):
        super().__init__()
        assert database.url is not None
        self.database = database
        self._converted: dict[str, str] = {}
        self._converting = threading.Lock()
        where = str(database)
        self._connect: dict[str, Any] = {
            "autocommit": True,
            "row_factory": dict_row,
            "connect_timeout": CONNECT_TIMEOUT,
        }
        # One connection first, for a clear line when the server cannot be reached, and for
        # creating or migrating the tables before any request can come.
        try:
            with psycopg.connect(database.url, **self._connect) as connection:
                migrate_postgres(connection, where)
        except (psycopg.ProgrammingError, psycopg.InterfaceError):
            # libpq could not read the URL, and its message may quote it, password and all.
            raise UsageError(
                f"the inbox's database {where}: the address cannot be read; write it as "
                "postgresql://USER@HOST[:PORT]/DATABASE, with the password in PGPASSWORD or ~/.pgpass"
            ) from None
        except psycopg.OperationalError as err:
            reason = scrubbed(err, database.url)
            raise UsageError(
                f"cannot open the inbox's database {where}: {reason}. Check that PostgreSQL runs there "
                "and that the inbox's environment has its credentials (PGUSER and PGPASSWORD, or "
                "~/.pgpass; never in the settings file)"
            ) from None
        except psycopg.Error as err:
            raise UsageError(f"the inbox's database {where}: {scrubbed(err, database.url)}") from None
        self._pool = ConnectionPool(
            database.url,
            min_size=1,
            max_size=pool_size,
            timeout=POOL_WAIT,
            kwargs={**self._connect, **REQUEST_LIMITS},
            name="redress-inbox",
            open=True,
        )

    def _q(self, sql: str) -> str:
        converted = self._converted.get(sql)
        if converted is None:
            converted = _sql(sql)
            with self._converting:
                self._converted[sql] = converted
        return converted

    def _unavailable(self, err: Exception) -> StoreUnavailable:
        reason = " ".join(str(err).split()) or type(err).__name__
        return StoreUnavailable(f"the inbox's database {self.database}: {reason}")

    def _on_connection(self, work: Callable[[Any], T]) -> T:
        """``work(connection)`` on a pooled connection; the server not answering is :class:`StoreUnavailable`.

        A pooled connection may have broken while it sat in the pool: the
        server was restarted, or closed it. Then the work is done once more on
        a new connection, and the pool checks its others: the first customer
        after a restart of PostgreSQL is not turned away. Doing it again is
        safe: a submission is stored by its unique key (a repeat finds the
        first), the other writes set values, and at worst a post takes two
        tokens of its rate limit, or a claimed notice waits for its claim to
        run out. A server that does
        not answer that new connection either is :class:`StoreUnavailable`
        at once, with nothing stored: the customer is asked to send again.
        """
        used: Any = None
        try:
            with self._pool.connection() as connection:
                used = connection
                return work(connection)
        except PoolTimeout as err:
            raise self._unavailable(err) from err
        except psycopg.OperationalError as err:
            if used is None or not used.broken:
                raise self._unavailable(err) from err
            logger.warning(
                "redress inbox: a connection to %s broke (%s); trying a new one", self.database, err
            )
        self._pool.check()
        try:
            with psycopg.connect(self.database.url or "", **self._connect) as connection:
                return work(connection)
        except psycopg.OperationalError as err:
            raise self._unavailable(err) from err

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        def rows(connection: Any) -> list[dict[str, Any]]:
            cursor = connection.execute(self._q(sql), tuple(params))
            return cursor.fetchall() if cursor.description else []

        return self._on_connection(rows)

    def _run(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._on_connection(
            lambda connection: int(connection.execute(self._q(sql), tuple(params)).rowcount)
        )

    def close(self) -> None:
        self._pool.close()

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
        return self._on_connection(
            lambda connection: self._add(
                connection, key, kind, received_at, status, token_status, raw, normalised, uses, if_used
            )
        )

    def _add(
        self,
        connection: Any,
        key: str,
        kind: str,
        received_at: dt.datetime,
        status: str,
        token_status: str,
        raw: dict[str, Any],
        normalised: dict[str, Any],
        uses: Sequence[tuple[str, str]],
        if_used: IfUsed | None,
    ) -> tuple[int, bool]:
        insert = (
            "INSERT INTO submissions (key, kind, received_at, status, token_status, raw, normalised) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (key) DO NOTHING RETURNING id"
        )
        uses = list(dict.fromkeys(uses))
        if not uses:
            # One statement, committed when it returns: the common case, one round trip.
            values = (
                key,
                kind,
                received_at.isoformat(),
                status,
                token_status,
                as_json(raw),
                as_json(normalised),
            )
            row = connection.execute(insert, values).fetchone()
            if row is not None:
                return int(row["id"]), True
            return self._first_with(connection, key), False
        with connection.transaction():
            for lock in sorted({lock_key("invitation", order, product) for order, product in uses}):
                connection.execute("SELECT pg_advisory_xact_lock(%s)", (lock,))
            first = connection.execute("SELECT id FROM submissions WHERE key = %s", (key,)).fetchone()
            if first is not None:
                return int(first["id"]), False
            used_by = self._used_by(connection, uses)
            if used_by is not None and if_used is not None:
                token_status, normalised = if_used(used_by)
            values = (
                key,
                kind,
                received_at.isoformat(),
                status,
                token_status,
                as_json(raw),
                as_json(normalised),
            )
            row = connection.execute(insert, values).fetchone()
            if row is None:  # the same post, committed meanwhile by another instance
                return self._first_with(connection, key), False
            submission_id = int(row["id"])
            if used_by is None:
                with connection.cursor() as cursor:
                    cursor.executemany(
                        "INSERT INTO used_invitations VALUES (%s, %s, %s)",
                        [(order, product, submission_id) for order, product in uses],
                    )
        return submission_id, True

    @staticmethod
    def _first_with(connection: Any, key: str) -> int:
        row = connection.execute("SELECT id FROM submissions WHERE key = %s", (key,)).fetchone()
        return int(row["id"])

    @staticmethod
    def _used_by(connection: Any, uses: Sequence[tuple[str, str]]) -> int | None:
        """The first submission that used any of these (order, product) pairs, if one did."""
        firsts = [
            int(row["submission_id"])
            for order, product in uses
            for row in connection.execute(
                "SELECT submission_id FROM used_invitations WHERE order_number = %s AND product = %s",
                (order, product),
            ).fetchall()
        ]
        return min(firsts) if firsts else None
