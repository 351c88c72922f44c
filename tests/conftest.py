"""Shared fixtures: build real sites into temporary folders and read them back."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from pelican import Pelican
from pelican.settings import read_settings

ROOT = Path(__file__).resolve().parent.parent
DEMO_CONTENT = ROOT / "content"


def pelican_settings(site: Path, **override: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "PATH": str(site / "content"),
        "OUTPUT_PATH": str(site / "output"),
        "CACHE_PATH": str(site / "cache"),
        "SITENAME": "Test shop",
        "SITEURL": "",
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
    }
    settings.update(override)
    return read_settings(override=settings)


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
    site = tmp_path_factory.mktemp("demo")
    shutil.copytree(DEMO_CONTENT, site / "content")
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
