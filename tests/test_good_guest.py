"""Redress as a good guest in a shop's own Pelican site: the small things an owner met.

A blog that already has ``content/reviews/`` is told which setting moves
Redress's folder; the build leaves no ``cache/`` folder where ``pelican``
happens to run; the build's report counts in English; and an unrelated
module named ``redress`` cannot take the plugin's place. Each test builds a
real site into a temporary folder.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import build, make_site, response, review, write
from pelican.plugins.redress.errors import RedressError

BLOG_POST = """Title: The best grinders of 2026
Date: 2026-01-10
Category: Reviews
Tags: grinders, espresso

We tried ten grinders for a month.
"""
BLOG_POST_2 = """Title: Espresso X1, reviewed
Date: 2026-02-01
Category: Reviews
Slug: x1-review

A fine machine.
"""

#: A site's settings file as an owner writes it: no CACHE_PATH, no REVIEWS_* at all.
SETTINGS = """PATH = 'content'
OUTPUT_PATH = 'output'
SITENAME = 'T'
TIMEZONE = 'UTC'
PLUGINS = ['redress']
ARTICLE_PATHS = ['articles']
PAGE_PATHS = ['pages']
DIRECT_TEMPLATES = []
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
"""


def build_errors(site: Path, caplog: pytest.LogCaptureFixture, **settings: object) -> list[str]:
    caplog.set_level(logging.ERROR)
    with pytest.raises(RedressError):
        build(site, **settings)
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def environment(*python_path: Path) -> dict[str, str]:
    """A clean environment for `pelican`, with `python_path` (and this process's PYTHONPATH) on it."""
    paths = [str(p) for p in python_path] + (
        [os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else []
    )
    env = {"PATH": "/usr/bin:/bin", "COLUMNS": "300"}
    return env | ({"PYTHONPATH": os.pathsep.join(paths)} if paths else {})


def pelican(
    settings_file: Path, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pelican", str(settings_file.parent / "content"), "-s", str(settings_file)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env or environment(),
        timeout=300,
    )


# -- a foreign file in the review folder -------------------------------------------------------


def test_a_blogs_own_posts_in_the_review_folder_name_the_setting_that_moves_it(tmp_path, caplog):
    # A typo in a review is a typo, not a foreign file: no folder hint.
    typo = make_site(tmp_path / "typo", ("reviews/r.md", "Date: 2026-10-02 14:31\nRatting: 5\n\nFine.\n"))
    errors = build_errors(typo, caplog)
    assert any("Ratting: is not a review field" in e for e in errors)
    assert not any("REVIEWS_REVIEW_DIR" in e for e in errors)
    caplog.clear()

    site = make_site(tmp_path, ("reviews/best-grinders.md", BLOG_POST), ("reviews/x1.md", BLOG_POST_2))
    errors = build_errors(site, caplog)
    # Each file keeps its own lines...
    assert any(
        e.startswith("content/reviews/best-grinders.md: Category: is not a review field") for e in errors
    )
    assert any(e.startswith("content/reviews/x1.md: Rating: is missing") for e in errors)
    # ...and one line, not one per file, says whose folder it is and how to move it.
    hints = [e for e in errors if "REVIEWS_REVIEW_DIR" in e]
    assert hints == [
        "content/reviews/: is Redress's review folder (REVIEWS_REVIEW_DIR): Redress reads every file in it "
        "as a review and keeps it out of your blog's articles and pages, but 2 files in it look like your "
        "blog's own (Category, Slug, Tags); move Redress's folder with "
        'REVIEWS_REVIEW_DIR = "customer-reviews", or move your own files elsewhere'
    ], errors

    # Following the hint builds both: the blog's posts as articles, the reviews in their new folder.
    relpath, text = review("r")
    (site / "content" / "customer-reviews").mkdir()
    (site / "content" / "customer-reviews" / Path(relpath).name).write_text(text, encoding="utf-8")
    out = build(site, REVIEWS_REVIEW_DIR="customer-reviews", ARTICLE_PATHS=[""])
    assert (out / "the-best-grinders-of-2026.html").is_file()
    assert (out / "x1-review.html").is_file()
    assert (out / "reviews" / "r" / "index.html").is_file()


# -- no cache folder where pelican runs ---------------------------------------------------------


def test_no_cache_folder_where_pelican_runs_unless_the_site_asks(tmp_path):
    site = make_site(tmp_path, review("r"))
    settings_file = site / "pelicanconf.py"
    settings_file.write_text(SETTINGS, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = pelican(settings_file, cwd=elsewhere)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (site / "output" / "reviews" / "index.html").is_file()
    assert sorted(p.name for p in elsewhere.iterdir()) == []  # it used to get a cache/ folder
    assert not (site / "cache").exists()

    # A site that names its cache gets Redress's caches there, and a rebuild writes nothing again.
    settings_file.write_text(SETTINGS + "CACHE_PATH = 'cache'\n", encoding="utf-8")
    pelican(settings_file, cwd=elsewhere)
    rebuild = pelican(settings_file, cwd=elsewhere)
    assert "0 files written" in " ".join((rebuild.stdout + rebuild.stderr).split())
    assert any((site / "cache").glob("redress-*"))
    assert sorted(p.name for p in elsewhere.iterdir()) == []

    # So does a site that turns on Pelican's own cache, at Pelican's CACHE_PATH.
    settings_file.write_text(SETTINGS + "CACHE_CONTENT = True\n", encoding="utf-8")
    pelican(settings_file, cwd=elsewhere)
    assert any((elsewhere / "cache").glob("redress-*"))


# -- the build's report line ---------------------------------------------------------------------


def report_line(caplog: pytest.LogCaptureFixture) -> str:
    line = next(
        r.getMessage() for r in reversed(caplog.records) if r.getMessage().startswith("reviews: Reviews:")
    )
    caplog.clear()
    return line


def test_the_report_line_counts_in_english(tmp_path, caplog):
    """It said "1 responses and follow-ups"."""
    site = make_site(tmp_path, review("r", rating=2), response("r-1", "r"))
    caplog.set_level(logging.INFO)
    build(site)
    line = report_line(caplog)
    assert "reviews: Reviews: 1 published, 0 withheld, 1 response or follow-up; " in line, line
    assert " files written, 0 unchanged." in line
    write(site, *response("r-2", "r", date="2026-10-04 10:00"))
    build(site)
    assert "1 published, 0 withheld, 2 responses and follow-ups; " in report_line(caplog)


# -- a module named redress ----------------------------------------------------------------------


def test_an_unrelated_redress_module_does_not_replace_the_plugin(tmp_path):
    """The public index has an unrelated `redress` package; Pelican must still load this one."""
    fake = tmp_path / "fake"
    (fake / "redress").mkdir(parents=True)
    marker = tmp_path / "the-other-redress-was-used"
    (fake / "redress" / "__init__.py").write_text(
        '"""Stands in for the unrelated `redress` package from the public index."""\n'
        "from pathlib import Path\n\n"
        f"Path({str(marker)!r}).write_text('imported')\n\n\n"
        "def register():\n"
        f"    Path({str(marker)!r}).write_text('registered')\n",
        encoding="utf-8",
    )
    env = environment(fake)
    # In that environment `import redress` is the other package: the test means something.
    probe = subprocess.run(
        [sys.executable, "-c", "import redress; print(redress.__file__)"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert probe.stdout.strip() == str(fake / "redress" / "__init__.py"), probe.stderr
    marker.unlink()

    site = make_site(tmp_path, review("r", body="Quick delivery."))
    settings_file = site / "pelicanconf.py"
    settings_file.write_text(SETTINGS, encoding="utf-8")
    run = pelican(settings_file, cwd=site, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Quick delivery." in (site / "output" / "reviews" / "index.html").read_text(encoding="utf-8")
    assert not marker.exists()


def test_another_plugin_hears_of_every_file_the_section_writes_with_the_sites_context(tmp_path):
    """``content_written`` for each file written, with the site's context (as Pelican sends it).

    With Redress's own receiver alone, the announcements carry only what it reads;
    a plugin that listens gets the whole context, background pages included.
    """
    from pelican import signals

    heard: dict[str, dict] = {}

    def listener(path, context=None, **_kwargs):
        heard[os.path.relpath(path, out)] = context or {}

    site = make_site(tmp_path, review("a"), review("b", rating=1, date="2026-09-01 10:00"))
    out = site / "output"
    signals.content_written.connect(listener)
    try:
        build(site, SITENAME="Koffiehuis")
    finally:
        signals.content_written.disconnect(listener)
    page = heard["reviews/a/index.html"]
    assert page["SITENAME"] == "Koffiehuis" and page["output_file"] == "reviews/a/index.html"
    assert "SITEURL" in page and "reviews/index.html" in heard
    written = {p.relative_to(out).as_posix() for p in (out / "reviews").rglob("*") if p.is_file()}
    assert written - {p for p in written if p.startswith("reviews/static/")} <= heard.keys()


@pytest.mark.parametrize("cache", [True, False])
def test_a_blog_page_where_a_section_page_was_or_might_be_is_never_removed(tmp_path, cache):
    """The blog's page at a deleted review's address, or past the archive's last page, stays.

    The section removes the files it no longer writes (by its record, or the
    archive pages past a filter's last one); a file another writer wrote in
    the same build is that writer's.
    """

    def page(name: str, save_as: str) -> tuple[str, str]:
        url = save_as[: -len("index.html")]
        return f"pages/{name}.md", f"Title: {name}\nSave_as: {save_as}\nURL: {url}\n\nA page of the blog.\n"

    site = make_site(
        tmp_path,
        review("a"),
        review("b", date="2026-09-01 10:00"),
        review("c", date="2026-08-01 10:00"),
        page("ninety-nine", "reviews/page/99/index.html"),
    )
    out = build(site, REVIEWS_CACHE=cache)
    assert (out / "reviews/page/99/index.html").is_file()
    (site / "content/reviews/b.md").unlink()
    write(site, *page("moved", "reviews/b/index.html"))
    build(site, REVIEWS_CACHE=cache)
    assert "A page of the blog" in (out / "reviews/b/index.html").read_text(encoding="utf-8")
    assert "A page of the blog" in (out / "reviews/page/99/index.html").read_text(encoding="utf-8")
