"""`redress import trustpilot`: the business export (CSV, XLSX, older columns) and the page's data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from import_exports import google as google_files
from import_exports import google_play as play_files
from import_exports import trustpilot as files
from import_exports.others import shop_platform_exports
from pelican.plugins.redress.imports import trustpilot
from pelican.plugins.redress.imports.records import (
    ImportedReply,
    ImportedReview,
    RowProblem,
    Skip,
    UnreadableExport,
)
from pelican.plugins.redress.imports.tables import DUPLICATE


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def problem_line(path: Path) -> str:
    """The line `redress import` prints for a file it cannot read."""
    with pytest.raises(UnreadableExport) as caught:
        trustpilot.read([path])
    return caught.value.lines()[0]


def without_where(reviews: list[ImportedReview]) -> list[ImportedReview]:
    return [dataclasses.replace(r, where="") for r in reviews]


def business(path: Path) -> list[ImportedReview]:
    """What the three rows of files.BUSINESS_ROWS are, read from `path`."""
    return [
        ImportedReview(
            platform="trustpilot",
            platform_id="65e1f2a3b4c5d6e7f8a9b0c1",
            where=f"{path}:2",
            date=utc("2024-03-01 14:22:10"),
            rating=5,
            title="Snel geleverd",
            text="Binnen twee dagen in huis.\nGoed verpakt, de fiets was al afgesteld.",
            lang="nl",
            replied_on=utc("2024-03-02 09:15:00"),
            invited_by_platform=True,
        ),
        ImportedReview(
            platform="trustpilot",
            platform_id="65f0a1b2c3d4e5f6a7b8c9d0",
            where=f"{path}:3",
            date=utc("2024-03-12 08:05:44"),
            rating=1,
            title="<script>alert('x')</script>",
            text='Kapot aangekomen & niemand reageert op "mijn" mails. <img src=x onerror=alert(1)>',
            lang="nl",
        ),
        ImportedReview(
            platform="trustpilot",
            platform_id="6601c2d3e4f5a6b7c8d9e0f1",
            where=f"{path}:4",
            date=utc("2024-03-20 19:40:02"),
            rating=4,
            title="Good bike, slow answer",
            text="The bike is great; customer service took a week.",
            lang="en",
            invited_by_platform=True,
        ),
    ]


def test_the_business_csv_is_read_row_by_row(tmp_path):
    path = files.business_csv(tmp_path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbfReview ID,Review Created (UTC),")

    batch = trustpilot.read([path])

    assert batch.reviews == business(path)
    assert (batch.rows, batch.skips, batch.problems) == (3, [], [])


def test_a_reply_date_without_text_is_a_fact_not_an_empty_reply(tmp_path):
    first = trustpilot.read([files.business_csv(tmp_path)]).reviews[0]
    assert first.replies == []
    assert first.replied_on == utc("2024-03-02 09:15:00")


def test_the_older_export_brings_names_and_reply_texts(tmp_path):
    path = files.older_csv(tmp_path)

    batch = trustpilot.read([path])

    assert batch.reviews == [
        ImportedReview(
            platform="trustpilot",
            platform_id="5c8e1a2b3c4d5e6f7a8b9c0d",
            where=f"{path}:2",
            date=utc("2019-03-17 11:02:33"),
            rating=4,
            title="Prima winkel",
            text="Fiets kwam met een kras, binnen een week opgelost.",
            author="Jan de Vries",
            order="ORD-2019-00417",  # private: the page hides it where the reviewer typed it
            lang="nl",
            replies=[
                ImportedReply(
                    "Dank je Jan! Fijn dat het opgelost is.\nGroet, Marloes", utc("2019-03-18 08:30")
                )
            ],
            invited_by_platform=True,
        ),
        ImportedReview(
            platform="trustpilot",
            platform_id="5c9f2b3c4d5e6f7a8b9c0d1e",
            where=f"{path}:3",
            date=utc("2019-04-02 16:45:00"),
            rating=3,
            title="Helmet too small",
            text="Returned it, refund came fast.",
            author="Priya Sharma",
            order="ORD-2019-00522",
            lang="en",
        ),
    ]
    assert batch.reviews[0].replies[0].status is None  # nobody recorded an outcome


@pytest.mark.parametrize("dates", ["datetime", "serial"])
def test_the_xlsx_export_with_real_dates_or_excel_serial_numbers(tmp_path, dates):
    path = files.business_xlsx(tmp_path, dates=dates)
    from openpyxl import load_workbook

    sheet = load_workbook(path).active
    assert sheet is not None
    created = sheet["B2"].value
    assert isinstance(created, dt.datetime if dates == "datetime" else float)
    assert sheet["F2"].value == 5.0  # stars as a spreadsheet number, not text

    batch = trustpilot.read([path])

    assert without_where(batch.reviews) == without_where(business(path))
    assert [r.where for r in batch.reviews] == [f"{path}:2", f"{path}:3", f"{path}:4"]
    assert all(r.date.tzinfo is dt.UTC for r in batch.reviews)


def test_headers_in_any_case_spacing_with_or_without_bom(tmp_path):
    odd = ["  " + h.upper().replace(" ", "  ") + " " for h in files.BUSINESS_COLUMNS]
    shouting = files.business_csv(tmp_path, headers=odd, name="shouting.csv")
    plain = files.business_csv(tmp_path, headers=[h.lower() for h in files.BUSINESS_COLUMNS], bom=False)

    for path in (shouting, plain):
        assert without_where(trustpilot.read([path]).reviews) == without_where(business(path))


def test_a_bad_row_is_a_problem_with_its_row_and_the_other_rows_still_import(tmp_path):
    rows = [dict(r) for r in files.BUSINESS_ROWS]
    rows[0]["Review Stars"] = "4.5"
    rows[1]["Review Created (UTC)"] = "gisteren"
    rows[2]["Company Reply Date (UTC)"] = "2024-03-21 10:00:00"
    path = files.business_csv(tmp_path, rows)

    batch = trustpilot.read([path])

    assert batch.problems == [
        RowProblem(f"{path}:2", "Review Stars", "'4.5' is not a whole number of stars from 1 to 5"),
        RowProblem(
            f"{path}:3", "Review Created (UTC)", "'gisteren' is not a date and time like 2024-03-01 14:30:00"
        ),
    ]
    assert [r.platform_id for r in batch.reviews] == ["6601c2d3e4f5a6b7c8d9e0f1"]
    assert batch.reviews[0].replied_on == utc("2024-03-21 10:00")
    assert batch.rows == 3
    assert (
        str(batch.problems[0]) == f"{path}:2: Review Stars: '4.5' is not a whole number of stars from 1 to 5"
    )


def test_a_row_without_an_id_is_a_problem_and_an_empty_row_is_a_counted_skip(tmp_path):
    rows = [dict(r) for r in files.BUSINESS_ROWS[:2]]
    rows[0]["Review ID"] = ""
    rows[1].update({"Review Title": "", "Review Content": "", "Review Stars": ""})
    path = files.business_csv(tmp_path, rows)

    batch = trustpilot.read([path])

    assert batch.problems == [
        RowProblem(
            f"{path}:2", "Review ID", "is empty; every Trustpilot review has one. Export the file again."
        )
    ]
    assert batch.skips == [Skip(f"{path}:3", "no text and no rating")]
    assert (batch.reviews, batch.rows) == ([], 2)


def test_the_same_review_in_two_exports_is_imported_once(tmp_path):
    march = files.business_csv(tmp_path, files.BUSINESS_ROWS[:2], name="march.csv")
    april = files.business_csv(tmp_path, files.BUSINESS_ROWS[1:], name="april.csv")

    batch = trustpilot.read([march, april])

    assert [r.platform_id for r in batch.reviews] == [
        "65e1f2a3b4c5d6e7f8a9b0c1",
        "65f0a1b2c3d4e5f6a7b8c9d0",
        "6601c2d3e4f5a6b7c8d9e0f1",
    ]
    assert batch.reviews[1].where == f"{april}:2"  # a tie: the file read last wins
    assert batch.skips == [Skip(f"{march}:3", DUPLICATE)]
    assert batch.rows == 4


def test_a_file_that_is_no_trustpilot_export_names_what_it_expected_and_found(tmp_path):
    other = tmp_path / "orders.csv"
    other.write_text("order,name,total\n1001,Jan,25.00\n", encoding="utf-8")
    with pytest.raises(UnreadableExport) as caught:
        trustpilot.read([other])
    assert caught.value.lines() == [
        f"{other}: not a Trustpilot export: expected the columns Review ID, Review Created (UTC), "
        "Review Stars; missing Review ID, Review Created (UTC), Review Stars; found: order, name, total",
        f"import: {other} could not be read; nothing was written.",
    ]

    play = play_files.console_csv(tmp_path, [])
    assert "found: Package Name, App Version Code" in problem_line(play)

    takeout = google_files.takeout_zip(tmp_path)
    assert "cannot be read as CSV or XLSX" in problem_line(takeout)

    missing = tmp_path / "reviews-2023.csv"
    assert problem_line(missing).startswith(
        f"{missing}: not a Trustpilot export: the file cannot be read as CSV"
    )


# The public page's data ------------------------------------------------------------------


def page(path: Path) -> list[ImportedReview]:
    """What files.PAGE_REVIEWS are, read from `path`."""
    return [
        ImportedReview(
            platform="trustpilot",
            platform_id="66a1b2c3d4e5f6a7b8c9d0e1",
            where=f"{path}:#1",
            date=utc("2024-07-24 18:02:11"),
            rating=5,
            title="Top service",
            text="Snelle levering en de fiets was perfect afgesteld.",
            author="Jan de Vries",
            lang="nl",
            replies=[ImportedReply("Dank je wel, Jan!", utc("2024-07-25 07:30"))],
            invited_by_platform=True,
        ),
        ImportedReview(
            platform="trustpilot",
            platform_id="66b2c3d4e5f6a7b8c9d0e1f2",
            where=f"{path}:#2",
            date=utc("2024-08-02 09:15:27"),
            rating=2,
            title="Te laat",
            text="Bestelling kwam <b>te laat</b> & incompleet.",
            author="Kees",
            lang="nl",
            updated=utc("2024-08-05 10:00"),
        ),
        ImportedReview(
            platform="trustpilot",
            platform_id="66c3d4e5f6a7b8c9d0e1f2a3",
            where=f"{path}:#3",
            date=utc("2024-08-10 12:00"),
            rating=4,
            title="Recommended",
            text="Good shop.",
            author="Mari Tamm",
            lang="en",
            invited_by_platform=True,
        ),
    ]


@pytest.mark.parametrize("build", [files.page_html, files.next_data_json, files.reviews_json])
def test_the_page_data_as_saved_page_whole_json_or_review_list(tmp_path, build):
    path = build(tmp_path)

    batch = trustpilot.read([path])

    assert batch.reviews == page(path)
    assert (batch.rows, batch.skips, batch.problems) == (3, [], [])


def test_the_saved_page_escapes_markup_the_way_next_js_does(tmp_path):
    html = files.page_html(tmp_path).read_text(encoding="utf-8")
    assert "\\u003cb\\u003ete laat" in html and "<b>te laat" not in html
    assert (
        trustpilot.read([tmp_path / "page.html"]).reviews[1].text.startswith("Bestelling kwam <b>te laat</b>")
    )


def test_a_bad_review_object_is_a_problem_and_the_rest_still_import(tmp_path):
    reviews = json.loads(json.dumps(files.PAGE_REVIEWS))
    reviews[0]["rating"] = 0
    del reviews[1]["id"]
    reviews.append("not a review")
    path = files.reviews_json(tmp_path, reviews)

    batch = trustpilot.read([path])

    assert batch.problems == [
        RowProblem(f"{path}:#1", "rating", "0 is not a whole number of stars from 1 to 5"),
        RowProblem(f"{path}:#2", "id", "is missing; a Trustpilot review object always has one"),
        RowProblem(f"{path}:#4", None, "is not a review object but a JSON str"),
    ]
    assert [r.platform_id for r in batch.reviews] == ["66c3d4e5f6a7b8c9d0e1f2a3"]
    assert batch.rows == 4


def test_page_data_that_is_not_trustpilots_names_what_it_expected(tmp_path):
    page_without = tmp_path / "saved.html"
    page_without.write_text("<html><body><h1>Reviews</h1></body></html>", encoding="utf-8")
    assert 'expected a saved review page with <script id="__NEXT_DATA__">' in problem_line(page_without)

    empty_props = tmp_path / "props.json"
    empty_props.write_text('{"props": {"pageProps": {}}, "page": "/"}', encoding="utf-8")
    with pytest.raises(UnreadableExport) as caught:
        trustpilot.read([empty_props])
    assert caught.value.lines()[0] == (
        f"{empty_props}: not a Trustpilot export: expected __NEXT_DATA__ with props.pageProps.reviews, "
        "or a list of review objects with id, rating, dates.publishedDate; found: the keys props, page"
    )

    google_api = google_files.api_json(tmp_path)  # a "reviews" list too, of Google's objects
    assert "found: the keys name, reviewId, reviewer, starRating" in problem_line(google_api)

    broken = tmp_path / "broken.json"
    broken.write_text('{"props": ', encoding="utf-8")
    assert "not valid JSON (Expecting value at line 1, column 11)" in problem_line(broken)


# Privacy and recognition -----------------------------------------------------------------

PRIVATE = [
    "5f3c2b1a0e9d8c7b6a5f4e3d",  # Review Consumer User ID
    "60a1b2c3d4e5f6a7b8c9d0e1",
    "61b2c3d4e5f6a7b8c9d0e1f2",
    "5c8e0f1e2d3c4b5a69788796",
    "5d2f8a1c9e0b4e0001a3c7f2",  # Business Unit ID
    "4f9a8b7c6d5e4f3a2b1c0d9e",  # Location ID
    "refund-asked",  # Tags: the shop's own notes
]


def test_no_consumer_id_or_internal_id_reaches_a_record_and_the_order_only_its_private_field(tmp_path):
    paths = [
        files.business_csv(tmp_path),
        files.older_csv(tmp_path),
        files.business_xlsx(tmp_path),
        files.page_html(tmp_path),
        files.reviews_json(tmp_path),
    ]
    batch = trustpilot.read(paths)
    assert len(batch.reviews) == 8
    orders = {"ORD-2019-00417", "ORD-2019-00522"}  # Reference Id: an order number
    for review in batch.reviews:
        values = json.dumps(dataclasses.asdict(review), default=str)
        leaked = [value for value in PRIVATE if value in values.replace(review.where, "")]
        assert leaked == [], review.platform_id
        public = json.dumps(dataclasses.asdict(dataclasses.replace(review, order="")), default=str)
        assert not any(order in public for order in orders), review.platform_id
    assert {review.order for review in batch.reviews} == {"", *orders}


def test_recognise_knows_its_own_files_and_no_others(tmp_path):
    own = [
        files.business_csv(tmp_path),
        files.older_csv(tmp_path),
        files.business_xlsx(tmp_path, name="serial.xlsx", dates="serial"),
        files.page_html(tmp_path),
        files.next_data_json(tmp_path),
        files.reviews_json(tmp_path),
    ]
    others = [
        google_files.api_json(tmp_path),
        google_files.takeout_zip(tmp_path),
        google_files.takeout_folder(tmp_path / "unpacked"),
        play_files.console_csv(
            tmp_path, [play_files.console_row(play_files.utc("2024-03-01 10:00"), 5, "Top")]
        ),
        play_files.scraper_csv(
            tmp_path, [play_files.scraper_row("gp:x", "Jan", "Top", 5, "2024-03-01 10:00:00")]
        ),
        tmp_path / "missing.csv",
    ]
    assert [trustpilot.recognise(p) for p in own] == [True] * len(own)
    others += shop_platform_exports(tmp_path / "shops")
    assert [trustpilot.recognise(p) for p in others] == [False] * len(others)


@pytest.mark.parametrize(
    ("source", "invited"),
    [
        ("AFSv2", True),
        ("BasicLink", True),
        ("InvitationApi", True),
        ("Kickstart", True),
        ("Organic", False),
        ("", False),
        ("SomethingNew", False),
    ],
)
def test_only_trustpilots_invitation_sources_count_as_invited(source, invited):
    assert trustpilot.invited_by_trustpilot(source) is invited
