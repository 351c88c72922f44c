"""Shared fixtures: build real sites into temporary folders and read them back."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from pelican import Pelican
from pelican.settings import read_settings

# The one copy of a test site's settings is in sites.py; re-exported here for the test modules.
from sites import DEMO_CONTENT, ROOT, copy_demo, pelican_settings

__all__ = [
    "DEMO_CONTENT",
    "ROOT",
    "build",
    "make_site",
    "pelican_settings",
    "response",
    "review",
    "soup",
    "write",
]


def build(site: Path, **override: Any) -> Path:
    """Build the site in `site` (its content/ folder) and return the output folder."""
    Pelican(pelican_settings(site, **override)).run()
    return site / "output"


def write(site: Path, relpath: str, text: str) -> Path:
    path = site / "content" / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def review(
    slug: str,
    rating: int | str = 5,
    date: str = "2026-10-02 14:31",
    body: str = "Fine.",
    **fields: str,
) -> tuple[str, str]:
    lines = [f"Date: {date}", f"Rating: {rating}"]
    lines += [f"{key.capitalize()}: {value}" for key, value in fields.items()]
    return f"reviews/{slug}.md", "\n".join(lines) + "\n\n" + body + "\n"


def response(
    slug: str, review_slug: str, date: str = "2026-10-03 10:00", body: str = "Sorry!", **fields: str
):
    lines = [f"Review: {review_slug}", f"Date: {date}"]
    lines += [f"{key.capitalize()}: {value}" for key, value in fields.items()]
    return f"responses/{slug}.md", "\n".join(lines) + "\n\n" + body + "\n"


def write_theme(theme: Path, base: str) -> Path:
    """A theme of its own ``templates/base.html``, as a shop's theme folder has it."""
    (theme / "templates").mkdir(parents=True, exist_ok=True)
    (theme / "templates/base.html").write_text(base, encoding="utf-8")
    return theme


def make_site(tmp_path: Path, *files: tuple[str, str]) -> Path:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True, exist_ok=True)
    for relpath, text in files:
        write(site, relpath, text)
    return site


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="session")
def demo_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo shop, built once per test session with its own pelicanconf settings."""
    site = copy_demo(tmp_path_factory.mktemp("demo"), theme=False)
    conf = read_settings(str(ROOT / "pelicanconf.py"))
    conf.update(
        PATH=str(site / "content"),
        OUTPUT_PATH=str(site / "output"),
        CACHE_PATH=str(site / "cache"),
        THEME=str(ROOT / "theme"),
    )
    Pelican(conf).run()
    return site / "output"


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, through Playwright: one per test module."""
    from browser import ARGS, CHROMIUM, require_chromium

    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


# -- the inbox's two engines ----------------------------------------------------------------

#: What the inbox's tests run on: its embedded default, and PostgreSQL for several instances.
ENGINES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    """A PostgreSQL server for this run (one per pytest-xdist worker), from tests/postgres.py.

    Skipped where PostgreSQL is not installed, except in CI (CI=true), where
    a test that needs it fails with the reason instead: there, it must run.
    """
    from postgres import PostgresServer, PostgresUnavailable

    try:
        import psycopg  # noqa: F401 - the `postgresql` extra, which the test extra includes

        server = PostgresServer().start()
    except (ImportError, PostgresUnavailable) as err:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL must run in CI: {err}", pytrace=False)
        pytest.skip(f"no PostgreSQL here: {err}")
    yield server
    server.stop()


def _inbox_db(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return ""
    return str(request.getfixturevalue("postgres").new_database())


@pytest.fixture(scope="module", params=ENGINES)
def inbox_db(request: pytest.FixtureRequest) -> str:
    """The database of a module's inbox: "" (its site's own SQLite file) or a fresh PostgreSQL one's URL.

    Give it to ``make_site(..., db=inbox_db)`` (tests/inbox_server.py): the
    site's settings file names it, so the app, the service and every
    `redress inbox` command use it.
    """
    return _inbox_db(request)


@pytest.fixture(params=ENGINES)
def new_inbox_db(request: pytest.FixtureRequest) -> str:
    """As :func:`inbox_db`, for one test: a fresh PostgreSQL database of its own."""
    return _inbox_db(request)
