"""Trustpilot's files: the business export (CSV and XLSX, new and older columns) and page data.

The business export is what Trustpilot Business > Reviews > Export writes:
UTF-8 with a BOM, comma-separated, CRLF line ends, dates as
``YYYY-MM-DD HH:MM:SS`` in UTC and stars as ``5.0``. In the XLSX the dates are
spreadsheet dates (or, after a round trip through another tool, bare Excel
serial numbers) and the stars numbers. The page data is the ``__NEXT_DATA__``
of a review page on trustpilot.com, escaped inside the page the way Next.js
escapes it (``<`` as ``\\u003c``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

#: The columns of today's export, in Trustpilot's order.
BUSINESS_COLUMNS = [
    "Review ID",
    "Review Created (UTC)",
    "Review Consumer User ID",
    "Review Title",
    "Review Content",
    "Review Stars",
    "Source Of Review",
    "Review Language",
    "Domain URL",
    "Webshop Name",
    "Business Unit ID",
    "Tags",
    "Company Reply Date (UTC)",
    "Location Name",
    "Location ID",
]

#: An older export: ``Id``, the reviewer's name, the reply text and the order reference.
OLDER_COLUMNS = [
    "Id",
    "Review Created (UTC)",
    "Review Consumer User ID",
    "Review Username",
    "Review Title",
    "Review Content",
    "Review Stars",
    "Source Of Review",
    "Reference Id",
    "Company Response",
    "Company Reply Date (UTC)",
    "Review Language",
    "Domain URL",
    "Webshop Name",
    "Business Unit ID",
    "Tags",
]

SHOP = {
    "Domain URL": "www.fietsenwinkel-deketting.nl",
    "Webshop Name": "Fietsenwinkel De Ketting",
    "Business Unit ID": "5d2f8a1c9e0b4e0001a3c7f2",
}

#: Three reviews of today's export: invited and answered, organic and hostile, invited by link.
BUSINESS_ROWS: list[dict[str, Any]] = [
    {
        "Review ID": "65e1f2a3b4c5d6e7f8a9b0c1",
        "Review Created (UTC)": "2024-03-01 14:22:10",
        "Review Consumer User ID": "5f3c2b1a0e9d8c7b6a5f4e3d",
        "Review Title": "Snel geleverd",
        "Review Content": "Binnen twee dagen in huis.\nGoed verpakt, de fiets was al afgesteld.",
        "Review Stars": "5.0",
        "Source Of Review": "AFSv2",
        "Review Language": "nl",
        **SHOP,
        "Tags": "",
        "Company Reply Date (UTC)": "2024-03-02 09:15:00",
        "Location Name": "",
        "Location ID": "",
    },
    {
        "Review ID": "65f0a1b2c3d4e5f6a7b8c9d0",
        "Review Created (UTC)": "2024-03-12 08:05:44",
        "Review Consumer User ID": "60a1b2c3d4e5f6a7b8c9d0e1",
        "Review Title": "<script>alert('x')</script>",
        "Review Content": 'Kapot aangekomen & niemand reageert op "mijn" mails. <img src=x onerror=alert(1)>',
        "Review Stars": "1.0",
        "Source Of Review": "Organic",
        "Review Language": "nl",
        **SHOP,
        "Tags": "escalated, refund-asked",
        "Company Reply Date (UTC)": "",
        "Location Name": "Winkel Utrecht",
        "Location ID": "4f9a8b7c6d5e4f3a2b1c0d9e",
    },
    {
        "Review ID": "6601c2d3e4f5a6b7c8d9e0f1",
        "Review Created (UTC)": "2024-03-20 19:40:02",
        "Review Consumer User ID": "61b2c3d4e5f6a7b8c9d0e1f2",
        "Review Title": "Good bike, slow answer",
        "Review Content": "The bike is great; customer service took a week.",
        "Review Stars": "4.0",
        "Source Of Review": "BasicLink",
        "Review Language": "en",
        **SHOP,
        "Tags": "",
        "Company Reply Date (UTC)": "",
        "Location Name": "",
        "Location ID": "",
    },
]

#: Two reviews of an older export, with names, reply text and the order reference.
OLDER_ROWS: list[dict[str, Any]] = [
    {
        "Id": "5c8e1a2b3c4d5e6f7a8b9c0d",
        "Review Created (UTC)": "2019-03-17 11:02:33",
        "Review Consumer User ID": "5c8e0f1e2d3c4b5a69788796",
        "Review Username": "Jan de Vries",
        "Review Title": "Prima winkel",
        "Review Content": "Fiets kwam met een kras, binnen een week opgelost.",
        "Review Stars": "4",
        "Source Of Review": "InvitationApi",
        "Reference Id": "ORD-2019-00417",
        "Company Response": "Dank je Jan! Fijn dat het opgelost is.\r\nGroet, Marloes",
        "Company Reply Date (UTC)": "2019-03-18 08:30:00",
        "Review Language": "nl",
        **SHOP,
        "Tags": "",
    },
    {
        "Id": "5c9f2b3c4d5e6f7a8b9c0d1e",
        "Review Created (UTC)": "2019-04-02 16:45:00",
        "Review Consumer User ID": "5c9f0f1e2d3c4b5a69788797",
        "Review Username": "Priya Sharma",
        "Review Title": "Helmet too small",
        "Review Content": "Returned it, refund came fast.",
        "Review Stars": "3",
        "Source Of Review": "Organic",
        "Reference Id": "ORD-2019-00522",
        "Company Response": "",
        "Company Reply Date (UTC)": "",
        "Review Language": "en",
        **SHOP,
        "Tags": "",
    },
]


def business_csv(
    folder: Path,
    rows: list[dict[str, Any]] | None = None,
    name: str = "reviews.csv",
    columns: list[str] | None = None,
    headers: list[str] | None = None,
    bom: bool = True,
) -> Path:
    """The CSV export: UTF-8 with a BOM, CRLF. ``headers`` writes other spellings of ``columns``."""
    columns = columns or BUSINESS_COLUMNS
    rows = BUSINESS_ROWS if rows is None else rows
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers or columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    path = folder / name
    path.write_bytes(("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8"))
    return path


def older_csv(folder: Path, rows: list[dict[str, Any]] | None = None, name: str = "reviews-2019.csv") -> Path:
    return business_csv(folder, OLDER_ROWS if rows is None else rows, name, OLDER_COLUMNS)


def business_xlsx(
    folder: Path,
    rows: list[dict[str, Any]] | None = None,
    name: str = "reviews.xlsx",
    dates: str = "datetime",
    columns: list[str] | None = None,
) -> Path:
    """The XLSX export: dates as spreadsheet dates (``dates="datetime"``) or serial numbers, stars numbers."""
    from openpyxl import Workbook

    columns = columns or BUSINESS_COLUMNS
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Reviews"
    sheet.append(columns)
    for row in BUSINESS_ROWS if rows is None else rows:
        values: list[Any] = []
        for column in columns:
            value = row.get(column, "")
            if column.endswith("(UTC)") and value:
                when = dt.datetime.fromisoformat(value)
                value = when if dates == "datetime" else excel_serial(when)
            elif column == "Review Stars" and value:
                value = float(value)
            values.append(None if value == "" else value)
        sheet.append(values)
    if dates == "datetime":
        for column_cells in sheet.iter_cols(min_row=2):
            for item in column_cells:
                if isinstance(item.value, dt.datetime):
                    item.number_format = "yyyy-mm-dd hh:mm:ss"
    path = folder / name
    book.save(path)
    return path


def excel_serial(when: dt.datetime) -> float:
    """A naive UTC datetime as Excel's serial day number."""
    return (when - dt.datetime(1899, 12, 30)) / dt.timedelta(days=1)


