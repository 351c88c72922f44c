"""WooCommerce's files, all three drawn from one small shop so they can be read together.

WooCommerce keeps reviews as WordPress comments of type ``review`` on the
product (stars and "verified owner" in comment meta) and the shop's replies as
comments whose parent is the review. This module holds that shop as
WordPress's own rows (:data:`PRODUCTS`, :data:`COMMENTS`) and writes them as

* the REST API's ``GET /wp-json/wc/v3/products/reviews`` (what
  ``WC_REST_Product_Reviews_Controller`` sends: newest first, ``review`` passed
  through ``wpautop``, ``product_name`` through ``get_the_title`` so ``&`` is
  ``&#038;``, times without a zone, ``rating`` 0 for none);
* ``GET /wp-json/wp/v2/comments`` for the replies (``content.rendered``
  through ``wpautop``);
* the WordPress export file (Tools > Export > Products; WXR 1.2 as
  ``wp-admin/includes/export.php`` writes it: tab-indented, text in CDATA,
  ``&`` in a guid as ``&#038;``, spam comments left out).

The JSON is written the way PHP's ``json_encode`` writes it: compact, ``/``
as ``\\/`` and every non-ASCII character as ``\\uXXXX``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

SITE = "https://fietsenwinkel.example"
#: The site's time zone when the comments were written (Europe/Amsterdam, winter).
LOCAL = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Product:
    id: int
    slug: str
    name: str
    sku: str


@dataclass(frozen=True)
class Comment:
    """One row of ``wp_comments`` with its ``rating`` and ``verified`` meta."""

    id: int
    post: int
    author: str
    email: str
    ip: str
    date_gmt: str  # "2024-02-03 13:05:06", as WordPress stores it
    content: str  # comment_content as stored: text with line breaks, sometimes markup
    approved: str = "1"  # "1", "0", "spam" or "trash"
    type: str = "review"
    parent: int = 0
    user_id: int = 0
    rating: str | None = None
    verified: str | None = None


PRODUCTS = {
    12: Product(12, "hoodie", "Hoodie", "HD-01"),
    15: Product(15, "fietsbel", "Fiets & Co bel", "BEL-7"),
}

#: The shop: answered reviews, a hostile one, a customer answering the shop back, one with
#: no stars, and the reviews WooCommerce does not publish (held, spam, trash).
COMMENTS = [
    Comment(45, 12, "Jan de Vries", "jan@example.nl", "192.0.2.10", "2024-02-03 13:05:06",
            "Great hoodie.\n\nWarm and soft.\nFits well.", rating="5", verified="1"),
    Comment(46, 12, "Fietsenwinkel", "owner@fietsenwinkel.example", "198.51.100.1", "2024-02-04 09:00:00",
            "Thank you, Jan! Enjoy it.", type="comment", parent=45, user_id=1),
    Comment(47, 12, "Émile Zoë", "emile@example.fr", "203.0.113.77", "2024-02-10 18:30:00",
            '<script>alert("x")</script>Too small. <img src=x onerror=alert(1)>Sleeves &amp; hood too short.',
            rating="2", verified="0"),
    Comment(48, 12, "Fietsenwinkel", "owner@fietsenwinkel.example", "198.51.100.1", "2024-02-11 08:00:00",
            "Draft answer, not sent.", approved="0", type="comment", parent=47, user_id=1),
    Comment(49, 12, "Fietsenwinkel", "owner@fietsenwinkel.example", "198.51.100.1", "2024-02-11 09:30:00",
            "Sorry, Émile! We will exchange it for a larger size.\n\nA return label is on its way.",
            type="comment", parent=47, user_id=1),
    Comment(50, 12, "Émile Zoë", "emile@example.fr", "203.0.113.77", "2024-02-12 10:00:00",
            "Thanks, it arrived.", type="comment", parent=49),
    Comment(51, 15, "Piet", "piet@example.nl", "192.0.2.55", "2024-03-01 07:45:00",
            "Loud & clear.", rating="0", verified="1"),
    Comment(52, 15, "Held Back", "held@example.nl", "192.0.2.56", "2024-03-02 12:00:00",
            "Waiting for moderation.", approved="0", rating="4"),
    Comment(53, 15, "Cheap Pills", "spam@example.com", "192.0.2.57", "2024-03-03 12:00:00",
            "Buy cheap pills at example.com", approved="spam", rating="5"),
    Comment(54, 15, "Binned", "bin@example.nl", "192.0.2.58", "2024-03-04 12:00:00",
            "Removed by the shop.", approved="trash", rating="1"),
]  # fmt: skip

STATUS = {"1": "approved", "0": "hold", "spam": "spam", "trash": "trash"}


def wpautop(text: str) -> str:
    """WordPress's ``wpautop`` for plain comment text: paragraphs in ``<p>``, line breaks as ``<br />``."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join("<p>" + p.replace("\n", "<br />\n") + "</p>\n" for p in paragraphs)


