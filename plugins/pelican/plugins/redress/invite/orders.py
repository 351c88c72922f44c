"""Order exports to orders: the columns `redress invite` reads, and a problem list per line.

Shops export orders from Shopify, WooCommerce, Lightspeed or a spreadsheet,
each with its own column names, delimiter and date format, and often one
row per line item. This module turns any of them into one :class:`Order`
per order number. A bad row never stops the others: every problem is
collected with its line and column, so the shop owner fixes them all in one
go, and the good orders are invited meanwhile.

The file as a whole is read strictly, though: a double quote that opens a
value and never closes (or closes rows later) would merge other customers'
rows into one order's name or address, and then into one e-mail. That
stops the run at the line of the quote, before anything is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import tokens
from ..content.model import Product
from ..content.rules import CONTROL_RE, EMAIL_RE, is_email
from ..errors import UsageError


@dataclass(frozen=True)
class Column:
    """One thing an order export tells us, and the header names it goes by."""

    key: str
    what: str
    #: Accepted header names, most specific first; matched after :func:`normalise`.
    names: tuple[str, ...]
    required: bool = False


COLUMNS = (
    Column(
        "order",
        "the order number",
        (
            "order", "order id", "order number", "order no", "order nr", "order name",
            "bestelnummer", "bestelnr", "ordernummer", "ordernr", "bestelling",
            "tellimus", "tellimuse number", "tellimuse nr",
        ),
        required=True,
    ),
    Column(
        "email",
        "the customer's e-mail address",
        (
            "email", "e-mail", "email address", "e-mail address", "customer email", "billing email",
            "billing email address",
            "e-mailadres", "e-post", "e-posti aadress", "mail",
        ),
        required=True,
    ),
    Column(
        "name",
        "the customer's name",
        (
            "name", "customer name", "billing name", "shipping name", "full name",
            "naam", "klantnaam", "nimi", "kliendi nimi",
            "first name", "billing first name", "voornaam", "eesnimi",
        ),
    ),
    Column(
        "lang",
        "the customer's language",
        ("lang", "language", "locale", "customer locale", "customer language", "taal", "keel"),
    ),
    Column(
        "products",
        "the products, by slug or SKU",
        (
            "products", "product", "product slug", "product slugs", "slug", "sku", "skus",
            "lineitem sku", "product sku", "item sku", "producten", "artikelnummer",
            "toode", "tooted", "tootekood",
        ),
    ),
    Column(
        "delivered",
        "the delivery date",
        (
            "delivered", "delivery date", "delivered at", "delivered on", "fulfilled at",
            "shipped at", "shipped on", "ship date", "date completed", "completed date",
            "leverdatum", "afleverdatum", "bezorgdatum", "geleverd op",
            "tarnekuupäev", "tarnitud",
        ),
    ),
)  # fmt: skip
DELIMITERS = (",", ";", "\t")
#: Several products in one cell.
PRODUCT_SEPARATORS = re.compile(r"[;|,]")
# A time may follow the day, with seconds and a zone: 2026-10-02T14:31:05+02:00, 2026-10-02 14:31 +0200.
_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?(?:[+-]\d{2}:?\d{2}|Z|UTC))?)?"
_ISO_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})" + _TIME)
_DAY_FIRST_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})" + _TIME)
KNOWN_SHOWN = 8
#: What separates addresses when a cell holds several: a comma, semicolon or any white space.
ADDRESS_SEPARATORS = re.compile(r"[,;\s]+")
QUOTE_RULE = (
    "a value in double quotes ends with a double quote, and a double quote inside it is written twice"
)


class OrderFileError(UsageError):
    """The file as a whole cannot be read (not found, not UTF-8, no order or e-mail column)."""


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong with one line of the export; ``column`` is its header as written."""

    path: str
    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        return f"{where}: {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass
class Order:
    """One order, gathered from every line that names it."""

    order: str
    line: int
    email: str = ""
    name: str = ""
    lang: str = ""
    delivered: dt.date | None = None
    #: Product slugs, in the order of the file, each once.
    products: list[str] = field(default_factory=list)
    #: Whether the file named any product for this order, known to the site or not:
    #: only an order that names none has a link for any product (see make_order_token).
    products_named: bool = False
    #: A problem that leaves this order without an invitation (an unreadable date).
    skipped: bool = False
    #: First non-empty raw value of each column, and the line it came from.
    raw: dict[str, tuple[str, int]] = field(default_factory=dict, repr=False)


