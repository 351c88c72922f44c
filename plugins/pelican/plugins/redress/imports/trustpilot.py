"""Trustpilot: the business export (CSV or XLSX) and the data of the public review page.

The business export (Trustpilot Business > Reviews > Export) has one row per
review. Newer files give only the date of the shop's reply, which becomes
:attr:`~.records.ImportedReview.replied_on` rather than an empty reply; older
files also carry the reply text (``Company Response``), the reviewer's name
(``Review Username``) and the order reference (``Reference Id``).

The public page is read from its ``__NEXT_DATA__`` JSON: a saved ``.html``
page, that JSON on its own, or the list of review objects scrapers keep.

Dates are UTC, as the export's column names say (``Review Created (UTC)``);
in an XLSX they may be spreadsheet dates or bare Excel serial day numbers.

Private values stay out of every record: the consumer's user id, tags,
location and business unit ids are never read at all, so no later step can
publish them by mistake. The order reference is the one exception: it goes
to the review's private ``Order`` field, never shown, so that the page hides
it where the reviewer typed it into the review as well.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .records import Batch, ImportedReply, ImportedReview, RowProblem, Skip, UnreadableExport
from .tables import (
    RowError,
    Table,
    cell,
    cell_text,
    decode,
    found_headers,
    header_key,
    is_xlsx,
    keep_latest,
    open_table,
    parse_field,
    peek_headers,
    stars,
    utc_datetime,
)

NAME = "Trustpilot"
PLATFORM = "trustpilot"

# Columns of the business export, newest spelling first.
ID = ("Review ID", "Id")
CREATED = ("Review Created (UTC)", "Review Created")
STARS = ("Review Stars",)
TITLE = ("Review Title",)
CONTENT = ("Review Content",)
AUTHOR = ("Review Username", "Review User Name")
EMAIL = ("Review User Email", "Review Consumer Email")
LANGUAGE = ("Review Language",)
SOURCE = ("Source Of Review",)
REPLY_DATE = ("Company Reply Date (UTC)", "Business Reply Date (UTC)", "Company Reply Date")
REPLY_TEXT = ("Company Response", "Company Reply", "Business Reply")
ORDER = ("Reference Id",)
REQUIRED = (ID[0], CREATED[0], STARS[0])

#: Trustpilot's own invitation channels (Automatic Feedback Service, invitation links and
#: API, Kickstart). ``Organic`` and any source not known to be an invitation claim nothing.
_INVITED = re.compile(r"afs|invit|link|kickstart", re.IGNORECASE)
#: How much of a JSON or HTML file ``recognise`` reads: a saved page is a few megabytes.
_SNIFF_BYTES = 20_000_000


def recognise(path: Path) -> bool:
    """A business export by its columns, or page data by Trustpilot's review keys."""
    if not path.is_file():
        return False
    if _is_page_data(path):
        try:
            with path.open("rb") as handle:
                head = decode(handle.read(_SNIFF_BYTES))
        except OSError:
            return False
        return '"publishedDate"' in head and '"consumer"' in head and '"rating"' in head
    keys = {header_key(h) for h in peek_headers(path)}
    return header_key(STARS[0]) in keys and bool(keys & {header_key(n) for n in ID})


def read(paths: list[Path]) -> Batch:
    batch = Batch()
    for path in paths:
        if _is_page_data(path):
            _read_page_data(path, batch)
        else:
            _read_export(path, batch)
    keep_latest(batch)
    return batch


def invited_by_trustpilot(source: str) -> bool:
    """``AFSv2``, ``BasicLink``, ``InvitationApi``...: Trustpilot sent the invitation (not the shop)."""
    return bool(source) and source.strip().lower() != "organic" and bool(_INVITED.search(source))


# The business export -------------------------------------------------------------------


def _read_export(path: Path, batch: Batch) -> None:
    table = open_table(path, NAME)
    _require_columns(table)
    for number, row in table.rows:
        batch.rows += 1
        where = f"{path}:{number}"
        try:
            review = _export_row(row, where)
        except RowError as error:
            batch.problems.append(RowProblem(where, error.field, error.message))
            continue
        if review.rating is None and not review.text and not review.title:
            batch.skips.append(Skip(where, "no text and no rating"))
        else:
            batch.reviews.append(review)


def _require_columns(table: Table) -> None:
    missing = [
        name
        for name, spellings in zip(REQUIRED, (ID, CREATED, STARS), strict=True)
        if not any(table.has(s) for s in spellings)
    ]
    if missing:
        found = found_headers(table)
        raise UnreadableExport(
            str(table.path),
            NAME,
            f"expected the columns {', '.join(REQUIRED)}; missing {', '.join(missing)}; found: {found}",
        )


def _export_row(row: Mapping[str, Any], where: str) -> ImportedReview:
    review_id = cell_text(cell(row, *ID))
    if not review_id:
        raise RowError(ID[0], "is empty; every Trustpilot review has one. Export the file again.")
    rating = parse_field(STARS[0], stars, cell(row, *STARS))
    date = parse_field(CREATED[0], utc_datetime, cell(row, *CREATED))
    reply_text = cell_text(cell(row, *REPLY_TEXT))
    reply_cell = cell(row, *REPLY_DATE)
    reply_date = parse_field(REPLY_DATE[0], utc_datetime, reply_cell) if reply_cell != "" else None
    return ImportedReview(
        platform=PLATFORM,
        platform_id=review_id,
        where=where,
        date=date,
        rating=rating,
        title=cell_text(cell(row, *TITLE)),
        text=cell_text(cell(row, *CONTENT)),
        author=cell_text(cell(row, *AUTHOR)),
        email=cell_text(cell(row, *EMAIL)),
        order=cell_text(cell(row, *ORDER)),
        lang=cell_text(cell(row, *LANGUAGE)),
        replies=[ImportedReply(reply_text, reply_date)] if reply_text else [],
        replied_on=None if reply_text else reply_date,
        invited_by_platform=invited_by_trustpilot(cell_text(cell(row, *SOURCE))),
    )


