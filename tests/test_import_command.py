"""`redress import`'s own decisions, fed records directly: files, slugs, ledger, names, languages.

The platforms' readers have their own tests (test_import_<platform>.py);
here the records are built by hand, so each rule of the command is seen on
its own: what file a record becomes, what a second run does, what is never
overwritten, what stays private. Every site is real (tests/sites.py) and
every file written is read back by the content model (``load_shop``), as the
build reads it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import write
from pelican.plugins.redress.content import files, model, site_settings
from pelican.plugins.redress.content.reader import Context, read_entry, read_product, read_review, split_file
from pelican.plugins.redress.content.rules import SLUG_RE
from pelican.plugins.redress.content.settings import SettingsError, get_settings
from pelican.plugins.redress.content.shop import load_shop
from pelican.plugins.redress.errors import RedressError, UsageError
from pelican.plugins.redress.imports import platforms
from pelican.plugins.redress.imports.command import import_batches, ledger_path, read_site
from pelican.plugins.redress.imports.langs import Guesser
from pelican.plugins.redress.imports.ledger import Ledger
from pelican.plugins.redress.imports.names import shown_name
from pelican.plugins.redress.imports.plan import Options, Plan, review_slug, short_id
from pelican.plugins.redress.imports.records import (
    Batch,
    ImportedProduct,
    ImportedReply,
    ImportedReview,
    RowProblem,
    Skip,
)
from pelican.plugins.redress.imports.writer import Outcome
from sites import write_settings

UTC = dt.UTC


def when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def record(platform_id: str = "65e1f2a3b4c5d6e7f8a9b0c1", **fields: Any) -> ImportedReview:
    values: dict[str, Any] = {
        "platform": "trustpilot",
        "platform_id": platform_id,
        "where": "reviews.csv:2",
        "date": when("2024-03-01 14:22"),
        "rating": 5,
        "title": "Snel geleverd",
        "text": "Binnen twee dagen in huis, goed verpakt.",
        "author": "Jan de Vries",
        "lang": "nl",
    }
    values.update(fields)
    return ImportedReview(**values)


def make(tmp_path: Path, *extra: tuple[str, str], **settings: Any) -> Path:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True, exist_ok=True)
    for relpath, text in extra:
        write(site, relpath, text)
    write_settings(site, **settings)
    return site


def run(site: Path, *reviews: ImportedReview, update: bool = False, dry_run: bool = False, **options: Any):
    return run_batches(site, [Batch(reviews=list(reviews), rows=len(reviews))], update, dry_run, **options)


def run_batches(
    site: Path, batches: list[Batch], update: bool = False, dry_run: bool = False, **options: Any
) -> tuple[Plan, Outcome]:
    settings_file = site / "pelicanconf.py"
    settings = site_settings.load_settings(settings_file)
    rs = get_settings(settings)
    ledger = Ledger.load(ledger_path(rs, settings_file, settings, make=not dry_run))
    return import_batches(
        read_site(settings, rs), ledger, batches, Options(**options), update=update, dry_run=dry_run
    )


def shop_of(site: Path):
    settings = site_settings.load_settings(site / "pelicanconf.py")
    return load_shop(settings)


def content_files(site: Path) -> dict[str, str]:
    base = site / "content"
    return {p.relative_to(base).as_posix(): p.read_text(encoding="utf-8") for p in sorted(base.rglob("*.md"))}


def head(text: str) -> dict[str, str]:
    fields = {}
    for line in text.split("\n\n", 1)[0].splitlines():
        key, _, value = line.partition(": ")
        fields[key] = value
    return fields


# -- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("Jan de Vries", "Jan de V."),
        ("Joost van Dijk", "Joost van D."),
        ("Anna van der Berg-de Jong", "Anna van der B."),
        ("Jan Peter de Vries", "Jan Peter de V."),
        ("Hans-Jürgen von Hohenzollern", "Hans-Jürgen von H."),
        ("Jan De Vries", "Jan De V."),  # Flemish capitals stay as written
        ("Michael O'Brien", "Michael O'B."),
        ("Ülle Õun", "Ülle Õ."),
        ("Vries, Jan de", "Jan de V."),
        ("Mark & Julia", "Mark & Julia"),
        ("Mark Smith & Julia Jones", "Mark S. & Julia J."),
        ("Tom H.", "Tom H."),
        ("Jan", "Jan"),
        ("", ""),
        ("  Sanne   Bakker ", "Sanne B."),
        ("jan@example.com", ""),
        ("Jan Jansen <jan@example.com>", "Jan J."),
    ],
)
def test_names_are_shortened_as_the_demo_shows_them(name: str, short: str) -> None:
    assert shown_name(name, "short") == short


def test_full_names_and_no_names() -> None:
    assert shown_name("Jan de Vries", "full") == "Jan de Vries"
    assert shown_name("Jan de Vries jan@example.com", "full") == "Jan de Vries"
    assert shown_name("Jan de Vries", "none") == ""


def test_the_names_setting_is_checked() -> None:
    with pytest.raises(SettingsError) as caught:
        get_settings({"REVIEWS_IMPORT_NAMES": "initials"})
    (line,) = caught.value.problems
    assert "REVIEWS_IMPORT_NAMES" in line and '"short"' in line
    with pytest.raises(SettingsError) as caught:
        get_settings({"REVIEWS_IMPORT_LEDGER": "imports/"})
    assert [line.split(" is ")[0] for line in caught.value.problems] == ["settings: REVIEWS_IMPORT_LEDGER"]


# -- file names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "platform_id",
    [
        "65e1f2a3b4c5d6e7f8a9b0c1",
        "gp:AOqpTOH8sX_9/kJ+Zs==",
        "accounts/1/locations/2/reviews/AbFvOqk-Z_9",
        "Ünïcødé id",
        "x" * 400,
        "ABC",
    ],
)
def test_slugs_are_short_safe_and_stable(platform_id: str) -> None:
    review = record(platform_id)
    slug = review_slug(review, UTC)
    assert SLUG_RE.match(slug) and len(slug) <= 40, slug
    assert slug == review_slug(record(platform_id), UTC)
    assert slug.startswith("2024-03-01-trustpilot-")


def test_a_short_plain_id_is_kept_and_ids_differing_in_case_never_share_a_file() -> None:
    assert short_id("123456") == "123456"
    assert short_id("abc") == "abc"
    assert short_id("ABC") != short_id("abc")
    assert len({short_id(f"id-{n}") for n in range(10_000)}) == 10_000


# -- what a record becomes --------------------------------------------------------------------


def test_a_review_and_its_reply_become_files_the_build_reads(tmp_path: Path) -> None:
    site = make(tmp_path)
    review = record(
        email="jan@example.com",
        replies=[ImportedReply("Dank je Jan!\nGroet, Marloes", when("2024-03-02 09:15"))],
        invited_by_platform=True,
    )
    plan, outcome = run(site, review)
    assert not plan.problems and outcome.count("review", "new") == 1 and outcome.count("response", "new") == 1
    written = content_files(site)
    slug = review_slug(review, dt.UTC)
    fields = head(written[f"reviews/{slug}.md"])
    assert fields == {
        "Title": "Snel geleverd",
        "Date": "2024-03-01T15:22+01:00",  # in the site's TIMEZONE, with its offset
        "Rating": "5",
        "Author": "Jan de V.",
        "Lang": "nl",
        "Source": "imported:trustpilot",
        "Invited": "yes",
        "Email": "jan@example.com",
    }
    reply = written[f"responses/{slug}-1.md"]
    assert head(reply) == {"Review": slug, "Date": "2024-03-02T10:15+01:00", "From": "shop"}
    assert "Status" not in reply  # nobody recorded an outcome: the page must not say "Resolved"
    shop = shop_of(site)
    (shown,) = shop.reviews
    assert shown.imported and shown.platform_name == "Trustpilot" and shown.platform_invited
    assert not shown.verified and shown.state == "answered"
    assert [e.by for e in shown.thread] == ["shop"] and shown.private == {"email": "jan@example.com"}


def test_a_reply_date_without_words_is_a_fact_on_the_review(tmp_path: Path) -> None:
    site = make(tmp_path)
    review = record(rating=1, replied_on=when("2024-03-05 08:00"))
    run(site, review)
    (text,) = content_files(site).values()
    assert head(text)["Replied"] == "2024-03-05T09:00+01:00"
    (shown,) = shop_of(site).reviews
    assert not shown.thread and shown.replied_on is not None
    assert shown.negative and shown.state == "answered"  # not "Awaiting the shop's response"


def test_a_rating_only_review_is_imported_and_an_empty_one_is_skipped(tmp_path: Path) -> None:
    site = make(tmp_path)
    plan, outcome = run(
        site,
        record("a", title="", text=""),
        record("b", title="", text="", rating=None, where="reviews.csv:3"),
        record("c", rating=None, where="reviews.csv:4"),
    )
    assert outcome.count("review", "new") == 1
    assert plan.skips == [
        Skip("reviews.csv:3", "no text and no rating"),
        Skip("reviews.csv:4", "no rating (a review on the page needs one)"),
    ]
    (shown,) = shop_of(site).reviews
    assert shown.rating == 5 and shown.body_html == "" and shown.title == ""


def test_a_withheld_review_keeps_its_reason_and_may_lack_a_rating(tmp_path: Path) -> None:
    site = make(tmp_path)
    _plan, outcome = run(site, record("s", withheld="spam", rating=None, text="Buy cheap watches"))
    assert outcome.withheld == 1
    shop = shop_of(site)
    assert not shop.reviews and [r.withheld for r in shop.withheld] == ["spam"]


def test_kiyoh_ratings_become_the_nearest_star(tmp_path: Path) -> None:
    site = make(tmp_path)
    run(site, *(record(f"k{r}", platform="kiyoh", rating=r, scale=10) for r in range(1, 11)))
    stars = sorted((int(r.slug.rsplit("k", 1)[1]), r.rating) for r in shop_of(site).reviews)
    assert stars == [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (6, 3), (7, 4), (8, 4), (9, 5), (10, 5)]
    assert [model.rescale(r, 5, 10) for r in range(1, 6)] == [1, 3, 6, 8, 10]


def test_a_kiyoh_review_keeps_its_scale_on_a_page_of_ten(tmp_path: Path) -> None:
    site = make(tmp_path, REVIEWS_SCALE=10)
    run(site, record("k7", platform="kiyoh", rating=7, scale=10), record("t4", rating=4))
    assert sorted(r.rating for r in shop_of(site).reviews) == [7, 8]


def test_the_same_review_twice_is_one_review_and_the_later_edit_wins(tmp_path: Path) -> None:
    site = make(tmp_path)
    first = Batch([record(text="First words, long enough.", updated=when("2024-03-02 10:00"))], rows=1)
    second = Batch(
        [
            record(text="Edited words, long enough.", updated=when("2024-03-04 10:00")),
            record(text="Older words, long enough.", updated=when("2024-03-03 10:00")),
        ],
        rows=2,
    )
    plan, outcome = run_batches(site, [first, second])
    assert plan.rows == 3 and plan.duplicates == 2 and outcome.count("review", "new") == 1
    (text,) = content_files(site).values()
    assert text.endswith("Edited words, long enough.\n")


def test_bad_rows_are_problems_and_the_rest_is_written(tmp_path: Path) -> None:
    site = make(tmp_path)
    plan, outcome = run_batches(
        site,
        [
            Batch(
                [
                    record("ok"),
                    record("bad", rating=6, where="reviews.csv:7"),
                    record("old", date=when("1900-01-01 00:00")),
                ],
                problems=[RowProblem("reviews.csv:9", "Review Stars", "'x' is not a rating")],
                rows=4,
            )
        ],
    )
    lines = [str(p) for p in plan.problems]
    assert "reviews.csv:9: Review Stars: 'x' is not a rating" in lines
    assert "reviews.csv:7: rating: 6 is not a whole number from 1 to 5" in lines
    assert any(line.startswith("reviews.csv:2: date: '1900-01-01'") for line in lines)
    assert outcome.count("review", "new") == 1 and len(shop_of(site).reviews) == 1


def test_every_date_is_checked_as_the_build_checks_it(tmp_path: Path) -> None:
    """Google's 9999-12-31 cannot even be moved into the site's zone; 2999 the build would refuse."""
    site = make(tmp_path)
    far = when("9999-12-31 23:59")
    plan, outcome = run(
        site,
        record("ok", replies=[ImportedReply("Dank je!", when("2024-03-02 09:00"))]),
        record("edited", updated=far, where="reviews.json:#2"),
        record("replied", replies=[ImportedReply("Dank je!", far)], where="reviews.json:#3"),
        record("dated", replied_on=when("2999-01-01 00:00"), where="reviews.json:#4"),
        record(
            "naive", replies=[ImportedReply("Dank je!", dt.datetime(2024, 3, 2))], where="reviews.json:#5"
        ),
    )
    assert sorted(str(p) for p in plan.problems) == [
        "reviews.json:#2: updated: '9999-12-31' is not a date between 1970 and 2100; check the year",
        "reviews.json:#3: reply date: '9999-12-31' is not a date between 1970 and 2100; check the year",
        "reviews.json:#4: reply date: '2999-01-01' is not a date between 1970 and 2100; check the year",
        "reviews.json:#5: reply date: has no time zone (a bug in the platform's reader)",
    ]
    assert outcome.count("review", "new") == 1 and outcome.count("response", "new") == 1
    (shown,) = shop_of(site).reviews  # the build reads what was written
    assert len(shown.thread) == 1


def test_one_line_fields_keep_their_words_apart(tmp_path: Path) -> None:
    """A vertical tab or a NEL between two words is a space in a name, a title or a product's name."""
    site = make(tmp_path)
    product = ImportedProduct("espresso\u2028x1", name="Espresso\x0bX1", sku="BB\x85ESP")
    run(
        site,
        product_review("s1", product, author="Jan\x0bde Vries", title="Title\x85Rating: 1", text="Goed."),
    )
    written = content_files(site)
    review = head(next(text for path, text in written.items() if path.startswith("reviews/")))
    assert review["Author"] == "Jan de V." and review["Title"] == "Title Rating: 1"
    assert review["Rating"] == "5" and review["Product"] == "espresso-x1"
    assert head(written["products/espresso-x1.md"]) == {"Title": "Espresso X1", "SKU": "BB ESP"}
    (shown,) = shop_of(site).reviews
    assert shown.author == "Jan de V." and shown.product is not None and shown.product.title == "Espresso X1"


