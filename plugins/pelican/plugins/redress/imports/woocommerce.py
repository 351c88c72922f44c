"""WooCommerce product reviews, and the shop's replies to them.

WooCommerce keeps a review as a WordPress comment on the product (type
``review``, its stars in the comment's ``rating`` meta) and a reply as an
ordinary comment whose parent is the review. So an owner brings either

* the REST API's ``/wc/v3/products/reviews`` JSON (``id, date_created_gmt,
  product_id, product_name, product_permalink, status, reviewer,
  reviewer_email, review`` as HTML, ``rating`` with 0 for none,
  ``verified``) together with ``/wp/v2/comments`` JSON for the replies
  (``id, post, parent, author_name, date_gmt, content.rendered, status``), or
* the WordPress export file (Tools > Export > Products, "WXR"), which holds
  every product with its reviews and replies as ``<wp:comment>`` elements,

or both: a review or reply met twice is one. Only approved reviews are
published on WooCommerce, so only those are imported as shown; spam is
imported withheld as ``spam``; held and trashed reviews are skipped, each
with its reason. A reply is a comment whose parent is a review, written by
a registered user of the site (the shop's staff are: the REST ``author`` or
the export's ``wp:comment_user_id`` is theirs, never 0). A guest's comment
under a review (another customer, a competitor) is skipped, not passed off
as the shop's words, and so is a reply to a reply, which may be the
customer answering back. Some WooCommerce versions saved replies as type
``review``, so the reviews API lists them as reviews without stars: the
comments export (``/wp/v2/comments?type=all``) gives their parent, and they
are imported as the replies they are. WooCommerce writes every ``*_gmt``
time in UTC; where only the site's local time is there (old comments), it
is taken as UTC. The reviewer's IP address and avatar URLs are never read.
WooCommerce's "verified owner" is not carried over: an imported review is
labelled by its origin, never as verified by the shop.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..errors import UsageError
from .records import Batch, ImportedProduct, ImportedReply, ImportedReview, RowProblem, Skip, UnreadableExport
from .tables import decode, html_to_text, keep_latest, peek_text, rating_number, utc_datetime

NAME = "WooCommerce"
PLATFORM = "woocommerce"

EXPECTED = (
    "expected the JSON of /wc/v3/products/reviews (id, reviewer, review, rating, status), "
    "the JSON of /wp/v2/comments for the replies, or a WordPress export file (Tools > Export > Products)"
)
NO_TEXT_NO_RATING = "no text and no rating"
TRASHED = "in the trash on WooCommerce"
REPLY_TO_REPLY = "a reply to a reply, not to a review: not imported as the shop's reply"
SAME_REPLY = "the same reply again (in another file)"
EMPTY_REPLY = "an empty reply"
LISTED_REPLY = "a reply listed among the reviews; imported as the reply it is"
NOT_THE_SHOP = "a comment by someone other than the shop"
#: Comment types that are never a review, whatever they are attached to.
NOT_REVIEWS = {"pingback", "trackback", "order_note", "webhook_delivery", "action_log"}
#: WordPress's ``comment_approved`` values as the REST API names them.
APPROVED = {"1": "approved", "0": "hold", "spam": "spam", "trash": "trash", "post-trashed": "trash"}
_NO_DATE = "0000-00-00 00:00:00"
_COMMENTS_JSON = re.compile(r'"content"\s*:\s*\{\s*"rendered"')


def recognise(path: Path) -> bool:
    """A reviews or comments JSON list from WordPress, or a WordPress export file."""
    head = peek_text(path).lstrip()
    if head.startswith("<"):
        return "wordpress.org/export/" in head
    if head.startswith("["):
        reviews = '"reviewer_email"' in head or ('"product_id"' in head and '"reviewer"' in head)
        return reviews or ('"author_name"' in head and bool(_COMMENTS_JSON.search(head)))
    return False


@dataclass
class _Comment:
    """A comment that may be a reply: kept until every file is read, then joined to its review."""

    where: str
    id: str
    parent: str
    status: str  # approved, hold, spam, trash, ...
    text: str
    date: dt.datetime | None
    #: The WordPress user who wrote it; "0" for a guest (anyone who typed a name and an address).
    user: str = "0"


def read(paths: list[Path]) -> Batch:
    """Every review in ``paths`` with its replies; the files may come in any order and mix."""
    batch = Batch()
    comments: list[_Comment] = []
    #: review id -> None when imported (shown or withheld), else where it was skipped.
    reviews_seen: dict[str, str | None] = {}
    for path in paths:
        text = _text(path)
        if text.lstrip().startswith("<"):
            _read_wxr(path, text, batch, comments, reviews_seen)
        else:
            _read_json(path, text, batch, comments, reviews_seen)
    _share_products(batch)
    keep_latest(batch)
    _join_replies(batch, comments, reviews_seen)
    return batch


def _share_products(batch: Batch) -> None:
    """One product record per handle, with all the files know of it (the export has the SKU, the API not)."""
    merged: dict[str, ImportedProduct] = {}
    for review in batch.reviews:
        if review.product is None:
            continue
        known = merged.setdefault(review.product.handle, ImportedProduct(review.product.handle))
        known.name = known.name or review.product.name
        known.sku = known.sku or review.product.sku
        known.url = known.url or review.product.url
        review.product = known


def _text(path: Path) -> str:
    try:
        return decode(path.read_bytes())
    except OSError as error:
        raise UsageError(f"{path}: cannot be read ({error.strerror}). Check the file name.") from None


# -- the REST API's JSON ---------------------------------------------------------------------------


def _read_json(
    path: Path,
    text: str,
    batch: Batch,
    comments: list[_Comment],
    reviews_seen: dict[str, str | None],
) -> None:
    try:
        data = json.loads(text)
    except ValueError as error:
        raise _unreadable(path, f"text that is not JSON ({error})") from None
    if isinstance(data, dict) and "code" in data and "message" in data:
        found = f"an error the API sent instead ({data['code']}: {data['message']})"
        raise _unreadable(path, found)
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise _unreadable(path, _describe(data))
    for number, item in enumerate(data, start=1):
        where = f"{path}:#{number}"
        if "reviewer" in item or "product_id" in item or "review" in item:
            batch.rows += 1
            _rest_review(where, item, batch, reviews_seen)
        elif "post" in item and "content" in item:
            batch.rows += 1
            comments.append(_rest_comment(where, item))
        else:
            raise _unreadable(path, _describe(data))


def _unreadable(path: Path, found: str) -> UnreadableExport:
    return UnreadableExport(str(path), NAME, f"{EXPECTED}; found: {found}")


def _describe(data: Any) -> str:
    if isinstance(data, list):
        first = next((item for item in data if isinstance(item, dict)), None)
        if first is None:
            return "a JSON list of something other than objects"
        return "a JSON list of objects with the keys " + ", ".join(sorted(first)[:12])
    if isinstance(data, dict):
        return "a JSON object with the keys " + ", ".join(sorted(data)[:12])
    return f"a single JSON {type(data).__name__}"


def _rest_review(where: str, item: dict[str, Any], batch: Batch, reviews_seen: dict[str, str | None]) -> None:
    review_id = str(item.get("id") or "").strip()
    if not review_id:
        batch.problems.append(RowProblem(where, "id", "is missing: a review without WooCommerce's id"))
        return
    permalink = str(item.get("product_permalink") or "").strip()
    product_id = str(item.get("product_id") or "").strip()
    product = None
    if product_id or permalink:
        product = ImportedProduct(
            handle=_permalink_slug(permalink) or product_id,
            name=html.unescape(str(item.get("product_name") or "")).strip(),
            url=permalink,
        )
    _review(
        where,
        batch,
        reviews_seen,
        review_id=review_id,
        status=str(item.get("status") or "approved").strip().lower(),
        date=(item.get("date_created_gmt") or item.get("date_created"), "date_created_gmt"),
        rating=item.get("rating"),
        html_text=item.get("review"),
        author=item.get("reviewer"),
        email=item.get("reviewer_email"),
        product=product,
    )


def _rest_comment(where: str, item: dict[str, Any]) -> _Comment:
    content = item.get("content")
    rendered = content.get("rendered") if isinstance(content, dict) else content
    return _Comment(
        where=where,
        id=str(item.get("id") or "").strip(),
        parent=str(item.get("parent") or "0").strip(),
        status=str(item.get("status") or "approved").strip().lower(),
        text=html_to_text(rendered),
        date=_optional_date(item.get("date_gmt") or item.get("date")),
        user=_user_id(item.get("author")),
    )


def _user_id(value: Any) -> str:
    """A comment's WordPress user id as text: ``"0"`` for a guest, and for anything not an id."""
    text = str(value if value is not None else "").strip()
    return text if text.isdigit() and int(text) > 0 else "0"


