"""Google Play: the Play Console's reviews CSV and the CSV of the common scraper.

The Console (Download reports > Reviews) writes one UTF-16 CSV per app and
month, ``reviews_<package>_<YYYYMM>.csv``. It has no reviewer name and no
review id column: the id comes from the ``reviewId`` in the ``Review Link``,
and where a row has no link, from a hash of the package, the submit time and
the device, which stay the same when the review is edited (its text does
not). Dates are read from the ``Millis Since Epoch`` columns, falling back to
the ISO ``Date and Time`` ones.

The scraper (google-play-scraper, saved with pandas as CSV, or as JSON) has
``reviewId, userName, content, score, at, replyContent, repliedAt``. Its
times are naive local times of the machine that ran it; they are read as
UTC, which may put a review a few hours off, never on another review.

A review is listed again in a later month's file when it is edited or
answered: the copies are one review, and its latest edit is imported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .records import Batch, ImportedReply, ImportedReview, RowProblem, Skip, UnreadableExport
from .tables import (
    RowError,
    cell,
    cell_text,
    decode,
    epoch_millis,
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

NAME = "Google Play"
PLATFORM = "google-play"

CONSOLE_REQUIRED = ("Package Name", "Star Rating", "Review Submit Date and Time")
SCRAPER_REQUIRED = ("reviewId", "content", "score", "at")

_REVIEW_ID = re.compile(r"[?&#:;]review_?id=([^&#\s]+)", re.IGNORECASE)


def recognise(path: Path) -> bool:
    """The Console's columns or the scraper's, in a CSV, an XLSX, or the scraper's JSON."""
    if not path.is_file():
        return False
    if _is_json(path):
        with path.open("rb") as handle:
            head = decode(handle.read(65536))
        return '"reviewId"' in head and '"score"' in head
    keys = {header_key(h) for h in peek_headers(path)}
    return any({header_key(n) for n in names} <= keys for names in (CONSOLE_REQUIRED, SCRAPER_REQUIRED))


def read(paths: list[Path]) -> Batch:
    batch = Batch()
    for path in paths:
        if _is_json(path):
            _read_scraper_json(path, batch)
            continue
        table = open_table(path, NAME)
        if all(table.has(n) for n in CONSOLE_REQUIRED):
            read_row = _console_row
        elif all(table.has(n) for n in SCRAPER_REQUIRED):
            read_row = _scraper_row
        else:
            found = found_headers(table)
            raise UnreadableExport(
                str(path),
                NAME,
                f"expected the Play Console's columns {', '.join(CONSOLE_REQUIRED)} (and the rest), or "
                f"the scraper's {', '.join(SCRAPER_REQUIRED)}; found: {found}",
            )
        for number, row in table.rows:
            _add(batch, f"{path}:{number}", read_row, row)
    keep_latest(batch)
    return batch


def _is_json(path: Path) -> bool:
    if path.suffix.lower() == ".json":
        return True
    if path.suffix.lower() in {".csv", ".xlsx"} or not path.is_file() or is_xlsx(path):
        return False
    with path.open("rb") as handle:
        return decode(handle.read(64)).lstrip()[:1] in {"[", "{"}


def _add(batch: Batch, where: str, read_row: Any, row: Any) -> None:
    batch.rows += 1
    try:
        review = read_row(row, where)
    except RowError as error:
        batch.problems.append(RowProblem(where, error.field, error.message))
        return
    if review.rating is None and not review.text and not review.title:
        batch.skips.append(Skip(where, "no text and no rating"))
    else:
        batch.reviews.append(review)


# The Play Console ---------------------------------------------------------------------


def _console_row(row: Mapping[str, Any], where: str) -> ImportedReview:
    package = cell_text(cell(row, "Package Name"))
    submitted = _when(row, "Review Submit")
    if submitted is None:
        raise RowError("Review Submit Date and Time", "is empty; the Play Console gives every review one")
    updated = _when(row, "Review Last Update")
    replied = _when(row, "Developer Reply")
    reply_text = cell_text(cell(row, "Developer Reply Text"))
    return ImportedReview(
        platform=PLATFORM,
        platform_id=review_id(row, package),
        where=where,
        date=submitted,
        rating=parse_field("Star Rating", stars, cell(row, "Star Rating")),
        title=cell_text(cell(row, "Review Title")),
        text=cell_text(cell(row, "Review Text")),
        lang=cell_text(cell(row, "Reviewer Language")),
        updated=updated if updated and updated > submitted else None,
        replies=[ImportedReply(reply_text, replied)] if reply_text else [],
        replied_on=None if reply_text else replied,
    )


