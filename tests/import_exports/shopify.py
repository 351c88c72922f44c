"""Shopify Product Reviews: the app's "Export reviews" CSV.

The app (Shopify's own, retired in 2024 but still the file many shops have)
writes UTF-8 without a BOM, comma-separated, ``\\n`` line ends, a field
quoted only when it holds a comma, a quote or a line break, and times as
``2023-05-04 13:22:01 UTC``. A shop owner who opened and saved it in Excel
has it back in the Windows code page (cp1252) with ``\\r\\n`` line ends, or as
UTF-8 with a BOM ("CSV UTF-8"): :func:`write_csv` writes each of these.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

COLUMNS = [
    "product_handle",
    "state",
    "rating",
    "title",
    "author",
    "email",
    "location",
    "body",
    "reply",
    "created_at",
    "replied_at",
]


def row(**values: str) -> dict[str, str]:
    return {name: values.get(name, "") for name in COLUMNS}


#: Published, answered and not; a review whose reply has no text in the export; hostile text;
#: and the states Shopify does not publish.
ROWS = [
    row(product_handle="wollen-sokken", state="published", rating="5", title="Heerlijk warm",
        author="Jan de Vries", email="jan@example.nl", location="Utrecht, NL",
        body="Dragen fijn, ook in de fiets-schoenen.\nNa drie wassen nog als nieuw.",
        reply="Dank je wel, Jan!", created_at="2023-05-04 13:22:01 UTC",
        replied_at="2023-05-05 08:00:00 UTC"),
    row(product_handle="wollen-sokken", state="published", rating="2", title="Te klein, \"maat 43\"",
        author="Zoë Müller", email="zoe@example.de", location="Köln",
        body="Viel klein uit; de hiel zit halverwege mijn voet. Jammer, € 14,95 voor niets.",
        created_at="2023-06-01T10:00:00-04:00"),
    row(product_handle="regenjas", state="published", rating="1", title="<script>alert(1)</script>",
        author="<img src=x onerror=alert(1)>", email="troll@example.com",
        body="Lekt bij de naden. <b>Niet kopen</b>", created_at="2023-07-10 21:05:00 UTC",
        replied_at="2023-07-11 09:00:00 UTC"),
    row(product_handle="regenjas", state="unpublished", rating="3", title="Gaat wel", author="Anna",
        email="anna@example.nl", body="Niet gepubliceerd.", created_at="2023-07-12 10:00:00 UTC"),
    row(product_handle="regenjas", state="spam", rating="5", title="Cheap", author="Spammer",
        email="spam@example.com", body="Buy now at example.com", created_at="2023-07-13 10:00:00 UTC"),
    row(product_handle="regenjas", state="pending", rating="4", title="Nog niet", author="Bram",
        email="bram@example.nl", body="Wacht op goedkeuring.", created_at="2023-07-14 10:00:00 UTC"),
]  # fmt: skip


def write_csv(
    folder: Path,
    rows: list[dict[str, str]] = ROWS,
    *,
    name: str = "reviews_export.csv",
    encoding: str = "utf-8",
    bom: bool = False,
    newline: str = "\n",
    headers: list[str] | None = None,
    delimiter: str = ",",
) -> Path:
    """The export as the app writes it, or as Excel saves it again (``encoding``, ``bom``, ``newline``).

    ``headers`` replaces the header row's spelling (case, spaces) while the columns stay.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline, delimiter=delimiter)
    writer.writerow(headers or COLUMNS)
    for values in rows:
        writer.writerow([values.get(column, "") for column in COLUMNS])
    data = out.getvalue().encode(encoding)
    path = folder / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path
