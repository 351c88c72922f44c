"""The real review inbox for tests: a temp site, the app in this process or `redress inbox serve`.

Nothing here mocks the HTTP layer. :class:`InboxApp` runs the app that
`redress inbox serve` runs (``create_app``) in this process, through
Starlette's TestClient: the same requests and answers, without a process to
start, so the many HTTP tests stay fast. :class:`InboxServer` starts the
command itself, for what only a process shows: that it starts and says where
it listens, a kill -9, a browser on a real port. Both post what a browser
sends: a urlencoded body, with or without ``Accept: application/json``, with
Origin and Referer headers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import io
import json
import logging
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlencode

from pelican import Pelican
from pelican.settings import read_settings
from sites import copy_demo, inbox_environment, start_inbox, write_settings

SECRET = "redress-test-secret-0123456789abcdefghijklmnop"
SITEURL = "https://shop.example"
ORIGIN = SITEURL
#: Where TestClient's requests come from unless a test says otherwise: a web server on this machine.
LOOPBACK = ("127.0.0.1", 50000)


def make_site(
    folder: Path, *, siteurl: str = SITEURL, demo: bool = True, db: str = "", **settings: Any
) -> Path:
    """A site folder with the demo content (or none), the theme and a pelicanconf.py; returns the folder.

    `db` is the inbox's database (REVIEWS_INBOX_DB) when not the default
    SQLite file: a PostgreSQL URL from the ``inbox_db`` fixture.
    """
    if db:
        settings["REVIEWS_INBOX_DB"] = db
    copy_demo(folder, content=demo)
    if not demo:
        for sub in ("reviews", "responses", "products"):
            (folder / "content" / sub).mkdir(parents=True, exist_ok=True)
    write_site_settings(folder, siteurl=siteurl, **settings)
    return folder


def write_site_settings(folder: Path, *, siteurl: str = SITEURL, **settings: Any) -> Path:
    """(Re)write the site's pelicanconf.py: the test settings, as a shop with its inbox at /inbox/."""
    values: dict[str, Any] = {
        "SITENAME": "De Bonenbus",
        "SITEURL": siteurl,
        "THEME": "theme",
        "REVIEWS_FORM_ACTION": "/inbox/reviews",
        "REVIEWS_FOLLOWUP_ACTION": "/inbox/follow-ups",
    }
    return write_settings(folder, **{**values, **settings})


def build_site(site: Path) -> Path:
    """Build the site with Pelican in this process; returns the output folder."""
    Pelican(read_settings(str(site / "pelicanconf.py"))).run()
    return site / "output"


def inbox_env(**extra: str) -> dict[str, str]:
    """The environment of the service and of the commands: the secret, no rate limit unless asked."""
    return inbox_environment(SECRET, **{"REDRESS_INBOX_RATE_PER_MINUTE": "0", **extra})


def _command(site: Path, args: tuple[str, ...]) -> list[str]:
    return ["inbox", "--settings", str(site / "pelicanconf.py"), *args]


