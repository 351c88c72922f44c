"""Every content mistake stops the build with one clear line per problem."""

from __future__ import annotations

import logging

import pytest
from conftest import build, make_site, response, review, write
from pelican.plugins.redress.errors import RedressError


def build_errors(site, caplog, **settings) -> list[str]:
    """A build that stops raises a RedressError (never SystemExit: `pelican -r` must live on)."""
    caplog.set_level(logging.ERROR)
    with pytest.raises(RedressError) as exc:
        build(site, **settings)
    assert exc.value.exitcode == 1
    # The problem lines are logged; the closing line is the exception's, which
    # Pelican's main() logs (and `pelican -r` shows before it waits for a fix).
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] + [str(exc.value)]


@pytest.mark.parametrize("rating", ["0", "6", "five", "4.5", "-1", "3 stars"])
def test_wrong_rating_names_file_field_and_range(tmp_path, caplog, rating):
    site = make_site(tmp_path, review("bad", rating=rating))
    errors = build_errors(site, caplog)
    assert any(
        e.startswith("content/reviews/bad.md: Rating:") and "whole number from 1 to 5" in e for e in errors
    ), errors


def test_scale_of_ten_accepts_ten_and_refuses_eleven(tmp_path, caplog):
    site = make_site(tmp_path, review("ten", rating=10), review("eleven", rating=11, date="2026-10-03 10:00"))
    errors = build_errors(site, caplog, REVIEWS_SCALE=10)
    assert any("eleven.md: Rating:" in e and "1 to 10" in e for e in errors)
    assert not any("ten.md" in e for e in errors)


def test_missing_date(tmp_path, caplog):
    site = make_site(tmp_path, ("reviews/nodate.md", "Rating: 4\n\nText\n"))
    errors = build_errors(site, caplog)
    assert any("content/reviews/nodate.md: Date: is missing" in e for e in errors)


def test_unreadable_date(tmp_path, caplog):
    site = make_site(tmp_path, review("baddate", date="2 oktober"))
    errors = build_errors(site, caplog)
    assert any("baddate.md: Date:" in e and "2026-10-02 14:31" in e for e in errors)


def test_unknown_product(tmp_path, caplog):
    site = make_site(tmp_path, review("r", product="nope"))
    errors = build_errors(site, caplog)
    assert any("content/reviews/r.md: Product: 'nope' is not a product" in e for e in errors)


def test_response_to_missing_review(tmp_path, caplog):
    site = make_site(tmp_path, review("r"), response("r-1", "does-not-exist"))
    errors = build_errors(site, caplog)
    assert any("content/responses/r-1.md: Review: 'does-not-exist' is not a review" in e for e in errors)


def test_two_files_with_one_slug(tmp_path, caplog):
    site = make_site(tmp_path, review("same"))
    write(site, "reviews/2026/same.md", "Date: 2026-10-05 10:00\nRating: 3\n\nAgain\n")
    errors = build_errors(site, caplog)
    assert any("same.md" in e and "same file name" in e for e in errors)


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [
        ("Status", "done", "response"),
        ("Remedy", "apology, hug", "response"),
        ("Withheld", "boring", "review"),
    ],
)
def test_unknown_enumerated_values(tmp_path, caplog, field, value, kind):
    if kind == "review":
        site = make_site(tmp_path, review("r", **{field.lower(): value}))
        path = "content/reviews/r.md"
    else:
        site = make_site(tmp_path, review("r"), response("r-1", "r", **{field.lower(): value}))
        path = "content/responses/r-1.md"
    errors = build_errors(site, caplog)
    assert any(e.startswith(f"{path}: {field}:") and "use one" in e for e in errors), errors


def test_not_utf8(tmp_path, caplog):
    site = make_site(tmp_path)
    path = site / "content" / "reviews" / "latin1.md"
    path.parent.mkdir(parents=True)
    path.write_bytes("Date: 2026-10-02 10:00\nRating: 4\n\nGoed hoor, caf\xe9\n".encode("latin-1"))
    errors = build_errors(site, caplog)
    assert any("content/reviews/latin1.md: is not UTF-8" in e and "save it as UTF-8" in e for e in errors)


@pytest.mark.parametrize("slug", ["page", "products", "write", "widgets", "open", "stars"])
def test_reserved_slug_refused(tmp_path, caplog, slug):
    site = make_site(tmp_path, review(slug))
    errors = build_errors(site, caplog)
    assert any(f"content/reviews/{slug}.md:" in e and "uses itself" in e for e in errors)


