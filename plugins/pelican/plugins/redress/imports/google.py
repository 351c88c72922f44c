"""Google Business Profile: a Google Takeout (folder or zip) and the Business Profile API's JSON.

Takeout writes ``Takeout/Google Business Profile/account-*/location-*/reviews*.json``,
each ``{"reviews": [...]}``, in the same shape as the API's ``reviews.list``
answer (saved as one page, several pages, or a plain list of reviews). A zip
is read in place, never unpacked to disk. The other JSON files of a Takeout
(the business's name in ``additionalData.json``, posts, photos) are not
reviews and are left alone.

Google translates reviews for its readers and the API hands out the
translation with the original: ``(Translated by Google) ... (Original) ...``.
Only the reviewer's own words are kept. A review with stars and no words is
imported as a rating-only review, never dropped; an anonymous reviewer has no
name (not Google's "A Google User").
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from .records import Batch, ImportedReply, ImportedReview, RowProblem, Skip, UnreadableExport
from .tables import RowError, cell_text, decode, keep_latest, parse_field, utc_datetime

NAME = "Google"
PLATFORM = "google"

STAR_RATINGS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}
#: Where Takeout keeps the reviews, as the error message names it.
TAKEOUT_REVIEWS = "Takeout/Google Business Profile/account-*/location-*/reviews*.json"
EXPECTED_KEYS = '{"reviews": [...]} with reviewId or name, starRating, createTime'

_REVIEWS_FILE = re.compile(r"^reviews[^/]*\.json$")
# "(Translated by Google) Great\n\n(Original)\nPrima" and "Prima\n\n(Translated by Google)\nGreat".
_TRANSLATION_FIRST = re.compile(r"^\(Translated by Google\).*?\n\s*\(Original\)[ \t]*\n(.*)$", re.DOTALL)
_ORIGINAL_FIRST = re.compile(r"^(.*?)\n\s*\(Translated by Google\).*$", re.DOTALL)
_SNIFF_BYTES = 65536


def recognise(path: Path) -> bool:
    """A Takeout folder or zip with Business Profile reviews, or JSON with ``starRating``."""
    try:
        if path.is_dir():
            return any(_sniff(path / name) for name in _review_names(_folder_names(path)))
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                return any("/location-" in name for name in _review_names(archive.namelist()))
        return _sniff(path)
    except (OSError, zipfile.BadZipFile):
        return False


def _sniff(path: Path) -> bool:
    with path.open("rb") as handle:
        text = decode(handle.read(_SNIFF_BYTES))
    return text.lstrip()[:1] in {"{", "["} and '"starRating"' in text


def read(paths: list[Path]) -> Batch:
    batch = Batch()
    for path in paths:
        if path.is_dir():
            _read_folder(path, batch)
        elif zipfile.is_zipfile(path):
            _read_zip(path, batch)
        else:
            try:
                data = path.read_bytes()
            except OSError as error:
                raise UnreadableExport(str(path), NAME, f"the file cannot be read ({error})") from None
            _read_document(str(path), _load(str(path), data), batch, takeout=False)
    keep_latest(batch)
    return batch


def _review_names(names: list[str]) -> list[str]:
    """The review files among a Takeout's paths, each location's pages in order.

    Files in a ``location-*`` folder when there are any: a Takeout of more
    than Business Profile also holds ``Maps (your places)/Reviews.json``, the
    owner's own reviews of other places, which are not the shop's.
    """
    found = [n for n in names if _REVIEWS_FILE.match(PurePosixPath(n).name)]
    located = [n for n in found if any(part.startswith("location-") for part in PurePosixPath(n).parts[:-1])]
    return sorted(located or found, key=_in_page_order)


def _in_page_order(name: str) -> tuple[str, bool, str]:
    """``reviews.json`` before ``reviews-001.json`` (a plain sort puts ``-`` before ``.``)."""
    parent, _, file = name.rpartition("/")
    return parent, file != "reviews.json", file


def _folder_names(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def _nothing_to_read(path: Path, names: list[str]) -> UnreadableExport:
    if "[Content_Types].xml" in names:
        found = "an XLSX workbook"
    elif names:
        found = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    else:
        found = "no files"
    return UnreadableExport(str(path), NAME, f"expected {TAKEOUT_REVIEWS}; found {found}")


def _read_folder(path: Path, batch: Batch) -> None:
    names = _folder_names(path)
    members = _review_names(names)
    if not members:
        raise _nothing_to_read(path, names)
    for member in members:
        file = path / member
        _read_document(str(file), _load(str(file), file.read_bytes()), batch, takeout=True)


def _read_zip(path: Path, batch: Batch) -> None:
    """A Takeout zip, read in place."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
            members = _review_names(names)
            if not members:
                raise _nothing_to_read(path, names)
            for member in members:
                label = f"{path}/{member}"
                _read_document(label, _load(label, archive.read(member)), batch, takeout=True)
    except (OSError, zipfile.BadZipFile, RuntimeError) as error:  # RuntimeError: an encrypted zip
        raise UnreadableExport(str(path), NAME, f"the zip cannot be read ({error})") from None


