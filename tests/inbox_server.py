"""The real review inbox for tests: a temp site, `redress inbox serve` as a process, plain HTTP.

Nothing here mocks the HTTP layer. :class:`InboxServer` starts the same
command a shop owner runs, on a free loopback port, and :meth:`InboxServer.post`
sends what a browser sends: a urlencoded body, with or without
``Accept: application/json``, with Origin and Referer headers.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from pelican import Pelican
from pelican.settings import read_settings

ROOT = Path(__file__).resolve().parent.parent
DEMO_CONTENT = ROOT / "content"
THEME = ROOT / "theme"
SECRET = "redress-test-secret-0123456789abcdefghijklmnop"
SITEURL = "https://shop.example"
ORIGIN = SITEURL


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_site(folder: Path, *, siteurl: str = SITEURL, demo: bool = True, **settings: Any) -> Path:
    """A site folder with the demo content (or none), the theme and a pelicanconf.py; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    if demo:
        shutil.copytree(DEMO_CONTENT, folder / "content")
    else:
        for sub in ("reviews", "responses", "products"):
            (folder / "content" / sub).mkdir(parents=True, exist_ok=True)
    shutil.copytree(THEME, folder / "theme")
    values: dict[str, Any] = {
        "SITENAME": "De Bonenbus",
        "SITEURL": siteurl,
        "PATH": "content",
        "OUTPUT_PATH": "output",
        "CACHE_PATH": "cache",
        "THEME": "theme",
        "TIMEZONE": "Europe/Amsterdam",
        "DEFAULT_LANG": "en",
        "PLUGINS": ["redress"],
        "ARTICLE_PATHS": ["articles"],
        "PAGE_PATHS": ["pages"],
        "DIRECT_TEMPLATES": [],
        "FEED_ALL_ATOM": None,
        "CATEGORY_FEED_ATOM": None,
        "AUTHOR_FEED_ATOM": None,
        "AUTHOR_FEED_RSS": None,
        "TRANSLATION_FEED_ATOM": None,
        "RELATIVE_URLS": False,
        "REVIEWS_FORM_ACTION": "/inbox/reviews",
        "REVIEWS_FOLLOWUP_ACTION": "/inbox/follow-ups",
    }
    values.update(settings)
    lines = [f"{key} = {value!r}" for key, value in values.items()]
    (folder / "pelicanconf.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def build_site(site: Path) -> Path:
    """Build the site with Pelican in this process; returns the output folder."""
    Pelican(read_settings(str(site / "pelicanconf.py"))).run()
    return site / "output"


def inbox_env(**extra: str) -> dict[str, str]:
    """The environment of the service and of the commands: the secret, no rate limit unless asked."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDRESS_INBOX_", "REDRESS_SECRET"))}
    env.update(REDRESS_SECRET=SECRET, REDRESS_INBOX_RATE_PER_MINUTE="0", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def redress(site: Path, *args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `redress inbox --settings <site> …` as the shop owner would."""
    command = [
        sys.executable,
        "-m",
        "pelican.plugins.redress.cli",
        "inbox",
        "--settings",
        str(site / "pelicanconf.py"),
        *args,
    ]
    return subprocess.run(
        command, env=dict(env or inbox_env()), capture_output=True, text=True, timeout=60, check=False
    )


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


class InboxServer:
    """`redress inbox serve` as a child process on a free loopback port."""

    def __init__(self, site: Path, env: Mapping[str, str] | None = None, port: int | None = None):
        self.site = site
        self.env = dict(env or inbox_env())
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = site / f"inbox-{self.port}.log"
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> InboxServer:
        self.starts += 1
        command = [
            sys.executable,
            "-m",
            "pelican.plugins.redress.cli",
            "inbox",
            "--settings",
            str(self.site / "pelicanconf.py"),
            "serve",
            "--port",
            str(self.port),
        ]
        log = self.log_path.open("ab")
        # The log goes to a file, never a pipe nobody reads: a full pipe would stall the service.
        self.process = subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the inbox exited with {self.process.returncode}:\n{self.log()}")
            try:
                if self.get("/health").status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"the inbox did not answer /health within {timeout} s:\n{self.log()}")

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
        self, method: str, path: str, body: bytes | None = None, headers: Mapping[str, str] | None = None
    ) -> Reply:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=dict(headers or {}))
            response = connection.getresponse()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            connection.close()

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
    ) -> Reply:
        """Post a form like a browser: urlencoded, Origin set; `json_reply` as write.js asks."""
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
        return self.request("POST", path, body, sent)

    # -- the database, through the inbox's own code ---------------------------

    def config(self) -> Any:
        from pelican.plugins.redress.inbox.config import load_config

        return load_config(self.site / "pelicanconf.py", environ=self.env)

    @contextmanager
    def store(self) -> Iterator[Any]:
        from pelican.plugins.redress.inbox.store import Store

        store = Store(self.config().db_path)
        try:
            yield store
        finally:
            store.close()

    def rows(self, marker: str) -> list[Any]:
        """Every stored submission whose raw form contains `marker` anywhere."""
        with self.store() as store:
            return [s for s in store.all() if marker in json.dumps(s.raw, ensure_ascii=False)]


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
