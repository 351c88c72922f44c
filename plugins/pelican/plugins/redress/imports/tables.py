"""Spreadsheets as rows: CSV in any of the encodings exports come in, and XLSX.

Every platform's export is read through :func:`read_table`, so "the header
may differ in case, spaces or a BOM", "Excel wrote it in UTF-16" and "the
date is an Excel serial number" are handled once. Headers are looked up by
:func:`header_key`; the dialect is left to :class:`csv.Sniffer`.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import io
import logging
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, TypeVar

from ..errors import RedressError
from .records import Batch, ImportedReview, Skip, UnreadableExport, printable

logger = logging.getLogger(__name__)

#: The longest cell a CSV file may have: far above any review (a spreadsheet cell holds at most
#: 32,767 characters; the csv module's own limit of 131,072 is less than a long review pasted
#: twice), and low enough that a quote never closed, which makes the rest of a big export one
#: cell, is said rather than imported as one review.
FIELD_CHARS = 1024 * 1024
#: Excel's day zero for serial dates (1900 system, with its leap-year quirk folded in).
EXCEL_EPOCH = dt.datetime(1899, 12, 30, tzinfo=dt.UTC)
_SPACES = re.compile(r"\s+")
T = TypeVar("T")


def header_key(name: object) -> str:
    """``"Review Created (UTC)"`` and ``"\\ufeffreview created  (utc)"`` are one key."""
    if isinstance(name, str):
        return _text_key(name)
    return _SPACES.sub("", str(name or "").replace("\ufeff", "")).lower()


@functools.lru_cache(maxsize=4096)
def _text_key(name: str) -> str:
    """:func:`header_key` of a string, remembered: it runs for every cell of every row."""
    return _SPACES.sub("", name.replace("\ufeff", "")).lower()


@dataclass
class Table:
    """A file's rows as dicts keyed by :func:`header_key`; ``headers`` as the file wrote them."""

    path: Path
    headers: list[str]
    read_rows: list[tuple[int, dict[str, Any]]]  # (row number as a spreadsheet shows it, values)
    #: A row that cannot be read whole, raised when the rows are asked for: after the
    #: importer has looked at the headers, which say more of a file of another kind.
    broken: BrokenCsv | None = None

    @property
    def rows(self) -> list[tuple[int, dict[str, Any]]]:
        if self.broken is not None:
            raise self.broken
        return self.read_rows

    def has(self, *names: str) -> bool:
        keys = {header_key(h) for h in self.headers}
        return all(header_key(n) in keys for n in names)

    def missing(self, names: Iterable[str]) -> list[str]:
        keys = {header_key(h) for h in self.headers}
        return [n for n in names if header_key(n) not in keys]


def decode(data: bytes, path: Path | None = None) -> str:
    """Text of an export: UTF-8 (with or without BOM), UTF-16 with a BOM (Google Play), else
    each line that is not UTF-8 as Windows-1252 (Excel's, on a Western Windows).

    Line by line, not the whole file: an export with one row pasted in from
    elsewhere ("Zoë" in cp1252 among UTF-8 rows) would otherwise have every
    other row's "é" and emoji garbled. A file of both is said, with its lines.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines: list[str] = []
    western: list[int] = []  # lines read as cp1252
    utf8 = False  # a line with UTF-8 beyond ASCII
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append(line.decode("utf-8"))
            utf8 = utf8 or not line.isascii()
        except UnicodeDecodeError:
            lines.append(line.decode("cp1252", errors="replace"))
            western.append(number)
    if utf8 and western and path is not None:
        shown = ", ".join(map(str, western[:10]))
        if len(western) > 10:
            shown += f" and {len(western) - 10} more"
        logger.warning(
            "%s: line %s is not UTF-8, as the rest of the file is; read as Windows-1252. Check the names "
            "and accents there, or save the file as UTF-8 and run the same command again.",
            path,
            shown,
        )
    return "\n".join(lines)


def is_xlsx(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


def read_table(path: Path) -> Table:
    """Rows of a CSV or XLSX file (the first sheet), keyed by :func:`header_key`."""
    if is_xlsx(path):
        return _read_xlsx(path)
    return read_csv_text(path, decode(path.read_bytes(), path))


class BrokenCsv(RedressError):
    """A CSV file the standard library's reader stops in: its row, the line the row begins on, the fix."""

    def __init__(self, path: Path, row: int, line: int, error: csv.Error):
        why = (
            f"A cell of more than {FIELD_CHARS:,} characters is most often a quote that is never closed, "
            "which makes the rest of the file one cell: fix"
            if "field larger" in str(error)
            else "Fix"
        )
        super().__init__(
            [
                printable(
                    f"{path}:{row}: this row, from line {line} on, cannot be read as CSV ({error}). "
                    f"{why} the row in a text editor, or remove it, and run the same command again."
                )
            ],
            printable(f"import: {path} could not be read; nothing was written."),
        )