def _permalink_slug(url: str) -> str:
    """The product's slug from its address, so REST and WXR imports name a product alike.

    ``https://shop.example/product/hoodie/`` gives ``hoodie``; plain
    permalinks (``/?product=hoodie``) give the ``product`` parameter; an
    address with neither (``/?p=12``) gives ``""`` and the product id is used.
    """
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.query:
        return unquote(parse_qs(parts.query).get("product", [""])[0]).strip()
    segments = [segment for segment in parts.path.split("/") if segment]
    return unquote(segments[-1]).strip() if segments else ""


# -- the WordPress export file (WXR) ---------------------------------------------------------------


def _read_wxr(
    path: Path,
    text: str,
    batch: Batch,
    comments: list[_Comment],
    reviews_seen: dict[str, str | None],
) -> None:
    try:
        root = ET.fromstring(text)
    except ET.ParseError as error:
        raise _unreadable(path, f"XML that does not parse ({error})") from None
    if _local(root.tag) != "rss" or not any("wordpress.org/export/" in (el.tag or "") for el in root.iter()):
        found = f"an XML file whose first element is <{_local(root.tag)}>, not a WordPress export"
        raise _unreadable(path, found)
    number = 0
    for item in root.iter("item"):
        fields = _children(item)
        post_type = fields.get("post_type", "")
        product = ImportedProduct(
            handle=unquote(fields.get("post_name", "")).strip() or fields.get("post_id", ""),
            name=fields.get("title", ""),
            sku=_postmeta(item).get("_sku", ""),
            url=fields.get("link", ""),
        )
        for element in item:
            if _local(element.tag) != "comment":
                continue
            number += 1
            batch.rows += 1
            where = f"{path}:#{number}"
            comment = _children(element)
            kind = comment.get("comment_type", "").lower()
            parent = comment.get("comment_parent", "0") or "0"
            if post_type != "product":
                batch.skips.append(Skip(where, f"a comment on a {post_type or 'post'}, not on a product"))
            elif kind in NOT_REVIEWS:
                batch.skips.append(Skip(where, f"a {kind}, not a review"))
            elif parent != "0":
                comments.append(
                    _Comment(
                        where=where,
                        id=comment.get("comment_id", ""),
                        parent=parent,
                        status=_approved(comment.get("comment_approved", "")),
                        text=html_to_text(comment.get("comment_content", "")),
                        date=_optional_date(_wxr_date(comment)),
                        user=_user_id(comment.get("comment_user_id")),
                    )
                )
            else:
                meta = _commentmeta(element)
                _review(
                    where,
                    batch,
                    reviews_seen,
                    review_id=comment.get("comment_id", ""),
                    status=_approved(comment.get("comment_approved", "")),
                    date=(_wxr_date(comment), "wp:comment_date_gmt"),
                    rating=meta.get("rating", ""),
                    html_text=comment.get("comment_content", ""),
                    author=comment.get("comment_author", ""),
                    email=comment.get("comment_author_email", ""),
                    product=product,
                )


