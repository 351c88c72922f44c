"""`redress inbox migrate --to URL`: copy a SQLite inbox into PostgreSQL, nothing lost, counts checked.

A shop that outgrows one machine moves its inbox once: stop the inbox, copy,
point ``REVIEWS_INBOX_DB`` (or ``REDRESS_INBOX_DB``) at the PostgreSQL
database, start the instances. The copy:

* brings the SQLite file to the current schema first (as the inbox itself
  would on starting), and creates the same schema in PostgreSQL;
* copies every row of the data tables with every column as it is (ids,
  times, raw and normalised values, what was published, withheld,
  dismissed, notified), in one transaction: all of it or nothing;
* checks before committing that each table holds as many rows as the file
  and the same rows, value for value, and prints the counts.

The rate limit's buckets are not copied: they count the last minute's posts
and refill by themselves. A table the copy does not know stops it before
anything is copied, so nothing is left behind unseen.

A target that holds rows already is refused, unless it holds exactly this
inbox (the same command run twice): then there is nothing to do, and it
says so. Anything else (another shop's inbox, or this one after the new
instances received posts) is never merged into or overwritten.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import UsageError
from .store import Database, open_store, scrubbed

#: The tables copied, a referenced table before the one that refers to it.
COPIED = ("submissions", "used_invitations")
#: Tables that are the inbox's own and not copied: its schema's history (the target has its
#: own) and a minute's counts of the rate limit.
NOT_COPIED = ("schema_version", "rate_limits")


@dataclass
class MigrateReport:
    #: table -> (rows in the SQLite file, rows in PostgreSQL after the copy)
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: False when the target held exactly this inbox already.
    copied: bool = True


def _canonical(rows: Iterable[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Rows as comparable values, in one order whatever the engine's collation (SQLite has no booleans)."""
    values = [tuple(int(v) if isinstance(v, bool) else v for v in row) for row in rows]
    return sorted(values, key=lambda row: json.dumps(row, ensure_ascii=False, default=str))


def digest(rows: list[tuple[Any, ...]]) -> str:
    hashed = hashlib.sha256()
    for row in rows:
        hashed.update(json.dumps(row, ensure_ascii=False, default=str).encode() + b"\n")
    return hashed.hexdigest()


def _sqlite_tables(db: sqlite3.Connection) -> dict[str, list[str]]:
    """Each table of the file and its columns, in their order."""
    names = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {name: [row[1] for row in db.execute(f'PRAGMA table_info("{name}")')] for name in names}


def migrate(source: Database, target: Database) -> MigrateReport:
    """Copy the SQLite inbox `source` into the PostgreSQL database `target` (see the module)."""
    if source.path is None or target.url is None:
        raise ValueError("migrate copies a SQLite inbox into PostgreSQL")
    if not source.path.is_file():
        raise UsageError(f"{source.path}: there is no inbox database here; give the SQLite file with --from")
    # Both brought to the current schema by the inbox's own code, then copied with plain connections.
    open_store(source).close()
    open_store(target).close()
    import psycopg

    db = sqlite3.connect(f"{source.path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return _copy_all(source, target, db)
    except psycopg.Error as err:  # the transaction was rolled back: nothing is there
        raise UsageError(f"{target}: {scrubbed(err, target.url or '')}; nothing was copied") from None
    finally:
        db.close()


def _copy_all(source: Database, target: Database, db: sqlite3.Connection) -> MigrateReport:
    import psycopg

    assert source.path is not None and target.url is not None
    report = MigrateReport()
    db.execute("BEGIN")  # one snapshot of the file, whatever writes to it meanwhile
    tables = _sqlite_tables(db)
    unknown = sorted(set(tables) - set(COPIED) - set(NOT_COPIED))
    if unknown:
        raise UsageError(
            f"{source.path}: holds tables this Redress does not know ({', '.join(unknown)}); "
            "nothing was copied. Upgrade Redress, or copy them yourself"
        )
    rows = {
        table: _canonical(db.execute(f"SELECT {', '.join(tables[table])} FROM {table}").fetchall())
        for table in COPIED
    }
    with psycopg.connect(target.url, autocommit=True) as connection, connection.transaction():
        # No instance may write while the target is checked and filled.
        connection.execute(f"LOCK TABLE {', '.join(COPIED)} IN EXCLUSIVE MODE")
        columns = _target_columns(connection)
        for table in COPIED:
            missing = [c for c in tables[table] if c not in columns[table]]
            if missing:
                raise UsageError(
                    f"{target}: {table} lacks the columns {', '.join(missing)} that "
                    f"{source.path} has; nothing was copied"
                )
        there = {table: _target_rows(connection, table, tables[table]) for table in COPIED}
        if any(there.values()):
            if there == rows:
                report.copied = False
                report.counts = {t: (len(rows[t]), len(there[t])) for t in COPIED}
                return report
            held = ", ".join(f"{len(there[t])} {t}" for t in COPIED)
            raise UsageError(
                f"{target}: already holds an inbox ({held}) that is not this one; nothing was "
                "copied. Migrate into an empty database (createdb a new one), or drop and "
                "create this one again if what it holds is a copy you no longer need"
            )
        for table in COPIED:
            _copy(connection, table, tables[table], rows[table])
        connection.execute(
            "SELECT setval(pg_get_serial_sequence('submissions', 'id'), "
            "(SELECT COALESCE(MAX(id), 1) FROM submissions), (SELECT COUNT(*) > 0 FROM submissions))"
        )
        for table in COPIED:
            copied = _target_rows(connection, table, tables[table])
            report.counts[table] = (len(rows[table]), len(copied))
            if len(copied) != len(rows[table]) or digest(copied) != digest(rows[table]):
                raise UsageError(
                    f"{target}: {table} does not read back as it was copied "
                    f"({len(rows[table])} rows in the file, {len(copied)} in PostgreSQL); "
                    "nothing was copied"
                )
    return report


def _target_columns(connection: Any) -> dict[str, set[str]]:
    columns: dict[str, set[str]] = {table: set() for table in COPIED}
    for table, column in connection.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = ANY(%s)",
        (list(COPIED),),
    ):
        columns[table].add(column)
    return columns


def _target_rows(connection: Any, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    return _canonical(connection.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall())


def _copy(connection: Any, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """The rows into `table` with PostgreSQL's COPY: one stream, not a statement per row."""
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