def _when(row: Mapping[str, Any], prefix: str) -> dt.datetime | None:
    """``<prefix> Millis Since Epoch``, else ``<prefix> Date and Time``, else ``None``."""
    millis = cell(row, f"{prefix} Millis Since Epoch")
    if millis != "":
        return parse_field(f"{prefix} Millis Since Epoch", epoch_millis, millis)
    text = cell(row, f"{prefix} Date and Time")
    return parse_field(f"{prefix} Date and Time", utc_datetime, text) if text != "" else None


def review_id(row: Mapping[str, Any], package: str) -> str:
    """Google's ``reviewId`` from the Review Link, else a hash that survives an edit of the review."""
    match = _REVIEW_ID.search(cell_text(cell(row, "Review Link")))
    if match:
        return unquote(match.group(1))
    submitted = cell_text(cell(row, "Review Submit Millis Since Epoch", "Review Submit Date and Time"))
    device = cell_text(cell(row, "Device"))
    digest = hashlib.sha256(f"{package}\n{submitted}\n{device}".encode()).hexdigest()
    return f"play-{digest[:20]}"


# The scraper ----------------------------------------------------------------------------


def scraper_time(value: Any) -> dt.datetime:
    """The scraper's ``at``: text (naive, read as UTC), or epoch millis as pandas' ``to_json`` writes it."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 10**11:
        return epoch_millis(value)
    return utc_datetime(value)


def _scraper_row(row: Mapping[str, Any], where: str) -> ImportedReview:
    return _scraped(
        where,
        review_id=cell(row, "reviewId"),
        author=cell(row, "userName"),
        text=cell(row, "content"),
        score=cell(row, "score"),
        at=cell(row, "at"),
        reply=cell(row, "replyContent"),
        replied_at=cell(row, "repliedAt"),
    )


def _read_scraper_json(path: Path, batch: Batch) -> None:
    try:
        data = json.loads(decode(path.read_bytes()))
    except OSError as error:
        raise UnreadableExport(str(path), NAME, f"the file cannot be read ({error})") from None
    except json.JSONDecodeError as error:
        raise UnreadableExport(
            str(path), NAME, f"not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        ) from None
    if not isinstance(data, list):
        found = (
            "the keys " + ", ".join(str(k) for k in list(data)[:12]) if isinstance(data, dict) else "no list"
        )
        raise UnreadableExport(
            str(path), NAME, f"expected a list of reviews with {', '.join(SCRAPER_REQUIRED)}; found {found}"
        )
    for index, item in enumerate(data, start=1):
        _add(batch, f"{path}:#{index}", _scraper_object, item)


def _scraper_object(item: Any, where: str) -> ImportedReview:
    if not isinstance(item, dict):
        raise RowError(None, f"is not a review object but a JSON {type(item).__name__}")
    return _scraped(
        where,
        review_id=item.get("reviewId"),
        author=item.get("userName"),
        text=item.get("content"),
        score=item.get("score"),
        at=item.get("at"),
        reply=item.get("replyContent"),
        replied_at=item.get("repliedAt"),
    )


def _scraped(
    where: str, *, review_id: Any, author: Any, text: Any, score: Any, at: Any, reply: Any, replied_at: Any
) -> ImportedReview:
    """One scraper review; its naive local times are read as UTC (see the module's docstring)."""
    identifier = cell_text(review_id)
    if not identifier:
        raise RowError("reviewId", "is empty; the scraper gives every review one")
    reply_text = cell_text(reply)
    reply_date = parse_field("repliedAt", scraper_time, replied_at) if cell_text(replied_at) else None
    return ImportedReview(
        platform=PLATFORM,
        platform_id=identifier,
        where=where,
        date=parse_field("at", scraper_time, at),
        rating=parse_field("score", stars, score),
        text=cell_text(text),
        author=cell_text(author),
        replies=[ImportedReply(reply_text, reply_date)] if reply_text else [],
        replied_on=None if reply_text else reply_date,
    )