_LOCAL_NAMES: dict[str, str] = {}


def _local(tag: object) -> str:
    """``{http://wordpress.org/export/1.2/}comment`` is ``comment``, whatever WXR version wrote it."""
    text = str(tag)
    name = _LOCAL_NAMES.get(text)
    if name is None:
        name = _LOCAL_NAMES[text] = text.rpartition("}")[2]
    return name


def _children(element: ET.Element) -> dict[str, str]:
    """An element's simple children by local name (the first of each), their text trimmed."""
    fields: dict[str, str] = {}
    for child in element:
        fields.setdefault(_local(child.tag), (child.text or "").strip())
    return fields


def _postmeta(item: ET.Element) -> dict[str, str]:
    return _meta(item, "postmeta")


def _commentmeta(comment: ET.Element) -> dict[str, str]:
    return _meta(comment, "commentmeta")


def _meta(element: ET.Element, name: str) -> dict[str, str]:
    meta: dict[str, str] = {}
    for child in element:
        if _local(child.tag) == name:
            pair = _children(child)
            meta.setdefault(pair.get("meta_key", ""), pair.get("meta_value", ""))
    return meta


def _approved(value: str) -> str:
    return APPROVED.get(value.strip().lower(), value.strip().lower() or "hold")


def _wxr_date(comment: dict[str, str]) -> str:
    """``comment_date_gmt``; a comment from before WordPress kept it has only its local time."""
    gmt = comment.get("comment_date_gmt", "")
    return gmt if gmt and gmt != _NO_DATE else comment.get("comment_date", "")


# -- one review, from either source ----------------------------------------------------------------


