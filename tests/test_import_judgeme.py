"""Judge.me's CSV export: curated states, stable ids, and no IP address or picture URL in any record."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from import_exports import judgeme as export
from import_exports import kiyoh as kiyoh_export
from import_exports import shopify as shopify_export
from import_exports import woocommerce as woocommerce_export
from pelican.plugins.redress.imports import judgeme
from pelican.plugins.redress.imports.records import (
    ImportedProduct,
    ImportedReply,
    ImportedReview,
    RowProblem,
    UnreadableExport,
)
from pelican.plugins.redress.imports.tables import stable_id


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def judgeme_id(row: int) -> str:
    """The id of the review in the export's ``row``: product, time in UTC, the reviewer's address."""
    values = export.ROWS[row - 2]
    when = dt.datetime.fromisoformat(values["review_date"].replace(" UTC", "+00:00")).astimezone(dt.UTC)
    handle = values["product_handle"] or values["product_id"]
    return stable_id(handle, when.isoformat(), f"email:{values['reviewer_email']}")


def expected(path: Path) -> list[ImportedReview]:
    sokken, regenjas = ImportedProduct("wollen-sokken"), ImportedProduct("regenjas")
    return [
        ImportedReview(
            platform="judgeme",
            platform_id=judgeme_id(2),
            where=f"{path}:2",
            date=at("2023-09-01 12:00:00"),
            rating=5,
            title="Super sokken",
            text="Warm, zacht en ze blijven zitten.\n\nAanrader!",
            author="Jan de Vries",
            email="jan@example.nl",
            product=sokken,
            replies=[ImportedReply("Bedankt Jan!", at("2023-09-02 08:30:00"))],
        ),
        ImportedReview(
            platform="judgeme",
            platform_id=judgeme_id(3),
            where=f"{path}:3",
            date=at("2023-09-03 16:45:00"),  # 18:45 at +02:00
            rating=3,
            title="Ça va",
            text="Pas mal; la taille est un peu petite. Prix € 14,95.",
            author="Zoë Lefèvre",
            email="zoe@example.fr",
            product=sokken,
        ),
        ImportedReview(
            platform="judgeme",
            platform_id=judgeme_id(4),
            where=f"{path}:4",
            date=at("2023-09-05 09:00:00"),
            rating=1,
            title='<img src=x onerror="alert(1)">',  # the customer's text, escaped when the page is built
            text="<script>document.cookie</script> Kapot na een week.",
            author="Troll",
            email="troll@example.com",
            product=regenjas,
            replied_on=at("2023-09-06 10:00:00"),
        ),
        ImportedReview(
            platform="judgeme",
            platform_id=judgeme_id(5),
            where=f"{path}:5",
            date=at("2023-09-07 11:00:00"),
            rating=4,
            title="Snelle levering",
            text="Alles netjes geleverd.",
            author="Piet",
            email="piet@example.nl",
            product=None,  # a review of the shop, not of a product
        ),
        ImportedReview(
            platform="judgeme",
            platform_id=judgeme_id(6),
            where=f"{path}:6",
            date=at("2023-09-08 11:00:00"),
            rating=5,
            title="Buy",
            text="cheap pills example.com",
            author="Spammer",
            email="spam@example.com",
            product=regenjas,
            withheld="spam",
        ),
    ]


def test_the_export_as_judgeme_writes_it(tmp_path: Path) -> None:
    path = export.write_csv(tmp_path)
    batch = judgeme.read([path])
    assert batch.reviews == expected(path)
    assert [(s.where, s.reason) for s in batch.skips] == [
        (f"{path}:7", "not published on Judge.me (curated not-yet)")
    ]
    assert batch.problems == []
    assert batch.rows == 6


@pytest.mark.parametrize(
    "options",
    [
        {"bom": True},
        {"encoding": "cp1252", "newline": "\r\n"},
        {"bom": True, "headers": [f" {c.upper().replace('_', ' _')} " for c in export.COLUMNS]},
    ],
)
def test_every_encoding_and_header_spelling_reads_the_same(tmp_path: Path, options: dict) -> None:
    path = export.write_csv(tmp_path, **options)
    batch = judgeme.read([path])
    assert batch.reviews == expected(path)
    assert batch.rows == 6


def test_no_ip_address_or_picture_url_reaches_any_record(tmp_path: Path) -> None:
    batch = judgeme.read([export.write_csv(tmp_path)])
    everything = repr(batch.reviews)
    for values in export.ROWS:
        if values["ip_address"]:
            assert values["ip_address"] not in everything
    assert "imgix" not in everything and "Lille" not in everything
    for review in batch.reviews:
        assert "@" not in repr(replace(review, email=""))


def test_a_bad_rating_is_a_problem_of_its_row_and_the_rest_are_read(tmp_path: Path) -> None:
    rows = [dict(r) for r in export.ROWS]
    rows[0]["rating"] = "six"
    rows[1]["rating"] = "4.5"
    rows[2]["reply_date"] = "31-13-2023"
    path = export.write_csv(tmp_path, rows)
    batch = judgeme.read([path])
    assert batch.problems == [
        RowProblem(f"{path}:2", "rating", "'six' is not a whole number from 1 to 5"),
        RowProblem(f"{path}:3", "rating", "'4.5' is not a whole number from 1 to 5"),
        RowProblem(
            f"{path}:4",
            "reply_date",
            "'31-13-2023' is not a date and time like 2024-03-01 14:30:00; a date with the day or month "
            "first is not read (01-03-2024 may be the 1st of March or the 3rd of January): format the "
            "column as yyyy-mm-dd hh:mm and export again",
        ),
    ]
    assert [r.where for r in batch.reviews] == [f"{path}:5", f"{path}:6"]
    assert batch.rows == 6


def test_curated_states_are_counted_by_reason(tmp_path: Path) -> None:
    rows = [
        {**r, "curated": state}
        for r, state in zip(export.ROWS, ["ok", "", "hidden", "not-yet", "spam", "not-yet"], strict=True)
    ]
    batch = judgeme.read([export.write_csv(tmp_path, rows)])
    assert Counter(s.reason for s in batch.skips) == {
        "not published on Judge.me (curated not-yet)": 2,
        "not published on Judge.me (curated hidden)": 1,
    }
    assert [r.withheld for r in batch.reviews] == [None, None, "spam"]  # an empty curated is ok


def test_the_same_review_exported_again_has_the_same_id(tmp_path: Path) -> None:
    first = judgeme.read([export.write_csv(tmp_path, name="a.csv")])
    again = judgeme.read(
        [export.write_csv(tmp_path, list(reversed(export.ROWS)), name="b.csv", encoding="cp1252")]
    )
    assert sorted(r.platform_id for r in first.reviews) == sorted(r.platform_id for r in again.reviews)


def test_an_edited_review_keeps_its_id_and_two_alike_are_numbered(tmp_path: Path) -> None:
    """The id is never made from the words: the reviewer may edit them on Judge.me."""
    first = judgeme.read([export.write_csv(tmp_path, name="a.csv")])
    rows = [dict(r) for r in export.ROWS]
    rows[0]["body"] = "EDIT: na een jaar nog steeds warm."
    rows[0]["title"] = "Nog steeds super"
    twin = {**rows[3], "reviewer_email": "", "body": "Tweede keer besteld."}
    rows[3]["reviewer_email"] = ""
    rows.insert(4, twin)
    again = judgeme.read([export.write_csv(tmp_path, rows, name="b.csv")])
    assert again.reviews[0].platform_id == first.reviews[0].platform_id == judgeme_id(2)
    assert again.reviews[0].text == "EDIT: na een jaar nog steeds warm."
    piet, twin_id = (r.platform_id for r in again.reviews if r.author == "Piet")
    when = at("2023-09-07 11:00:00").isoformat()
    assert piet == stable_id("", when, "name:Piet") and twin_id == f"{piet}-2"


def test_a_row_copied_cell_for_cell_is_one_review_and_the_next_keep_their_ids(tmp_path: Path) -> None:
    """The export has no ids: a row twice (an export or a merge gone wrong) was two reviews on the page."""
    rows = [dict(r) for r in export.ROWS]
    twin = {**rows[3], "reviewer_email": "", "body": "Tweede keer besteld."}
    rows[3]["reviewer_email"] = ""
    once = judgeme.read([export.write_csv(tmp_path, [*rows[:4], twin, *rows[4:]], name="once.csv")])
    rows[4:4] = [dict(rows[3]), twin]
    path = export.write_csv(tmp_path, rows, name="twice.csv")
    batch = judgeme.read([path])
    assert len(batch.reviews) == len(once.reviews)
    piet = [r.platform_id for r in batch.reviews if r.author == "Piet"]
    first = stable_id("", at("2023-09-07 11:00:00").isoformat(), "name:Piet")
    assert piet == [first, f"{first}-3"]
    assert [(s.where, s.reason) for s in batch.skips if "same row" in s.reason] == [
        (f"{path}:6", "the same row again (every cell as in a row above)")
    ]


def test_a_shopify_export_is_refused_with_what_was_expected_and_found(tmp_path: Path) -> None:
    path = shopify_export.write_csv(tmp_path)
    with pytest.raises(UnreadableExport) as error:
        judgeme.read([path])
    assert error.value.lines()[0] == (
        f"{path}: not a Judge.me export: expected the columns title, body, rating, review_date, "
        "reviewer_name; missing review_date, reviewer_name; found: " + ", ".join(shopify_export.COLUMNS)
    )


def test_recognise_knows_its_own_file_and_no_one_elses(tmp_path: Path) -> None:
    assert judgeme.recognise(export.write_csv(tmp_path))
    assert judgeme.recognise(export.write_csv(tmp_path, name="excel.csv", encoding="cp1252", newline="\r\n"))
    others = [
        shopify_export.write_csv(tmp_path),
        woocommerce_export.write_rest_reviews(tmp_path),
        woocommerce_export.write_wxr(tmp_path),
        kiyoh_export.write_json(tmp_path),
        kiyoh_export.write_xml(tmp_path),
    ]
    assert [judgeme.recognise(p) for p in others] == [False] * 5
