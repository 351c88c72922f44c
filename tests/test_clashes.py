"""A file two writers want, or a review file Pelican would copy, stops the build.

Each test builds a real site into a temporary folder. A clash found before
writing stops the build with one line naming both writers and the setting
that moves each, and nothing is written; a clash that only shows while
writing (another plugin) stops it at the end. Review files never reach the
output, whatever STATIC_PATHS, ARTICLE_PATHS or a link says.
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import jinja2
import pytest
from conftest import DEMO_CONTENT, build, make_site, pelican_settings, review, write
from pelican import signals
from pelican.generators import Generator
from pelican.plugins.redress.content.shop import load_shop
from pelican.plugins.redress.errors import RedressError
from pelican.plugins.redress.site.clashes import section_files
from pelican.plugins.redress.site.urls import Urls

#: Blog pages at folder addresses, as many themes and sites have them.
FOLDER_PAGES = {"PAGE_URL": "{slug}/", "PAGE_SAVE_AS": "{slug}/index.html"}
OUR_PAGE = "Title: Our reviews\nSlug: reviews\n\nWhat our customers say, in our own words.\n"
PAGE_LINE = (
    "reviews/index.html: written by Redress (the review page, REVIEWS_INDEX_URL) and by "
    'content/pages/reviews.md (a page); move one: set REVIEWS_INDEX_URL = "customer-reviews/" '
    "or change the page's Slug"
)
#: What the review files keep private, and must never be found in the output.
PRIVATE = ("jan@example.com", "BB-20452", "0612345678", "call her back on Monday")


def build_errors(site: Path, caplog: pytest.LogCaptureFixture, **settings: Any) -> list[str]:
    """A build that stops: its RedressError's logged lines and its closing line."""
    caplog.set_level(logging.ERROR)
    with pytest.raises(RedressError) as exc:
        build(site, **settings)
    assert exc.value.exitcode == 1
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] + [str(exc.value)]


def section_written(output: Path) -> list[Path]:
    """Files of the review section in the output (Pelican's theme files aside)."""
    return [p for p in output.rglob("*") if p.is_file() and not p.relative_to(output).parts[0] == "theme"]


def private_site(tmp_path: Path) -> Path:
    """A shop whose review and response files hold every private field."""
    return make_site(
        tmp_path,
        review("2026-10-02-wet-box", rating=2, email="jan@example.com", order="BB-20452", phone="0612345678"),
        ("responses/2026-10-02-wet-box-1.md", RESPONSE),
        ("images/logo.txt", "our logo\n"),
    )


RESPONSE = """Review: 2026-10-02-wet-box
Date: 2026-10-03 10:00
Status: resolved
Note: call her back on Monday

We sent a new drip tray.
"""


def leaked(output: Path) -> list[str]:
    """Every output file that holds a private value (all files, read as bytes)."""
    found = []
    for path in output.rglob("*") if output.exists() else ():
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.relative_to(output)}: {value}" for value in PRIVATE if value.encode() in data]
    return found


def python_path() -> dict[str, str]:
    """This process's PYTHONPATH, if any, for a `pelican` subprocess (to test another copy of Redress)."""
    return {"PYTHONPATH": os.environ["PYTHONPATH"]} if os.environ.get("PYTHONPATH") else {}


# -- a file two writers want ----------------------------------------------------------------


def test_a_page_with_slug_reviews_stops_the_build_naming_both(tmp_path, caplog):
    """It used to be replaced by the review page on the first build, and to win on the next."""
    site = make_site(tmp_path, review("r"), ("pages/reviews.md", OUR_PAGE))
    for _build in range(2):
        errors = build_errors(site, caplog, **FOLDER_PAGES)
        assert PAGE_LINE in errors, errors
        assert errors[-1].startswith("reviews: 1 problem where the review section meets the rest of the site")
        # Stopped before anything was written: neither the page nor the section.
        assert not (site / "output" / "reviews" / "index.html").exists()
        caplog.clear()
    # Moving either one builds both.
    out = build(site, REVIEWS_INDEX_URL="customer-reviews/", **FOLDER_PAGES)
    assert "in our own words" in (out / "reviews" / "index.html").read_text(encoding="utf-8")
    assert "Test shop" in (out / "customer-reviews" / "index.html").read_text(encoding="utf-8")


