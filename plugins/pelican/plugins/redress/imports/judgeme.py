"""Judge.me: its "Export reviews" CSV.

Columns: ``title, body, rating, review_date, source, curated,
reviewer_name, reviewer_email, product_id, product_handle, reply,
reply_date, picture_urls, ip_address, location`` (headers matched without
regard to case, spaces or a BOM; UTF-8 with or without BOM, or the Windows
code page). Times are ``2023-05-04 13:22:01 UTC`` or ISO 8601; a time
without a zone is taken as UTC.

The export has no review id, so the id is a hash of product, time (UTC) and
the reviewer's e-mail address (else name), the same each time the review
is exported, and after the reviewer edits it (see :mod:`.shopify`).
``curated`` says what Judge.me's moderation made of a review: ``ok`` is
published, ``spam`` is imported withheld as ``spam``, anything else
(``not-yet``, ...) is skipped with that value as the reason; an empty or
missing ``curated`` is taken as ``ok``, as in Judge.me's import template.
``ip_address``, ``picture_urls``, ``location`` and ``source`` are never read:
an IP address is personal data, and a picture is not text.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from .records import Batch, ImportedProduct, ImportedReply, ImportedReview, RowProblem, Skip
from .shopify import require_columns, review_id
from .tables import (
    SAME_ROW,
    cell,
    cell_text,
    copied_row,
    header_key,
    keep_latest,
    open_table,
    peek_headers,
    rating_number,
    utc_datetime,
)

NAME = "Judge.me"
PLATFORM = "judgeme"

REQUIRED = ("title", "body", "rating", "review_date", "reviewer_name")
#: Columns only Judge.me's export has together.
SIGNATURE = ("curated", "reviewer_name", "review_date")


def recognise(path: Path) -> bool:
    """The header row has the columns only this export has together."""
    keys = {header_key(header) for header in peek_headers(path)}
    return all(header_key(name) in keys for name in SIGNATURE)


def read(paths: list[Path]) -> Batch:
    """Every row of every file; the same review in two exports is imported once."""
    batch = Batch()
    for path in paths:
        table = open_table(path, NAME)
        require_columns(table, NAME, REQUIRED)
        seen: Counter[str] = Counter()
        rows_seen: set[tuple[tuple[str, str], ...]] = set()
        for number, row in table.rows:
            batch.rows += 1
            _row(f"{path}:{number}", row, batch, seen, rows_seen)
    keep_latest(batch)
    return batch


def _row(
    where: str,
    row: dict[str, object],
    batch: Batch,
    seen: Counter[str],
    rows_seen: set[tuple[tuple[str, str], ...]],
) -> None:
    handle = cell_text(cell(row, "product_handle", "product_id"))
    email, name = cell_text(cell(row, "reviewer_email")), cell_text(cell(row, "reviewer_name"))
    platform_id = review_id(seen, handle, cell(row, "review_date"), email, name)
    # Counted above, so the reviews after it keep their ids; the export has none of its own.
    if copied_row(row, rows_seen):
        batch.skips.append(Skip(where, SAME_ROW))
        return
    curated = cell_text(cell(row, "curated")).lower() or "ok"
    if curated not in ("ok", "spam"):
        batch.skips.append(Skip(where, f"not published on Judge.me (curated {curated})"))
        return
    problems: list[RowProblem] = []
    date = _date(where, row, "review_date", problems)
    replied = _date(where, row, "reply_date", problems) if cell_text(cell(row, "reply_date")) else None
    rating = None
    try:
        rating = rating_number(cell(row, "rating"))
    except ValueError as error:
        problems.append(RowProblem(where, "rating", str(error)))
    if problems or date is None:
        batch.problems.extend(problems)
        return
    title, body, author = (cell_text(cell(row, name)) for name in ("title", "body", "reviewer_name"))
    reply = cell_text(cell(row, "reply"))
    if not body and not title and rating is None:
        batch.skips.append(Skip(where, "no text and no rating"))
        return
    product = None
    if handle:
        product = ImportedProduct(handle=handle, name=cell_text(cell(row, "product_title", "product_name")))
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
            email=cell_text(cell(row, "reviewer_email")),
            product=product,
            replies=[ImportedReply(text=reply, date=replied)] if reply else [],
            replied_on=replied if not reply else None,
            withheld="spam" if curated == "spam" else None,
        )
    )


def _date(where: str, row: dict[str, object], name: str, problems: list[RowProblem]) -> dt.datetime | None:
    try:
        return utc_datetime(cell(row, name)).astimezone(dt.UTC)
    except ValueError as error:
        problems.append(RowProblem(where, name, str(error)))
        return None