@contextlib.contextmanager
def _long_cells() -> Iterator[None]:
    """The csv module's cell limit (131,072 characters) raised to :data:`FIELD_CHARS` while reading.

    The limit is the whole process's: it is put back afterwards, so another
    reader (the invitations' order files) keeps its own.
    """
    before = csv.field_size_limit()
    csv.field_size_limit(max(before, FIELD_CHARS))
    try:
        yield
    finally:
        csv.field_size_limit(before)


def read_csv_text(path: Path, text: str) -> Table:
    """Rows of CSV text; a row the reader cannot read stops it with :class:`BrokenCsv`."""
    with _long_cells():
        return _read_csv_text(path, text)


def _read_csv_text(path: Path, text: str) -> Table:
    dialect = _dialect(text)
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    headers: list[str] = []
    rows: list[tuple[int, dict[str, Any]]] = []
    number, start = 0, 1  # the row read last; the line the next one starts on
    usual = 0  # how many cells the first row after the header has
    broken: BrokenCsv | None = None
    short: BrokenCsv | None = None  # the first row with fewer cells than the header
    whole = False  # a row with a cell for every column of the header
    try:
        for number, values in enumerate(reader, start=1):
            begins, start = start, reader.line_num + 1
            if not headers:
                if any(v.strip() for v in values):
                    headers = values
                continue
            if not any(v.strip() for v in values):
                continue
            usual = usual or len(values)
            if (
                broken is None
                and len(values) > len(headers)
                and (len(values) != usual or any(v.strip() for v in values[len(headers) :]))
            ):
                # More cells than the header names (and than the rows before, which may all end
                # in a separator): one inside a cell that was not quoted. Read on, the row's
                # words would land in other columns or be lost.
                broken = BrokenCsv(
                    path,
                    number,
                    begins,
                    csv.Error(
                        f"it has {len(values)} cells where the header row names {len(headers)}; "
                        f"a cell with a {dialect.delimiter!r} in it must be in double quotes"
                    ),
                )
            whole = whole or len(values) >= len(headers)
            if short is None and len(values) < len(headers):
                # Fewer cells: most often a line break in a cell that was not quoted, which
                # ends the row early and starts a row of the rest. A file whose every row
                # is short (a tool that leaves out empty cells at the end) is read as it is.
                short = BrokenCsv(
                    path,
                    number,
                    begins,
                    csv.Error(
                        f"it has {len(values)} cells where the header row names {len(headers)}; "
                        "a cell with a line break in it must be in double quotes"
                    ),
                )
            rows.append((number, _row(headers, values)))
    except csv.Error as error:
        raise BrokenCsv(path, number + 1, start, error) from None
    if broken is None and short is not None and whole:
        broken = short
    return Table(path, headers, rows, broken)


