"""One inbox, two engines, several instances: every promise holds on SQLite and on PostgreSQL.

Most tests run twice (``new_inbox_db``: a fresh SQLite file, then a fresh
database on the test run's own PostgreSQL server, tests/postgres.py). Two
instances are two copies of the app (:class:`InboxApp`), each with its own
connections to the one database, as two `redress inbox serve` processes on
two machines would have; the kill -9 of one of two real processes is in
test_inbox_crash.py. Nothing is mocked: the posts go through the whole app,
the commands through the CLI's `main()`, and what the database holds is
read straight from it (:func:`database_rows`) where the inbox's own code
must not be the judge.
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import sqlite3
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from inbox_server import (
    SECRET,
    InboxApp,
    database_rows,
    inbox_env,
    make_site,
    redress_here,
    review_fields,
)
from pelican.plugins.redress import tokens
from pelican.plugins.redress.errors import UsageError
from pelican.plugins.redress.inbox.config import load_config
from pelican.plugins.redress.inbox.notify import Notifier
from pelican.plugins.redress.inbox.publish import publish
from pelican.plugins.redress.inbox.schema import LATEST
from pelican.plugins.redress.inbox.store import Database, StoreUnavailable, open_store, shown_url
from postgres import database_name, socket_folder

CUSTOMER = ("203.0.113.5", 41234)
NEIGHBOUR = ("203.0.113.6", 41235)


#: A marker's digits as letters (see :func:`marker`).
DIGITS_AS_LETTERS = str.maketrans("0123456789", "ghijklmnop")


def marker() -> str:
    """Twelve letters, unique: never "ae81…", which the privacy filter hides as the start of an IBAN."""
    return uuid.uuid4().hex[:12].translate(DIGITS_AS_LETTERS)


def invitation(order: str, product: str = "") -> str:
    return tokens.make_token(SECRET.encode(), order, product, dt.date.today() + dt.timedelta(days=30))


def versions(database: Database) -> list[int]:
    return [row[0] for row in database_rows(database, "SELECT version FROM schema_version ORDER BY version")]


def at_once(*calls: Any) -> list[Any]:
    """Run the calls in threads that start together; their results in order."""
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        start.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def site(tmp_path: Path, new_inbox_db: str) -> Path:
    """The demo shop with its inbox on a fresh database of each engine in turn."""
    return make_site(tmp_path / "site", db=new_inbox_db)


@pytest.fixture
def two(site: Path) -> Iterator[tuple[InboxApp, InboxApp]]:
    """Two instances of the inbox on the site's one database."""
    with InboxApp(site) as one, InboxApp(site) as other:
        yield one, other


# -- where the database is, and its password ----------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://reviews:s3cret@db.example/reviews",
        "postgres://reviews@db.example/reviews?password=s3cret",
    ],
)
def test_a_password_in_the_settings_file_is_refused_with_the_fix(tmp_path: Path, url: str) -> None:
    site = make_site(tmp_path / "site", demo=False, REVIEWS_INBOX_DB=url)
    done = redress_here(site, "list")
    assert done.returncode == 1, done.stderr
    assert "REVIEWS_INBOX_DB holds a password, and a settings file is kept in git" in done.stderr
    assert "PGPASSWORD" in done.stderr and "REDRESS_INBOX_DB" in done.stderr
    assert "s3cret" not in done.stderr + done.stdout and "Traceback" not in done.stderr


def test_the_password_comes_from_the_environment_and_is_never_printed(tmp_path: Path, postgres: Any) -> None:
    """A role with a password, as a shop's database has: PGPASSWORD, or the URL in REDRESS_INBOX_DB."""
    url = postgres.new_database()
    role = postgres.new_role("correct horse", url)
    host, database = socket_folder(url), database_name(url)
    without = f"postgresql://{role}@/{database}?host={host}"
    site = make_site(tmp_path / "site", demo=False, db=without)

    refused = redress_here(site, "list")
    assert refused.returncode == 2, refused.stderr
    assert f"cannot open the inbox's database {without}" in refused.stderr
    assert "PGPASSWORD" in refused.stderr and "Traceback" not in refused.stderr

    assert redress_here(site, "list", env=inbox_env(PGPASSWORD="correct horse")).returncode == 0
    with_password = f"postgresql://{role}:correct%20horse@/{database}?host={host}"
    done = redress_here(site, "list", env=inbox_env(REDRESS_INBOX_DB=with_password))
    assert done.returncode == 0, done.stderr
    assert f"database postgresql://{role}:***@/{database}" in done.stderr
    assert "correct" not in done.stderr + done.stdout