def test_unsafe_file_name_refused_with_suggestion(tmp_path, caplog):
    site = make_site(tmp_path, review("Mijn Review!"))
    errors = build_errors(site, caplog)
    assert any("cannot be used in a web address" in e and "mijn-review.md" in e for e in errors)


def test_the_suggested_file_name_keeps_the_whole_name(tmp_path, caplog):
    """Two dated reviews that share their first words are told two different names."""
    names = [f"2026-08-29-Dat-Bestelling-Op-Lekker-Snel-8100-{end}" for end in "AB"]
    site = make_site(tmp_path, *(review(name) for name in names))
    errors = " ".join(build_errors(site, caplog))
    for name in names:
        assert f"e.g. {name.lower()}.md" in errors


def test_unknown_key_is_an_error_not_lost_text(tmp_path, caplog):
    site = make_site(tmp_path, review("r", note="call me"))
    errors = build_errors(site, caplog)
    assert any("content/reviews/r.md: Note: is not a review field" in e for e in errors)


def test_non_markdown_file_in_reviews_is_reported(tmp_path, caplog):
    site = make_site(
        tmp_path, review("ok"), ("reviews/forgotten.txt", "Date: 2026-01-01\nRating: 1\n\nBad\n")
    )
    errors = build_errors(site, caplog)
    assert any("content/reviews/forgotten.txt: is not a Markdown file" in e for e in errors)


def test_all_problems_listed_at_once(tmp_path, caplog):
    site = make_site(
        tmp_path,
        review("a", rating="five"),
        review("b", product="ghost"),
        response("x-1", "missing"),
        ("reviews/c.md", "Rating: 2\n\nno date\n"),
    )
    errors = build_errors(site, caplog)
    for needle in ("a.md: Rating", "b.md: Product", "x-1.md: Review", "c.md: Date"):
        assert any(needle in e for e in errors), (needle, errors)
    assert any("4 problem(s)" in e for e in errors)


def test_response_before_its_review(tmp_path, caplog):
    site = make_site(
        tmp_path, review("r", date="2026-10-02 14:00"), response("r-1", "r", date="2026-10-01 09:00")
    )
    errors = build_errors(site, caplog)
    assert any("r-1.md: Date: is before the review" in e for e in errors)


def test_shop_fields_on_customer_entry(tmp_path, caplog):
    site = make_site(
        tmp_path, review("r"), response("r-1", "r", **{"from": "customer", "status": "resolved"})
    )
    errors = build_errors(site, caplog)
    assert any("r-1.md: Status: is for the shop's entries" in e for e in errors)


def test_no_traceback_on_content_errors(tmp_path):
    """The pelican command itself exits 1 and prints the problem, not a traceback."""
    import subprocess
    import sys

    site = make_site(tmp_path, review("bad", rating="0"))
    conf = site / "pelicanconf.py"
    conf.write_text(
        "PATH='content'\nSITENAME='T'\nTIMEZONE='UTC'\n"
        "PLUGINS=['redress']\nARTICLE_PATHS=['articles']\nPAGE_PATHS=['pages']\nFEED_ALL_ATOM=None\n"
        "CATEGORY_FEED_ATOM=None\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py"],
        cwd=site,
        capture_output=True,
        text=True,
        env={"COLUMNS": "250", "PATH": "/usr/bin:/bin"},
    )
    out = run.stdout + run.stderr
    assert run.returncode == 1
    assert "content/reviews/bad.md: Rating: '0' is not a whole number from 1 to 5" in out
    assert "Traceback" not in out


@pytest.mark.parametrize(
    ("setting", "value", "needle"),
    [
        ("REVIEWS_SCALE", 7, "REVIEWS_SCALE is 7; use 5 or 10"),
        ("REVIEWS_PER_PAGE", 0, "REVIEWS_PER_PAGE is 0"),
        ("REVIEWS_PER_PAGE", "20", "REVIEWS_PER_PAGE is '20'"),
        ("REVIEWS_NEGATIVE_MAX", 5, "use a whole number from 1 to 4"),
        ("REVIEWS_HOLD_HOURS", -1, "REVIEWS_HOLD_HOURS is -1"),
        ("REVIEWS_REVIEW_URL", "reviews/x/", "containing {slug}"),
        ("REVIEWS_INDEX_URL", "reviews.html", "a folder ending in /"),
        ("REVIEWS_PRODUCT_URL", "products/{slug}.html", "a folder ending in /"),
    ],
)
def test_bad_settings_stop_the_build_with_a_clear_line(tmp_path, caplog, setting, value, needle):
    site = make_site(tmp_path, review("r"))
    errors = build_errors(site, caplog, **{setting: value})
    assert any(e.startswith("settings: ") and needle in e for e in errors), errors