def redress(site: Path, *args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `redress inbox --settings <site> …` as the shop owner would: a process of its own."""
    command = [sys.executable, "-m", "pelican.plugins.redress.cli", *_command(site, args)]
    return subprocess.run(
        command, env=dict(env or inbox_env()), capture_output=True, text=True, timeout=60, check=False
    )


def run_here(argv: list[str], env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`redress <argv>` through the same `main()` in this process: what it prints, and its exit code.

    A process costs about half a second of imports each time; the commands'
    output and exit codes are the same here. The environment is the command's
    own for the run, and any log handler it sets up goes with it.
    """
    from pelican.plugins.redress.cli import main

    out, err = io.StringIO(), io.StringIO()
    environ = {**dict(env or inbox_env()), "COLUMNS": "80"}  # help text wraps as in a pipe
    root = logging.getLogger()
    handlers = list(root.handlers)
    try:
        with mock.patch.dict("os.environ", environ, clear=True):
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code = main(argv)
                except SystemExit as done:  # argparse: --help, or a usage error
                    code = done.code if isinstance(done.code, int) else 2
    finally:
        for handler in set(root.handlers) - set(handlers):
            root.removeHandler(handler)
    return subprocess.CompletedProcess(["redress", *argv], code, out.getvalue(), err.getvalue())


def redress_here(
    site: Path, *args: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`redress inbox --settings <site> …` in this process (see :func:`run_here`); not for `serve`."""
    return run_here(_command(site, args), env)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def acknowledged(self) -> bool:
        return 200 <= self.status < 300 or self.status == 303


def form(**fields: Any) -> dict[str, str]:
    return {k: str(v) for k, v in fields.items()}


def review_fields(marker: str, rating: int = 4, **extra: Any) -> dict[str, str]:
    """A valid review form as a browser sends it; `marker` makes the text unique."""
    fields = {
        "rating": rating,
        "title": f"Review {marker}",
        "text": f"The beans arrived quickly and taste fine. Marker {marker}.",
        "name": "Test K.",
        "email": "",
        "order": "",
        "lang": "en",
        "consent": "yes",
        "website": "",
        "t": "",
        "ui": "en",
    }
    fields.update(extra)
    return form(**fields)


class Inbox:
    """What both ways of running the inbox share: posting like a browser, and reading the database."""

    def __init__(self, site: Path, env: Mapping[str, str] | None = None):
        self.site = site
        self.env = dict(env or inbox_env())

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        client: tuple[str, int] | None = None,
    ) -> Reply:
        raise NotImplementedError

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(
        self,
        path: str,
        fields: Mapping[str, str] | bytes,
        *,
        json_reply: bool = False,
        origin: str | None = ORIGIN,
        referer: str | None = None,
        headers: Mapping[str, str] | None = None,
        client: tuple[str, int] | None = None,
    ) -> Reply:
        """Post a form like a browser: urlencoded, Origin set; `json_reply` as write.js asks.

        `client` is the address the post comes from (in this process only; a
        process's posts come from 127.0.0.1).
        """
        body = fields if isinstance(fields, bytes) else urlencode(fields).encode("ascii")
        sent = {"Content-Type": "application/x-www-form-urlencoded"}
        if json_reply:
            sent["Accept"] = "application/json"
        else:
            sent["Accept"] = "text/html,application/xhtml+xml,*/*;q=0.8"
        if origin:
            sent["Origin"] = origin
        if referer:
            sent["Referer"] = referer
        sent.update(headers or {})
        return self.request("POST", path, body, sent, client=client)

    # -- the database, through the inbox's own code ---------------------------

    def config(self) -> Any:
        from pelican.plugins.redress.inbox.config import load_config

        return load_config(self.site / "pelicanconf.py", environ=self.env)

    @contextmanager
    def store(self) -> Iterator[Any]:
        from pelican.plugins.redress.inbox.store import open_store

        store = open_store(self.config().database)
        try:
            yield store
        finally:
            store.close()

    def rows(self, marker: str) -> list[Any]:
        """Every stored submission whose raw form contains `marker` anywhere."""
        with self.store() as store:
            return [s for s in store.all() if marker in json.dumps(s.raw, ensure_ascii=False)]


def _reply(response: Any) -> Reply:
    """TestClient's response as a :class:`Reply`, header names in lower case as http.client gives them."""
    return Reply(response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.content)


class _Lines(logging.Handler):
    """The inbox's log lines, as `redress inbox serve` writes them (one message a line)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


class InboxApp(Inbox):
    """The inbox's app (``create_app``) in this process, through Starlette's TestClient.

    Its lifespan runs as under uvicorn (the notifier starts and stops with it),
    its log lines are kept for :meth:`log`, and every request goes through the
    whole app: routing, the proxy middleware, the checks, the database.
    Requests come from `client` (127.0.0.1 unless said otherwise).
    """

    #: The loggers the service writes to: its submissions, and the notifier's failures.
    LOGGERS = ("redress.inbox", "pelican.plugins.redress.inbox")

    def __init__(self, site: Path, env: Mapping[str, str] | None = None, client: tuple[str, int] = LOOPBACK):
        super().__init__(site, env)
        self.address = client
        self.handler = _Lines()
        self._clients: dict[tuple[str, int], Any] = {}
        self._stack = contextlib.ExitStack()

    def start(self) -> InboxApp:
        from pelican.plugins.redress.inbox.app import create_app

        for name in self.LOGGERS:
            logger = logging.getLogger(name)
            logger.addHandler(self.handler)
            level = logger.level
            logger.setLevel(logging.INFO)
            self._stack.callback(logger.setLevel, level)
            self._stack.callback(logger.removeHandler, self.handler)
        # FORWARDED_ALLOW_IPS is the service's environment, read when the app is made.
        with mock.patch.dict("os.environ", self.env, clear=True):
            self.app = create_app(self.config())
        # Entered: the app's lifespan runs now and ends in stop(), as in a process.
        self._clients[self.address] = self._stack.enter_context(self._new_client(self.address))
        return self

    def _new_client(self, address: tuple[str, int]) -> Any:
        from starlette.testclient import TestClient

        # Redirects are answers to check (303 to the thank-you page), not to follow.
        return TestClient(self.app, client=address, follow_redirects=False)

    def stop(self) -> None:
        self._stack.close()
        self._clients.clear()

    def __enter__(self) -> InboxApp:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        client: tuple[str, int] | None = None,
    ) -> Reply:
        address = client or self.address
        if address not in self._clients:
            # Not entered: one lifespan per app, the first client's; this one only sends requests.
            self._clients[address] = self._new_client(address)
            self._stack.callback(self._clients[address].close)
        response = self._clients[address].request(method, path, content=body, headers=dict(headers or {}))
        return _reply(response)

    def stream(self, path: str, chunks: Iterator[bytes], headers: Mapping[str, str]) -> Reply:
        """POST a body sent in chunks, without Content-Length (Transfer-Encoding: chunked)."""
        return _reply(
            self._clients[self.address].request("POST", path, content=chunks, headers=dict(headers))
        )

    def log(self) -> str:
        return "\n".join(self.handler.lines)


class InboxServer(Inbox):
    """`redress inbox serve --port 0` as a child process; the port is the one it reports."""

    def __init__(self, site: Path, env: Mapping[str, str] | None = None):
        super().__init__(site, env)
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = site / f"inbox-{uuid.uuid4().hex[:8]}.log"
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> InboxServer:
        """Start the service and wait until it answers; a restart may get another port."""
        self.starts += 1
        self.process, self.port = start_inbox(self.site / "pelicanconf.py", self.env, self.log_path, timeout)
        return self

    def kill(self) -> None:
        """kill -9: no shutdown handlers, no flush, nothing."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self) -> InboxServer:
        self.stop()
        return self.start()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def __enter__(self) -> InboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        client: tuple[str, int] | None = None,
    ) -> Reply:
        if client is not None:
            raise ValueError("a process's requests come from 127.0.0.1; use InboxApp for other addresses")
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=dict(headers or {}))
            response = connection.getresponse()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            connection.close()


def database_rows(database: Any, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run `sql` straight on the inbox's database (a :class:`Database`), not through the inbox's code.

    For what a test must see as the database holds it (after a kill -9), or
    change behind the inbox's back. ``?`` placeholders, on either engine.
    """
    if database.url:
        import psycopg

        with psycopg.connect(database.url, autocommit=True) as connection:
            cursor = connection.execute(sql.replace("?", "%s"), params)
            return cursor.fetchall() if cursor.description else []
    import sqlite3

    with contextlib.closing(sqlite3.connect(database.path)) as connection, connection:
        return connection.execute(sql, params).fetchall()


def wait_for(predicate: Any, timeout: float = 10, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def local_date(when: dt.datetime, tz: str = "Europe/Amsterdam") -> str:
    from zoneinfo import ZoneInfo

    return when.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d")


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")