def test_a_database_url_is_shown_without_its_password() -> None:
    assert shown_url("postgresql://shop:pw@db:5432/reviews") == "postgresql://shop:***@db:5432/reviews"
    assert shown_url("postgresql://shop@db/reviews?password=pw&sslmode=require") == (
        "postgresql://shop@db/reviews?password=***&sslmode=require"
    )
    assert shown_url("postgresql://shop@db/reviews") == "postgresql://shop@db/reviews"
    assert "pw" not in shown_url("postgresql://shop:pw@[::1/reviews")


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://shop:hunter2%@127.0.0.1:1/reviews",  # libpq cannot decode the password
        "postgresql://shop:hunter2@[::1/reviews",  # an address that cannot be read at all
    ],
)
def test_an_unreadable_address_from_the_environment_never_prints_its_password(
    tmp_path: Path, url: str
) -> None:
    site = make_site(tmp_path / "site", demo=False)
    done = redress_here(site, "list", env=inbox_env(REDRESS_INBOX_DB=url))
    assert done.returncode != 0
    assert "hunter2" not in done.stderr + done.stdout and "Traceback" not in done.stderr
    assert "REVIEWS_INBOX_DB" in done.stderr or "inbox's database" in done.stderr, done.stderr


def test_a_statement_stuck_behind_a_lock_is_a_503_within_seconds(postgres: Any) -> None:
    """A post never waits minutes for a lock: the request path has statement and lock timeouts."""
    import time

    import psycopg

    url = postgres.new_database()
    store = open_store(Database(url=url))
    try:
        with psycopg.connect(url, autocommit=True) as holder, holder.transaction():
            holder.execute("LOCK TABLE submissions IN EXCLUSIVE MODE")
            outcome: list[BaseException | None] = []

            def post() -> None:
                try:
                    store.add(
                        key=uuid.uuid4().hex,
                        kind="review",
                        received_at=dt.datetime.now(dt.UTC),
                        status="accepted",
                        token_status="none",
                        raw={},
                        normalised={},
                    )
                    outcome.append(None)
                except BaseException as err:  # noqa: BLE001 - the test reads what it was
                    outcome.append(err)

            start = time.monotonic()
            worker = threading.Thread(target=post, daemon=True)
            worker.start()
            worker.join(timeout=15)  # without the timeouts it would wait as long as the lock is held
            assert not worker.is_alive(), "the post is still waiting for the lock"
            assert isinstance(outcome[0], StoreUnavailable), outcome
            assert time.monotonic() - start < 8
    finally:
        store.close()


# -- the schema, versioned ----------------------------------------------------------------------


def test_a_new_database_gets_every_version_once(site: Path) -> None:
    config = load_config(site / "pelicanconf.py", environ=inbox_env())
    for _ in range(2):
        open_store(config.database).close()
    assert versions(config.database) == list(range(1, LATEST + 1))


def test_a_database_newer_than_this_redress_is_refused_with_a_line(site: Path) -> None:
    config = load_config(site / "pelicanconf.py", environ=inbox_env())
    open_store(config.database).close()
    database_rows(config.database, "INSERT INTO schema_version VALUES (99, '2030-01-01', 'from the future')")
    with pytest.raises(UsageError, match="schema version 99, newer than this Redress knows"):
        open_store(config.database)
    done = redress_here(site, "list")
    assert done.returncode == 2 and "Upgrade Redress here too" in done.stderr
    assert "Traceback" not in done.stderr


