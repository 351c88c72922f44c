"""Shopify's Product Reviews app: its "Export reviews" CSV.

Columns: ``product_handle, state, rating, title, author, email, location,
body, reply, created_at, replied_at`` (headers matched without regard to
case, spaces or a BOM; the file in UTF-8, with or without BOM, or in the
Windows code page Excel saves in). Times are ``2023-05-04 13:22:01 UTC`` or
ISO 8601 with an offset; a time without a zone is taken as UTC.

The export has no review id, so the id is a hash of what does not change
when the same review is exported again or edited: product, time (UTC) and
the reviewer's e-mail address (else name); two reviews sharing all three
are numbered in the order the export lists them. An edited text is the
same review, "changed on Shopify", taken with ``--update``.

``published`` reviews are imported, ``spam`` is imported withheld as
``spam``, any other state (``unpublished``, ``pending``, ...) is
skipped with that state as the reason. A file without a ``state`` column,
or a row with it empty, counts as published: that is how the app's own
import template writes them. The reviewer's ``location`` is not imported.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from .records import Batch, ImportedProduct, ImportedReply, ImportedReview, RowProblem, Skip, UnreadableExport
from .tables import (
    SAME_ROW,
    Table,
    cell,
    cell_text,
    copied_row,
    found_headers,
    header_key,
    keep_latest,
    numbered,
    open_table,
    peek_headers,
    rating_number,
    reviewer_key,
    stable_id,
    utc_datetime,
)

NAME = "Shopify"  # as the page names the platform: "from Shopify"
#: The export's own name, for messages about a file that is not one.
EXPORT_NAME = "Shopify Product Reviews"
PLATFORM = "shopify"

REQUIRED = ("product_handle", "rating", "author", "body", "created_at")
#: The columns only this export has together (Judge.me's has product_handle and body too).
SIGNATURE = ("product_handle", "state", "author", "created_at")


def recognise(path: Path) -> bool:
    """The header row has the columns only this export has together."""
    keys = {header_key(header) for header in peek_headers(path)}
    return all(header_key(name) in keys for name in SIGNATURE)


def read(paths: list[Path]) -> Batch:
    """Every row of every file; the same review in two exports is imported once."""
    batch = Batch()
    for path in paths:
        table = open_table(path, EXPORT_NAME)
        require_columns(table, EXPORT_NAME, REQUIRED)
        seen: Counter[str] = Counter()
        rows_seen: set[tuple[tuple[str, str], ...]] = set()
        for number, row in table.rows:
            batch.rows += 1
            _row(f"{path}:{number}", row, batch, seen, rows_seen)
    keep_latest(batch)
    return batch


def require_columns(table: Table, name: str, required: tuple[str, ...]) -> None:
    """A file without the export's columns is not this export: say which are missing and what is there."""
    missing = table.missing(required)
    if missing:
        found = found_headers(table)
        raise UnreadableExport(
            str(table.path),
            name,
            f"expected the columns {', '.join(required)}; missing {', '.join(missing)}; found: {found}",
        )


def review_id(seen: Counter[str], product: str, time: object, email: str, name: str) -> str:
    """The made-up id of a row's review (product, time, reviewer; see :func:`.tables.stable_id`).

    Made for every row of a file, shown or not, so that the numbering of a
    clash does not change when one of two such reviews is published later.
    ``""`` for a row whose time cannot be read (it is a problem of its own).
    """
    try:
        when = utc_datetime(time).astimezone(dt.UTC)
    except ValueError:
        return ""
    return numbered(seen, stable_id(product, when.isoformat(), reviewer_key(email, name)))


def _row(
    where: str,
    row: dict[str, object],
    batch: Batch,
    seen: Counter[str],
    rows_seen: set[tuple[tuple[str, str], ...]],
) -> None:
    text = {name: cell_text(cell(row, name)) for name in ("product_handle", "email", "author")}
    platform_id = review_id(
        seen, text["product_handle"], cell(row, "created_at"), text["email"], text["author"]
    )
    # A row the file holds twice, cell for cell, is one review copied (an export or a merge
    # of exports gone wrong), not two: the export has no id to tell them apart by. Its id is
    # still counted above, so the reviews after it keep their numbers.
    if copied_row(row, rows_seen):
        batch.skips.append(Skip(where, SAME_ROW))
        return
    state = cell_text(cell(row, "state")).lower() or "published"
    if state not in ("published", "spam"):
        batch.skips.append(Skip(where, f"not published on Shopify (state {state})"))
        return
    problems: list[RowProblem] = []
    date = _date(where, row, "created_at", problems)
    replied = _date(where, row, "replied_at", problems) if cell_text(cell(row, "replied_at")) else None
    rating = None
    try:
        rating = rating_number(cell(row, "rating"))
    except ValueError as error:
        problems.append(RowProblem(where, "rating", str(error)))
    if problems or date is None:
        batch.problems.extend(problems)
        return
    handle, title, author = (cell_text(cell(row, name)) for name in ("product_handle", "title", "author"))
    body, reply = cell_text(cell(row, "body")), cell_text(cell(row, "reply"))
    if not body and not title and rating is None:
        batch.skips.append(Skip(where, "no text and no rating"))
        return
    batch.reviews.append(
        ImportedReview(
            platform=PLATFORM,
            platform_id=platform_id,
            where=where,
            date=date,
            rating=rating,
            title=title,
            text=body,
            author=author,
            email=cell_text(cell(row, "email")),
            product=ImportedProduct(handle=handle) if handle else None,
            replies=[ImportedReply(text=reply, date=replied)] if reply else [],
            replied_on=replied if not reply else None,
            withheld="spam" if state == "spam" else None,
        )
    )


def _date(where: str, row: dict[str, object], name: str, problems: list[RowProblem]) -> dt.datetime | None:
    try:
        return utc_datetime(cell(row, name)).astimezone(dt.UTC)
    except ValueError as error:
        problems.append(RowProblem(where, name, str(error)))
        return None