def test_the_order_reference_is_private_and_hidden_where_the_reviewer_typed_it(tmp_path: Path) -> None:
    site = make(tmp_path)
    run(site, record(order="ORD-2019-00417", text="Bestelling ORD-2019-00417 kwam snel."))
    (text,) = content_files(site).values()
    assert head(text)["Order"] == "ORD-2019-00417"
    (shown,) = shop_of(site).reviews
    assert shown.private["order"] == "ORD-2019-00417"
    assert "ORD-2019-00417" not in shown.body_html and "kwam snel" in shown.body_html


def test_hostile_text_stays_text_and_control_characters_never_reach_a_file(tmp_path: Path) -> None:
    site = make(tmp_path)
    run(
        site,
        record(
            title="Nice\nRating: 1\x00",
            author="Eve\r\nSource: invited",
            text="<script>alert(1)</script>\x1b[31m\n\nVerified: yes",
        ),
    )
    (text,) = content_files(site).values()
    fields = head(text)
    assert (
        fields["Title"] == "Nice Rating: 1"
        and fields["Rating"] == "5"
        and fields["Source"] == "imported:trustpilot"
    )
    assert "\x00" not in text and "\x1b" not in text and "Verified" not in fields
    (shown,) = shop_of(site).reviews
    assert "<script>" not in shown.body_html and "&lt;script&gt;" in shown.body_html