# The public page ----------------------------------------------------------------------


def page_review(
    review_id: str,
    rating: int,
    text: str,
    title: str,
    published: str,
    name: str,
    country: str = "NL",
    language: str = "nl",
    source: str | None = "Organic",
    reply: dict[str, Any] | None = None,
    updated: str | None = None,
    consumer_id: str = "5f3c2b1a0e9d8c7b6a5f4e3d",
) -> dict[str, Any]:
    """One object of ``props.pageProps.reviews``, with every key the page carries."""
    invited = source not in (None, "Organic")
    return {
        "id": review_id,
        "filtered": False,
        "pending": False,
        "text": text,
        "rating": rating,
        "labels": {
            "merged": None,
            "verification": {
                "isVerified": invited,
                "createdDateTime": published,
                "reviewSourceName": source,
                "verificationSource": "invitation" if invited else "unknown",
                "verificationLevel": "invited" if invited else "not-verified",
                "hasDachExclusion": False,
            },
        },
        "title": title,
        "likes": 0,
        "dates": {
            "experiencedDate": published[:10] + "T00:00:00.000Z",
            "publishedDate": published,
            "updatedDate": updated,
            "submittedDate": None,
        },
        "report": None,
        "hasUnhandledReports": False,
        "consumer": {
            "id": consumer_id,
            "displayName": name,
            "imageUrl": "",
            "numberOfReviews": 3,
            "countryCode": country,
            "hasImage": False,
            "isVerified": False,
        },
        "reply": reply,
        "consumersReviewCountOnSameDomain": 1,
        "consumersReviewCountOnSameLocation": None,
        "productReviews": [],
        "language": language,
        "location": None,
    }