def test_instances_starting_at_once_create_the_tables_once(site: Path) -> None:
    config = load_config(site / "pelicanconf.py", environ=inbox_env())
    stores = at_once(*[lambda: open_store(config.database)] * 6)
    for store in stores:
        store.close()
    assert versions(config.database) == list(range(1, LATEST + 1))


def test_new_sqlite_inboxes_opened_by_many_instances_at_once_open_for_each(tmp_path: Path) -> None:
    """Several connections switching a new file to WAL together can be told "locked" before
    SQLite's timeout: the switch is tried again. Before it was, about one new file in fifty
    failed one of twelve instances here (a chance, not a certainty, to fail on that code)."""
    for number in range(30):
        database = Database(path=tmp_path / f"inbox-{number}.sqlite3")
        stores = at_once(*[lambda database=database: open_store(database)] * 12)
        assert None not in stores, number  # a call that raised leaves None
        for store in stores:
            store.close()
        assert versions(database) == list(range(1, LATEST + 1))


#: The inbox's tables as Redress wrote them before versions (0.x): no versions, claims or shared
#: rate limit, no dismissal columns, and no used invitations (they came later, filled on opening).
BEFORE_VERSIONS = """
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, received_at TEXT NOT NULL,
    status TEXT NOT NULL, token_status TEXT NOT NULL, raw TEXT NOT NULL, normalised TEXT NOT NULL,
    published_path TEXT, published_at TEXT, withheld TEXT, notified_at TEXT,
    notify_attempts INTEGER NOT NULL DEFAULT 0, notify_next TEXT, notify_error TEXT
);
CREATE INDEX submissions_waiting ON submissions (status, published_at, received_at);
"""