# -- a second run ---------------------------------------------------------------------------


def test_the_same_export_twice_writes_nothing_the_second_time(tmp_path: Path) -> None:
    site = make(tmp_path)
    review = record(replies=[ImportedReply("Dank je!", when("2024-03-02 09:15"))])
    run(site, review)
    ledger = site / "imports" / "ledger.json"
    before = {p: p.stat().st_mtime_ns for p in [ledger, *(site / "content").rglob("*.md")]}
    _plan, outcome = run(site, review)
    assert outcome.wrote == 0
    assert outcome.count("review", "already") == 1 and outcome.count("response", "already") == 1
    assert {p: p.stat().st_mtime_ns for p in before} == before


def test_a_newer_export_adds_only_what_is_new(tmp_path: Path) -> None:
    site = make(tmp_path)
    run(site, record("a"))
    _plan, outcome = run(site, record("a"), record("b", date=when("2024-04-01 10:00")))
    assert outcome.count("review", "new") == 1 and outcome.count("review", "already") == 1
    assert len(shop_of(site).reviews) == 2


def test_a_change_on_the_platform_is_reported_and_taken_only_with_update(tmp_path: Path) -> None:
    site = make(tmp_path)
    run(site, record(text="Goed verpakt, maar laat."))
    (path,) = (site / "content" / "reviews").glob("*.md")
    changed = record(text="Goed verpakt, en toch op tijd.", updated=when("2024-03-09 10:00"))
    _plan, outcome = run(site, changed)
    assert outcome.count("review", "changed") == 1 and outcome.wrote == 0
    assert "maar laat" in path.read_text(encoding="utf-8")
    _plan, outcome = run(site, changed)  # still a change not taken
    assert outcome.count("review", "changed") == 1
    _plan, outcome = run(site, changed, update=True)
    assert outcome.count("review", "updated") == 1 and "op tijd" in path.read_text(encoding="utf-8")
    _plan, outcome = run(site, changed, update=True)
    assert outcome.count("review", "already") == 1 and outcome.wrote == 0