@dataclass
class OrderFile:
    orders: list[Order]
    problems: list[RowProblem]
    #: Column key -> its header as written in the file.
    columns: dict[str, str]
    delimiter: str
    rows: int

    @property
    def problem_lines(self) -> int:
        return len({p.line for p in self.problems})


def normalise(header: str) -> str:
    """Header names compare without case, spaces, underscores, dashes, dots or other marks."""
    return "".join(ch for ch in header.casefold() if ch.isalnum())


def parse_date(value: str) -> dt.date | None:
    """A delivery date: ISO (2026-10-02, with a time and zone or not) or day first (02-10-2026).

    Only the day counts: the invitation is due a whole number of days later.
    """
    text = value.strip()
    match = _ISO_DATE.fullmatch(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _DAY_FIRST_DATE.fullmatch(text)
        if not match:
            return None
        day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def product_catalog(products: dict[str, Product]) -> dict[str, str]:
    """Slug and SKU, both without case, to the product's slug."""
    catalog: dict[str, str] = {}
    for slug, product in products.items():
        sku = product.sku.strip()
        if sku:
            catalog.setdefault(sku.casefold(), slug)
        catalog[slug.casefold()] = slug
    return catalog


def read_orders(path: Path, display: str, products: dict[str, Product]) -> OrderFile:
    """Read an order export; raise OrderFileError when the file as a whole is unusable."""
    text = _read_text(path, display)
    lines = text.splitlines()
    header_line = next((line for line in lines if line.strip()), "")
    if not header_line:
        raise OrderFileError(f"{display}: is empty; export the orders with a header line first")
    delimiter = max(DELIMITERS, key=lambda d: (header_line.count(d), -DELIMITERS.index(d)))
    # The lines as csv counts them (\n, \r\n or \r), so line numbers agree with its line_num.
    physical = io.StringIO(text, newline="").readlines()
    reader = csv.reader(physical, delimiter=delimiter, strict=True)
    rows_of = _rows(reader, display, physical, delimiter)
    header: list[str] = []
    for _, _, row in rows_of:
        if any(cell.strip() for cell in row):
            header = [cell.strip() for cell in row]
            break
    indexes = map_columns(header)
    missing = [c for c in COLUMNS if c.required and c.key not in indexes]
    if missing:
        raise OrderFileError(_missing_columns(display, header, missing))
    columns = {key: header[index] for key, index in indexes.items()}
    catalog = product_catalog(products)
    known = _known_hint(products)
    problems: list[RowProblem] = []
    orders: dict[str, Order] = {}
    rows = 0
    for line, last_line, row in rows_of:
        if last_line > line:
            _check_swallowed(display, physical, line, last_line, delimiter, len(header), indexes["email"])
        if not any(cell.strip() for cell in row):
            continue
        rows += 1
        # Spreadsheets drop empty cells at the end of a row, or add some: both are fine.
        if len(row) < len(header):
            row += [""] * (len(header) - len(row))
        elif len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
            problems.append(
                RowProblem(
                    display,
                    line,
                    None,
                    f"has {len(row)} values but the header has {len(header)} columns; put values that "
                    f"contain {_delimiter_name(delimiter)} in double quotes; the line is skipped",
                )
            )
            continue
        values = {key: CONTROL_RE.sub("", row[index]).strip() for key, index in indexes.items()}
        if "name" in values:
            values["name"] = " ".join(values["name"].split())
        number = values["order"]
        if not number:
            problems.append(RowProblem(display, line, columns["order"], "is empty; the line is skipped"))
            continue
        if len(number) > tokens.ORDER_MAX_CHARS:
            problems.append(
                RowProblem(
                    display,
                    line,
                    columns["order"],
                    f"is {len(number)} characters long; an invitation link carries an order number "
                    f"of at most {tokens.ORDER_MAX_CHARS}: check that this is the order number column; "
                    "the line is skipped",
                )
            )
            continue
        if "|" in number:
            problems.append(
                RowProblem(
                    display,
                    line,
                    columns["order"],
                    f"{number!r} contains '|', which an invitation link cannot carry; the line is skipped",
                )
            )
            continue
        order = orders.get(number)
        if order is None:
            order = orders[number] = Order(number, line)
        for key in ("email", "name", "lang", "delivered"):
            value = values.get(key, "")
            if not value:
                continue
            if key not in order.raw:
                order.raw[key] = (value, line)
            elif key == "email" and value.casefold() != order.raw[key][0].casefold():
                problems.append(
                    RowProblem(
                        display,
                        line,
                        columns[key],
                        f"{value!r} differs from {order.raw[key][0]!r} on line {order.raw[key][1]} "
                        "for the same order; the first is used",
                    )
                )
        for reference in PRODUCT_SEPARATORS.split(values.get("products", "")):
            reference = reference.strip()
            if not reference:
                continue
            order.products_named = True
            slug = catalog.get(reference.casefold())
            if slug is None:
                problems.append(
                    RowProblem(
                        display,
                        line,
                        columns["products"],
                        f"{reference!r} is not a product slug or SKU of the site ({known}); "
                        "the order still gets its own invitation, for the shop and its known products",
                    )
                )
            elif slug not in order.products:
                order.products.append(slug)
    for order in orders.values():
        _finish(order, display, columns, problems)
    problems.sort(key=lambda p: p.line)
    return OrderFile(list(orders.values()), problems, columns, delimiter, rows)


def _rows(
    reader: Any, display: str, physical: list[str], delimiter: str
) -> Iterator[tuple[int, int, list[str]]]:
    """(first line, last line, row) of each row: a quoted value may span lines.

    ``reader`` is strict, so a quote that never closes ends in an error
    ("unexpected end of data") instead of one row holding the rest of the
    file; the error names the line where that quote opened.
    """
    last_line = 0
    try:
        for row in reader:
            yield last_line + 1, reader.line_num, row
            last_line = reader.line_num
    except csv.Error as err:
        raise _csv_error(display, str(err), physical, last_line + 1, reader.line_num, delimiter) from None


def _csv_error(
    display: str, err: str, physical: list[str], first: int, at: int, delimiter: str
) -> OrderFileError:
    """The error for a row csv cannot read: at the line of the quote behind it, if any.

    csv notices the trouble where it ends (the end of the file, or a stray
    character after a closing quote rows later), but the shop owner has to
    fix the line where the quote opened.
    """
    spans = _quoted_spans(physical[first - 1 :], first, delimiter)
    culprit = next(
        (s for s in reversed(spans) if s[0] <= at and (s[1] is None or s[1] >= at)),
        None,
    )
    line = culprit[0] if culprit else at
    if culprit and culprit[1] is None:
        what = (
            f"the double quote that opens a value on line {line} never closes, so the rest of the file "
            "would become that one value"
        )
    elif line < at:
        what = f"the value in double quotes that opens on line {line} runs on to line {at}"
    else:
        what = "a double quote is out of place"
    return OrderFileError(
        f"{display}:{line}: cannot be read as CSV ({err}): {what}; check the quotes on line {line} "
        f"({QUOTE_RULE})"
    )


def _quoted_spans(lines: Sequence[str], first: int, delimiter: str) -> list[tuple[int, int | None]]:
    """(line it opens on, line it closes on or None) of each quoted value, from a row's first line.

    The same rules as csv's: a double quote opens a value only at its start,
    and ``""`` inside it is one quote. csv itself does not say where a value
    began, and that is the line to fix.
    """
    spans: list[tuple[int, int | None]] = []
    at_start = True
    quoted = False
    for number, line in enumerate(lines, first):
        index = 0
        while index < len(line):
            char = line[index]
            if quoted:
                if char == '"':
                    if line[index + 1 : index + 2] == '"':
                        index += 1
                    else:
                        quoted = False
                        spans[-1] = (spans[-1][0], number)
            elif char == '"' and at_start:
                quoted = True
                spans.append((number, None))
            at_start = not quoted and char in (delimiter, "\r", "\n")
            index += 1
    return spans


def _check_swallowed(
    display: str, physical: list[str], first: int, last: int, delimiter: str, columns: int, email: int
) -> None:
    """Refuse a row whose quoted value runs over lines that read as orders of their own.

    A value over several lines is legal (a street and a town), but a stray
    quote closed by another stray quote rows later reads as one row too:
    then one customer's name would carry the other customers' rows, e-mail
    addresses included, into one e-mail. A line inside the value that alone
    has no more cells than the header and an e-mail address in the e-mail
    column is such a swallowed row.
    """
    for opened, closed in _quoted_spans(physical[first - 1 : last], first, delimiter):
        for number in range(opened + 1, (closed or last) + 1):
            cells = next(csv.reader([physical[number - 1].rstrip("\r\n")], delimiter=delimiter), [])
            if email < len(cells) <= columns and is_email(cells[email].strip()):
                raise OrderFileError(
                    f"{display}:{opened}: the value in double quotes that opens on line {opened} runs on "
                    f"over line {number}, which reads as an order of its own; check the quotes on line "
                    f"{opened} ({QUOTE_RULE})"
                )


def map_columns(header: list[str]) -> dict[str, int]:
    """Which header cell holds what: column key -> index.

    Shopify names the order number ``Name`` and the customer ``Billing
    Name``; its exports are recognised by their ``Lineitem …`` columns.
    """
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        positions.setdefault(normalise(cell), index)
    used: set[int] = set()
    found: dict[str, int] = {}
    shopify = any(name.startswith("lineitem") for name in positions)
    for column in COLUMNS:
        names = column.names
        if column.key == "order" and shopify:
            names = (*names, "name")
        for name in names:
            position = positions.get(normalise(name))
            if position is not None and position not in used:
                found[column.key] = position
                used.add(position)
                break
    return found


def _finish(order: Order, display: str, columns: dict[str, str], problems: list[RowProblem]) -> None:
    """Check the values an order kept from its lines (first non-empty one wins)."""
    email, email_line = order.raw.get("email", ("", order.line))
    if not email:
        problems.append(
            RowProblem(
                display,
                email_line,
                columns["email"],
                "is empty; the order gets its QR code and insert, but no e-mail",
            )
        )
    elif len([part for part in ADDRESS_SEPARATORS.split(email) if "@" in part]) > 1 or (
        len(EMAIL_RE.findall(email)) > 1
    ):
        problems.append(
            RowProblem(
                display,
                email_line,
                columns["email"],
                f"{email!r} holds more than one e-mail address; an order is invited at one address, so "
                "keep one in the cell; the order gets its QR code and insert, but no e-mail",
            )
        )
    elif not is_email(email):
        problems.append(
            RowProblem(
                display,
                email_line,
                columns["email"],
                f"{email!r} is not an e-mail address; the order gets its QR code and insert, but no e-mail",
            )
        )
    else:
        order.email = email
    order.name = order.raw.get("name", ("", 0))[0]
    order.lang = order.raw.get("lang", ("", 0))[0]
    if "delivered" in order.raw:
        value, line = order.raw["delivered"]
        order.delivered = parse_date(value)
        if order.delivered is None:
            order.skipped = True
            problems.append(
                RowProblem(
                    display,
                    line,
                    columns["delivered"],
                    f"{value!r} is not a date; write it as 2026-10-02 or 02-10-2026 (day first); "
                    "the order is skipped",
                )
            )


def _read_text(path: Path, display: str) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise OrderFileError(f"{display}: no such file") from None
    except OSError as err:
        raise OrderFileError(f"{display}: cannot be read: {err.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise OrderFileError(
            f"{display}:{line}: is not UTF-8 text (byte 0x{data[err.start]:02x}); export it again as "
            "UTF-8 (in a spreadsheet: save as 'CSV UTF-8')"
        ) from None


def _missing_columns(display: str, header: list[str], missing: list[Column]) -> str:
    found = ", ".join(repr(h) for h in header if h) or "none"
    lines = [f"{display}: the header line has no column for {' or '.join(c.what for c in missing)}."]
    lines.append(f"  Columns found: {found}")
    for column in missing:
        lines.append(f"  Name the {column.key} column one of: {', '.join(column.names)}")
    return "\n".join(lines)


def _known_hint(products: dict[str, Product]) -> str:
    if not products:
        return "the site has no products in its content"

    def described(slug: str) -> str:
        sku = products[slug].sku
        return f"{slug} / {sku}" if sku else slug

    shown = [described(slug) for slug in sorted(products)[:KNOWN_SHOWN]]
    more = f", … {len(products)} in all" if len(products) > KNOWN_SHOWN else ""
    return "known: " + ", ".join(shown) + more


def _delimiter_name(delimiter: str) -> str:
    return {",": "a comma", ";": "a semicolon", "\t": "a tab"}[delimiter]
