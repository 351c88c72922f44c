"""Rebuilds that must leave the output, the caches and the process as a fresh build would.

Each test builds a real site twice (or more) and compares what a rebuild
left with what a fresh build of the same content and settings writes.
"""

from __future__ import annotations

import gc

import pytest
from conftest import build, make_site, response, review, soup, write
from pelican.plugins.redress.errors import RedressError


def test_a_thread_redacted_in_one_site_language_is_not_shown_in_another(tmp_path):
    """The kept redacted threads (content/shop.py RedactedThreads) follow DEFAULT_LANG.

    A review without a Lang field is in the site's language, and so is the
    note that stands where its order number was hidden: a shop building its
    section in Dutch and in English from the same files and cache folder
    gets each language's note on its pages.
    """
    files = (
        review("a", rating=1, order="BB-11111"),
        response("a-1", "a", body="Order BB-11111 is on its way.", **{"from": "shop"}),
    )
    site = make_site(tmp_path / "one", *files)
    dutch, english = site / "out-nl", site / "out-en"  # build() names site/output; these are the outputs
    build(site, DEFAULT_LANG="nl", OUTPUT_PATH=str(dutch))
    assert "[ordernummer verborgen]" in soup(dutch / "reviews/a/index.html").get_text()
    build(site, DEFAULT_LANG="en", OUTPUT_PATH=str(english))
    fresh = build(make_site(tmp_path / "fresh", *files), DEFAULT_LANG="en")
    assert "[order number hidden]" in soup(fresh / "reviews/a/index.html").get_text()
    got = soup(english / "reviews/a/index.html").get_text()
    assert "[ordernummer verborgen]" not in got
    assert "[order number hidden]" in got


# -- pelican -r: many builds in one process -----------------------------------------------


def _failing_builds(site, times: int, **settings) -> list[int]:
    counts = []
    for _ in range(times):
        with pytest.raises(RedressError):
            build(site, **settings)
        gc.collect()
        counts.append(gc.get_freeze_count())
    return counts


def test_a_build_stopped_before_the_shop_was_frozen_leaves_nothing_frozen(tmp_path):
    """REVIEWS_REQUIRE_SITEURL stops the build while the shop is read: nothing was frozen yet."""
    gc.unfreeze()
    site = make_site(tmp_path, review("a"))
    counts = _failing_builds(site, 2, REVIEWS_REQUIRE_SITEURL=True, SITEURL="")
    gc.unfreeze()
    assert counts == [0, 0], counts


def test_a_build_that_fails_in_redress_writing_leaves_nothing_frozen(tmp_path):
    """The shop is frozen once read; a template of the theme that fails while Redress
    writes thaws it at once (a `pelican -r` process lives on)."""
    gc.unfreeze()
    site = make_site(tmp_path, review("a"))
    theme = tmp_path / "theme"
    (theme / "templates/redress").mkdir(parents=True)
    (theme / "templates/redress/review.html").write_text("{{ 1 // 0 }}\n", encoding="utf-8")
    counts = []
    for _ in range(2):
        with pytest.raises(ZeroDivisionError):
            build(site, THEME=str(theme))
        counts.append(gc.get_freeze_count())
    gc.unfreeze()
    assert counts == [0, 0], counts


def test_what_a_build_failing_elsewhere_left_frozen_is_thawed_before_the_next_reads(tmp_path):
    """A theme's article template fails after Redress froze the shop: it stays frozen
    until the next build starts, which thaws it before any generator reads its content."""
    from pelican import signals

    gc.unfreeze()
    site = make_site(tmp_path, review("a"))
    write(site, "articles/post.md", "Title: Post\nDate: 2026-01-01\n\nHello.\n")
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    (theme / "templates/article.html").write_text("{{ 1 // 0 }}\n", encoding="utf-8")
    seen: list[int] = []

    def count_when_articles_are_read(generator):
        seen.append(gc.get_freeze_count())

    signals.article_generator_init.connect(count_when_articles_are_read)
    try:
        with pytest.raises(ZeroDivisionError):
            build(site, THEME=str(theme), ARTICLE_PATHS=["articles"])
        left = gc.get_freeze_count()
        with pytest.raises(ZeroDivisionError):
            build(site, THEME=str(theme), ARTICLE_PATHS=["articles"])
    finally:
        signals.article_generator_init.disconnect(count_when_articles_are_read)
        gc.unfreeze()
    assert left > 0  # documented: a failure outside Redress leaves the shop frozen until the next build
    assert seen == [0, 0], seen