def test_a_change_of_settings_is_not_called_a_change_on_the_platform(tmp_path: Path) -> None:
    site = make(tmp_path)
    run(site, record())
    write_settings(site, REVIEWS_IMPORT_NAMES="full")
    _plan, outcome = run(site, record())
    assert outcome.count("review", "differs") == 1 and outcome.count("review", "changed") == 0
    run(site, record(), update=True)
    assert head(next(iter(content_files(site).values())))["Author"] == "Jan de Vries"


def test_a_file_edited_by_hand_is_never_overwritten(tmp_path: Path) -> None:
    site = make(tmp_path)
    run(site, record(text="Goed verpakt, maar laat."))
    (path,) = (site / "content" / "reviews").glob("*.md")
    edited = path.read_text(encoding="utf-8").replace("Author: Jan de V.", "Author: Jan")
    path.write_text(edited, encoding="utf-8")
    for update in (False, True):
        _plan, outcome = run(site, record(text="Now different on the platform."), update=update)
        assert outcome.count("review", "edited") == 1 and outcome.wrote == 0
        assert path.read_text(encoding="utf-8") == edited


def test_a_file_the_import_never_wrote_is_left_as_it_is(tmp_path: Path) -> None:
    site = make(tmp_path)
    slug = review_slug(record(), UTC)
    own = "Date: 2024-03-01 15:22\nRating: 4\nSource: imported:trustpilot\n\nMy own copy.\n"
    path = write(site, f"reviews/{slug}.md", own)
    _plan, outcome = run(site, record(), update=True)
    assert outcome.count("review", "foreign") == 1 and path.read_text(encoding="utf-8") == own


