"""WooCommerce's reviews and the shop's replies, from the REST API's JSON and from a WordPress export."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from import_exports import judgeme as judgeme_export
from import_exports import kiyoh as kiyoh_export
from import_exports import shopify as shopify_export
from import_exports import woocommerce as export
from pelican.plugins.redress.imports import woocommerce
from pelican.plugins.redress.imports.records import (
    Batch,
    ImportedProduct,
    ImportedReply,
    ImportedReview,
    RowProblem,
    UnreadableExport,
)
from pelican.plugins.redress.imports.tables import DUPLICATE


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


HOODIE = "https://fietsenwinkel.example/product/hoodie/"
BEL = "https://fietsenwinkel.example/product/fietsbel/"
HOLD = "not approved on WooCommerce (status hold)"
THANKS = ImportedReply("Thank you, Jan! Enjoy it.", at("2024-02-04 09:00:00"))
SORRY = ImportedReply(
    "Sorry, Émile! We will exchange it for a larger size.\n\nA return label is on its way.",
    at("2024-02-11 09:30:00"),
)


def expected(where: dict[int, str], sku: bool) -> dict[str, ImportedReview]:
    """The shop's reviews as records; ``where`` maps a comment id to its place in the files."""

    def product(slug: str, name: str, code: str, url: str) -> ImportedProduct:
        return ImportedProduct(handle=slug, name=name, sku=code if sku else "", url=url)

    hoodie = product("hoodie", "Hoodie", "HD-01", HOODIE)
    bel = product("fietsbel", "Fiets & Co bel", "BEL-7", BEL)
    records = {
        "45": ImportedReview(
            platform="woocommerce",
            platform_id="45",
            where=where[45],
            date=at("2024-02-03 13:05:06"),
            rating=5,
            text="Great hoodie.\n\nWarm and soft.\nFits well.",
            author="Jan de Vries",
            email="jan@example.nl",
            product=hoodie,
            replies=[THANKS],
        ),
        "47": ImportedReview(
            platform="woocommerce",
            platform_id="47",
            where=where[47],
            date=at("2024-02-10 18:30:00"),
            rating=2,
            text="Too small. Sleeves & hood too short.",
            author="Émile Zoë",
            email="emile@example.fr",
            product=hoodie,
            replies=[SORRY],
        ),
        "51": ImportedReview(
            platform="woocommerce",
            platform_id="51",
            where=where[51],
            date=at("2024-03-01 07:45:00"),
            rating=None,  # WooCommerce's 0: the reviewer gave no stars
            text="Loud & clear.",
            author="Piet",
            email="piet@example.nl",
            product=bel,
        ),
    }
    if 53 in where:
        records["53"] = ImportedReview(
            platform="woocommerce",
            platform_id="53",
            where=where[53],
            date=at("2024-03-03 12:00:00"),
            rating=5,
            text="Buy cheap pills at example.com",
            author="Cheap Pills",
            email="spam@example.com",
            product=bel,
            withheld="spam",
        )
    return records


def by_id(batch: Batch) -> dict[str, ImportedReview]:
    return {review.platform_id: review for review in batch.reviews}


def reasons(batch: Batch) -> Counter[str]:
    return Counter(skip.reason for skip in batch.skips)


def accounted(batch: Batch) -> int:
    """Rows that became a review, a reply, a skip or a problem: every row read is one of them."""
    replies = sum(len(review.replies) for review in batch.reviews)
    return len(batch.reviews) + replies + len(batch.skips) + len(batch.problems)


def test_rest_reviews_with_their_replies_from_the_comments_api(tmp_path: Path) -> None:
    reviews = export.write_rest_reviews(tmp_path)
    comments = export.write_wp_comments(tmp_path)
    assert reviews.read_bytes().startswith(b'[{"id":54,"date_created":"2024-03-04T13:00:00"')
    assert b"https:\\/\\/fietsenwinkel.example" in reviews.read_bytes()  # PHP's json_encode

    batch = woocommerce.read([reviews, comments])

    places = {53: f"{reviews}:#2", 51: f"{reviews}:#4", 47: f"{reviews}:#5", 45: f"{reviews}:#6"}
    assert by_id(batch) == expected(places, sku=False)
    assert list(by_id(batch)) == ["53", "51", "47", "45"]  # the order of the file
    assert batch.problems == []
    assert sorted((s.where, s.reason) for s in batch.skips) == [
        (f"{comments}:#1", "a reply to a reply, not to a review: not imported as the shop's reply"),
        (f"{comments}:#3", "a reply not approved on WooCommerce (status hold)"),
        (f"{reviews}:#1", "in the trash on WooCommerce"),
        (f"{reviews}:#3", HOLD),
    ]
    assert batch.rows == 10 == accounted(batch)


