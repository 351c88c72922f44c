"""Google Play's files: the Play Console's monthly reviews CSV and the scraper's CSV.

The Console (Download reports > Reviews, from the Cloud Storage bucket) writes
``reviews_<package>_<YYYYMM>.csv`` in UTF-16 little-endian with a BOM,
comma-separated, ``\\n`` line ends, times as ``2024-03-01T14:22:10Z`` beside
the same time in epoch milliseconds, and no reviewer name. A review edited
or answered in a later month is listed again in that month's file.

The scraper's CSV is google-play-scraper's ``reviews()`` result saved with
pandas' ``to_csv(index=False)``: UTF-8 without BOM, naive local times.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

PACKAGE = "nl.fietsenwinkel.app"

CONSOLE_COLUMNS = [
    "Package Name",
    "App Version Code",
    "App Version Name",
    "Reviewer Language",
    "Device",
    "Review Submit Date and Time",
    "Review Submit Millis Since Epoch",
    "Review Last Update Date and Time",
    "Review Last Update Millis Since Epoch",
    "Star Rating",
    "Review Title",
    "Review Text",
    "Developer Reply Date and Time",
    "Developer Reply Millis Since Epoch",
    "Developer Reply Text",
    "Review Link",
]

SCRAPER_COLUMNS = [
    "reviewId",
    "userName",
    "userImage",
    "content",
    "score",
    "thumbsUpCount",
    "reviewCreatedVersion",
    "at",
    "replyContent",
    "repliedAt",
    "appVersion",
]


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def _stamp(when: dt.datetime | None) -> tuple[str, str]:
    if when is None:
        return "", ""
    return when.strftime("%Y-%m-%dT%H:%M:%SZ"), str(int(when.timestamp() * 1000))


def console_row(
    submitted: dt.datetime,
    stars: int | str,
    text: str = "",
    review_id: str | None = None,
    updated: dt.datetime | None = None,
    reply: tuple[str, dt.datetime] | None = None,
    language: str = "nl",
    device: str = "a52q",
    title: str = "",
    version: tuple[str, str] = ("4120", "4.12.0"),
    link: str | None = None,
) -> dict[str, str]:
    """One Console row; ``review_id`` makes the ``Review Link`` (the Console's newer form)."""
    submit_text, submit_ms = _stamp(submitted)
    update_text, update_ms = _stamp(updated or submitted)
    reply_text, reply_ms = _stamp(reply[1] if reply else None)
    if link is None and review_id:
        link = (
            "http://play.google.com/console/developers/5566778899001122334/app/4973112233445566778/"
            f"user-feedback/review-details?reviewId={review_id}&corpus=PUBLIC_REVIEWS"
        )
    return {
        "Package Name": PACKAGE,
        "App Version Code": version[0],
        "App Version Name": version[1],
        "Reviewer Language": language,
        "Device": device,
        "Review Submit Date and Time": submit_text,
        "Review Submit Millis Since Epoch": submit_ms,
        "Review Last Update Date and Time": update_text,
        "Review Last Update Millis Since Epoch": update_ms,
        "Star Rating": str(stars),
        "Review Title": title,
        "Review Text": text,
        "Developer Reply Date and Time": reply_text,
        "Developer Reply Millis Since Epoch": reply_ms,
        "Developer Reply Text": reply[0] if reply else "",
        "Review Link": link or "",
    }


def console_csv(
    folder: Path,
    rows: list[dict[str, str]],
    month: str = "202403",
    headers: list[str] | None = None,
    name: str | None = None,
) -> Path:
    """``reviews_<package>_<month>.csv`` in UTF-16LE with a BOM."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers or CONSOLE_COLUMNS)
    for row in rows:
        writer.writerow([row.get(column, "") for column in CONSOLE_COLUMNS])
    path = folder / (name or f"reviews_{PACKAGE}_{month}.csv")
    path.write_bytes(b"\xff\xfe" + out.getvalue().encode("utf-16-le"))
    return path


def scraper_row(
    review_id: str,
    name: str,
    content: str,
    score: int,
    at: str,
    reply: str = "",
    replied_at: str = "",
    version: str = "4.12.0",
) -> dict[str, Any]:
    return {
        "reviewId": review_id,
        "userName": name,
        "userImage": "https://play-lh.googleusercontent.com/a-/ALV-UjXq7Z0kF1",
        "content": content,
        "score": score,
        "thumbsUpCount": 0,
        "reviewCreatedVersion": version,
        "at": at,
        "replyContent": reply,
        "repliedAt": replied_at,
        "appVersion": version,
    }


def scraper_csv(folder: Path, rows: list[dict[str, Any]], name: str = "play-reviews.csv") -> Path:
    """pandas' ``DataFrame(reviews).to_csv(name, index=False)``: UTF-8, ``\\n``, empty for None."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SCRAPER_COLUMNS)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in SCRAPER_COLUMNS])
    path = folder / name
    path.write_bytes(out.getvalue().encode("utf-8"))
    return path