# The public page's data ----------------------------------------------------------------


def _is_page_data(path: Path) -> bool:
    """HTML or JSON rather than a table: by the name, else by the first character."""
    if path.suffix.lower() in {".html", ".htm", ".json"}:
        return True
    if path.suffix.lower() in {".csv", ".xlsx", ".txt"} or not path.is_file() or is_xlsx(path):
        return False
    with path.open("rb") as handle:
        return decode(handle.read(64)).lstrip()[:1] in {"<", "{", "["}


def _read_page_data(path: Path, batch: Batch) -> None:
    try:
        text = decode(path.read_bytes())
    except OSError as error:
        raise UnreadableExport(str(path), NAME, f"the file cannot be read ({error})") from None
    if text.lstrip()[:1] == "<":
        text = _next_data(path, text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise UnreadableExport(
            str(path), NAME, f"not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        ) from None
    reviews = _page_reviews(data)
    if reviews and not any(_looks_like_review(r) for r in reviews):
        data = reviews[0]  # a list of something else: say what its objects hold
        reviews = None
    if reviews is None:
        raise UnreadableExport(
            str(path),
            NAME,
            "expected __NEXT_DATA__ with props.pageProps.reviews, or a list of review "
            f"objects with id, rating, dates.publishedDate; found: {_shape(data)}",
        )
    for index, item in enumerate(reviews, start=1):
        batch.rows += 1
        where = f"{path}:#{index}"
        try:
            review = _page_review(item, where)
        except RowError as error:
            batch.problems.append(RowProblem(where, error.field, error.message))
            continue
        if review.rating is None and not review.text and not review.title:
            batch.skips.append(Skip(where, "no text and no rating"))
        else:
            batch.reviews.append(review)


def _next_data(path: Path, html: str) -> str:
    """The JSON of ``<script id="__NEXT_DATA__">`` in a saved review page."""
    from bs4 import BeautifulSoup

    script = BeautifulSoup(html, "html.parser").find("script", id="__NEXT_DATA__")
    if script is None:
        raise UnreadableExport(
            str(path),
            NAME,
            'expected a saved review page with <script id="__NEXT_DATA__">; found an HTML page without '
            "it (open the shop's review page on trustpilot.com and save it as a web page)",
        )
    return script.get_text()


def _page_reviews(data: Any) -> list[Any] | None:
    """The review objects wherever a page, its props or a scraper put them."""
    if isinstance(data, list):
        return data
    for route in (("props", "pageProps", "reviews"), ("pageProps", "reviews"), ("reviews",)):
        node: Any = data
        for key in route:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, list):
            return node
    return None


def _looks_like_review(item: Any) -> bool:
    return isinstance(item, dict) and "id" in item and ("rating" in item or "stars" in item)


def _shape(data: Any) -> str:
    if isinstance(data, dict):
        return "the keys " + (", ".join(str(k) for k in list(data)[:12]) or "none")
    return f"a JSON {type(data).__name__}"


def _page_review(item: Any, where: str) -> ImportedReview:
    if not isinstance(item, dict):
        raise RowError(None, f"is not a review object but a JSON {type(item).__name__}")
    review_id = cell_text(item.get("id"))
    if not review_id:
        raise RowError("id", "is missing; a Trustpilot review object always has one")
    dates = _dict(item.get("dates"))
    published = dates.get("publishedDate") or item.get("createdAt")
    date = parse_field("dates.publishedDate", utc_datetime, published)
    updated_value = dates.get("updatedDate") or item.get("updatedAt")
    updated = parse_field("dates.updatedDate", utc_datetime, updated_value) if updated_value else None
    verification = _dict(_dict(item.get("labels")).get("verification"))
    invited = verification.get("verificationSource") == "invitation" or invited_by_trustpilot(
        cell_text(verification.get("reviewSourceName"))
    )
    reply = _dict(item.get("reply") or item.get("companyReply"))
    reply_text = cell_text(reply.get("message") or reply.get("text"))
    reply_value = reply.get("publishedDate") or reply.get("createdAt")
    reply_date = parse_field("reply.publishedDate", utc_datetime, reply_value) if reply_value else None
    return ImportedReview(
        platform=PLATFORM,
        platform_id=review_id,
        where=where,
        date=date,
        rating=parse_field("rating", stars, item.get("rating", item.get("stars"))),
        title=cell_text(item.get("title")),
        text=cell_text(item.get("text")),
        author=cell_text(_dict(item.get("consumer")).get("displayName")),
        lang=cell_text(item.get("language")),
        updated=updated if updated and updated > date else None,
        replies=[ImportedReply(reply_text, reply_date)] if reply_text else [],
        replied_on=None if reply_text else reply_date,
        invited_by_platform=invited,
    )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