def _load(label: str, data: bytes) -> Any:
    try:
        return json.loads(decode(data))
    except json.JSONDecodeError as error:
        raise UnreadableExport(
            label, NAME, f"not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        ) from None


def _reviews_in(label: str, data: Any, takeout: bool) -> list[Any]:
    """The review objects of one page, several pages saved as a list, or a plain list."""
    if isinstance(data, dict):
        if isinstance(data.get("reviews"), list):
            return list(data["reviews"])
        if takeout and not data:
            return []  # Takeout writes {} for a location without reviews
        found = "the keys " + ", ".join(str(k) for k in list(data)[:12]) if data else "an empty object"
        raise UnreadableExport(label, NAME, f"expected {EXPECTED_KEYS}; found {found}")
    if isinstance(data, list):
        if data and all(isinstance(page, dict) and isinstance(page.get("reviews"), list) for page in data):
            return [review for page in data for review in page["reviews"]]
        return data
    raise UnreadableExport(label, NAME, f"expected {EXPECTED_KEYS}; found a JSON {type(data).__name__}")


def _read_document(label: str, data: Any, batch: Batch, takeout: bool) -> None:
    for index, item in enumerate(_reviews_in(label, data, takeout), start=1):
        batch.rows += 1
        where = f"{label}:#{index}"
        try:
            review = _review(item, where)
        except RowError as error:
            batch.problems.append(RowProblem(where, error.field, error.message))
            continue
        if review.rating is None and not review.text:
            batch.skips.append(Skip(where, "no text and no rating"))
        else:
            batch.reviews.append(review)


def _review(item: Any, where: str) -> ImportedReview:
    if not isinstance(item, dict):
        raise RowError(None, f"is not a review object but a JSON {type(item).__name__}")
    review_id = cell_text(item.get("reviewId")) or cell_text(item.get("name")).rsplit("/", 1)[-1]
    if not review_id:
        raise RowError("reviewId", "is missing, and so is name; Google gives every review one")
    date = parse_field("createTime", utc_datetime, item.get("createTime"))
    updated = parse_field("updateTime", utc_datetime, item["updateTime"]) if item.get("updateTime") else None
    reviewer = _dict(item.get("reviewer"))
    reply = _dict(item.get("reviewReply"))
    reply_text = original_text(cell_text(reply.get("comment")))
    reply_date = (
        parse_field("reviewReply.updateTime", utc_datetime, reply["updateTime"])
        if reply.get("updateTime")
        else None
    )
    return ImportedReview(
        platform=PLATFORM,
        platform_id=review_id,
        where=where,
        date=date,
        rating=parse_field("starRating", star_rating, item.get("starRating")),
        text=original_text(cell_text(item.get("comment"))),
        author="" if reviewer.get("isAnonymous") else cell_text(reviewer.get("displayName")),
        updated=updated if updated and updated > date else None,
        replies=[ImportedReply(reply_text, reply_date)] if reply_text else [],
        replied_on=None if reply_text else reply_date,
    )


def star_rating(value: Any) -> int | None:
    """``ONE``..``FIVE`` as 1..5; ``STAR_RATING_UNSPECIFIED`` or nothing is no rating."""
    if value in (None, "", "STAR_RATING_UNSPECIFIED"):
        return None
    if isinstance(value, str) and value.strip().upper() in STAR_RATINGS:
        return STAR_RATINGS[value.strip().upper()]
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
        return value
    raise ValueError(f"{value!r} is not one of ONE, TWO, THREE, FOUR, FIVE")


def original_text(comment: str) -> str:
    """The reviewer's own words of a comment Google delivers with its translation."""
    match = _TRANSLATION_FIRST.match(comment)
    if match:
        return match.group(1).strip()
    match = _ORIGINAL_FIRST.match(comment)
    if match and match.group(1).strip():
        return match.group(1).strip()
    return comment


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