def test_a_wordpress_export_alone_holds_reviews_replies_and_skus(tmp_path: Path) -> None:
    wxr = export.write_wxr(tmp_path)
    text = wxr.read_text(encoding="utf-8")
    assert "<wp:comment_author_IP><![CDATA[192.0.2.10]]></wp:comment_author_IP>" in text
    assert "Cheap Pills" not in text  # WordPress leaves spam out of its export

    batch = woocommerce.read([wxr])

    places = {45: f"{wxr}:#1", 47: f"{wxr}:#3", 51: f"{wxr}:#7"}
    assert by_id(batch) == expected(places, sku=True)
    assert reasons(batch) == Counter(
        {
            HOLD: 1,
            "in the trash on WooCommerce": 1,
            "a reply not approved on WooCommerce (status hold)": 1,
            "a reply to a reply, not to a review: not imported as the shop's reply": 1,
        }
    )
    assert batch.problems == []
    assert batch.rows == 9 == accounted(batch)


def test_the_api_and_the_export_together_are_one_shop(tmp_path: Path) -> None:
    """Every review and reply in both is read twice and imported once; the counts still add up."""
    files = [
        export.write_rest_reviews(tmp_path),
        export.write_wp_comments(tmp_path),
        export.write_wxr(tmp_path),
    ]

    batch = woocommerce.read(files)

    assert sorted(by_id(batch)) == ["45", "47", "51", "53"]
    assert by_id(batch)["45"].replies == [THANKS]
    assert by_id(batch)["47"].replies == [SORRY]
    assert reasons(batch)[DUPLICATE] == 3
    assert {r.product.sku for r in batch.reviews if r.product} == {
        "HD-01",
        "BEL-7",
    }  # only the export has SKUs
    assert sum("the same reply again" in s.reason for s in batch.skips) == 4
    assert batch.rows == 19 == accounted(batch)


def test_nothing_but_the_email_address_of_the_reviewer_is_kept_private_or_public(tmp_path: Path) -> None:
    """No IP address, avatar URL or shop e-mail in any field; the reviewer's e-mail only in ``email``."""
    files = [
        export.write_rest_reviews(tmp_path),
        export.write_wp_comments(tmp_path),
        export.write_wxr(tmp_path),
    ]
    batch = woocommerce.read(files)
    everything = repr(batch.reviews)
    for comment in export.COMMENTS:
        assert comment.ip not in everything
    assert "gravatar" not in everything
    assert "owner@fietsenwinkel.example" not in everything
    for review in batch.reviews:
        public = repr(replace(review, email=""))
        assert "@" not in public, public


def test_review_html_keeps_the_words_and_drops_the_tags(tmp_path: Path) -> None:
    """wpautop's paragraphs in the API, the raw comment with a script and an image in the export."""
    rest = woocommerce.read([export.write_rest_reviews(tmp_path)])
    wxr = woocommerce.read([export.write_wxr(tmp_path)])
    assert by_id(rest)["47"].text == by_id(wxr)["47"].text == "Too small. Sleeves & hood too short."
    assert by_id(rest)["45"].text == by_id(wxr)["45"].text == "Great hoodie.\n\nWarm and soft.\nFits well."


def test_a_bad_rating_is_a_problem_of_that_row_and_the_others_are_still_read(tmp_path: Path) -> None:
    comments = export.changed(45, rating="six")
    reviews = export.write_rest_reviews(tmp_path, export.reviews(comments))
    replies = export.write_wp_comments(tmp_path, export.replies(comments))
    wxr = export.write_wxr(tmp_path, comments)

    for files, where in (([reviews, replies], f"{reviews}:#6"), ([wxr], f"{wxr}:#1")):
        batch = woocommerce.read(files)
        assert batch.problems == [RowProblem(where, "rating", "'six' is not a whole number from 1 to 5")]
        assert str(batch.problems[0]).startswith(f"{where}: rating: 'six'")
        assert "45" not in by_id(batch)
        assert by_id(batch)["47"].replies == [SORRY]
        assert f"a reply to a review that is not imported ({where})" in reasons(batch)
        assert batch.rows == accounted(batch)


