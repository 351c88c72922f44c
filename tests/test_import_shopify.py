"""Shopify Product Reviews' CSV export: every encoding Excel leaves it in, every state, stable ids."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from import_exports import judgeme as judgeme_export
from import_exports import kiyoh as kiyoh_export
from import_exports import shopify as export
from import_exports import woocommerce as woocommerce_export
from pelican.plugins.redress.imports import shopify
from pelican.plugins.redress.imports.records import (
    ImportedProduct,
    ImportedReply,
    ImportedReview,
    RowProblem,
    UnreadableExport,
)
from pelican.plugins.redress.imports.tables import DUPLICATE, stable_id


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def expected(path: Path) -> list[ImportedReview]:
    sokken, regenjas = ImportedProduct("wollen-sokken"), ImportedProduct("regenjas")
    body = "Dragen fijn, ook in de fiets-schoenen.\nNa drie wassen nog als nieuw."
    return [
        ImportedReview(
            platform="shopify",
            platform_id=stable_id("wollen-sokken", "2023-05-04T13:22:01+00:00", "email:jan@example.nl"),
            where=f"{path}:2",
            date=at("2023-05-04 13:22:01"),
            rating=5,
            title="Heerlijk warm",
            text=body,
            author="Jan de Vries",
            email="jan@example.nl",
            product=sokken,
            replies=[ImportedReply("Dank je wel, Jan!", at("2023-05-05 08:00:00"))],
        ),
        ImportedReview(
            platform="shopify",
            platform_id=shopify_id(3),
            where=f"{path}:3",
            date=at("2023-06-01 14:00:00"),  # 10:00 at -04:00
            rating=2,
            title='Te klein, "maat 43"',
            text="Viel klein uit; de hiel zit halverwege mijn voet. Jammer, € 14,95 voor niets.",
            author="Zoë Müller",
            email="zoe@example.de",
            product=sokken,
        ),
        ImportedReview(
            platform="shopify",
            platform_id=shopify_id(4),
            where=f"{path}:4",
            date=at("2023-07-10 21:05:00"),
            rating=1,
            # Plain text as the customer typed it: kept, and escaped when the page is built.
            title="<script>alert(1)</script>",
            text="Lekt bij de naden. <b>Niet kopen</b>",
            author="<img src=x onerror=alert(1)>",
            email="troll@example.com",
            product=regenjas,
            replied_on=at("2023-07-11 09:00:00"),  # a reply date without reply text is a fact, not a reply
        ),
        ImportedReview(
            platform="shopify",
            platform_id=shopify_id(6),
            where=f"{path}:6",
            date=at("2023-07-13 10:00:00"),
            rating=5,
            title="Cheap",
            text="Buy now at example.com",
            author="Spammer",
            email="spam@example.com",
            product=regenjas,
            withheld="spam",
        ),
    ]


def shopify_id(row: int) -> str:
    """The id of the review in the export's ``row``: product, time in UTC, the reviewer's address."""
    values = export.ROWS[row - 2]
    when = dt.datetime.fromisoformat(values["created_at"].replace(" UTC", "+00:00")).astimezone(dt.UTC)
    return stable_id(values["product_handle"], when.isoformat(), f"email:{values['email']}")


def without_where(reviews: list[ImportedReview]) -> list[ImportedReview]:
    return [replace(review, where="") for review in reviews]


def test_the_export_as_the_app_writes_it(tmp_path: Path) -> None:
    path = export.write_csv(tmp_path)
    batch = shopify.read([path])
    assert batch.reviews == expected(path)
    assert sorted((s.where, s.reason) for s in batch.skips) == [
        (f"{path}:5", "not published on Shopify (state unpublished)"),
        (f"{path}:7", "not published on Shopify (state pending)"),
    ]
    assert batch.problems == []
    assert batch.rows == 6


@pytest.mark.parametrize(
    "options",
    [
        {"encoding": "cp1252", "newline": "\r\n"},  # saved by Excel as "CSV (Comma delimited)"
        {"encoding": "utf-8", "bom": True, "newline": "\r\n"},  # saved by Excel as "CSV UTF-8"
        {"encoding": "cp1252", "newline": "\r\n", "delimiter": ";"},  # Excel with a Dutch or German locale
        {
            "bom": True,
            "headers": [
                "Product_Handle",
                "STATE",
                " rating ",
                "Title",
                "Author",
                "EMAIL",
                "Location",
                "Body",
                "Reply",
                "Created_At",
                "Replied _At",
            ],
        },
    ],
)
def test_every_encoding_and_header_spelling_reads_the_same(tmp_path: Path, options: dict) -> None:
    path = export.write_csv(tmp_path, **options)
    batch = shopify.read([path])
    assert without_where(batch.reviews) == without_where(expected(path))
    assert batch.rows == 6 and len(batch.skips) == 2 and batch.problems == []


def test_the_same_review_in_a_newer_export_has_the_same_id(tmp_path: Path) -> None:
    """No review id in the export: the id must survive a re-export, a re-save in Excel and new rows."""
    first = shopify.read([export.write_csv(tmp_path, name="may.csv")])
    newer_rows = [
        export.row(
            product_handle="regenjas",
            state="published",
            rating="4",
            title="Nieuw",
            author="Kees",
            body="Droog gebleven.",
            created_at="2023-08-01 10:00:00 UTC",
        ),
        *export.ROWS,
    ]
    newer = shopify.read([export.write_csv(tmp_path, newer_rows, name="aug.csv", encoding="cp1252")])
    old_ids = [review.platform_id for review in first.reviews]
    new_ids = [review.platform_id for review in newer.reviews]
    assert new_ids[1:] == old_ids
    assert len(set(new_ids)) == len(new_ids) == 5


def test_an_edited_review_keeps_its_id(tmp_path: Path) -> None:
    """The id is never made from the words: a reviewer may edit them, and it is the same review."""
    rows = [dict(r) for r in export.ROWS]
    rows[0]["body"] = "EDIT: " + rows[0]["body"]
    rows[0]["email"] = "Jan@Example.NL "  # an address in another case is the same address
    first = shopify.read([export.write_csv(tmp_path, name="may.csv")])
    edited = shopify.read([export.write_csv(tmp_path, rows, name="june.csv")])
    assert [r.platform_id for r in edited.reviews] == [r.platform_id for r in first.reviews]
    assert edited.reviews[0].text.startswith("EDIT: ")


def test_reviews_alike_in_product_time_and_reviewer_are_numbered_in_the_files_order(tmp_path: Path) -> None:
    """Two reviews by one reviewer without an address, in one second: each keeps its own id."""
    same = {"product_handle": "regenjas", "author": "Anoniem", "created_at": "2023-08-01 10:00:00 UTC"}
    rows = [
        export.row(**same, state="pending", rating="2", body="Nog niet gepubliceerd."),
        export.row(**same, state="published", rating="4", body="Droog gebleven."),
        export.row(**same, state="published", rating="5", body="Weer besteld."),
    ]
    batch = shopify.read([export.write_csv(tmp_path, rows)])
    made = stable_id("regenjas", "2023-08-01T10:00:00+00:00", "name:Anoniem")
    assert [(r.platform_id, r.rating) for r in batch.reviews] == [(f"{made}-2", 4), (f"{made}-3", 5)]
    rows[0]["state"] = "published"  # published later: the others keep their ids
    later = shopify.read([export.write_csv(tmp_path, rows, name="later.csv")])
    assert [r.platform_id for r in later.reviews] == [made, f"{made}-2", f"{made}-3"]


def test_a_row_copied_cell_for_cell_is_one_review_and_the_next_keep_their_ids(tmp_path: Path) -> None:
    """The export has no ids: a row twice (an export or a merge gone wrong) counted one customer
    twice. The copy is skipped with its reason; a review alike in product, time and reviewer
    after it keeps the number it had."""
    same = {"product_handle": "regenjas", "author": "Anoniem", "created_at": "2023-08-01 10:00:00 UTC"}
    first = export.row(**same, state="published", rating="4", body="Droog gebleven.")
    other = export.row(**same, state="published", rating="5", body="Weer besteld.")
    path = export.write_csv(tmp_path, [first, dict(first), other])
    batch = shopify.read([path])
    made = stable_id("regenjas", "2023-08-01T10:00:00+00:00", "name:Anoniem")
    assert [(r.platform_id, r.rating) for r in batch.reviews] == [(made, 4), (f"{made}-3", 5)]
    assert [(s.where, s.reason) for s in batch.skips] == [
        (f"{path}:3", "the same row again (every cell as in a row above)")
    ]
    assert batch.rows == 3


def test_both_exports_at_once_import_each_review_once(tmp_path: Path) -> None:
    files = [export.write_csv(tmp_path, name="a.csv"), export.write_csv(tmp_path, name="b.csv", bom=True)]
    batch = shopify.read(files)
    assert len(batch.reviews) == 4
    assert Counter(s.reason for s in batch.skips)[DUPLICATE] == 4
    assert batch.rows == 12


def test_a_bad_row_is_named_by_file_row_and_field_and_the_rest_are_read(tmp_path: Path) -> None:
    rows = [dict(r) for r in export.ROWS]
    rows[1]["rating"] = "six"
    rows[2]["created_at"] = "gisteren"
    path = export.write_csv(tmp_path, rows)
    batch = shopify.read([path])
    assert batch.problems == [
        RowProblem(f"{path}:3", "rating", "'six' is not a whole number from 1 to 5"),
        RowProblem(f"{path}:4", "created_at", "'gisteren' is not a date and time like 2024-03-01 14:30:00"),
    ]
    assert str(batch.problems[0]) == f"{path}:3: rating: 'six' is not a whole number from 1 to 5"
    assert [r.where for r in batch.reviews] == [f"{path}:2", f"{path}:6"]


def test_a_row_with_no_text_and_no_rating_is_skipped_with_that_reason(tmp_path: Path) -> None:
    empty = export.row(
        product_handle="regenjas", state="published", author="Niemand", created_at="2023-08-01"
    )
    path = export.write_csv(tmp_path, [empty])
    batch = shopify.read([path])
    assert [(s.where, s.reason) for s in batch.skips] == [(f"{path}:2", "no text and no rating")]


def test_the_email_is_private_and_the_location_is_not_imported(tmp_path: Path) -> None:
    batch = shopify.read([export.write_csv(tmp_path)])
    assert batch.reviews[0].email == "jan@example.nl"
    for review in batch.reviews:
        public = repr(replace(review, email=""))
        assert "@example" not in public
        assert "Utrecht" not in public and "Köln" not in public


@pytest.mark.parametrize(
    ("write", "found"),
    [
        (lambda folder: judgeme_export.write_csv(folder), "missing author"),
        (lambda folder: woocommerce_export.write_wxr(folder), "missing product_handle"),
    ],
)
def test_another_export_is_refused_with_the_columns_expected_and_found(tmp_path: Path, write, found) -> None:
    path = write(tmp_path)
    with pytest.raises(UnreadableExport) as error:
        shopify.read([path])
    line = error.value.lines()[0]
    assert line.startswith(
        f"{path}: not a Shopify Product Reviews export: expected the columns "
        "product_handle, rating, author, body, created_at;"
    )
    assert found in line and "; found: " in line


def test_a_file_that_is_no_table_at_all_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "reviews.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 64)  # a broken zip, as a half-downloaded XLSX is
    with pytest.raises(UnreadableExport) as error:
        shopify.read([path])
    assert error.value.lines()[0].startswith(f"{path}: not a Shopify Product Reviews export: ")


def test_recognise_knows_its_own_file_and_no_one_elses(tmp_path: Path) -> None:
    assert shopify.recognise(export.write_csv(tmp_path))
    assert shopify.recognise(export.write_csv(tmp_path, name="excel.csv", encoding="cp1252", delimiter=";"))
    others = [
        judgeme_export.write_csv(tmp_path),
        woocommerce_export.write_rest_reviews(tmp_path),
        woocommerce_export.write_wxr(tmp_path),
        kiyoh_export.write_json(tmp_path),
        kiyoh_export.write_xml(tmp_path),
    ]
    assert [shopify.recognise(p) for p in others] == [False] * 5