def test_a_build_stopped_by_a_clash_leaves_nothing_frozen(tmp_path):
    gc.unfreeze()
    page = "Title: Our reviews\nSlug: reviews\n\nIn our own words.\n"
    site = make_site(tmp_path, review("a"), ("pages/reviews.md", page))
    counts = _failing_builds(site, 2, PAGE_URL="{slug}/", PAGE_SAVE_AS="{slug}/index.html")
    gc.unfreeze()
    assert counts == [0, 0], counts


# -- reading the content --------------------------------------------------------------------


def test_a_folder_link_back_into_the_review_folder_is_not_read_forty_times(tmp_path):
    """A link to a folder is not followed (as os.walk does): reviews/all -> . would have
    every review read again at each of the 40 levels the system resolves."""
    import os

    site = make_site(tmp_path, review("a"))
    os.symlink(".", site / "content/reviews/all")
    out = build(site)
    assert (out / "reviews/a/index.html").is_file()


# -- the data and the pages that must go -------------------------------------------------


def test_a_response_to_an_older_review_updates_the_shops_embed_json(tmp_path):
    """embed.json says when its data was "generated" (the newest review or entry of the
    listing): an answer to an older review changes it, not only the newest three cards."""
    files = [review(f"r{i}", date=f"2026-09-0{i} 10:00") for i in range(1, 6)]
    site = make_site(tmp_path / "one", *files)
    out = build(site)
    answer = response("r1-1", "r1", date="2026-10-20 10:00", body="Thanks!", **{"from": "shop"})
    write(site, *answer)
    build(site)
    fresh = build(make_site(tmp_path / "fresh", *files, answer))
    for name in ("reviews/reviews.json", "reviews/widgets/embed.json"):
        assert '"generated":"2026-10-20T10:00:00+02:00"' in (fresh / name).read_text(encoding="utf-8")
    assert (out / "reviews/widgets/embed.json").read_text(encoding="utf-8") == (
        fresh / "reviews/widgets/embed.json"
    ).read_text(encoding="utf-8")


def test_without_the_cache_a_withheld_reviews_page_does_not_stay_online(tmp_path):
    """REVIEWS_CACHE is False on every site that sets no CACHE_PATH; with no record of the
    last build, a withheld review's page is still removed."""
    site = make_site(tmp_path, review("a", rating=2, body="Call Piet."), review("b", date="2026-10-01 10:00"))
    out = build(site, REVIEWS_CACHE=False)
    assert (out / "reviews/a/index.html").exists()
    write(site, *review("a", rating=2, body="Call Piet.", withheld="personal-data"))
    build(site, REVIEWS_CACHE=False)
    assert not (out / "reviews/a").exists()


def test_the_first_build_after_an_upgrade_removes_a_page_that_left_the_section(tmp_path):
    """The page record keeps its file name but not its format: the pages the previous
    version's record lists (Pelican's FileDataCacher, {"pages": {...}}) are still removed
    when they leave the section, e.g. a review withheld at the first build after upgrading."""
    import os

    from pelican.cache import FileDataCacher
    from pelican.plugins.redress.site.output import digest
    from sites import pelican_settings

    site = make_site(tmp_path, review("a", rating=2, body="Call Piet."), review("b", date="2026-10-01 10:00"))
    out = build(site)
    # The record as the previous version left it, for the same pages.
    settings = pelican_settings(site)
    name = "redress-pages-" + digest(os.path.abspath(out))[:12]
    for leftover in (site / "cache").glob(name + "*"):
        leftover.unlink()
    old = FileDataCacher(dict(settings, GZIP_CACHE=False), name, True, True)
    old.cache_data(
        "pages", {str(p.relative_to(out)): "x" for p in (out / "reviews").rglob("*") if p.is_file()}
    )
    old.save_cache()

    write(site, *review("a", rating=2, body="Call Piet.", withheld="personal-data"))
    build(site)
    assert not (out / "reviews/a").exists()
