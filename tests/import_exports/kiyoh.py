"""Kiyoh's review feed, as the JSON and the XML a shop's dashboard links to.

The JSON is ``/v1/publication/review/external?locationId=...``: compact,
UTF-8 with the characters as they are, times as
``2024-03-01T10:15:12.000+01:00``, every answer of the questionnaire in
``reviewContent`` with the answer itself in ``rating`` (a number for
``DEFAULT_OVERALL``, text for ``DEFAULT_ONELINER``/``DEFAULT_OPINION``,
``true``/``false`` for ``DEFAULT_RECOMMEND``), and the shop's reply in
``reviewComments`` (or ``null``). The XML is ``/v1/review/feed.xml?hash=...``:
a ``<ReviewFeedDto xmlns="">`` with each list as an element that holds
elements of the same name (``<reviews><reviews>``, ``<reviewContent>
<reviewContent>``), two-space indented, no XML declaration.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

LOCATION = {
    "locationId": "1050010",
    "locationName": "Fietsenwinkel De Ketting",
    "averageRating": 8.1,
    "numberReviews": 4,
    "last12MonthAverageRating": 8.1,
    "last12MonthNumberReviews": 4,
    "percentageRecommendation": 75,
}

QUESTIONS = {
    "DEFAULT_OVERALL": ("INT", "Totaalscore"),
    "DEFAULT_ONELINER": ("TEXT", "Beschrijf uw ervaring in één zin"),
    "DEFAULT_OPINION": ("TEXT", "Wat vond u goed en wat kan beter?"),
    "DEFAULT_RECOMMEND": ("BOOLEAN", "Zou u ons aanbevelen?"),
}


def review(
    review_id: str,
    rating: Any,
    *,
    author: str = "",
    city: str = "",
    oneliner: str | None = None,
    opinion: str | None = None,
    recommend: bool = True,
    since: str,
    updated: str | None = None,
    comments: str | None = None,
    language: str = "nl",
) -> dict[str, Any]:
    """One review of the feed, in Kiyoh's key order; an answer left empty is left out, as Kiyoh does."""
    answers = [("DEFAULT_OVERALL", rating), ("DEFAULT_ONELINER", oneliner), ("DEFAULT_OPINION", opinion)]
    answers.append(("DEFAULT_RECOMMEND", recommend))
    content = [
        {
            "questionGroup": group,
            "questionType": QUESTIONS[group][0],
            "rating": value,
            "order": order,
            "questionTranslation": QUESTIONS[group][1],
        }
        for order, (group, value) in enumerate(answers)
        if value is not None
    ]
    return {
        "reviewId": review_id,
        "reviewAuthor": author,
        "city": city,
        "rating": rating,
        "reviewContent": content,
        "dateSince": since,
        "updatedSince": updated or since,
        "referenceCode": None,
        "reviewComments": comments,
        "reviewLanguage": language,
    }


#: Answered and edited; a 7.5; hostile text without a reply; a rating without words.
REVIEWS = [
    review("0e0f5c9a-4b1e-4f3a-9d2c-1a2b3c4d5e01", 9, author="Jan de Vries", city="Utrecht",
           oneliner="Snel en vriendelijk geholpen", opinion="Fiets binnen een week klaar.\nKeurig afgesteld.",
           since="2024-03-01T10:15:12.000+01:00", updated="2024-03-04T08:00:00.000+01:00",
           comments="Dank u wel, Jan! Veel fietsplezier."),
    review("0e0f5c9a-4b1e-4f3a-9d2c-1a2b3c4d5e02", 7.5, author="Zoë Müller", city="Köln",
           oneliner="Prima", opinion="Goede service, wel wat lang moeten wachten op onderdelen.",
           since="2024-03-10T14:00:00.000+01:00", language="de"),
    review("0e0f5c9a-4b1e-4f3a-9d2c-1a2b3c4d5e03", 2, author="<img src=x onerror=alert(1)>", city="Ede",
           oneliner="<script>alert('kiyoh')</script>", opinion="Band lek na één dag & niemand belt terug.",
           recommend=False, since="2024-04-02T09:30:00.000+02:00"),
    review("0e0f5c9a-4b1e-4f3a-9d2c-1a2b3c4d5e04", 10, author="Anoniem", since="2024-04-20T20:00:00.000Z"),
]  # fmt: skip


def write_json(folder: Path, reviews: list[dict[str, Any]] = REVIEWS, name: str = "kiyoh.json") -> Path:
    data = {**LOCATION, "reviews": reviews}
    path = folder / name
    path.write_bytes(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    return path


def _xml_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


def write_xml(
    folder: Path,
    reviews: list[dict[str, Any]] = REVIEWS,
    name: str = "feed.xml",
    review_tag: str = "reviews",
    content_tag: str = "reviewContent",
) -> Path:
    """The XML feed; ``review_tag="review"`` and ``content_tag="reviewcontent"`` write the variants seen."""
    lines = ['<ReviewFeedDto xmlns="">']
    lines += [f"  <{key}>{_xml_value(value)}</{key}>" for key, value in LOCATION.items()]
    lines.append("  <reviews>")
    for item in reviews:
        lines.append(f"    <{review_tag}>")
        for key, value in item.items():
            if key == "reviewContent":
                lines.append(f"      <{content_tag}>")
                for answer in value:
                    lines.append(f"        <{content_tag}>")
                    lines += [f"          <{k}>{_xml_value(v)}</{k}>" for k, v in answer.items()]
                    lines.append(f"        </{content_tag}>")
                lines.append(f"      </{content_tag}>")
            elif value is None:
                lines.append(f"      <{key}/>")
            else:
                lines.append(f"      <{key}>{_xml_value(value)}</{key}>")
        lines.append(f"    </{review_tag}>")
    lines += ["  </reviews>", "</ReviewFeedDto>", ""]
    path = folder / name
    path.write_bytes("\n".join(lines).encode("utf-8"))
    return path