def _dialect(text: str) -> type[csv.Dialect]:
    """How an export's cells are parted: the separator and spacing read from its header row,
    quotes as every spreadsheet and platform writes them.

    The header row says it plainly: column names have no separators in them.
    Python's sniffer, which guesses from the start of the file, was misled by a
    long first review full of commas or semicolons (the sample ends inside it),
    and is asked only when the header row does not tell (a file of one column).
    Nor is its guess of the quotes trusted: in a sample without a quote inside
    a quoted cell it takes doubled quotes (``""``, how a ``"`` is written in a
    cell) to be unused, and a review further on then came out with a stray
    quote, or its words shifted into the next column.
    """
    header = _header_line(text)
    counts = sorted(((header.count(d), d) for d in ",;\t"), reverse=True)
    if counts[0][0] and counts[0][0] > counts[1][0]:
        delimiter = counts[0][1]
        parts = header.split(delimiter)[1:]
        spaced = delimiter != "\t" and all(part.startswith(" ") for part in parts)
        return type("Export", (csv.excel,), {"delimiter": delimiter, "skipinitialspace": spaced})
    try:
        sniffed: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        return csv.excel
    attributes = {"delimiter": sniffed.delimiter, "skipinitialspace": bool(sniffed.skipinitialspace)}
    return type("Export", (csv.excel,), attributes)


#: A quoted cell, doubled quotes and line breaks inside it included.
_QUOTED_RE = re.compile(r'"(?:[^"]|"")*"')


def _header_line(text: str) -> str:
    """The first row with anything in it, its quoted names left out (a name may hold a separator)."""
    for line in _QUOTED_RE.sub('""', text[:65536]).splitlines():
        if line.strip(" ,;\t\ufeff"):
            return line
    return ""


def found_headers(table: Table) -> str:
    """What a file's first row holds, for a message: its headers, or what kind of file it is.

    A photo or a zip read as text has a "header row" of control bytes and
    replacement characters; it is named as binary rather than echoed.
    """
    joined = ", ".join(h for h in table.headers if h.strip())
    if not joined:
        return "no header row"
    odd = sum(1 for ch in joined if ch == "\ufffd" or not ch.isprintable())
    if "\x00" in joined or odd * 20 > len(joined):
        return "binary data, not a table of text"
    return joined


def open_table(path: Path, platform_name: str) -> Table:
    """:func:`read_table`, with a file that is no CSV or XLSX at all as :class:`UnreadableExport`."""
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return read_table(path)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, InvalidFileException) as error:
        raise UnreadableExport(
            str(path), platform_name, f"the file cannot be read as CSV or XLSX ({error})"
        ) from None