def _old_inbox(path: Path) -> None:
    """An inbox.sqlite3 as an old Redress left it: a verified review, an ordinary one, one published."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        (
            1,
            "k:a",
            "2026-10-01T10:00:00+00:00",
            "valid",
            {"verified": True, "token_order": "BB-1", "rating": 5},
        ),
        (2, "k:b", "2026-10-01T11:00:00+00:00", "missing", {"verified": False, "rating": 1}),
        (3, "k:c", "2026-10-01T12:00:00+00:00", "missing", {"verified": False, "rating": 3}),
    ]
    with sqlite3.connect(path) as db:
        db.executescript(BEFORE_VERSIONS)
        for number, key, when, token_status, normalised in rows:
            normalised = {"text": f"Old review {number}, still here.", "lang": "en", **normalised}
            db.execute(
                "INSERT INTO submissions (id, key, kind, received_at, status, token_status, raw, normalised) "
                "VALUES (?, ?, 'review', ?, 'accepted', ?, '{\"fields\": {}}', ?)",
                (number, key, when, token_status, json.dumps(normalised)),
            )
        db.execute(
            "UPDATE submissions SET published_path = 'content/reviews/x.md', published_at = ? WHERE id = 3",
            (when,),
        )
    db.close()


def test_an_inbox_from_before_versions_is_adopted_with_everything_it_had(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    config = load_config(site / "pelicanconf.py", environ=inbox_env())
    assert config.database.path is not None
    _old_inbox(config.database.path)
    store = open_store(config.database)
    try:
        assert [s.id for s in store.all()] == [3, 2, 1]
        assert [s.id for s in store.waiting()] == [2, 1]
        assert store.claim(1, "a run") and store.take_token("x", 3, 1000.0)
    finally:
        store.close()
    assert versions(config.database) == list(range(1, LATEST + 1))
    assert database_rows(config.database, "SELECT * FROM used_invitations") == [("BB-1", "", 1)]
    with InboxApp(site) as inbox:
        mark = marker()
        fields = review_fields(mark, t=invitation("BB-1"))
        assert inbox.post("/reviews", fields).status == 303
        (row,) = inbox.rows(mark)
        assert row.id == 4 and row.token_status == "used", "the old review used the invitation"


# -- two instances, one database ----------------------------------------------------------------


def test_the_same_post_to_two_instances_at_once_is_stored_once(two: tuple[InboxApp, InboxApp]) -> None:
    one, other = two
    for keyed in (True, False):
        marks = [marker() for _ in range(6)]
        for mark in marks:
            fields = review_fields(mark, **({"key": mark} if keyed else {}))
            replies = at_once(
                *(lambda app=app, f=fields, k=keyed: app.post("/reviews", f, json_reply=k) for app in two)
            )
            assert [r.status for r in replies] == [200 if keyed else 303] * 2, "both acknowledge it"
        for mark in marks:
            assert len(one.rows(mark)) == 1, (keyed, mark)
    assert one.get("/health").json()["submissions"] == other.get("/health").json()["submissions"]


def test_one_invitation_sent_to_two_instances_verifies_one_review(two: tuple[InboxApp, InboxApp]) -> None:
    token = invitation("BB-70001", "molen-m2")
    marks = [marker() for _ in range(8)]
    replies = at_once(
        *(
            lambda app=two[i % 2], mark=mark: app.post("/reviews", review_fields(mark, p="molen-m2", t=token))
            for i, mark in enumerate(marks)
        )
    )
    assert [r.status for r in replies] == [303] * len(marks)
    rows = [row for mark in marks for row in two[0].rows(mark)]
    verified = [row for row in rows if row.normalised["verified"]]
    assert len(rows) == len(marks) and len(verified) == 1
    assert Counter(row.token_status for row in rows) == {"valid": 1, "used": len(marks) - 1}


def test_the_rate_limit_is_one_for_every_instance(site: Path) -> None:
    env = inbox_env(REDRESS_INBOX_RATE_PER_MINUTE="3")
    with InboxApp(site, env=env, client=CUSTOMER) as one, InboxApp(site, env=env, client=CUSTOMER) as other:
        statuses = [
            app.post("/reviews", review_fields(marker())).status for app in (one, other, one, other, one)
        ]
        assert statuses == [303, 303, 303, 429, 429], "the limit counts the posts of both instances"
        assert other.post("/reviews", review_fields(marker()), client=NEIGHBOUR).status == 303
        config = one.config()
    addresses = [row[0] for row in database_rows(config.database, "SELECT address FROM rate_limits")]
    assert len(addresses) == 2 and not any("203.0.113" in a for a in addresses), "hashes, not addresses"


def test_two_instances_racing_for_the_last_token_let_one_through(site: Path) -> None:
    env = inbox_env(REDRESS_INBOX_RATE_PER_MINUTE="2")
    with InboxApp(site, env=env, client=CUSTOMER) as one, InboxApp(site, env=env, client=CUSTOMER) as other:
        assert one.post("/reviews", review_fields(marker())).status == 303
        replies = at_once(
            *(lambda app=app: app.post("/reviews", review_fields(marker())) for app in (one, other) * 3)
        )
        assert sorted(r.status for r in replies) == [303] + [429] * 5


def _post_many(inbox: InboxApp, count: int, **fields: Any) -> list[int]:
    """`count` reviews from as many addresses; their ids. A field of no form carries the marker,
    so reviews with the same words (`fields`) are told apart in the raw record only."""
    ids = []
    for n in range(count):
        mark = marker()
        form = review_fields(mark, rating=n % 5 + 1, tracking=mark, **fields)
        assert inbox.post("/reviews", form, client=(f"192.0.2.{n}", 1)).status == 303
        ids.append(inbox.rows(mark)[0].id)
    return ids


def test_publish_on_two_machines_at_once_writes_each_submission_once(site: Path) -> None:
    """Two `publish` runs (two cron jobs) start together on one database and one content folder."""
    with InboxApp(site) as inbox:
        # Half of them alike, word for word: the same file name is wanted twice at every turn.
        ids = _post_many(inbox, 20) + _post_many(inbox, 20, title="Prima", text="Alles prima, snel geleverd.")
    config = load_config(site / "pelicanconf.py", environ=inbox_env())
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    stores = [open_store(config.database) for _ in range(2)]
    try:
        reports = at_once(*(lambda store=store: publish(config, store, now=later) for store in stores))
    finally:
        for store in stores:
            store.close()
    written = [dict(report.written) for report in reports]
    assert not (set(written[0]) & set(written[1])), "no submission written by both"
    assert set(written[0]) | set(written[1]) == set(ids)
    assert not any(report.problems for report in reports)
    paths = [p for (p,) in database_rows(config.database, "SELECT published_path FROM submissions")]
    assert len(paths) == len(set(paths)) == len(ids), "a file of its own for each"
    assert all((site / p).is_file() for p in paths)


def test_a_claim_a_crashed_run_left_is_taken_over_once_it_is_old(site: Path) -> None:
    with InboxApp(site) as inbox:
        (number,) = _post_many(inbox, 1)
    config = load_config(site / "pelicanconf.py", environ=inbox_env())
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    store = open_store(config.database)
    try:
        assert store.claim(number, "crashed-run")
        report = publish(config, store, now=later)
        assert (report.written, report.elsewhere) == ([], 1), "another run holds it"
        an_hour_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
        database_rows(
            config.database, "UPDATE submissions SET claimed_at = ? WHERE id = ?", (an_hour_ago, number)
        )
        report = publish(config, store, now=later)
        assert [n for n, _path in report.written] == [number]
        assert database_rows(
            config.database, "SELECT claimed_by FROM submissions WHERE id = ?", (number,)
        ) == [(None,)]
    finally:
        store.close()


def test_what_a_publish_run_holds_cannot_be_dismissed_meanwhile(site: Path) -> None:
    with InboxApp(site) as inbox:
        mark = marker()
        fields = {"r": "x", "resolved": "no", "text": f"Still broken {mark}", "consent": "yes"}
        assert inbox.post("/follow-ups", fields).status == 303
        (row,) = inbox.rows(mark)
        with inbox.store() as store:
            assert store.claim(row.id, "a run writing it")
            refused = redress_here(site, "dismiss", str(row.id), "--reason", "not the reviewer")
            assert refused.returncode == 2 and "changed meanwhile" in refused.stderr
            store.release(row.id, "a run writing it")
        assert redress_here(site, "dismiss", str(row.id), "--reason", "not the reviewer").returncode == 0


class Hook(http.server.ThreadingHTTPServer):
    """A webhook that counts the notices it gets."""

    def __init__(self) -> None:
        self.notices: list[dict[str, Any]] = []
        lock = threading.Lock()
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with lock:
                    hook.notices.append(body)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


def test_each_notice_is_sent_once_whatever_the_number_of_instances(site: Path) -> None:
    hook = Hook()
    try:
        with InboxApp(site) as inbox:  # no webhook: nothing sent while posting
            ids = _post_many(inbox, 12)
        config = load_config(site / "pelicanconf.py", environ=inbox_env(REDRESS_INBOX_WEBHOOK=hook.url))
        stores = [open_store(config.database) for _ in range(3)]
        try:
            now = dt.datetime.now(dt.UTC)
            sent = at_once(
                *(lambda store=store: Notifier(config, store).send_pending(now=now) for store in stores)
            )
        finally:
            for store in stores:
                store.close()
        assert sum(sent) == len(ids)
        assert sorted(notice["id"] for notice in hook.notices) == sorted(ids), "each once"
    finally:
        hook.shutdown()
        hook.server_close()


# -- a database that does not answer -----------------------------------------------------------


def test_postgresql_restarting_or_away_never_gets_a_post_thanked_and_lost(
    tmp_path: Path, postgres: Any
) -> None:
    url = postgres.new_database()
    name = database_name(url)
    site = make_site(tmp_path / "site", demo=False, db=url)

    def admin(sql: str) -> None:
        database_rows(Database(url=postgres.url()), sql)

    with InboxApp(site) as inbox:
        mark = marker()
        fields = review_fields(mark, key=mark)
        assert inbox.post("/reviews", review_fields(marker())).status == 303
        # A restart of the server breaks every connection the instance holds: the next post
        # gets a new one, and its customer notices nothing.
        admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        assert inbox.post("/reviews", review_fields(marker())).status == 303
        assert "trying a new one" in inbox.log()
        # Now the database is away: nothing is stored, and the customer is told to send again.
        admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        try:
            reply = inbox.post("/reviews", fields, json_reply=True)
            assert reply.status == 503 and reply.headers["retry-after"] == "60"
            assert reply.json() == {
                "ok": False,
                "message": "the inbox cannot keep what you sent right now; please send it again in a minute",
            }
            assert '"result": "unavailable", "status": 503' in inbox.log()
        finally:
            admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        assert inbox.post("/reviews", fields, json_reply=True).status == 200
        assert inbox.post("/reviews", fields, json_reply=True).status == 200
        assert len(inbox.rows(mark)) == 1
        assert inbox.get("/health").status == 200


def test_a_post_while_sqlite_is_locked_too_long_gets_503_not_thanks(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", demo=False)
    with InboxApp(site) as inbox:
        assert inbox.post("/reviews", review_fields(marker())).status == 303
        path = inbox.config().database.path
        blocker = sqlite3.connect(path, isolation_level=None)
        try:
            blocker.execute("BEGIN EXCLUSIVE")  # a writer that never lets go (for longer than 5 s)
            mark = marker()
            assert inbox.post("/reviews", review_fields(mark)).status == 503
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert inbox.rows(mark) == []
        assert inbox.post("/reviews", review_fields(mark)).status == 303


# -- redress inbox migrate ----------------------------------------------------------------------


#: Every column of the data tables, named: a row compared whole, whichever engine holds it.
COLUMNS = {
    "submissions": (
        "id, key, kind, received_at, status, token_status, raw, normalised, published_path, published_at, "
        "withheld, notified_at, notify_attempts, notify_next, notify_error, dismissed_at, dismissed_reason, "
        "dismissed_from, claimed_by, claimed_at"
    ),
    "used_invitations": "order_number, product, submission_id",
}


def _everything(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the data tables, as the database holds it, in one order."""
    return {
        table: sorted(database_rows(database, f"SELECT {columns} FROM {table}"), key=repr)
        for table, columns in COLUMNS.items()
    }


