"""Kiyoh's review feed, JSON and XML: the 1-10 scale kept, the questionnaire read, the reply joined."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from import_exports import judgeme as judgeme_export
from import_exports import kiyoh as export
from import_exports import shopify as shopify_export
from import_exports import woocommerce as woocommerce_export
from pelican.plugins.redress.imports import kiyoh
from pelican.plugins.redress.imports.records import (
    Batch,
    ImportedReply,
    ImportedReview,
    RowProblem,
    Skip,
    UnreadableExport,
)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


ID = "0e0f5c9a-4b1e-4f3a-9d2c-1a2b3c4d5e0"


def expected(path: Path) -> list[ImportedReview]:
    return [
        ImportedReview(
            platform="kiyoh",
            platform_id=ID + "1",
            where=f"{path}:#1",
            date=at("2024-03-01 09:15:12"),  # 10:15:12 at +01:00
            rating=9,
            scale=10,
            title="Snel en vriendelijk geholpen",
            text="Fiets binnen een week klaar.\nKeurig afgesteld.",
            author="Jan de Vries",
            lang="nl",
            updated=at("2024-03-04 07:00:00"),
            replies=[ImportedReply("Dank u wel, Jan! Veel fietsplezier.")],
        ),
        ImportedReview(
            platform="kiyoh",
            platform_id=ID + "2",
            where=f"{path}:#2",
            date=at("2024-03-10 13:00:00"),
            rating=8,  # Kiyoh's 7.5, a half rounded up
            scale=10,
            title="Prima",
            text="Goede service, wel wat lang moeten wachten op onderdelen.",
            author="Zoë Müller",
            lang="de",
            updated=at("2024-03-10 13:00:00"),
        ),
        ImportedReview(
            platform="kiyoh",
            platform_id=ID + "3",
            where=f"{path}:#3",
            date=at("2024-04-02 07:30:00"),
            rating=2,
            scale=10,
            title="<script>alert('kiyoh')</script>",  # the customer's text, escaped when the page is built
            text="Band lek na één dag & niemand belt terug.",
            author="<img src=x onerror=alert(1)>",
            lang="nl",
            updated=at("2024-04-02 07:30:00"),
        ),
        ImportedReview(
            platform="kiyoh",
            platform_id=ID + "4",
            where=f"{path}:#4",
            date=at("2024-04-20 20:00:00"),
            rating=10,  # a rating without words
            scale=10,
            author="Anoniem",
            lang="nl",
            updated=at("2024-04-20 20:00:00"),
        ),
    ]


@pytest.mark.parametrize(
    "write",
    [
        export.write_json,
        export.write_xml,
        lambda folder: export.write_xml(folder, review_tag="review", content_tag="reviewcontent"),
    ],
    ids=["json", "xml", "xml-review-elements"],
)
def test_the_feed_as_json_and_as_xml(tmp_path: Path, write: Any) -> None:
    path = write(tmp_path)
    batch = kiyoh.read([path])
    assert batch == Batch(reviews=expected(path), rows=4)


def test_the_xml_feed_is_what_kiyoh_serves(tmp_path: Path) -> None:
    text = export.write_xml(tmp_path).read_text(encoding="utf-8")
    assert text.startswith('<ReviewFeedDto xmlns="">\n  <locationId>1050010</locationId>')
    assert "<reviews>\n    <reviews>\n      <reviewId>" in text
    assert "<reviewContent>\n        <reviewContent>\n          <questionGroup>DEFAULT_OVERALL" in text


def test_keys_in_any_case_read_the_same(tmp_path: Path) -> None:
    def lower(value: Any) -> Any:
        if isinstance(value, dict):
            return {key.lower(): lower(item) for key, item in value.items()}
        if isinstance(value, list):
            return [lower(item) for item in value]
        return value

    path = tmp_path / "kiyoh.json"
    path.write_text(json.dumps(lower({**export.LOCATION, "reviews": export.REVIEWS})), encoding="utf-8")
    assert kiyoh.read([path]).reviews == expected(path)


def test_a_list_of_reviews_without_the_location_around_them_is_read(tmp_path: Path) -> None:
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps(export.REVIEWS), encoding="utf-8")
    assert kiyoh.read([path]).reviews == expected(path)


def test_the_rating_of_the_questionnaire_stands_in_for_a_missing_one(tmp_path: Path) -> None:
    review = {**export.REVIEWS[0], "rating": None}
    batch = kiyoh.read([export.write_json(tmp_path, [review])])
    assert batch.reviews[0].rating == 9 and batch.reviews[0].scale == 10


def test_bad_rows_are_named_and_the_others_are_still_read(tmp_path: Path) -> None:
    reviews = [dict(r) for r in export.REVIEWS]
    reviews[0]["rating"] = "zes"
    reviews[1]["rating"] = 11
    reviews[2]["dateSince"] = "gisteren"
    for path in (export.write_json(tmp_path, reviews), export.write_xml(tmp_path, reviews)):
        batch = kiyoh.read([path])
        assert batch.problems == [
            RowProblem(f"{path}:#1", "rating", "'zes' is not a whole number from 1 to 10"),
            RowProblem(f"{path}:#2", "rating", "'11' is not a whole number from 1 to 10"),
            RowProblem(
                f"{path}:#3", "dateSince", "'gisteren' is not a date and time like 2024-03-01 14:30:00"
            ),
        ]
        assert [r.platform_id for r in batch.reviews] == [ID + "4"]
        assert batch.rows == 4


def test_a_review_with_no_words_and_no_rating_is_skipped(tmp_path: Path) -> None:
    empty = export.review("empty-1", None, since="2024-05-01T10:00:00.000+02:00")
    path = export.write_json(tmp_path, [empty])
    assert kiyoh.read([path]) == Batch(skips=[Skip(f"{path}:#1", "no text and no rating")], rows=1)


def test_two_feeds_overlapping_import_each_review_once_the_latest_edit_winning(tmp_path: Path) -> None:
    edited = {
        **export.REVIEWS[1],
        "updatedSince": "2024-05-01T10:00:00.000+02:00",
        "reviewComments": "Sorry!",
    }
    old = export.write_json(tmp_path, export.REVIEWS, name="march.json")
    new = export.write_xml(tmp_path, [edited], name="may.xml")
    batch = kiyoh.read([old, new])
    assert len(batch.reviews) == 4 and batch.rows == 5
    latest = next(r for r in batch.reviews if r.platform_id == ID + "2")
    assert latest == replace(
        expected(old)[1],
        where=f"{new}:#1",
        updated=at("2024-05-01 08:00:00"),
        replies=[ImportedReply("Sorry!")],
    )


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (
            '{"locationId": "1", "averageRating": 8.1}',
            "a JSON object with the keys averageRating, locationId",
        ),
        ("reviewId;rating\n1;9\n", "text that is neither JSON nor XML"),
        ("<ReviewFeedDto><reviews><reviews>", "XML that does not parse"),
        ("<company><name>Shop</name><total_score>8.1</total_score></company>", "an XML file <company>"),
    ],
)
def test_a_file_that_is_no_kiyoh_feed_says_what_was_expected_and_found(
    tmp_path: Path, content: str, found: str
) -> None:
    path = tmp_path / "feed.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UnreadableExport) as error:
        kiyoh.read([path])
    line = error.value.lines()[0]
    assert line.startswith(f"{path}: not a Kiyoh export: expected Kiyoh's review feed")
    assert found in line


def test_recognise_knows_its_own_feeds_and_no_one_elses(tmp_path: Path) -> None:
    own = [export.write_json(tmp_path), export.write_xml(tmp_path)]
    others = [
        shopify_export.write_csv(tmp_path),
        judgeme_export.write_csv(tmp_path),
        woocommerce_export.write_rest_reviews(tmp_path),
        woocommerce_export.write_wp_comments(tmp_path),
        woocommerce_export.write_wxr(tmp_path),
    ]
    assert [kiyoh.recognise(p) for p in own] == [True, True]
    assert [kiyoh.recognise(p) for p in others] == [False] * 5


def test_an_external_entity_is_never_fetched(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        "<ReviewFeedDto><reviews><reviews><reviewId>1</reviewId><rating>9</rating>"
        "<dateSince>2024-01-01</dateSince><reviewComments>&x;</reviewComments></reviews></reviews></ReviewFeedDto>",
        encoding="utf-8",
    )
    with pytest.raises(UnreadableExport) as error:
        kiyoh.read([path])
    assert "found: XML that does not parse (undefined entity &x;" in error.value.lines()[0]