def test_two_of_the_sections_own_files_on_one_path_stop_the_build_naming_both(tmp_path, caplog):
    """Products moved into the widget folder: a product called "products" would be written where
    the products' widget code goes, and one of the two would be lost with a warning only."""
    site = make_site(tmp_path, ("products/products.md", "Title: Products\n\nA box.\n"), review("r"))
    errors = build_errors(site, caplog, REVIEWS_PRODUCT_URL="reviews/widgets/{slug}/")
    line = next(e for e in errors if e.startswith("reviews/widgets/products/index.html: "))
    assert "the products' widget code (REVIEWS_INDEX_URL)" in line
    assert "the review page of products (REVIEWS_PRODUCT_URL)" in line
    assert 'set REVIEWS_PRODUCT_URL = "customer-reviews/widgets/{slug}/"' in line
    assert not (site / "output" / "reviews").exists()  # stopped before anything was written
    out = build(site, REVIEWS_PRODUCT_URL="reviews/items/{slug}/")
    assert (out / "reviews/widgets/products/index.html").exists()
    assert (out / "reviews/items/products/index.html").exists()


@pytest.mark.parametrize("review_save_as", [None, "reviews/./{slug}/index.html"])
def test_a_products_page_where_a_reviews_page_is_stops_the_build(tmp_path, caplog, review_save_as):
    """Products moved next to the reviews' own pages, and a product named like a review: the
    reviews' pages are known by their pattern (or one by one for a pattern that is not plain)."""
    site = make_site(tmp_path, ("products/mill.md", "Title: Mill\n\nA mill.\n"), review("mill"), review("b"))
    settings = {"REVIEWS_PRODUCT_URL": "reviews/{slug}/"}
    if review_save_as:
        settings["REVIEWS_REVIEW_SAVE_AS"] = review_save_as
    errors = build_errors(site, caplog, **settings)
    line = next(e for e in errors if e.startswith("reviews/mill/index.html: "))
    assert "a review's page" in line and "the review page of mill" in line, line
    assert "REVIEWS_PRODUCT_URL" in line
    assert not (site / "output" / "reviews").exists()


def test_the_pelican_command_prints_the_clash_and_exits_1_without_a_traceback(tmp_path):
    site = make_site(tmp_path, review("r"), ("pages/reviews.md", OUR_PAGE))
    (site / "pelicanconf.py").write_text(
        "PATH = 'content'\nSITENAME = 'T'\nTIMEZONE = 'UTC'\nPLUGINS = ['redress']\n"
        "ARTICLE_PATHS = ['articles']\nPAGE_PATHS = ['pages']\nFEED_ALL_ATOM = None\n"
        "CATEGORY_FEED_ATOM = None\nPAGE_URL = '{slug}/'\nPAGE_SAVE_AS = '{slug}/index.html'\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py"],
        cwd=site,
        capture_output=True,
        text=True,
        env={"COLUMNS": "400", "PATH": "/usr/bin:/bin", **python_path()},
    )
    out = " ".join((run.stdout + run.stderr).split())
    assert run.returncode == 1, out
    assert PAGE_LINE in out
    assert "Traceback" not in out
    assert not (site / "output" / "reviews" / "index.html").exists()


def test_an_article_saved_as_the_feed_names_the_feed_setting(tmp_path, caplog):
    site = make_site(
        tmp_path,
        review("r"),
        ("articles/feed.md", "Title: Feed\nDate: 2026-01-01\nSave_as: reviews/feed.rss\n\nMine.\n"),
    )
    errors = build_errors(site, caplog)
    assert (
        "reviews/feed.rss: written by Redress (the RSS feed of review page, REVIEWS_FEED_RSS) and by "
        'content/articles/feed.md (an article); move one: set REVIEWS_FEED_RSS = "customer-reviews/feed.rss" '
        "or change the article's Slug"
    ) in errors, errors


@pytest.mark.parametrize(
    ("pattern", "save_as"),
    [
        (None, "reviews/r/index.html"),  # the reviews' pages known by their pattern
        ("./r/{slug}.html", "r/r.html"),  # a pattern that is not a plain name: each page named
    ],
)
def test_an_article_saved_as_a_reviews_page_stops_the_build(tmp_path, caplog, pattern, save_as):
    site = make_site(
        tmp_path,
        review("r"),
        review("other", date="2026-09-02 10:00"),
        ("articles/mine.md", f"Title: Mine\nDate: 2026-01-01\nSave_as: {save_as}\n\nMine.\n"),
        ("articles/near.md", "Title: Near\nDate: 2026-01-02\nSave_as: reviews/nobody/index.html\n\nNear.\n"),
    )
    settings = {"REVIEWS_REVIEW_SAVE_AS": pattern} if pattern else {}
    errors = build_errors(site, caplog, **settings)
    clashes = [e for e in errors if "written by Redress" in e]
    assert len(clashes) == 1, errors
    assert clashes[0].startswith(f"{save_as}: written by Redress (a review's page, "), errors


