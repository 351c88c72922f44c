"""`redress import google-play`: the Play Console's monthly CSV and the scraper's CSV and JSON."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from import_exports import google as google_files
from import_exports import google_play as files
from import_exports import trustpilot as trustpilot_files
from import_exports.others import shop_platform_exports
from pelican.plugins.redress.imports import google_play
from pelican.plugins.redress.imports.records import (
    ImportedReply,
    ImportedReview,
    RowProblem,
    Skip,
    UnreadableExport,
)
from pelican.plugins.redress.imports.tables import DUPLICATE

utc = files.utc


def problem_line(path: Path) -> str:
    """The line `redress import` prints for a file it cannot read."""
    with pytest.raises(UnreadableExport) as caught:
        google_play.read([path])
    return caught.value.lines()[0]


MARCH = [
    files.console_row(
        utc("2024-03-01 14:22:10"),
        5,
        "Handig om mijn onderhoudsbeurt te plannen.",
        review_id="gp:AOqpTOHx1y2z3w4v5u6t7s8r9q0p",
        reply=("Dank je wel!", utc("2024-03-02 09:00")),
    ),
    files.console_row(utc("2024-03-05 07:00"), 4, review_id="gp:AOqpTOIa2b3c4d5e6f7g8h9i0j1k"),  # stars only
    files.console_row(
        utc("2024-03-09 21:13:45"),
        2,
        "Crasht bij het openen <script>alert(1)</script>",
        language="en",
        device="OnePlus8T",
    ),  # no Review Link
]


def march(path: Path) -> list[ImportedReview]:
    return [
        ImportedReview(
            platform="google-play",
            platform_id="gp:AOqpTOHx1y2z3w4v5u6t7s8r9q0p",
            where=f"{path}:2",
            date=utc("2024-03-01 14:22:10"),
            rating=5,
            text="Handig om mijn onderhoudsbeurt te plannen.",
            lang="nl",
            replies=[ImportedReply("Dank je wel!", utc("2024-03-02 09:00"))],
        ),
        ImportedReview(
            platform="google-play",
            platform_id="gp:AOqpTOIa2b3c4d5e6f7g8h9i0j1k",
            where=f"{path}:3",
            date=utc("2024-03-05 07:00"),
            rating=4,
            lang="nl",
        ),
        ImportedReview(
            platform="google-play",
            platform_id=google_play.review_id(
                {"reviewsubmitmillissinceepoch": "1710018825000", "device": "OnePlus8T"}, files.PACKAGE
            ),
            where=f"{path}:4",
            date=utc("2024-03-09 21:13:45"),
            rating=2,
            text="Crasht bij het openen <script>alert(1)</script>",
            lang="en",
        ),
    ]


def test_the_console_csv_in_utf16_with_a_bom(tmp_path):
    path = files.console_csv(tmp_path, MARCH)
    assert path.name == "reviews_nl.fietsenwinkel.app_202403.csv"
    assert path.read_bytes().startswith(b"\xff\xfeP\x00a\x00c\x00k\x00")

    batch = google_play.read([path])

    assert batch.reviews == march(path)
    assert (batch.rows, batch.skips, batch.problems) == (3, [], [])
    assert batch.reviews[2].platform_id.startswith("play-")
    assert all(r.author == "" for r in batch.reviews)  # the Console names nobody


def test_the_review_id_comes_from_either_form_of_the_review_link():
    newer = {
        "reviewlink": "https://play.google.com/console/u/0/developers/1/app/2/user-feedback/"
        "review-details?reviewId=gp%3AAOqpTOE&corpus=PUBLIC_REVIEWS"
    }
    older = {
        "reviewlink": "http://play.google.com/apps/publish?account=8123#ReviewDetailsPlace:"
        "p=nl.fietsenwinkel.app&reviewid=gp:AOqpTOF"
    }
    assert google_play.review_id(newer, files.PACKAGE) == "gp:AOqpTOE"
    assert google_play.review_id(older, files.PACKAGE) == "gp:AOqpTOF"


def test_dates_prefer_the_millis_and_fall_back_to_the_date_and_time(tmp_path):
    row = files.console_row(utc("2024-03-01 10:00"), 3, "Ok", review_id="gp:a")
    row["Review Submit Date and Time"] = "2024-03-01T12:00:00Z"  # the millis say 10:00
    text_only = files.console_row(utc("2024-03-02 10:00"), 3, "Ok", review_id="gp:b")
    text_only["Review Submit Millis Since Epoch"] = ""
    path = files.console_csv(tmp_path, [row, text_only])

    first, second = google_play.read([path]).reviews

    assert first.date == utc("2024-03-01 10:00")
    assert second.date == utc("2024-03-02 10:00")


def test_a_review_edited_in_a_later_month_is_one_review_at_its_latest(tmp_path):
    crash = MARCH[2]
    edited = files.console_row(
        utc("2024-03-09 21:13:45"),
        4,
        "Na de update werkt alles.",
        language="en",
        device="OnePlus8T",
        updated=utc("2024-04-02 08:00"),
        reply=("Fijn om te horen!", utc("2024-04-03 10:00")),
    )
    answered_only = dict(MARCH[1])
    answered_only.update(
        {
            "Developer Reply Date and Time": "2024-04-10T10:00:00Z",
            "Developer Reply Millis Since Epoch": "1712743200000",
        }
    )
    march_file = files.console_csv(tmp_path, [crash, MARCH[1]], month="202403")
    april_file = files.console_csv(tmp_path, [edited, answered_only], month="202404")

    batch = google_play.read([april_file, march_file])  # any order: the latest edit wins

    assert [(r.where, r.rating, r.text) for r in batch.reviews] == [
        (f"{april_file}:2", 4, "Na de update werkt alles."),
        (f"{april_file}:3", 4, ""),
    ]
    assert batch.reviews[0].platform_id == google_play.review_id(
        {"reviewsubmitmillissinceepoch": crash["Review Submit Millis Since Epoch"], "device": "OnePlus8T"},
        files.PACKAGE,
    )  # the same id though the text changed
    assert batch.reviews[0].updated == utc("2024-04-02 08:00")
    assert batch.reviews[0].replies == [ImportedReply("Fijn om te horen!", utc("2024-04-03 10:00"))]
    assert batch.reviews[1].replied_on == utc("2024-04-10 10:00")  # a reply time without words
    assert batch.skips == [Skip(f"{march_file}:2", DUPLICATE), Skip(f"{march_file}:3", DUPLICATE)]
    assert batch.rows == 4


def test_headers_in_another_case_and_spacing(tmp_path):
    headers = [" " + h.lower().replace(" ", "  ") for h in files.CONSOLE_COLUMNS]
    path = files.console_csv(tmp_path, MARCH, headers=headers)
    assert google_play.read([path]).reviews == march(path)


def test_a_bad_row_is_a_problem_with_its_row_and_the_others_still_import(tmp_path):
    rows = [dict(r) for r in MARCH]
    rows[0]["Star Rating"] = "0"
    rows[1]["Review Submit Millis Since Epoch"] = "gisteren"
    rows[2]["Review Submit Millis Since Epoch"] = ""
    rows[2]["Review Submit Date and Time"] = ""
    empty = files.console_row(utc("2024-03-20 10:00"), "", review_id="gp:empty")
    path = files.console_csv(tmp_path, [*rows, empty, MARCH[0] | {"Review Link": ""}])

    batch = google_play.read([path])

    assert batch.problems == [
        RowProblem(f"{path}:2", "Star Rating", "'0' is not a whole number of stars from 1 to 5"),
        RowProblem(
            f"{path}:3",
            "Review Submit Millis Since Epoch",
            "'gisteren' is not a number of milliseconds since 1970",
        ),
        RowProblem(
            f"{path}:4", "Review Submit Date and Time", "is empty; the Play Console gives every review one"
        ),
    ]
    assert batch.skips == [Skip(f"{path}:5", "no text and no rating")]
    assert [r.where for r in batch.reviews] == [f"{path}:6"]
    assert batch.rows == 5


# The scraper -------------------------------------------------------------------------------

SCRAPED = [
    files.scraper_row(
        "2f5c1c7e-8a3b-4b8e-9d1a-6f0e2c4b7a91",
        "Jan de Vries",
        "Top app, ik mis alleen een donkere modus.",
        4,
        "2024-03-01 15:22:10",
        reply="Staat op de planning!",
        replied_at="2024-03-02 10:00:00",
    ),
    files.scraper_row("8c9d0e1f-2a3b-4c5d-8e6f-7a8b9c0d1e2f", "Mari Tamm", "", 5, "2024-03-04 08:00:00"),
]


def scraped(wheres: list[str]) -> list[ImportedReview]:
    return [
        ImportedReview(
            platform="google-play",
            platform_id="2f5c1c7e-8a3b-4b8e-9d1a-6f0e2c4b7a91",
            where=wheres[0],
            date=utc("2024-03-01 15:22:10"),  # naive in the file: read as UTC
            rating=4,
            text="Top app, ik mis alleen een donkere modus.",
            author="Jan de Vries",
            replies=[ImportedReply("Staat op de planning!", utc("2024-03-02 10:00"))],
        ),
        ImportedReview(
            platform="google-play",
            platform_id="8c9d0e1f-2a3b-4c5d-8e6f-7a8b9c0d1e2f",
            where=wheres[1],
            date=utc("2024-03-04 08:00"),
            rating=5,
            author="Mari Tamm",
        ),
    ]


def test_the_scrapers_csv(tmp_path):
    path = files.scraper_csv(tmp_path, SCRAPED)
    assert path.read_bytes().startswith(b"reviewId,userName,userImage,content,score,")

    batch = google_play.read([path])

    assert batch.reviews == scraped([f"{path}:2", f"{path}:3"])
    assert (batch.rows, batch.skips, batch.problems) == (2, [], [])


def test_the_scrapers_json_with_times_as_text_or_as_pandas_millis(tmp_path):
    as_text = tmp_path / "reviews.json"
    as_text.write_text(json.dumps(SCRAPED, indent=1), encoding="utf-8")
    as_millis = tmp_path / "pandas.json"
    millis = [dict(r) for r in SCRAPED]
    millis[0].update(at=1709306530000, repliedAt=1709373600000)
    millis[1].update(at=1709539200000, repliedAt=None, replyContent=None)
    as_millis.write_text(json.dumps(millis), encoding="utf-8")

    for path in (as_text, as_millis):
        assert google_play.read([path]).reviews == scraped([f"{path}:#1", f"{path}:#2"])


def test_the_scraper_run_twice_gives_each_review_once(tmp_path):
    first = files.scraper_csv(tmp_path, SCRAPED, name="monday.csv")
    again = [dict(SCRAPED[0]) | {"content": "Donkere modus is er!", "score": 5, "at": "2024-03-09 10:00:00"}]
    second = files.scraper_csv(tmp_path, again, name="friday.csv")

    batch = google_play.read([second, first])

    assert [(r.platform_id, r.rating, r.text) for r in batch.reviews] == [
        ("2f5c1c7e-8a3b-4b8e-9d1a-6f0e2c4b7a91", 5, "Donkere modus is er!"),
        ("8c9d0e1f-2a3b-4c5d-8e6f-7a8b9c0d1e2f", 5, ""),
    ]
    assert batch.skips == [Skip(f"{first}:2", DUPLICATE)]


def test_what_cannot_be_read_names_what_was_expected_and_found(tmp_path):
    trustpilot_csv = trustpilot_files.business_csv(tmp_path)
    line = problem_line(trustpilot_csv)
    assert line.startswith(
        f"{trustpilot_csv}: not a Google Play export: expected the Play Console's columns Package Name, "
        "Star Rating, Review Submit Date and Time (and the rest), or the scraper's reviewId, content, score, "
        "at; found: Review ID, Review Created (UTC), Review Consumer User ID,"
    )

    takeout = google_files.takeout_zip(tmp_path)
    assert "the file cannot be read as CSV or XLSX" in problem_line(takeout)

    missing = tmp_path / "reviews_nl.fietsenwinkel.app_202402.csv"
    assert problem_line(missing).startswith(f"{missing}: not a Google Play export: the file cannot be read")

    google_api = google_files.api_json(tmp_path)
    assert problem_line(google_api).endswith(
        "expected a list of reviews with reviewId, content, score, at; "
        "found the keys reviews, averageRating, totalReviewCount"
    )


def test_recognise_knows_its_own_files_and_no_others(tmp_path):
    json_file = tmp_path / "scraped.json"
    json_file.write_text(json.dumps(SCRAPED), encoding="utf-8")
    own = [files.console_csv(tmp_path, MARCH), files.scraper_csv(tmp_path, SCRAPED), json_file]
    others = [
        trustpilot_files.business_csv(tmp_path),
        trustpilot_files.business_xlsx(tmp_path),
        trustpilot_files.page_html(tmp_path),
        trustpilot_files.reviews_json(tmp_path),
        google_files.api_json(tmp_path),
        google_files.takeout_zip(tmp_path),
        google_files.takeout_folder(tmp_path / "unpacked"),
        tmp_path / "missing.csv",
    ]
    assert [google_play.recognise(p) for p in own] == [True] * len(own)
    others += shop_platform_exports(tmp_path / "shops")
    assert [google_play.recognise(p) for p in others] == [False] * len(others)


def test_a_console_export_saved_as_xlsx_is_read_too(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(files.CONSOLE_COLUMNS)
    for row in MARCH:
        sheet.append([int(v) if v.isdigit() else v for v in (row[c] for c in files.CONSOLE_COLUMNS)])
    path = tmp_path / "reviews.xlsx"
    book.save(path)

    batch = google_play.read([path])

    assert [dataclasses.replace(r, where="") for r in batch.reviews] == [
        dataclasses.replace(r, where="") for r in march(path)
    ]
    assert google_play.recognise(path)