def php_json(data: Any) -> bytes:
    """JSON as PHP's ``json_encode`` writes it (WordPress's REST API): compact, ``\\/``, ``\\uXXXX``."""
    return json.dumps(data, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/").encode("ascii")


def _iso(date_gmt: str, offset: dt.timedelta = dt.timedelta(0)) -> str:
    return (dt.datetime.fromisoformat(date_gmt) + offset).strftime("%Y-%m-%dT%H:%M:%S")


def _local(date_gmt: str) -> str:
    return (dt.datetime.fromisoformat(date_gmt) + LOCAL).strftime("%Y-%m-%d %H:%M:%S")


def _avatars(email: str) -> dict[str, str]:
    digest = hashlib.md5(email.strip().lower().encode()).hexdigest()  # as Gravatar names them
    return {s: f"https://secure.gravatar.com/avatar/{digest}?s={s}&d=mm&r=g" for s in ("24", "48", "96")}


def rest_review(comment: Comment, products: dict[int, Product] = PRODUCTS) -> dict[str, Any]:
    """One object of ``/wc/v3/products/reviews``, in the controller's key order."""
    product = products[comment.post]
    return {
        "id": comment.id,
        "date_created": _iso(comment.date_gmt, LOCAL),
        "date_created_gmt": _iso(comment.date_gmt),
        "product_id": product.id,
        "product_name": html.escape(product.name, quote=False).replace("&amp;", "&#038;"),
        "product_permalink": f"{SITE}/product/{product.slug}/",
        "status": STATUS[comment.approved],
        "reviewer": comment.author,
        "reviewer_email": comment.email,
        "review": wpautop(comment.content),
        "rating": int(rating) if (rating := comment.rating or "0").isdigit() else rating,
        "verified": comment.verified == "1",
        "reviewer_avatar_urls": _avatars(comment.email),
        "_links": {
            "self": [{"href": f"{SITE}/wp-json/wc/v3/products/reviews/{comment.id}"}],
            "collection": [{"href": f"{SITE}/wp-json/wc/v3/products/reviews"}],
            "up": [{"href": f"{SITE}/wp-json/wc/v3/products/{product.id}"}],
        },
    }


def wp_comment(comment: Comment, products: dict[int, Product] = PRODUCTS) -> dict[str, Any]:
    """One object of ``/wp/v2/comments`` (context ``view``)."""
    product = products[comment.post]
    return {
        "id": comment.id,
        "post": comment.post,
        "parent": comment.parent,
        "author": comment.user_id,
        "author_name": comment.author,
        "author_url": SITE if comment.user_id else "",
        "date": _iso(comment.date_gmt, LOCAL),
        "date_gmt": _iso(comment.date_gmt),
        "content": {"rendered": wpautop(comment.content)},
        "link": f"{SITE}/product/{product.slug}/#comment-{comment.id}",
        "status": STATUS[comment.approved],
        "type": comment.type or "comment",
        "author_avatar_urls": _avatars(comment.email),
        "meta": [],
        "_links": {
            "self": [{"href": f"{SITE}/wp-json/wp/v2/comments/{comment.id}"}],
            "collection": [{"href": f"{SITE}/wp-json/wp/v2/comments"}],
            "up": [
                {
                    "embeddable": True,
                    "post_type": "product",
                    "href": f"{SITE}/wp-json/wp/v2/product/{product.id}",
                }
            ],
            "in-reply-to": [{"embeddable": True, "href": f"{SITE}/wp-json/wp/v2/comments/{comment.parent}"}],
        },
    }


def reviews(comments: list[Comment] = COMMENTS) -> list[Comment]:
    return [c for c in comments if c.parent == 0 and c.type == "review"]


def replies(comments: list[Comment] = COMMENTS) -> list[Comment]:
    return [c for c in comments if c.parent != 0]


def write_rest_reviews(
    folder: Path,
    comments: list[Comment] | None = None,
    name: str = "reviews.json",
    products: dict[int, Product] = PRODUCTS,
) -> Path:
    """The reviews as ``/wc/v3/products/reviews?status=all&per_page=100`` returns them, newest first."""
    chosen = reviews() if comments is None else comments
    data = [rest_review(c, products) for c in sorted(chosen, key=lambda c: c.date_gmt, reverse=True)]
    path = folder / name
    path.write_bytes(php_json(data))
    return path


def write_wp_comments(
    folder: Path,
    comments: list[Comment] | None = None,
    name: str = "comments.json",
    products: dict[int, Product] = PRODUCTS,
) -> Path:
    """The replies as ``/wp/v2/comments?post=...&status=all`` returns them, newest first."""
    chosen = replies() if comments is None else comments
    data = [wp_comment(c, products) for c in sorted(chosen, key=lambda c: c.date_gmt, reverse=True)]
    path = folder / name
    path.write_bytes(php_json(data))
    return path


def cdata(text: str) -> str:
    """WordPress's ``wxr_cdata``: text in CDATA, a ``]]>`` inside split across two sections."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


_HEADER = """<?xml version="1.0" encoding="UTF-8" ?>
<!-- This is a WordPress eXtended RSS file generated by WordPress as an export of your site. -->
<!-- It contains information about your site's posts, pages, comments, categories, and other content. -->
<!-- You may use this file to transfer that content from one site to another. -->
<!-- This file is not intended to serve as a complete backup of your site. -->

<!-- To import this information into a WordPress site follow these steps: -->
<!-- 1. Log in to that site as an administrator. -->
<!-- 2. Go to Tools: Import in the WordPress admin panel. -->
<!-- 3. Install the "WordPress" importer from the list. -->
<!-- 4. Activate & Run Importer. -->
<!-- 5. Upload this file using the form provided on that page. -->
<!-- 6. You will first be asked to map the authors in this export file to users -->
<!--    on the site. For each author, you may choose to map to an -->
<!--    existing user on the site or to create a new user. -->
<!-- 7. WordPress will then import each of the posts, pages, comments, categories, etc. -->
<!--    contained in this file into your site. -->

<!-- generator="WordPress/6.5.3" created="2024-05-06 10:00" -->
<rss version="2.0"
\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
\txmlns:content="http://purl.org/rss/1.0/modules/content/"
\txmlns:wfw="http://wellformedweb.org/CommentAPI/"
\txmlns:dc="http://purl.org/dc/elements/1.1/"
\txmlns:wp="http://wordpress.org/export/1.2/"
>

<channel>
\t<title>Fietsenwinkel</title>
\t<link>{site}</link>
\t<description>Fietsen en onderdelen</description>
\t<pubDate>Mon, 06 May 2024 10:00:00 +0000</pubDate>
\t<language>nl-NL</language>
\t<wp:wxr_version>1.2</wp:wxr_version>
\t<wp:base_site_url>{site}</wp:base_site_url>
\t<wp:base_blog_url>{site}</wp:base_blog_url>

\t\t<wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[owner]]></wp:author_login>\
<wp:author_email><![CDATA[owner@fietsenwinkel.example]]></wp:author_email>\
<wp:author_display_name><![CDATA[Fietsenwinkel]]></wp:author_display_name>\
<wp:author_first_name><![CDATA[]]></wp:author_first_name><wp:author_last_name><![CDATA[]]></wp:author_last_name>\
</wp:author>