def test_a_date_that_is_no_date_is_a_problem_of_its_row(tmp_path: Path) -> None:
    data = [export.rest_review(c) for c in export.reviews()]
    data[0]["date_created_gmt"] = "yesterday"
    path = tmp_path / "reviews.json"
    path.write_bytes(export.php_json(data))
    batch = woocommerce.read([path])
    assert [(p.where, p.field) for p in batch.problems] == [(f"{path}:#1", "date_created_gmt")]
    assert "'yesterday' is not a date" in batch.problems[0].message
    assert sorted(by_id(batch)) == ["47", "51", "53"]


def test_an_old_comment_without_its_gmt_time_uses_its_local_time_as_utc(tmp_path: Path) -> None:
    wxr = export.write_wxr(tmp_path)
    text = wxr.read_text(encoding="utf-8").replace(
        "<wp:comment_date_gmt><![CDATA[2024-02-03 13:05:06]]>",
        "<wp:comment_date_gmt><![CDATA[0000-00-00 00:00:00]]>",
    )
    wxr.write_text(text, encoding="utf-8")
    assert by_id(woocommerce.read([wxr]))["45"].date == at("2024-02-03 14:05:06")


def test_comments_on_blog_posts_in_an_all_content_export_are_skipped_by_name(tmp_path: Path) -> None:
    post = export.Product(3, "hallo-wereld", "Hallo wereld", "")
    blog = export.Comment(
        9, 3, "Lezer", "lezer@example.nl", "192.0.2.9", "2024-01-05 10:00:00", "Mooi!", type="comment"
    )
    wxr = export.write_wxr(tmp_path, [*export.COMMENTS, blog], posts={3: post})
    batch = woocommerce.read([wxr])
    assert reasons(batch)["a comment on a post, not on a product"] == 1
    assert "Mooi!" not in repr(batch.reviews)
    assert batch.rows == 10 == accounted(batch)


def test_replies_without_their_review_and_the_review_listed_as_a_comment_are_skipped(tmp_path: Path) -> None:
    """The comments API lists reviews too when asked for ``type=review``; a reply may outlive its review."""
    review_as_comment = export.wp_comment(export.COMMENTS[0])
    orphan = export.wp_comment(replace(export.COMMENTS[1], id=99, parent=77))
    top_level = export.wp_comment(replace(export.COMMENTS[1], id=98, parent=0))
    comments = tmp_path / "comments.json"
    comments.write_bytes(export.php_json([review_as_comment, orphan, top_level]))
    batch = woocommerce.read([export.write_rest_reviews(tmp_path), comments])
    assert [s.reason for s in batch.skips if s.where.startswith(str(comments))] == [
        "the review itself, read from the reviews export",
        "a reply to comment 77, which is in none of these files",
        "a comment that is not a reply to a review "
        "(reviews come from /wc/v3/products/reviews or the WordPress export)",
    ]
    assert by_id(batch)["45"].replies == []


#: A guest (no WordPress account) writing under Jan's review: a rival, with a phone number.
RIVAL = export.Comment(
    60, 12, "Klaas Concurrent", "klaas@rival.example", "192.0.2.99", "2024-02-05 10:00:00",
    "Don't believe Jan, mine broke in a week. Call me 06-12345678", type="comment", parent=45,
)  # fmt: skip


@pytest.mark.parametrize("source", ["rest", "wxr"])
def test_only_the_shops_own_users_write_its_replies(tmp_path: Path, source: str) -> None:
    """A comment under a review by a guest (user 0) is someone else's words, never the shop's reply."""
    if source == "rest":
        files = [
            export.write_rest_reviews(tmp_path),
            export.write_wp_comments(tmp_path, [*export.replies(), RIVAL]),
        ]
        assert b'"id":60,"post":12,"parent":45,"author":0,' in files[1].read_bytes()
    else:
        files = [export.write_wxr(tmp_path, [*export.COMMENTS, RIVAL])]
        assert "<wp:comment_user_id>0</wp:comment_user_id>" in files[0].read_text(encoding="utf-8")
    batch = woocommerce.read(files)
    assert by_id(batch)["45"].replies == [THANKS]
    assert reasons(batch)["a comment by someone other than the shop"] == 1
    assert batch.rows == accounted(batch)


