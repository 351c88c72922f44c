"""Judge.me: the "Export reviews" CSV (Settings > Import/Export reviews > Export).

Judge.me writes UTF-8 without a BOM, comma-separated, ``\\n`` line ends, a
field quoted only when it must be, times as ``2023-05-04 13:22:01 UTC``, the
pictures as a comma-separated list of URLs in one field, and the reviewer's
IP address in its own column. Re-saved by Excel it comes back in cp1252 with
``\\r\\n``, or as UTF-8 with a BOM: :func:`write_csv` writes each.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

COLUMNS = [
    "title",
    "body",
    "rating",
    "review_date",
    "source",
    "curated",
    "reviewer_name",
    "reviewer_email",
    "product_id",
    "product_handle",
    "reply",
    "reply_date",
    "picture_urls",
    "ip_address",
    "location",
]

PICTURES = (
    "https://judgeme.imgix.net/fietsenwinkel/1700000000__sok1__original.jpg?auto=format,"
    "https://judgeme.imgix.net/fietsenwinkel/1700000001__sok2__original.jpg?auto=format"
)


def row(**values: str) -> dict[str, str]:
    return {name: values.get(name, "") for name in COLUMNS}


#: Curated ok (answered, with pictures), hostile text, a store review without a handle, spam, and
#: reviews Judge.me has not published.
ROWS = [
    row(title="Super sokken", body="Warm, zacht en ze blijven zitten.\n\nAanrader!", rating="5",
        review_date="2023-09-01 12:00:00 UTC", source="web", curated="ok", reviewer_name="Jan de Vries",
        reviewer_email="jan@example.nl", product_id="7712345678901", product_handle="wollen-sokken",
        reply="Bedankt Jan!", reply_date="2023-09-02 08:30:00 UTC", picture_urls=PICTURES,
        ip_address="192.0.2.10", location="Utrecht, NL"),
    row(title="Ça va", body="Pas mal; la taille est un peu petite. Prix € 14,95.", rating="3",
        review_date="2023-09-03T18:45:00+02:00", source="email", curated="ok", reviewer_name="Zoë Lefèvre",
        reviewer_email="zoe@example.fr", product_id="7712345678901", product_handle="wollen-sokken",
        ip_address="203.0.113.7", location="Lille"),
    row(title='<img src=x onerror="alert(1)">', body="<script>document.cookie</script> Kapot na een week.",
        rating="1", review_date="2023-09-05 09:00:00 UTC", source="web", curated="ok", reviewer_name="Troll",
        reviewer_email="troll@example.com", product_id="7712345678902", product_handle="regenjas",
        reply_date="2023-09-06 10:00:00 UTC", ip_address="198.51.100.23"),
    row(title="Snelle levering", body="Alles netjes geleverd.", rating="4",
        review_date="2023-09-07 11:00:00 UTC", source="web", curated="ok", reviewer_name="Piet",
        reviewer_email="piet@example.nl", ip_address="192.0.2.77"),
    row(title="Buy", body="cheap pills example.com", rating="5", review_date="2023-09-08 11:00:00 UTC",
        source="web", curated="spam", reviewer_name="Spammer", reviewer_email="spam@example.com",
        product_id="7712345678902", product_handle="regenjas", ip_address="198.51.100.99"),
    row(title="Nog niet bekeken", body="Wacht.", rating="2", review_date="2023-09-09 11:00:00 UTC",
        source="web", curated="not-yet", reviewer_name="Anna", reviewer_email="anna@example.nl",
        product_id="7712345678902", product_handle="regenjas", ip_address="192.0.2.88"),
]  # fmt: skip


def write_csv(
    folder: Path,
    rows: list[dict[str, str]] = ROWS,
    *,
    name: str = "judgeme_reviews_export.csv",
    encoding: str = "utf-8",
    bom: bool = False,
    newline: str = "\n",
    headers: list[str] | None = None,
) -> Path:
    """The export as Judge.me writes it, or as Excel saves it again; ``headers`` respells the header row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(headers or COLUMNS)
    for values in rows:
        writer.writerow([values.get(column, "") for column in COLUMNS])
    path = folder / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode(encoding))
    return path