@pytest.fixture
def busy_sqlite_inbox(tmp_path: Path) -> Path:
    """A SQLite inbox that has seen everything: verified and used invitations, spam, mistakes,
    a follow-up to check, published, withheld and dismissed submissions, notices sent and failed."""
    site = make_site(tmp_path / "site")
    with InboxApp(site) as inbox:
        token = invitation("BB-80001", "espresso-x1")
        for mark in (marker(), marker()):
            assert inbox.post("/reviews", review_fields(mark, p="espresso-x1", t=token)).status == 303
        assert inbox.post("/reviews", review_fields(marker(), website="bot")).status == 303
        assert inbox.post("/reviews", review_fields(marker(), rating=9)).status == 400
        assert (
            inbox.post(
                "/follow-ups", {"r": "x", "resolved": "yes", "text": "Fixed now.", "consent": "yes"}
            ).status
            == 303
        )
        ids = _post_many(inbox, 6)
    assert redress_here(site, "publish").returncode == 0
    assert redress_here(site, "withhold", str(ids[0]), "--reason", "spam").returncode == 0
    with InboxApp(site) as inbox:
        more = _post_many(inbox, 3)
    config = load_config(site / "pelicanconf.py", environ=inbox_env())
    store = open_store(config.database)
    try:
        now = dt.datetime.now(dt.UTC)
        store.mark_notified(more[0], now)
        store.mark_notify_failed(more[1], "OSError: webhook answered 500", now)
    finally:
        store.close()
    follow_up = next(s for s in _all(site) if s.kind == "follow-up")
    assert redress_here(site, "dismiss", str(follow_up.id), "--reason", "not the reviewer").returncode == 0
    return site