def test_a_product_is_named_by_its_slug_whatever_the_permalinks_look_like(tmp_path: Path) -> None:
    data = [export.rest_review(c) for c in export.reviews()[:2]]
    data[0]["product_permalink"] = "https://fietsenwinkel.example/?product=hoodie"
    data[1]["product_permalink"] = "https://fietsenwinkel.example/?p=12"
    path = tmp_path / "reviews.json"
    path.write_bytes(export.php_json(data))
    products = [review.product for review in woocommerce.read([path]).reviews]
    assert [p.handle for p in products if p] == ["hoodie", "12"]


@pytest.mark.parametrize(
    ("content", "found"),
    [
        ("id,name,total\n1,Hoodie,10\n", "text that is not JSON"),
        ('{"reviews": []}', "a JSON object with the keys reviews"),
        (
            '{"code":"woocommerce_rest_cannot_view","message":"Sorry, you cannot list resources.",'
            '"data":{"status":401}}',
            "an error the API sent instead (woocommerce_rest_cannot_view: Sorry, you cannot list resources.)",
        ),
        ('[{"sku": "HD-01", "name": "Hoodie"}]', "a JSON list of objects with the keys name, sku"),
        ("<rss><channel><item><title>x", "XML that does not parse"),
        (
            '<rss version="2.0"><channel><item><title>News</title></item></channel></rss>',
            "not a WordPress export",
        ),
    ],
)
def test_a_file_that_is_no_woocommerce_export_says_what_was_expected_and_found(
    tmp_path: Path, content: str, found: str
) -> None:
    path = tmp_path / "export.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UnreadableExport) as error:
        woocommerce.read([path])
    line = error.value.lines()[0]
    assert line.startswith(f"{path}: not a WooCommerce export: expected the JSON of /wc/v3/products/reviews")
    assert found in line


def test_an_empty_page_of_the_api_is_no_reviews(tmp_path: Path) -> None:
    path = tmp_path / "reviews-page-3.json"
    path.write_text("[]", encoding="utf-8")
    assert woocommerce.read([path]) == Batch()


def test_recognise_knows_its_own_files_and_no_one_elses(tmp_path: Path) -> None:
    own = [
        export.write_rest_reviews(tmp_path),
        export.write_wp_comments(tmp_path),
        export.write_wxr(tmp_path),
    ]
    others = [
        shopify_export.write_csv(tmp_path),
        judgeme_export.write_csv(tmp_path),
        kiyoh_export.write_json(tmp_path),
        kiyoh_export.write_xml(tmp_path),
    ]
    feed = tmp_path / "feed.xml"
    feed.write_text('<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>', encoding="utf-8")
    listing = tmp_path / "products.json"
    listing.write_text(json.dumps([{"id": 12, "name": "Hoodie", "sku": "HD-01"}]), encoding="utf-8")
    assert [woocommerce.recognise(p) for p in own] == [True, True, True]
    assert [woocommerce.recognise(p) for p in [*others, feed, listing]] == [False] * 6


def test_an_entity_bomb_is_refused_not_expanded(tmp_path: Path) -> None:
    """A file built to expand to gigabytes stops at the XML parser's amplification limit."""
    entities = ['<!ENTITY a0 "lol">'] + [f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)]
    path = tmp_path / "export.xml"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [{"".join(entities)}]>\n'
        '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item>'
        "<wp:comment><wp:comment_content>&a9;</wp:comment_content></wp:comment></item></channel></rss>",
        encoding="utf-8",
    )
    with pytest.raises(UnreadableExport) as error:
        woocommerce.read([path])
    assert "found: XML that does not parse (limit on input amplification factor" in error.value.lines()[0]


def test_a_reply_the_reviews_api_lists_as_a_review_is_imported_as_the_reply(tmp_path: Path) -> None:
    """Replies saved as type ``review`` come back from the reviews API as starless reviews."""
    reply = replace(export.COMMENTS[1], type="review")  # the shop's "Thank you, Jan!"
    reviews = export.write_rest_reviews(tmp_path, [*export.reviews(), reply])
    comments = export.write_wp_comments(tmp_path, [reply])  # /wp/v2/comments?type=all knows its parent
    batch = woocommerce.read([reviews, comments])
    assert "46" not in by_id(batch)
    assert by_id(batch)["45"].replies == [THANKS]
    assert reasons(batch)["a reply listed among the reviews; imported as the reply it is"] == 1
    assert batch.rows == 8 == accounted(batch)
