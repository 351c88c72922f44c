"""Kiyoh (and Klantenvertellen, the same system): the review feed, as JSON or XML.

The feed is what Kiyoh's dashboard links to (``/v1/publication/review/
external`` as JSON, ``/v1/review/feed.xml`` as XML): ``locationId,
locationName, averageRating, numberReviews`` and ``reviews``, each with
``reviewId, reviewAuthor, city, rating, dateSince, updatedSince,
reviewComments`` (the shop's reply, text or null), ``reviewLanguage`` and
``reviewContent``: the answers to the questionnaire, each with a
``questionGroup`` and the answer in ``rating``. ``DEFAULT_ONELINER`` is the
title, ``DEFAULT_OPINION`` the text. In the XML each list is an element
holding elements of the same name (``<reviews><reviews>...``); a feed that
names a review ``<review>`` reads the same, and names are matched without
regard to case, as real feeds differ.

Kiyoh rates from 1 to 10. The record keeps that scale (``scale=10``) and
the number as a whole one, a half rounded up (7.5 is 8); how it becomes
stars is decided, and said on the page, where the review is shown. The
feed holds published reviews only, and has no date for the shop's reply.
The reviewer's city and the "would you recommend us" answer have no place
in a review file and are not imported.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .records import Batch, ImportedReply, ImportedReview, RowProblem, Skip, UnreadableExport
from .tables import cell_text, decode, keep_latest, peek_text, rating_number, utc_datetime

NAME = "Kiyoh"
PLATFORM = "kiyoh"

EXPECTED = (
    "expected Kiyoh's review feed (JSON or XML, with reviews that have a reviewId, rating and dateSince)"
)
TITLE, TEXT = "default_oneliner", "default_opinion"


def recognise(path: Path) -> bool:
    """Kiyoh's feed has ``reviewId`` with ``reviewAuthor`` and ``dateSince`` (Google has a reviewId too)."""
    head = peek_text(path).lower()
    return all(name in head for name in ("reviewid", "reviewauthor", "datesince"))


def read(paths: list[Path]) -> Batch:
    """Every review of every feed; a review in two feeds is imported once, its latest edit."""
    batch = Batch()
    for path in paths:
        for number, review in enumerate(_reviews(path), start=1):
            batch.rows += 1
            _review(f"{path}:#{number}", review, batch)
    keep_latest(batch)
    return batch


def _reviews(path: Path) -> list[dict[str, Any]]:
    """The feed's reviews as dicts with lower-case keys, from JSON or XML alike."""
    try:
        text = decode(path.read_bytes())
    except OSError as error:
        raise UsageError(f"{path}: cannot be read ({error.strerror}). Check the file name.") from None
    if text.lstrip().startswith("<"):
        return _xml_reviews(path, text)
    return _json_reviews(path, text)


def _unreadable(path: Path, found: str) -> UnreadableExport:
    return UnreadableExport(str(path), NAME, f"{EXPECTED}; found: {found}")


# -- JSON ------------------------------------------------------------------------------------------