def _all(site: Path) -> list[Any]:
    config = load_config(site / "pelicanconf.py", environ=inbox_env())
    store = open_store(config.database)
    try:
        return store.all()
    finally:
        store.close()


def test_migrate_copies_every_row_and_checks_the_counts(busy_sqlite_inbox: Path, postgres: Any) -> None:
    site = busy_sqlite_inbox
    url = postgres.new_database()
    source = load_config(site / "pelicanconf.py", environ=inbox_env()).database
    before = _everything(source)
    assert len(before["submissions"]) == 14 and len(before["used_invitations"]) == 1
    listed = redress_here(site, "list", "--all").stdout
    waiting = {s.id for s in _all(site) if s.status == "accepted" and not s.published_path and not s.withheld}
    assert len(waiting) == 3

    done = redress_here(site, "migrate", "--to", url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "submissions: 14 in inbox.sqlite3, 14 in PostgreSQL",
        "used_invitations: 1 in inbox.sqlite3, 1 in PostgreSQL",
        f"Copied and checked: every row of inbox.sqlite3 is in {url}, value for value.",
    ]
    target = Database(url=url)
    assert _everything(target) == before, "every row, every column, as it was"

    on_postgres = inbox_env(REDRESS_INBOX_DB=url)
    assert redress_here(site, "list", "--all", env=on_postgres).stdout == listed
    published = redress_here(site, "publish", env=on_postgres)
    assert published.returncode == 0, published.stderr
    written = {int(line.split()[0][1:]) for line in published.stdout.splitlines() if " -> " in line}
    assert written == waiting, "what was published stays published; what waited is written now"
    with InboxApp(site, env=on_postgres) as inbox:
        mark = marker()
        assert inbox.post("/reviews", review_fields(mark)).status == 303
        assert inbox.rows(mark)[0].id == 15, "new ids follow the copied ones"
        token = invitation("BB-80001", "espresso-x1")
        used = marker()
        assert inbox.post("/reviews", review_fields(used, p="espresso-x1", t=token)).status == 303
        assert inbox.rows(used)[0].token_status == "used", "the copied invitation stays used"