def _review(
    where: str,
    batch: Batch,
    reviews_seen: dict[str, str | None],
    *,
    review_id: str,
    status: str,
    date: tuple[Any, str],
    rating: Any,
    html_text: Any,
    author: Any,
    email: Any,
    product: ImportedProduct | None,
) -> None:
    """Add the review, its skip, or its problems to ``batch``; note what became of its id."""
    reason = _not_shown(status)
    if reason is not None:
        batch.skips.append(Skip(where, reason))
        reviews_seen.setdefault(review_id, where)
        return
    problems = []
    when = None
    try:
        when = utc_datetime(date[0]).astimezone(dt.UTC)
    except ValueError as error:
        problems.append(RowProblem(where, date[1], str(error)))
    stars = None
    try:
        stars = rating_number(rating, 5, zero_is_none=True)
    except ValueError as error:
        problems.append(RowProblem(where, "rating", str(error)))
    if problems or when is None:
        batch.problems.extend(problems)
        reviews_seen.setdefault(review_id, where)
        return
    text = html_to_text(html_text)
    if not text and stars is None:
        batch.skips.append(Skip(where, NO_TEXT_NO_RATING))
        reviews_seen.setdefault(review_id, where)
        return
    batch.reviews.append(
        ImportedReview(
            platform=PLATFORM,
            platform_id=review_id,
            where=where,
            date=when,
            rating=stars,
            text=text,
            author=html.unescape(str(author or "")).strip(),
            email=str(email or "").strip(),
            product=product,
            withheld="spam" if status == "spam" else None,
        )
    )
    reviews_seen[review_id] = None


def _not_shown(status: str) -> str | None:
    """Why a review with this status is not imported, or ``None`` (approved, or spam: withheld)."""
    if status in ("approved", "spam"):
        return None
    if status == "trash":
        return TRASHED
    return f"not approved on WooCommerce (status {status})"


def _optional_date(value: Any) -> dt.datetime | None:
    """A reply's date, or ``None`` when the export has none it can give."""
    try:
        return utc_datetime(value).astimezone(dt.UTC)
    except ValueError:
        return None


# -- replies ---------------------------------------------------------------------------------------


def _join_replies(batch: Batch, comments: list[_Comment], reviews_seen: dict[str, str | None]) -> None:
    """Give each review the approved replies whose parent it is; every other comment is a counted skip."""
    # WooCommerce has saved some shops' replies as type "review", so the reviews API lists them
    # as reviews without stars; the comments, which have the parent, tell them apart.
    replies = {comment.id for comment in comments if comment.parent != "0"}
    for review in batch.reviews:
        if review.platform_id in replies:
            batch.skips.append(Skip(review.where, LISTED_REPLY))
    batch.reviews = [review for review in batch.reviews if review.platform_id not in replies]
    for reply_id in replies:
        reviews_seen.pop(reply_id, None)
    by_id = {review.platform_id: review for review in batch.reviews}
    comment_ids = {comment.id for comment in comments}
    replies_seen: dict[str, str] = {}
    for comment in comments:
        if comment.id in reviews_seen and comment.parent == "0":
            # The comments JSON lists the review itself too when asked for type=review.
            batch.skips.append(Skip(comment.where, "the review itself, read from the reviews export"))
            continue
        if comment.id and comment.id in replies_seen:
            batch.skips.append(Skip(comment.where, f"{SAME_REPLY}, also at {replies_seen[comment.id]}"))
            continue
        replies_seen[comment.id] = comment.where
        reason = _reply_skip(comment, by_id, reviews_seen, comment_ids)
        if reason is not None:
            batch.skips.append(Skip(comment.where, reason))
            continue
        by_id[comment.parent].replies.append(ImportedReply(text=comment.text, date=comment.date))
    later = dt.datetime.max.replace(tzinfo=dt.UTC)
    for review in batch.reviews:
        review.replies.sort(key=lambda reply: reply.date or later)


def _reply_skip(
    comment: _Comment,
    by_id: dict[str, ImportedReview],
    reviews_seen: dict[str, str | None],
    comment_ids: set[str],
) -> str | None:
    if comment.parent == "0":
        return (
            "a comment that is not a reply to a review "
            "(reviews come from /wc/v3/products/reviews or the WordPress export)"
        )
    if comment.parent not in reviews_seen:
        if comment.parent in comment_ids:
            return REPLY_TO_REPLY
        return f"a reply to comment {comment.parent}, which is in none of these files"
    if comment.parent not in by_id:
        return f"a reply to a review that is not imported ({reviews_seen[comment.parent] or 'a duplicate'})"
    if comment.user == "0":
        return NOT_THE_SHOP
    if comment.status == "spam":
        return "a reply marked as spam on WooCommerce"
    if comment.status == "trash":
        return "a reply in the trash on WooCommerce"
    if comment.status != "approved":
        return f"a reply not approved on WooCommerce (status {comment.status})"
    if not comment.text:
        return EMPTY_REPLY
    return None