def _json_reviews(path: Path, text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except ValueError as error:
        raise _unreadable(path, f"text that is neither JSON nor XML ({error})") from None
    locations = data if isinstance(data, list) else [data]
    reviews: list[dict[str, Any]] = []
    for location in locations:
        location = _lower(location)
        if "reviewid" in location:  # a list of reviews, without the location around them
            reviews.append(location)
        elif isinstance(location.get("reviews"), list):
            reviews.extend(_lower(review) for review in location["reviews"])
        else:
            raise _unreadable(path, _describe(data))
    for review in reviews:
        content = review.get("reviewcontent")
        review["reviewcontent"] = [_lower(item) for item in content] if isinstance(content, list) else []
    return reviews


def _lower(value: Any) -> dict[str, Any]:
    return {str(key).lower(): item for key, item in value.items()} if isinstance(value, dict) else {}


def _describe(data: Any) -> str:
    if isinstance(data, dict):
        return "a JSON object with the keys " + ", ".join(sorted(map(str, data))[:12])
    if isinstance(data, list):
        return "a JSON list without reviews"
    return f"a single JSON {type(data).__name__}"


# -- XML -------------------------------------------------------------------------------------------


def _xml_reviews(path: Path, text: str) -> list[dict[str, Any]]:
    try:
        root = ET.fromstring(text)
    except ET.ParseError as error:
        raise _unreadable(path, f"XML that does not parse ({error})") from None
    # A review is the element that holds a <reviewId>, whatever the elements around it are called.
    reviews = [_xml_review(parent) for parent in root.iter() if any(_name(c) == "reviewid" for c in parent)]
    if not reviews:
        names = sorted({_name(child) for child in root})[:12]
        found = f"an XML file <{_name(root)}> with the elements " + (", ".join(names) or "none")
        raise _unreadable(path, found)
    return reviews


def _xml_review(element: ET.Element) -> dict[str, Any]:
    """A review element as the JSON form's dict: ``<reviewContent>`` holds one element per answer."""
    review: dict[str, Any] = {}
    answers: list[dict[str, Any]] = []
    for child in element:
        name = _name(child)
        if name == "reviewcontent":
            for item in child:
                answer = {_name(field): field.text for field in item}
                if "questiongroup" in answer:
                    answers.append(answer)
        else:
            review.setdefault(name, child.text)
    review["reviewcontent"] = answers
    return review


_NAMES: dict[str, str] = {}


def _name(element: ET.Element) -> str:
    """``reviewid`` for ``<reviewId>`` (and for ``{namespace}reviewID``): feeds differ in case."""
    tag = str(element.tag)
    name = _NAMES.get(tag)
    if name is None:
        name = _NAMES[tag] = tag.rpartition("}")[2].lower()
    return name


# -- one review ------------------------------------------------------------------------------------


def _review(where: str, review: dict[str, Any], batch: Batch) -> None:
    review_id = cell_text(review.get("reviewid"))
    answers = {
        cell_text(item.get("questiongroup")).lower(): item.get("rating") for item in review["reviewcontent"]
    }
    problems: list[RowProblem] = []
    if not review_id:
        problems.append(RowProblem(where, "reviewId", "is missing: a review without Kiyoh's id"))
    date = _date(where, "dateSince", review.get("datesince"), problems)
    updated = None
    if cell_text(review.get("updatedsince")):
        updated = _date(where, "updatedSince", review.get("updatedsince"), problems)
    rating = None
    given = review.get("rating")
    if given is None or cell_text(given) == "":
        given = answers.get("default_overall")
    try:
        rating = rating_number(given, 10, halves_up=True)
    except ValueError as error:
        problems.append(RowProblem(where, "rating", str(error)))
    reply = review.get("reviewcomments")
    if reply is not None and not isinstance(reply, str | int | float):
        problems.append(RowProblem(where, "reviewComments", "is not text"))
    if problems or date is None:
        batch.problems.extend(problems)
        return
    title, text, reply_text = cell_text(answers.get(TITLE)), cell_text(answers.get(TEXT)), cell_text(reply)
    if not title and not text and rating is None:
        batch.skips.append(Skip(where, "no text and no rating"))
        return
    batch.reviews.append(
        ImportedReview(
            platform=PLATFORM,
            platform_id=review_id,
            where=where,
            date=date,
            rating=rating,
            scale=10,
            title=title,
            text=text,
            author=cell_text(review.get("reviewauthor")),
            lang=cell_text(review.get("reviewlanguage")).lower(),
            updated=updated,
            replies=[ImportedReply(text=reply_text)] if reply_text else [],
        )
    )


def _date(where: str, field: str, value: Any, problems: list[RowProblem]) -> dt.datetime | None:
    try:
        return utc_datetime(value).astimezone(dt.UTC)
    except ValueError as error:
        problems.append(RowProblem(where, field, str(error)))
        return None