def test_a_static_file_at_the_review_page_stops_the_build(tmp_path, caplog):
    site = make_site(tmp_path, review("r"), ("extra/reviews.html", "<p>old reviews page</p>\n"))
    errors = build_errors(
        site,
        caplog,
        STATIC_PATHS=["extra"],
        EXTRA_PATH_METADATA={"extra/reviews.html": {"path": "reviews/index.html"}},
    )
    assert any(
        e.startswith("reviews/index.html: written by Redress (the review page, REVIEWS_INDEX_URL) and by ")
        and "content/extra/reviews.html (a static file)" in e
        and "take it out of STATIC_PATHS" in e
        for e in errors
    ), errors
    assert not section_written(site / "output")


def test_pelicans_own_index_page_at_the_review_page(tmp_path, caplog):
    site = make_site(tmp_path, review("r"))
    errors = build_errors(site, caplog, DIRECT_TEMPLATES=["index"], INDEX_SAVE_AS="reviews/index.html")
    assert any(
        e.startswith("reviews/index.html: written by Redress (the review page, REVIEWS_INDEX_URL)")
        and "by Pelican's index page (INDEX_SAVE_AS)" in e
        and "change INDEX_SAVE_AS" in e
        for e in errors
    ), errors


def test_the_themes_static_folder_at_redress_static_files(tmp_path, caplog):
    site = make_site(tmp_path, review("r"))
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    (theme / "static").mkdir()
    (theme / "static" / "redress.css").write_text("body{}\n", encoding="utf-8")
    for name in ("index", "page", "article"):
        (theme / "templates" / f"{name}.html").write_text("{{ SITENAME }}\n", encoding="utf-8")
    errors = build_errors(site, caplog, THEME=str(theme), THEME_STATIC_DIR="reviews/static")
    assert any(
        e.startswith("reviews/static/redress.css: written by Redress (the stylesheet, REVIEWS_STATIC_URL)")
        and "change THEME_STATIC_DIR" in e
        for e in errors
    ), errors


# -- another plugin, found while writing ----------------------------------------------------------


BADGE = "reviews/widgets/badge.svg"


class WidgetCopier(Generator):
    """Another plugin's generator, after Redress's: it writes a file of its own over the shop's badge."""

    def generate_context(self) -> None:
        pass

    def generate_output(self, writer: Any) -> None:
        writer.write_file(BADGE, jinja2.Template("<svg/>"), self.context)


def another_generator(pelican_object: Any) -> type[Generator]:
    return WidgetCopier


def write_badge_first(generator: Any, writer: Any) -> None:
    """Another plugin that writes when the blog's articles are written, before the review section."""
    writer.write_file(BADGE, jinja2.Template("<svg/>"), generator.context)


@pytest.mark.parametrize("order", ["after", "before"])
def test_another_plugin_writing_a_redress_file_stops_the_build(tmp_path, caplog, order):
    plugin = types.ModuleType("widget_copier")
    if order == "after":
        plugin.register = lambda: signals.get_generators.connect(another_generator)  # type: ignore[attr-defined]
    else:
        plugin.register = lambda: signals.article_writer_finalized.connect(write_badge_first)  # type: ignore[attr-defined]
    site = make_site(tmp_path, review("r"))
    try:
        errors = build_errors(site, caplog, PLUGINS=["redress", plugin])
    finally:
        signals.get_generators.disconnect(another_generator)
        signals.article_writer_finalized.disconnect(write_badge_first)
    assert (
        f"{BADGE}: written by Redress (the widget badge.svg, REVIEWS_INDEX_URL) and by another writer "
        '(a plugin or a template); move one: set REVIEWS_INDEX_URL = "customer-reviews/" or change where '
        "that writer puts its file"
    ) in errors, errors
    assert errors[-1].startswith("reviews: 1 file of the review section written over by another writer")
    assert gc.get_freeze_count() == 0  # the stopped build left nothing frozen (a pelican -r process lives on)


# -- the plan is the build ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "settings",
    [
        {"REVIEWS_PER_PAGE": 3},
        {"REVIEWS_FORM_ACTION": None, "REVIEWS_FEED_RSS": None, "REVIEWS_PRIVACY_URL": "https://x.example/p"},
        {
            "REVIEWS_INDEX_URL": "shop/reviews/",
            "REVIEWS_REVIEW_URL": "r/{slug}/",
            "REVIEWS_REVIEW_SAVE_AS": "r/{slug}.html",
            "REVIEWS_PRODUCT_URL": "p/{slug}/",
            "REVIEWS_STATIC_URL": "s/",
            "REVIEWS_FOLLOWUP_ACTION": None,
        },
    ],
)
def test_the_plan_names_exactly_the_files_a_build_writes(tmp_path, settings):
    """The check before writing is only as good as its list of what the section writes."""
    site = tmp_path / "site"
    shutil.copytree(DEMO_CONTENT, site / "content")
    out = build(site, **settings)
    shop = load_shop(pelican_settings(site, **settings))
    planned = set(section_files(shop, Urls(shop.settings)))
    written = {str(p.relative_to(out)) for p in section_written(out)}
    assert planned == written, (sorted(planned - written)[:10], sorted(written - planned)[:10])