def test_a_deleted_file_is_written_again_and_said_so(tmp_path: Path) -> None:
    site = make(tmp_path)
    run(site, record())
    (path,) = (site / "content" / "reviews").glob("*.md")
    path.unlink()
    _plan, outcome = run(site, record())
    assert outcome.count("review", "again") == 1 and path.is_file()


def test_a_new_reply_beside_the_shops_own_response_takes_the_next_name(tmp_path: Path) -> None:
    site = make(tmp_path)
    run(site, record(rating=2))
    slug = review_slug(record(), UTC)
    mine = write(
        site, f"responses/{slug}-1.md", f"Review: {slug}\nDate: 2024-03-01 18:00\n\nSorry, we call you.\n"
    )
    answered = record(rating=2, replies=[ImportedReply("Opgelost, zie mail.", when("2024-03-03 09:00"))])
    _plan, outcome = run(site, answered)
    assert outcome.count("response", "new") == 1
    assert (site / "content" / "responses" / f"{slug}-1-2.md").is_file()
    assert mine.read_text(encoding="utf-8").endswith("Sorry, we call you.\n")
    _plan, outcome = run(site, answered)
    assert outcome.wrote == 0 and outcome.count("response", "already") == 1
    (site / "imports" / "ledger.json").unlink()
    _plan, outcome = run(site, answered)  # without the ledger, found again by its text
    assert outcome.wrote == 0 and outcome.count("response", "already") == 1
    assert sorted(p.name for p in (site / "content" / "responses").iterdir()) == [
        f"{slug}-1-2.md",
        f"{slug}-1.md",
    ]
    assert len(shop_of(site).reviews[0].thread) == 2


ANSWERED = record(
    rating=2,
    replies=[
        ImportedReply("Sorry! We sturen een nieuwe.", when("2024-03-02 09:00")),
        ImportedReply("Is hij goed aangekomen?", when("2024-03-06 09:00")),
    ],
)


def test_replies_are_named_by_their_place_and_found_again_without_the_ledger(tmp_path: Path) -> None:
    site = make(tmp_path)
    run(site, ANSWERED)
    slug = review_slug(ANSWERED, UTC)
    responses = site / "content" / "responses"
    assert sorted(p.name for p in responses.iterdir()) == [f"{slug}-1.md", f"{slug}-2.md"]
    (site / "imports" / "ledger.json").unlink()  # lost, or a run killed before it saved it
    _plan, outcome = run(site, ANSWERED)
    assert outcome.wrote == 0 and outcome.count("response", "already") == 2
    assert outcome.count("review", "already") == 1
    assert sorted(p.name for p in responses.iterdir()) == [f"{slug}-1.md", f"{slug}-2.md"]
    (shown,) = shop_of(site).reviews
    assert [e.slug for e in shown.thread] == [f"{slug}-1", f"{slug}-2"]
    assert "nieuwe" in shown.thread[0].body_html and "aangekomen" in shown.thread[1].body_html


def test_without_the_ledger_a_reply_name_holding_other_words_is_left_and_never_doubled(
    tmp_path: Path,
) -> None:
    """No ledger: ``<review>-1`` may be this reply as an earlier import wrote it, so nothing is added."""
    site = make(tmp_path)
    run(site, ANSWERED)
    (site / "imports" / "ledger.json").unlink()
    first = site / "content" / "responses" / f"{review_slug(ANSWERED, UTC)}-1.md"
    edited = first.read_text(encoding="utf-8").replace("nieuwe", "nieuwe fiets")
    first.write_text(edited, encoding="utf-8")
    for update in (False, True):
        _plan, outcome = run(site, ANSWERED, update=update)
        assert outcome.count("response", "foreign") == 1 and outcome.count("response", "already") == 1
        assert outcome.wrote == 0 and first.read_text(encoding="utf-8") == edited
        assert len(list(first.parent.iterdir())) == 2


def test_a_hand_edit_is_never_taken_for_an_unfinished_write(tmp_path: Path) -> None:
    """Deleting a review's last line leaves the start of the import's text: still someone's edit."""
    site = make(tmp_path)
    run(site, record(text="Binnen twee dagen in huis.\nGoed verpakt, de fiets was al afgesteld."))
    (site / "imports" / "ledger.json").unlink()
    (path,) = (site / "content" / "reviews").glob("*.md")
    edited = path.read_text(encoding="utf-8").rsplit("Goed verpakt", 1)[0]
    path.write_text(edited, encoding="utf-8")
    again = record(text="Binnen twee dagen in huis.\nGoed verpakt, de fiets was al afgesteld.")
    for update in (False, True):
        _plan, outcome = run(site, again, update=update)
        assert outcome.count("review", "foreign") == 1 and outcome.wrote == 0
        assert path.read_text(encoding="utf-8") == edited