def _read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        headers: list[str] = []
        rows: list[tuple[int, dict[str, Any]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = ["" if v is None else v for v in values]
            if not headers:
                if any(str(c).strip() for c in cells):
                    headers = [str(c) for c in cells]
                continue
            if not any(str(c).strip() for c in cells):
                continue
            rows.append((number, _row(headers, cells)))
    finally:
        book.close()
    return Table(path, headers, rows)


def _row(headers: list[str], values: Iterable[Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name, value in zip(headers, values, strict=False):
        key = header_key(name)
        if key and key not in row:
            row[key] = value.strip() if isinstance(value, str) else value
    return row


def cell(row: Mapping[str, Any], *names: str) -> Any:
    """The first of ``names`` the row has a non-empty value for, else ``""``."""
    for name in names:
        value = row.get(header_key(name))
        if value is not None and value != "":
            return value
    return ""


def excel_date(value: float) -> dt.datetime:
    """An Excel serial day number (UTC) as a datetime: 45292.5 is 2024-01-01 12:00 UTC."""
    return EXCEL_EPOCH + dt.timedelta(days=float(value))


def iter_cells(table: Table, *names: str) -> Iterator[tuple[int, Any]]:
    for number, row in table.rows:
        yield number, cell(row, *names)


def peek_headers(path: Path) -> list[str]:
    """The header row of a CSV or XLSX file, or ``[]``: for ``redress import auto``.

    A sniff must stay cheap on a 100,000-row export and must answer "no" rather
    than fail on a file that is not a table at all (a zip, a JSON file, a photo).
    """
    try:
        if is_xlsx(path):
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True, data_only=True)
            try:
                for values in book.worksheets[0].iter_rows(max_row=20, values_only=True):
                    if any(str(v or "").strip() for v in values):
                        return [str(v or "") for v in values]
                return []
            finally:
                book.close()
        with path.open("rb") as handle:
            data = handle.read(16384)
        if data.startswith((b"\xff\xfe", b"\xfe\xff")) and len(data) % 2:
            data = data[:-1]
        for line in decode(data).splitlines():
            if line.strip():
                return read_csv_text(path, line + "\n").headers
        return []
    except Exception:  # a sniff says "not this platform", whatever the file turns out to be
        return []


def cell_text(value: object) -> str:
    """A cell as text: ``None`` as ``""``, Windows and old Mac line ends as ``\\n``, outer space trimmed.

    The words themselves are kept as the export has them (hostile markup too):
    the renderer makes them safe, and an importer that "cleans" text loses it.
    """
    if value is None:
        return ""
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


_NUMBER = re.compile(r"\d+(\.\d+)?")
_ZONE_WORD = re.compile(r"\s*(UTC|GMT|Z)$", re.IGNORECASE)
#: The largest Excel serial day number (9999-12-31): a bigger number in a date column is not a date.
_EXCEL_LAST_DAY = 2958465


def utc_datetime(value: object) -> dt.datetime:
    """A date cell as an aware datetime; a value without a zone is taken as UTC.

    Takes what exports hold: a spreadsheet datetime, an Excel serial day number
    (a number, or a number written as text by a CSV saved from Excel), and ISO
    8601 text with or without ``T``, fraction, ``Z`` or offset (an offset given
    is kept). Raises :class:`ValueError` with a message the owner can act on.
    """
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), dt.UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(value)
    text = str(value or "").strip()
    if not text:
        raise ValueError("is empty")
    if _NUMBER.fullmatch(text):
        return _serial(float(text))
    try:
        parsed = dt.datetime.fromisoformat(_ZONE_WORD.sub("+00:00", text))
    except ValueError:
        hint = ""
        if _DAY_FIRST.match(text):
            hint = (
                "; a date with the day or month first is not read (01-03-2024 may be the 1st of "
                "March or the 3rd of January): format the column as yyyy-mm-dd hh:mm and export again"
            )
        raise ValueError(f"{text!r} is not a date and time like 2024-03-01 14:30:00{hint}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


#: A date written day (or month) first, as spreadsheets in most of Europe and the US show it.
_DAY_FIRST = re.compile(r"\d{1,2}[-./]\d{1,2}[-./]\d{2,4}\b")


def _serial(days: float) -> dt.datetime:
    if not 0 < days <= _EXCEL_LAST_DAY:
        raise ValueError(f"{days!r} is not an Excel date (a day number from 1 to {_EXCEL_LAST_DAY})")
    # Excel keeps times to the millisecond; rounding keeps 14:22:10 from coming back as 14:22:09.999999.
    return EXCEL_EPOCH + dt.timedelta(milliseconds=round(float(days) * 86_400_000))


def epoch_millis(value: object) -> dt.datetime:
    """Milliseconds since 1970-01-01 UTC (Google Play's ``... Millis Since Epoch``) as a UTC datetime."""
    text = str(value if value is not None else "").strip()
    if not _NUMBER.fullmatch(text):
        raise ValueError(f"{text!r} is not a number of milliseconds since 1970")
    try:
        return dt.datetime.fromtimestamp(float(text) / 1000, dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"{text!r} is not a number of milliseconds since 1970") from None


def stars(value: object, top: int = 5) -> int | None:
    """A rating as a whole number from 1 to ``top``; an empty cell is ``None`` (no rating).

    Exports write five stars as ``5``, ``"5"``, ``"5.0"`` (Trustpilot's CSV) or ``5.0``
    (a spreadsheet number); half stars and ``0`` are not ratings and raise :class:`ValueError`.
    """
    if value is None or value == "":
        return None
    problem = f"{value!r} is not a whole number of stars from 1 to {top}"
    if isinstance(value, bool):
        raise ValueError(problem)
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        raise ValueError(problem) from None
    if not number.is_integer() or not 1 <= number <= top:
        raise ValueError(problem)
    return int(number)


class RowError(Exception):
    """One field of one row is wrong: the parser records a ``RowProblem`` and reads the next row."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def parse_field(name: str, parse: Callable[[Any], T], value: Any) -> T:
    """``parse(value)``, with its :class:`ValueError` raised again as a :class:`RowError` naming the field."""
    try:
        return parse(value)
    except ValueError as error:
        raise RowError(name, str(error)) from None


#: The reason given for each copy of a review that :func:`keep_latest` does not import.
DUPLICATE = "the same review again (in another file or row); its latest edit is imported"


def keep_latest(batch: Batch) -> None:
    """One record per platform id: the latest edit of a review read more than once.

    Monthly exports overlap (Google Play lists a review again in the month it
    was edited or answered), and owners pass every file they have. The copy
    with the latest activity wins (the review's edit, then the reply); on a tie
    the one read last. Every other copy becomes a :class:`Skip`, so the counts
    still add up to the rows read.
    """
    kept: dict[str, ImportedReview] = {}
    for review in batch.reviews:
        earlier = kept.get(review.platform_id)
        if earlier is None:
            kept[review.platform_id] = review
            continue
        newer, older = (review, earlier) if _activity(review) >= _activity(earlier) else (earlier, review)
        kept[review.platform_id] = newer
        batch.skips.append(Skip(older.where, DUPLICATE))
    batch.reviews = list(kept.values())


def _activity(review: ImportedReview) -> tuple[dt.datetime, dt.datetime]:
    """When the review was last edited, then when the shop last answered it."""
    answered = [reply.date for reply in review.replies if reply.date] + [review.replied_on or review.date]
    return review.updated or review.date, max(answered)


def peek_text(path: Path, size: int = 65536) -> str:
    """The start of a JSON or XML export as text, or ``""``: a cheap sniff for ``redress import auto``."""
    try:
        with path.open("rb") as handle:
            data = handle.read(size)
    except OSError:
        return ""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data[: len(data) // 2 * 2].decode("utf-16", errors="ignore")
    return data.decode("utf-8-sig", errors="ignore")


#: Elements whose content is never words a reader saw (a script, a style sheet, an embedded frame).
_UNSEEN = frozenset("script style template noscript iframe object embed head svg math".split())
#: Elements that stand as paragraphs, and those that stand on a line of their own.
_PARAGRAPHS = frozenset(
    "p div blockquote pre ul ol table section article header footer aside figure hr dl".split()
    + [f"h{level}" for level in range(1, 7)]
)
_LINES = frozenset("li tr dt dd figcaption".split())
_CELLS = frozenset(("td", "th"))
_LAYOUT = re.compile(r"<(br|p|div|blockquote|pre|[uo]l|li|table|tr|h[1-6]|dl|dt|dd|hr)\b", re.IGNORECASE)
_MARKUP = re.compile(r"[<&]")
_BLANK_LINES = re.compile(r"\n{3,}")


class _Words(HTMLParser):
    """The text of HTML, tag by tag, with the breaks its elements make (see :func:`html_to_text`)."""

    def __init__(self, layout: bool):
        super().__init__(convert_charrefs=True)
        self.layout = layout  # laid out by its elements: the source's own line breaks are spaces
        self.parts: list[str] = []
        self.unseen = 0  # inside <script>, <style>, ...
        self.pre = 0  # inside <pre>: spaces and line breaks are the text's own

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _UNSEEN:
            self.unseen += 1
        elif self.layout:
            if tag == "br":
                self.parts.append("\n")
            elif tag in _PARAGRAPHS:
                self.parts.append("\n\n")
                self.pre += tag == "pre"
            elif tag in _LINES:
                self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _UNSEEN:  # <script/> opens nothing
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _UNSEEN:
            self.unseen = max(0, self.unseen - 1)
        elif self.layout:
            if tag in _PARAGRAPHS:
                self.parts.append("\n\n")
                self.pre = max(0, self.pre - (tag == "pre"))
            elif tag in _CELLS:
                self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.unseen:
            self.parts.append(_SPACES.sub(" ", data) if self.layout and not self.pre else data)


def html_to_text(html: object) -> str:
    """The words of an HTML body (WordPress's review text, for one), in paragraphs, without tags.

    Review pages keep text, not the platform's markup: tags are dropped,
    entities decoded, ``<p>`` and block elements become paragraphs (a blank
    line), ``<br>`` and list items a line of their own, what a reader never
    saw (``<script>``, ``<style>``, comments) is left out, and ``<img
    onerror=...>`` leaves nothing. Text with no block markup at all is what
    someone typed: its own line breaks are kept, the way WordPress shows a
    comment. The result is plain text for the review file; the renderer
    escapes it again. The standard library's HTML parser (the one
    BeautifulSoup uses) is driven tag by tag rather than building a tree:
    100,000 reviews take seconds, and no nesting is too deep for it.
    """
    text = str(html or "").replace("\r\n", "\n").replace("\r", "\n")
    if _MARKUP.search(text):
        words = _Words(layout=_LAYOUT.search(text) is not None)
        words.feed(text)
        words.close()
        text = "".join(words.parts)
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


#: Why a row that repeats one above, cell for cell, is not imported again.
SAME_ROW = "the same row again (every cell as in a row above)"


def copied_row(row: Mapping[str, Any], rows_seen: set[tuple[tuple[str, str], ...]]) -> bool:
    """Whether the file held this row before, cell for cell (noting it if not).

    For an export without review ids: a row twice is one review copied (an
    export, or a merge of exports, gone wrong), not two reviews.
    """
    copy = tuple(sorted((key, cell_text(value)) for key, value in row.items()))
    if copy in rows_seen:
        return True
    rows_seen.add(copy)
    return False


def stable_id(*parts: object) -> str:
    """A review id for an export that has none (Shopify, Judge.me): the same review, the same id.

    Made from what does not change when the review is exported again, or
    when the reviewer edits it: its product, its time and who wrote it (see
    :func:`reviewer_key`), never its words. So a newer export recognises
    the reviews already imported, and an edited review is that review,
    changed, not a second one.
    """
    import hashlib

    joined = "\x1f".join(" ".join(str(part or "").split()) for part in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


def reviewer_key(email: str, name: str) -> str:
    """Who wrote a review, for :func:`stable_id`: the e-mail address (any case), else the name."""
    address = " ".join(email.split()).lower()
    return f"email:{address}" if address else f"name:{' '.join(name.split())}"


def numbered(seen: Counter[str], made: str) -> str:
    """``made``, or ``made-2``, ``made-3`` … for the second, third … row of one file with that id.

    Two reviews on one product by one reviewer in the same second share a
    :func:`stable_id`; numbered in the order the export lists them (every
    row counts, shown or not), each keeps its own id in each export.
    """
    seen[made] += 1
    return made if seen[made] == 1 else f"{made}-{seen[made]}"


_RATING = re.compile(r"[+]?\d+([.,]\d+)?")


def rating_number(
    value: object, scale: int = 5, *, zero_is_none: bool = False, halves_up: bool = False
) -> int | None:
    """A rating cell as a whole number from 1 to ``scale``; empty (or 0 where 0 means none) is ``None``.

    ``5.0`` is 5 (spreadsheets write whole numbers so). With ``halves_up`` a
    fraction rounds half up (Kiyoh's 7.5 is 8 on its 10-point scale); without
    it a fraction is a mistake. Raises :class:`ValueError` with what is wrong.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a whole number from 1 to {scale}")
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    if not _RATING.fullmatch(text):
        raise ValueError(f"{text!r} is not a whole number from 1 to {scale}")
    from decimal import ROUND_HALF_UP, Decimal

    number = Decimal(text.replace(",", "."))
    whole = int(number.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if not halves_up and whole != number:
        raise ValueError(f"{text!r} is not a whole number from 1 to {scale}")
    if whole == 0 and zero_is_none:
        return None
    if not 1 <= whole <= scale:
        raise ValueError(f"{text!r} is not a whole number from 1 to {scale}")
    return whole