def test_migrate_twice_finds_its_copy_and_another_inbox_is_refused(
    busy_sqlite_inbox: Path, postgres: Any
) -> None:
    site = busy_sqlite_inbox
    url = postgres.new_database()
    assert redress_here(site, "migrate", "--to", url).returncode == 0
    copied = _everything(Database(url=url))
    again = redress_here(site, "migrate", "--to", url)
    assert again.returncode == 0, again.stderr
    assert f"Nothing to copy: {url} holds exactly this inbox already." in again.stdout
    assert _everything(Database(url=url)) == copied

    other = make_site(site.parent / "other", demo=False)
    with InboxApp(other) as inbox:
        _post_many(inbox, 2)
    refused = redress_here(other, "migrate", "--to", url)
    assert refused.returncode == 2
    assert (
        "already holds an inbox (14 submissions, 1 used_invitations) that is not this one" in refused.stderr
    )
    assert "nothing was copied" in refused.stderr and "Traceback" not in refused.stderr
    assert _everything(Database(url=url)) == copied


def test_migrate_an_inbox_from_before_versions(tmp_path: Path, postgres: Any) -> None:
    site = make_site(tmp_path / "site")
    path = load_config(site / "pelicanconf.py", environ=inbox_env()).database.path
    assert path is not None
    _old_inbox(path)
    url = postgres.new_database()
    done = redress_here(site, "migrate", "--to", url)
    assert done.returncode == 0, done.stderr
    assert "submissions: 3 in inbox.sqlite3, 3 in PostgreSQL" in done.stdout
    assert database_rows(Database(url=url), "SELECT * FROM used_invitations") == [("BB-1", "", 1)]


def test_migrate_says_what_it_needs(tmp_path: Path, postgres: Any) -> None:
    site = make_site(tmp_path / "site", demo=False)
    done = redress_here(site, "migrate", "--to", "inbox/other.sqlite3")
    assert done.returncode == 2 and "is not a PostgreSQL URL" in done.stderr
    url = postgres.new_database()
    done = redress_here(site, "migrate", "--to", url)
    assert done.returncode == 2 and "there is no inbox database here" in done.stderr
    on_postgres = make_site(tmp_path / "pg", demo=False, db=url)
    done = redress_here(on_postgres, "migrate", "--to", url)
    assert done.returncode == 2 and "is PostgreSQL already" in done.stderr and "--from FILE" in done.stderr