# -- review files never reach the output -------------------------------------------------------


@pytest.mark.parametrize(
    ("static_paths", "entry"),
    [
        (["reviews", "images"], "reviews"),
        (["responses"], "responses"),
        (["reviews/2026"], "reviews/2026"),
        (["."], "."),
        (["./"], "./"),
        (["images", ""], None),  # Pelican's exclusion works here: the build goes on
    ],
)
def test_review_folders_in_static_paths_never_copy_a_private_field(tmp_path, caplog, static_paths, entry):
    site = private_site(tmp_path)
    write(
        site,
        "reviews/2026/2026-11-01-later.md",
        "Date: 2026-11-01 10:00\nRating: 4\nEmail: jan@example.com\n\nOk.\n",
    )
    if entry is None:
        out = build(site, STATIC_PATHS=static_paths)
        assert (out / "images" / "logo.txt").is_file()
    else:
        errors = build_errors(site, caplog, STATIC_PATHS=static_paths)
        folder = "content/responses/" if entry == "responses" else "content/reviews/"
        assert any(
            e.startswith(f"{folder}: Pelican would copy ") and f"because STATIC_PATHS has {entry!r}" in e
            for e in errors
        ), errors
        assert errors[-1].endswith("nothing was written. Fix the lines above and build again.")
    assert leaked(site / "output") == []


@pytest.mark.parametrize("static_paths", [["content"], ["content/"]])
def test_a_parent_folder_in_static_paths(tmp_path, caplog, static_paths):
    """PATH is the site itself and Redress's folders are in content/: STATIC_PATHS names their parent."""
    site = private_site(tmp_path)
    folders = {
        "PATH": ".",
        "REVIEWS_REVIEW_DIR": "content/reviews",
        "REVIEWS_RESPONSE_DIR": "content/responses",
        "REVIEWS_PRODUCT_DIR": "content/products",
        "STATIC_PATHS": static_paths,
        "ARTICLE_PATHS": ["content/articles"],
        "PAGE_PATHS": ["content/pages"],
    }
    if static_paths == ["content"]:
        out = build(site, **folders)  # Pelican's exclusion works for this spelling
        assert (out / "content" / "images" / "logo.txt").is_file()
    else:
        errors = build_errors(site, caplog, **folders)
        lines = [e for e in errors if "STATIC_PATHS has 'content/'" in e]
        assert {line.split(":")[0] for line in lines} == {
            "site/content/reviews/",
            "site/content/responses/",
        }, errors
        assert all("list only the folders of your own files in STATIC_PATHS" in line for line in lines)
    assert leaked(site / "output") == []


def test_a_link_to_a_review_file_does_not_copy_it(tmp_path, caplog):
    site = private_site(tmp_path)
    write(
        site,
        "articles/a.md",
        "Title: A\nDate: 2026-01-01\n\n[the file]({static}/reviews/2026-10-02-wet-box.md)\n",
    )
    errors = build_errors(site, caplog)
    assert any(
        e.startswith("content/reviews/2026-10-02-wet-box.md: Pelican would copy this review file")
        and "links to it ({static} or {attach}); remove the link" in e
        for e in errors
    ), errors
    assert leaked(site / "output") == []


def test_review_files_read_as_articles_stop_the_build(tmp_path, caplog):
    site = private_site(tmp_path)
    write(
        site,
        "reviews/2026-10-05-titled.md",
        "Title: Great\nDate: 2026-10-05 10:00\nRating: 5\nEmail: jan@example.com\n\nYes.\n",
    )
    errors = build_errors(site, caplog, ARTICLE_PATHS=["reviews"])
    assert any(
        e.startswith("content/reviews/: Pelican would read 1 file of Redress's review folder as articles")
        and "because ARTICLE_PATHS has 'reviews'; take 'reviews' out of ARTICLE_PATHS" in e
        for e in errors
    ), errors
    assert leaked(site / "output") == []


def test_the_demo_shop_is_no_clash(tmp_path):
    """The demo's own settings (a blog index and feeds off, the theme's static folder) build as before."""
    site = tmp_path / "site"
    shutil.copytree(DEMO_CONTENT, site / "content")
    out = build(site, DIRECT_TEMPLATES=["index"], STATIC_PATHS=["images"])
    assert (out / "index.html").is_file()
    assert (out / "reviews" / "index.html").is_file()