@pytest.mark.parametrize("unnamed", [True, False], ids=["o_tmpfile", "temporary-file"])
def test_the_one_writer_never_replaces_and_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unnamed: bool
) -> None:
    """Both ways of writing a file whole before it is named: Linux's unnamed file, and elsewhere's."""
    monkeypatch.setattr(files, "_UNNAMED", unnamed and files._UNNAMED)
    folder = tmp_path / "content" / "responses"  # made on the way
    first = files.write_new(folder, "x-1", "Review: x\n\nDank je!\n", sync=False, numbered=False)
    assert first == folder / "x-1.md" and first.read_text(encoding="utf-8") == "Review: x\n\nDank je!\n"
    assert files.write_new(folder, "x-1", "Review: x\n\nDank je!\n", numbered=False) == first
    with pytest.raises(files.NoFreeName, match="x-1.md: is there already, with other text"):
        files.write_new(folder, "x-1", "Review: x\n\nAnders.\n", numbered=False)
    assert files.write_new(folder, "x-1", "Review: x\n\nAnders.\n") == folder / "x-1-2.md"
    assert sorted(p.name for p in folder.iterdir()) == ["x-1-2.md", "x-1.md"]  # no temporary file left
    assert first.read_text(encoding="utf-8") == "Review: x\n\nDank je!\n"
    assert first.stat().st_mode & 0o777 == 0o600


def test_an_empty_file_the_ledger_does_not_know_is_written(tmp_path: Path) -> None:
    """What a power cut leaves of a file written without a sync: no words, which the build refuses."""
    site = make(tmp_path)
    slug = review_slug(ANSWERED, UTC)
    review = write(site, f"reviews/{slug}.md", "")
    reply = write(site, f"responses/{slug}-1.md", "")
    _plan, outcome = run(site, ANSWERED)
    assert outcome.count("review", "new") == 1 and outcome.count("response", "new") == 2
    assert review.stat().st_size and reply.stat().st_size
    assert len(shop_of(site).reviews[0].thread) == 2


def test_a_killed_runs_temporary_files_are_removed_by_the_next_run(tmp_path: Path) -> None:
    site = make(tmp_path)
    folder = site / "content" / "reviews"
    folder.mkdir(parents=True)
    stale, fresh = folder / ".incoming-k1ll3d.tmp", folder / ".incoming-n0w.tmp"
    stale.write_text("Date: 2024-03-01", encoding="utf-8")
    fresh.write_text("Date: 2024-03-01", encoding="utf-8")
    old = stale.stat().st_mtime - 3600
    os.utime(stale, (old, old))
    run(site, record(), dry_run=True)
    assert stale.exists()  # a dry run touches nothing
    run(site, record())
    assert not stale.exists() and fresh.exists()  # a young one may be another run's, writing now
    assert [p.suffix for p in folder.iterdir() if not p.name.startswith(".")] == [".md"]


def test_a_dry_run_writes_nothing_not_even_the_ledger(tmp_path: Path) -> None:
    site = make(tmp_path)
    _plan, outcome = run(
        site, record(replies=[ImportedReply("Dank je!", when("2024-03-02 09:15"))]), dry_run=True
    )
    assert outcome.count("review", "new") == 1 and len(outcome.paths["new"]) == 2
    assert not list((site / "content").rglob("*.md")) and not (site / "imports").exists()


def test_the_ledger_is_private_and_says_what_was_written(tmp_path: Path) -> None:
    site = make(tmp_path)
    review = record(email="jan@example.com")
    run(site, review)
    data = json.loads((site / "imports" / "ledger.json").read_text(encoding="utf-8"))
    (relpath, digest) = next(iter(data["files"].items()))
    assert data["ids"][f"trustpilot:{review.platform_id}"] == relpath
    assert digest == files_digest(site / "content" / relpath)
    inside = make(tmp_path / "other", REVIEWS_IMPORT_LEDGER="content/ledger.json")
    with pytest.raises(
        UsageError, match="REVIEWS_IMPORT_LEDGER's folder .* is inside the site's content folder"
    ):
        run(inside, record())