PAGE_REVIEWS: list[dict[str, Any]] = [
    page_review(
        "66a1b2c3d4e5f6a7b8c9d0e1",
        5,
        "Snelle levering en de fiets was perfect afgesteld.",
        "Top service",
        "2024-07-24T18:02:11.000Z",
        "Jan de Vries",
        source="AFSv2",
        reply={
            "message": "Dank je wel, Jan!",
            "publishedDate": "2024-07-25T07:30:00.000Z",
            "updatedDate": None,
        },
    ),
    page_review(
        "66b2c3d4e5f6a7b8c9d0e1f2",
        2,
        "Bestelling kwam <b>te laat</b> & incompleet.",
        "Te laat",
        "2024-08-02T09:15:27.000Z",
        "Kees",
        country="BE",
        updated="2024-08-05T10:00:00.000Z",
    ),
    page_review(
        "66c3d4e5f6a7b8c9d0e1f2a3",
        4,
        "Good shop.",
        "Recommended",
        "2024-08-10T12:00:00.000Z",
        "Mari Tamm",
        country="EE",
        language="en",
        source="BasicLink",
    ),
]


def next_data(reviews: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The whole ``__NEXT_DATA__`` object of a review page."""
    return {
        "props": {
            "pageProps": {
                "businessUnit": {
                    "id": SHOP["Business Unit ID"],
                    "displayName": SHOP["Webshop Name"],
                    "identifyingName": SHOP["Domain URL"],
                    "numberOfReviews": 3,
                    "trustScore": 3.9,
                    "stars": 4,
                },
                "reviews": PAGE_REVIEWS if reviews is None else reviews,
                "filters": {
                    "pagination": {"currentPage": 1, "perPage": 20, "totalCount": 3, "totalPages": 1}
                },
            },
            "__N_SSP": True,
        },
        "page": "/review/[businessUnit]",
        "query": {"businessUnit": SHOP["Domain URL"]},
        "buildId": "businessunitprofile-consumersite-2.1024.0",
        "isFallback": False,
        "gssp": True,
        "locale": "nl-NL",
        "locales": ["da-DK", "de-DE", "en-US", "nl-NL"],
        "scriptLoader": [],
    }


def _escaped(data: Any) -> str:
    """JSON as Next.js puts it in a page: compact, with ``<``, ``>`` and ``&`` escaped."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def page_html(folder: Path, reviews: list[dict[str, Any]] | None = None, name: str = "page.html") -> Path:
    """A review page saved from the browser ("HTML only")."""
    path = folder / name
    path.write_text(
        '<!DOCTYPE html><html lang="nl"><head><meta charSet="utf-8"/>'
        f"<title>{SHOP['Webshop Name']} Reviews | Lees klantenreviews over {SHOP['Domain URL']}</title>"
        '<script src="/_next/static/chunks/webpack-0c1a.js" defer=""></script></head><body>'
        '<div id="__next"><main><h1>Fietsenwinkel De Ketting</h1>'
        "<article><p>Snelle levering en de fiets was perfect afgesteld.</p></article></main></div>"
        '<script id="__NEXT_DATA__" type="application/json">' + _escaped(next_data(reviews)) + "</script>"
        "</body></html>",
        encoding="utf-8",
    )
    return path


def next_data_json(
    folder: Path, reviews: list[dict[str, Any]] | None = None, name: str = "next-data.json"
) -> Path:
    path = folder / name
    path.write_text(json.dumps(next_data(reviews), ensure_ascii=False), encoding="utf-8")
    return path


def reviews_json(
    folder: Path, reviews: list[dict[str, Any]] | None = None, name: str = "reviews.json"
) -> Path:
    """The list of review objects, as scrapers save it (indented)."""
    path = folder / name
    path.write_text(json.dumps(PAGE_REVIEWS if reviews is None else reviews, indent=2), encoding="utf-8")
    return path