\t<generator>https://wordpress.org/?v=6.5.3</generator>
"""


def _wxr_comment(c: Comment) -> str:
    meta = "".join(
        f"\t\t\t<wp:commentmeta>\n\t\t\t\t<wp:meta_key>{cdata(key)}</wp:meta_key>\n"
        f"\t\t\t\t<wp:meta_value>{cdata(value)}</wp:meta_value>\n\t\t\t</wp:commentmeta>\n"
        for key, value in (("rating", c.rating), ("verified", c.verified))
        if value is not None
    )
    return (
        "\t\t<wp:comment>\n"
        f"\t\t\t<wp:comment_id>{c.id}</wp:comment_id>\n"
        f"\t\t\t<wp:comment_author>{cdata(c.author)}</wp:comment_author>\n"
        f"\t\t\t<wp:comment_author_email>{cdata(c.email)}</wp:comment_author_email>\n"
        f"\t\t\t<wp:comment_author_url>{SITE if c.user_id else ''}</wp:comment_author_url>\n"
        f"\t\t\t<wp:comment_author_IP>{cdata(c.ip)}</wp:comment_author_IP>\n"
        f"\t\t\t<wp:comment_date>{cdata(_local(c.date_gmt))}</wp:comment_date>\n"
        f"\t\t\t<wp:comment_date_gmt>{cdata(c.date_gmt)}</wp:comment_date_gmt>\n"
        f"\t\t\t<wp:comment_content>{cdata(c.content)}</wp:comment_content>\n"
        f"\t\t\t<wp:comment_approved>{cdata(c.approved)}</wp:comment_approved>\n"
        f"\t\t\t<wp:comment_type>{cdata(c.type)}</wp:comment_type>\n"
        f"\t\t\t<wp:comment_parent>{c.parent}</wp:comment_parent>\n"
        f"\t\t\t<wp:comment_user_id>{c.user_id}</wp:comment_user_id>\n"
        f"{meta}"
        "\t\t</wp:comment>\n"
    )


def _wxr_item(product: Product, comments: list[Comment], post_type: str = "product") -> str:
    return (
        "\n\t<item>\n"
        f"\t\t<title>{cdata(product.name)}</title>\n"
        f"\t\t<link>{SITE}/product/{product.slug}/</link>\n"
        "\t\t<pubDate>Mon, 01 Jan 2024 10:00:00 +0000</pubDate>\n"
        "\t\t<dc:creator><![CDATA[owner]]></dc:creator>\n"
        f'\t\t<guid isPermaLink="false">{SITE}/?post_type={post_type}&#038;p={product.id}</guid>\n'
        "\t\t<description></description>\n"
        f"\t\t<content:encoded>{cdata('<p>' + product.name + '</p>')}</content:encoded>\n"
        "\t\t<excerpt:encoded><![CDATA[]]></excerpt:encoded>\n"
        f"\t\t<wp:post_id>{product.id}</wp:post_id>\n"
        "\t\t<wp:post_date><![CDATA[2024-01-01 11:00:00]]></wp:post_date>\n"
        "\t\t<wp:post_date_gmt><![CDATA[2024-01-01 10:00:00]]></wp:post_date_gmt>\n"
        "\t\t<wp:post_modified><![CDATA[2024-03-04 13:00:00]]></wp:post_modified>\n"
        "\t\t<wp:post_modified_gmt><![CDATA[2024-03-04 12:00:00]]></wp:post_modified_gmt>\n"
        "\t\t<wp:comment_status><![CDATA[open]]></wp:comment_status>\n"
        "\t\t<wp:ping_status><![CDATA[closed]]></wp:ping_status>\n"
        f"\t\t<wp:post_name>{cdata(product.slug)}</wp:post_name>\n"
        "\t\t<wp:status><![CDATA[publish]]></wp:status>\n"
        "\t\t<wp:post_parent>0</wp:post_parent>\n"
        "\t\t<wp:menu_order>0</wp:menu_order>\n"
        f"\t\t<wp:post_type>{cdata(post_type)}</wp:post_type>\n"
        "\t\t<wp:post_password><![CDATA[]]></wp:post_password>\n"
        "\t\t<wp:is_sticky>0</wp:is_sticky>\n"
        + (
            '\t\t<category domain="product_type" nicename="simple"><![CDATA[simple]]></category>\n'
            "\t\t<wp:postmeta>\n"
            "\t\t<wp:meta_key><![CDATA[_sku]]></wp:meta_key>\n"
            f"\t\t<wp:meta_value>{cdata(product.sku)}</wp:meta_value>\n"
            "\t\t</wp:postmeta>\n"
            "\t\t<wp:postmeta>\n"
            "\t\t<wp:meta_key><![CDATA[_wc_average_rating]]></wp:meta_key>\n"
            "\t\t<wp:meta_value><![CDATA[3.50]]></wp:meta_value>\n"
            "\t\t</wp:postmeta>\n"
            if post_type == "product"
            else ""
        )
        + "".join(_wxr_comment(c) for c in comments)
        + "\t</item>\n"
    )


def write_wxr(
    folder: Path,
    comments: list[Comment] | None = None,
    name: str = "fietsenwinkel.WordPress.2024-05-06.xml",
    products: dict[int, Product] = PRODUCTS,
    posts: dict[int, Product] | None = None,
) -> Path:
    """Tools > Export > Products: each product with its comments (spam left out, as WordPress does).

    ``posts`` are blog posts in the same file (an "All content" export), with their comments.
    """
    chosen = [c for c in (COMMENTS if comments is None else comments) if c.approved != "spam"]
    items = [_wxr_item(p, [c for c in chosen if c.post == p.id]) for p in products.values()]
    items += [_wxr_item(p, [c for c in chosen if c.post == p.id], "post") for p in (posts or {}).values()]
    text = _HEADER.format(site=SITE) + "".join(items) + "</channel>\n</rss>\n"
    path = folder / name
    path.write_bytes(text.encode("utf-8"))
    return path


def changed(comment_id: int, **fields: Any) -> list[Comment]:
    """:data:`COMMENTS` with one comment changed (a bad rating, another status, ...)."""
    return [replace(c, **fields) if c.id == comment_id else c for c in COMMENTS]