def test_a_broken_ledger_stops_the_run_with_what_to_do(tmp_path: Path) -> None:
    site = make(tmp_path)
    (site / "imports").mkdir()
    (site / "imports" / "ledger.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(RedressError, match="ledger cannot be read .* restore it"):
        run(site, record())


def files_digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- products --------------------------------------------------------------------------------

ESPRESSO = ("products/espresso-x1.md", "Title: Espresso X1\nSKU: BB-ESP-X1\n\nA machine.\n")


def product_review(platform_id: str, product: ImportedProduct, **fields: Any) -> ImportedReview:
    return record(platform_id, platform="shopify", product=product, **fields)


def test_reviews_find_the_shops_products_by_handle_or_sku_and_unknown_ones_are_created(
    tmp_path: Path,
) -> None:
    site = make(tmp_path, ESPRESSO)
    plan, outcome = run(
        site,
        product_review("1", ImportedProduct("espresso-x1", "Espresso X1")),
        product_review("2", ImportedProduct("9001", "Espresso X1 (2024)", sku="bb-esp-x1")),
        product_review(
            "3",
            ImportedProduct("milk-jug", "Milk jug 0.5 l", sku="MJ-05", url="https://shop.example/milk-jug"),
        ),
        product_review("4", ImportedProduct("milk-jug", "Milk jug 0.5 l")),
    )
    assert plan.products_matched == {"espresso-x1"} and outcome.count("product", "new") == 1
    created = content_files(site)["products/milk-jug.md"]
    assert head(created) == {
        "Title": "Milk jug 0.5 l",
        "SKU": "MJ-05",
        "URL": "https://shop.example/milk-jug",
    }
    shop = shop_of(site)
    assert sorted((r.slug.rsplit("-", 1)[1], r.product_slug) for r in shop.reviews) == [
        ("1", "espresso-x1"),
        ("2", "espresso-x1"),
        ("3", "milk-jug"),
        ("4", "milk-jug"),
    ]
    _plan, outcome = run(site, product_review("3", ImportedProduct("milk-jug", "Milk jug 0.5 l")))
    assert outcome.count("product", "new") == 0


def test_a_numeric_product_id_is_named_after_the_product(tmp_path: Path) -> None:
    site = make(tmp_path)
    run(site, record("1", platform="woocommerce", product=ImportedProduct("42", "Tandem Deluxe")))
    assert "products/tandem-deluxe.md" in content_files(site)


def test_product_option_maps_every_review(tmp_path: Path) -> None:
    site = make(tmp_path, ESPRESSO)
    run(
        site, record("1"), product_review("2", ImportedProduct("milk-jug", "Milk jug")), product="espresso-x1"
    )
    shop = shop_of(site)
    assert {r.product_slug for r in shop.reviews} == {"espresso-x1"} and set(shop.products) == {"espresso-x1"}


# -- languages -------------------------------------------------------------------------------

DUTCH = "De fiets kwam veel te laat en de bel was kapot, erg jammer."
ENGLISH = "The bike arrived far too late and the bell was broken, a pity."
ESTONIAN = "Ratas saabus liiga hilja ja kell oli katki, väga kahju."


def test_the_exports_language_wins_then_lang_then_a_guess(tmp_path: Path) -> None:
    site = make(tmp_path, DEFAULT_LANG="nl", I18N_SUBSITES={"en": {}, "et": {}})
    run(
        site,
        record("a", lang="en-GB", text=DUTCH),
        record("b", lang="", text=DUTCH),
        record("c", lang="", text=ENGLISH),
        record("d", lang="", text=ESTONIAN),
        record("e", lang="", title="", text="Top!"),
    )
    langs = {r.slug[-1]: r.lang for r in shop_of(site).reviews}
    assert langs == {"a": "en-gb", "b": "nl", "c": "en", "d": "et", "e": "nl"}
    site2 = make(tmp_path / "2", DEFAULT_LANG="nl", I18N_SUBSITES={"en": {}})
    run(site2, record("b", lang="", text=DUTCH), record("c", lang="", text=ENGLISH), lang="de")
    assert {r.lang for r in shop_of(site2).reviews} == {"de"}


def test_a_guess_is_made_once_and_a_later_export_never_changes_it(tmp_path: Path) -> None:
    site = make(tmp_path, DEFAULT_LANG="nl")
    german = record("g", lang="", text="Lange Wartezeit, unfreundliches Personal, leider.")
    run(site, german)  # the shop declares Dutch only: Dutch it is
    assert {r.lang for r in shop_of(site).reviews} == {"nl"}
    # A newer export has a review in German: German is now among the languages, but the
    # first review keeps the language it was given.
    _plan, outcome = run(site, german, record("h", lang="de", text="Sehr gut."))
    assert outcome.count("review", "already") == 1 and outcome.count("review", "new") == 1


def test_guesses_are_limited_to_the_shops_languages() -> None:
    only_dutch = Guesser(["nl"], "nl")
    assert only_dutch.guess(ENGLISH) == "nl"
    assert Guesser(["nl", "en"], "nl").guess("Dit is echt een hele mooie fiets geworden.") == "nl"
    # Afrikaans looks like Dutch; a Dutch and English shop never gets it.
    assert Guesser(["nl", "en"], "nl").guess("Die fiets het baie laat aangekom, baie jammer.") in ("nl", "en")


def test_the_languages_of_the_shops_own_reviews_count_as_declared(tmp_path: Path) -> None:
    site = make(tmp_path, ("reviews/oma.md", "Date: 2024-01-01 10:00\nRating: 5\nLang: et\n\nVäga hea.\n"))
    run(site, record("d", lang="", text=ESTONIAN), record("c", lang="", text=ENGLISH))
    assert {r.slug[-1]: r.lang for r in shop_of(site).reviews if r.slug != "oma"} == {"d": "et", "c": "en"}


# -- the model's new keys ---------------------------------------------------------------------


def parse_review(text: str) -> tuple[model.Review | None, list[str]]:
    raw = split_file(text.encode(), "reviews/x.md")
    review = read_review(raw, "x", "reviews/x.md", Context(5, "en", UTC))
    return review, [str(p) for p in raw.problems]


def test_invited_and_replied_belong_to_imported_reviews_only() -> None:
    review, problems = parse_review(
        "Date: 2024-03-01 10:00\nRating: 4\nInvited: yes\nReplied: 2024-03-02\n\nOk.\n"
    )
    assert review is None
    assert problems == [
        "reviews/x.md: Invited: is for reviews imported from a platform that invited the reviewer (Source: "
        "imported:<platform>); for a customer you invited yourself, use Source: invited",
        "reviews/x.md: Replied: is for reviews imported from a platform (Source: imported:<platform>); "
        "write your reply as a response file in the responses folder instead",
    ]
    review, problems = parse_review(
        "Date: 2024-03-01 10:00\nRating: 4\nSource: imported:kiyoh\nInvited: ja\nReplied: 2024-02-01\n\nOk.\n"
    )
    assert problems == ["reviews/x.md: Replied: is before the review's Date; check the date"]
    review, problems = parse_review(
        "Date: 2024-03-01 10:00\nRating: 4\nSource: imported:kiyoh\nInvited: maybe\n\nOk.\n"
    )
    assert problems == ["reviews/x.md: Invited: 'maybe' is not yes or no"]
    review, problems = parse_review(
        "Date: 2024-03-01 10:00\nRating: 4\nSource: imported:Some Site\nInvited: yes\n"
        "Replied: 2024-03-02 08:00\n\nOk.\n"
    )
    assert review is not None and not problems
    assert review.platform_invited and review.replied_on == dt.datetime(2024, 3, 2, 8, tzinfo=UTC)
    assert review.platform_name == "Some Site"  # a platform typed by hand shows as typed


def test_platform_names_are_one_list_for_the_page_and_the_command() -> None:
    assert set(model.PLATFORM_NAMES) == set(platforms.PLATFORMS)
    assert [platforms.display_name(p) for p in ("google-play", "judgeme", "woocommerce", "elsewhere")] == [
        "Google Play",
        "Judge.me",
        "WooCommerce",
        "elsewhere",
    ]


def test_response_and_product_texts_are_read_back_by_the_one_reader() -> None:
    ctx = Context(5, "en", UTC)
    text = files.response_text(
        review="r",
        date=dt.datetime(2024, 3, 2, 9, 15, tzinfo=UTC),
        text="Thanks\r\nfor this.",
        status="resolved",
    )
    raw = split_file(text.encode(), "responses/r-1.md")
    entry = read_entry(raw, "r-1", "responses/r-1.md", ctx)
    assert entry is not None and not raw.problems and entry.status == "resolved" and entry.by_shop
    text = files.product_text(title="Milk jug\nGTIN: 1", sku="MJ-05", url="https://shop.example/mj")
    raw = split_file(text.encode(), "products/mj.md")
    product = read_product(raw, "mj", "products/mj.md", ctx)
    assert (
        product is not None and not raw.problems and product.title == "Milk jug GTIN: 1" and not product.gtin
    )


def test_respond_writes_its_file_through_the_one_writer() -> None:
    source = (Path(files.__file__).parent.parent / "desk" / "respond.py").read_text(encoding="utf-8")
    assert "files.response_text(" in source and not re.search(r'f"Review: \{', source)


#: What the page says about imported reviews, in every catalog.
PAGE_WORDS = [
    "Invited by %(platform)s",
    "%(shop)s replied on %(platform)s on %(date)s",
    "The review site itself asked this customer for a review. We did not check the order behind it.",
    "%(platform)s rates from 1 to 10. We show its ratings as the nearest number of stars: 1–2 is 1 star, "
    "3–4 is 2 stars, 5–6 is 3, 7–8 is 4 and 9–10 is 5.",
    "%(platform)s rates with 1 to 5 stars. We show its ratings on our scale of 10: "
    "1 star is 1, 2 stars are 3, 3 are 6, 4 are 8 and 5 are 10.",
    "We show the reviewer's name shortened, like Jan de V.",
    "We do not show the reviewer's name.",
]


@pytest.mark.parametrize("lang", ["nl", "et"])
def test_what_the_page_says_about_imports_is_translated(lang: str) -> None:
    from babel.messages.extract import extract_from_file
    from babel.messages.pofile import read_po
    from pelican.plugins.redress.i18n import TRANSLATIONS_DIR
    from pelican.plugins.redress.templating import TEMPLATES_DIR

    used = set()
    for name in ("review_card.html", "how_reviews_work.html", "widgets/words.html", "widgets/embed.js"):
        options = {"extensions": "jinja2.ext.i18n", "trimmed": "true"}
        used |= {
            m[1] for m in extract_from_file("jinja2", str(TEMPLATES_DIR / "redress" / name), options=options)
        }
    assert set(PAGE_WORDS) <= used
    with (TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "redress.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    for message in PAGE_WORDS:
        entry = catalog.get(message)
        assert entry is not None and entry.string, message
        assert sorted(re.findall(r"%\(\w+\)s", message)) == sorted(re.findall(r"%\(\w+\)s", entry.string))
