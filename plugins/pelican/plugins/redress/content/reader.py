"""Files to model objects: the one parser of review, response and product files.

A file is Pelican-style metadata (``Key: value`` lines), a blank line, and
a Markdown body. Each file is parsed, validated and rendered once and the
result kept in a cache (:class:`~redress.content.cache.KeptDict`, under
each file's stamp), so a rebuild after one new response parses one file and
saves one record. Problems are collected, never raised one
at a time: the build reports every problem in every file together.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import logging
import operator
import os
import pickle
import re
import secrets
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..i18n import translations
from . import forked, model, privacy, render
from .cache import KeptDict, remove_unused
from .collector import collector_paused
from .model import Problem, Product, Review, ThreadEntry
from .rules import strip_control, visible

logger = logging.getLogger(__name__)

CACHE_VERSION = "3"
#: The parse cache's files are named ``redress-<code>-<settings>``.
PARSE_CACHE_FILES = "redress-"
#: The modules whose code decides what a parsed file holds. A change to any
#: of them (a new redaction rule, a new check) must not be hidden by results
#: cached by the code before it, so their text is part of the cache's name.
PARSING_MODULES = ("reader.py", "model.py", "rules.py", "privacy.py", "render.py")


def code_stamp() -> str:
    digest = hashlib.sha256(CACHE_VERSION.encode())
    for name in PARSING_MODULES:
        try:
            digest.update((Path(__file__).parent / name).read_bytes())
        except OSError:
            digest.update(name.encode())
    return digest.hexdigest()[:12]


KEY_RE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)[ \t]*:[ \t]*(.*)$")


@dataclass
class RawFile:
    """A file split into its metadata and its body, before any validation."""

    meta: dict[str, str]
    body: str
    problems: list[Problem] = field(default_factory=list)


def split_file(data: bytes, display: str) -> RawFile:
    """Split a file's bytes into metadata and body; report bad encoding and keys."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return RawFile(
            {},
            "",
            [
                Problem(
                    display,
                    None,
                    f"is not UTF-8 text (byte 0x{data[err.start]:02x} at position "
                    f"{err.start}); open it in an editor and save it as UTF-8",
                )
            ],
        )
    # Control characters are invisible and illegal in feeds: gone from the
    # published copy of every field (the file itself keeps them).
    lines = strip_control(text).split("\n")
    meta: dict[str, str] = {}
    problems: list[Problem] = []
    index = 0
    last_key = None
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
            break
        match = KEY_RE.match(line)
        if match:
            key = match.group(1).lower()
            if key in meta:
                problems.append(Problem(display, match.group(1), "is given twice; keep one of them"))
            meta[key] = match.group(2).strip()
            last_key = key
        elif last_key and line[:1] in (" ", "\t"):
            # A continuation line, as Pelican's Markdown reader allows.
            meta[last_key] = (meta[last_key] + " " + line.strip()).strip()
        else:
            # Text right after the fields, without a blank line: it is body.
            break
        index += 1
    body = "\n".join(lines[index:]).strip("\n")
    return RawFile(meta, body, problems)


def parse_date(value: str, tz: dt.tzinfo) -> tuple[dt.datetime | None, str | None]:
    """``2026-10-02 14:31`` in the site's ``tz``, or with an offset (``2026-10-02T14:31+02:00``).

    The inbox writes the second form, so the hour that occurs twice when
    daylight saving time ends is read back as the one it was.
    """
    text = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None, f"{value!r} is not a date; write it as 2026-10-02 14:31"
    out_of_range = model.check_date_range(value, parsed)
    if out_of_range:
        return None, out_of_range
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed, None


class _Checker:
    """Collects the problems of one file, field by field."""

    def __init__(self, display: str, meta: dict[str, str], problems: list[Problem]):
        self.display = display
        self.meta = meta
        self.problems = problems

    def add(self, key: str | None, message: str) -> None:
        self.problems.append(Problem(self.display, key.capitalize() if key else None, message))

    def check(self, key: str, parse: Callable[[str], tuple[Any, str | None]], default: Any = None) -> Any:
        raw = self.meta.get(key, "")
        if not raw:
            return default
        value, message = parse(raw)
        if message:
            self.add(key, message)
            return default
        return value

    def required(self, key: str, what: str) -> str:
        raw = self.meta.get(key, "")
        if not raw:
            self.add(key, f"is missing; add a line '{key.capitalize()}: {what}'")
        return raw

    def unknown(self, known: tuple[str, ...], kind: str) -> None:
        for key in model.unknown_keys(self.meta, known):
            self.add(
                key,
                f"is not a {kind} field (known: {', '.join(k.capitalize() for k in known)}); "
                "if this line is part of the text, put a blank line between the fields and the text",
            )


@dataclass
class Context:
    """What parsing depends on besides the file itself."""

    scale: int
    lang: str
    tz: dt.tzinfo
    #: The shop's own addresses and numbers, left visible in its own entries.
    contacts: privacy.ShopContacts = privacy.NO_CONTACTS

    def gettext(self, lang: str) -> Callable[[str], str]:
        return translations(lang).gettext


def read_review(raw: RawFile, slug: str, display: str, ctx: Context) -> Review | None:
    problems = raw.problems
    meta = raw.meta
    c = _Checker(display, meta, problems)
    c.unknown(model.REVIEW_KEYS, "review")
    slug_problem = model.check_slug(slug, "review")
    if slug_problem:
        c.add(None, slug_problem)
    withheld = c.check("withheld", lambda v: model.parse_choice(v, model.WITHHELD_REASONS))
    if "withheld" in meta and withheld is None and not meta["withheld"]:
        c.add("withheld", f"is empty; use one of: {', '.join(model.WITHHELD_REASONS)}")
    date_raw = c.required("date", "2026-10-02 14:31")
    date = c.check("date", lambda v: parse_date(v, ctx.tz)) if date_raw else None
    rating = None
    if withheld is None or meta.get("rating"):
        # A withheld review may lack a rating (spam often does); a shown one may not.
        if c.required("rating", f"a whole number from 1 to {ctx.scale}"):
            rating = c.check("rating", lambda v: model.parse_rating(v, ctx.scale))
    source = c.check("source", model.parse_source, ("organic", ""))
    verified = c.check("verified", model.parse_yes_no, False)
    lang = sys.intern(c.check("lang", model.parse_lang, None) or ctx.lang)
    product = sys.intern(meta.get("product", "").strip()) or None
    invited, replied = _platform_facts(c, source[0], date, ctx)
    if date is None or (rating is None and withheld is None) or len(problems):
        return None
    private = {key: meta[key] for key in ("email", "order", "phone") if meta.get(key)}
    gettext = ctx.gettext(lang)
    body_html = published_html(raw.body, private, gettext)
    return Review(
        slug=slug,
        date=date,
        rating=rating,
        title=_shown(privacy.redact(meta.get("title", ""), private, gettext)),
        author=_shown(privacy.redact(meta.get("author", ""), private, gettext)),
        product_slug=product,
        lang=lang,
        source=sys.intern(source[0]),
        platform=sys.intern(source[1]),
        verified=bool(verified),
        withheld=withheld,
        platform_invited=invited,
        replied_on=replied,
        body_html=body_html,
        source_path=display,
        private=private,
    )


def published_html(
    text: str,
    private: dict[str, str],
    gettext: Callable[[str], str],
    *,
    keep: privacy.ShopContacts = privacy.NO_CONTACTS,
    found: set[str] | None = None,
) -> str:
    """A text as published: the contact details in it hidden, then rendered.

    They are hidden in the text as typed, and looked for again in what the
    Markdown made of it: a character reference (``&#64;``), a backslash
    (``06\\-1234…``), emphasis inside an address or a percent sign in a link
    shows what the typed text did not. If anything is found there, or a
    link's address had something hidden in it (``wa.me/[phone number
    hidden]`` leads nowhere), the text is published without its Markdown (no
    link, no emphasis), as the reader saw it, with what was found hidden:
    every word kept, no address.
    """
    body = privacy.redact(text, private, gettext, keep=keep, found=found)
    bare = render.without_escapes(text)
    if bare != text:
        # A backslash inside an address (``jan\\@…``, ``jan\\_doe@…``) hid it, or half of it,
        # from the patterns: if the text without them hides more, that is what is published.
        hidden = privacy.redact(bare, private, gettext, keep=keep, found=found)
        if hidden != render.without_escapes(body):
            return render.text_to_html(hidden)
    html = render.markdown_to_html(body)
    if render.is_plain(body):
        return html  # shown as typed: the redaction saw what the reader sees
    shown = render.html_to_paragraphs(html)
    again = privacy.redact(shown, private, gettext, keep=keep, found=found)
    linked = [unquote(link) for link in render.links(html)]
    labels = privacy.hidden_notes(gettext).values() if body != text else ()
    if (
        again == shown
        and all(privacy.redact(link, private, gettext, keep=keep) == link for link in linked)
        and not any(label in link for link in linked for label in labels)
    ):
        return html
    return render.text_to_html(again)


def _platform_facts(
    c: _Checker, source: str, date: dt.datetime | None, ctx: Context
) -> tuple[bool, dt.datetime | None]:
    """``Invited`` and ``Replied``: what a platform said about an imported review.

    Both belong to reviews copied from a platform. On any other review,
    ``Invited: yes`` would read as the shop's own invitation (that is
    ``Source: invited``), and a reply belongs in a response file.
    """
    invited = c.check("invited", model.parse_yes_no, False)
    replied = c.check("replied", lambda v: parse_date(v, ctx.tz))
    if source != "imported":
        if invited:
            c.add(
                "invited",
                "is for reviews imported from a platform that invited the reviewer (Source: "
                "imported:<platform>); for a customer you invited yourself, use Source: invited",
            )
        if c.meta.get("replied"):
            c.add(
                "replied",
                "is for reviews imported from a platform (Source: imported:<platform>); "
                "write your reply as a response file in the responses folder instead",
            )
    if replied is not None and date is not None and replied < date:
        c.add("replied", "is before the review's Date; check the date")
    return bool(invited), replied


def read_entry(raw: RawFile, slug: str, display: str, ctx: Context) -> ThreadEntry | None:
    problems = raw.problems
    meta = raw.meta
    c = _Checker(display, meta, problems)
    c.unknown(model.RESPONSE_KEYS, "response")
    slug_problem = model.check_slug(slug, "response")
    if slug_problem:
        c.add(None, slug_problem)
    review = c.required("review", "<file name of the review, without .md>").strip()
    date = (
        c.check("date", lambda v: parse_date(v, ctx.tz)) if c.required("date", "2026-10-02 16:05") else None
    )
    by = c.check("from", lambda v: model.parse_choice(v, model.AUTHORS), "shop")
    status = remedies = resolved = None
    if by == "shop":
        status = c.check("status", lambda v: model.parse_choice(v, model.STATUSES))
        remedies = c.check("remedy", model.parse_remedies, ())
        if meta.get("resolved"):
            c.add("resolved", "is for a customer's follow-up (From: customer); a shop entry uses Status")
    elif by == "customer":
        resolved = c.check("resolved", model.parse_yes_no)
        for key in ("status", "remedy"):
            if meta.get(key):
                c.add(key, "is for the shop's entries; a customer's follow-up uses Resolved: yes or no")
    updated = c.check("updated", lambda v: parse_date(v, ctx.tz))
    if date is not None and updated is not None and updated < date:
        c.add("updated", "is before the entry's Date")
    if problems or date is None:
        return None
    gettext = ctx.gettext(ctx.lang)
    # The shop's own contacts stay in its own words; what is hidden there is
    # noted (as fingerprints) for the desk's contact-data rule.
    keep = ctx.contacts if by == "shop" else privacy.NO_CONTACTS
    hidden: set[str] | None = set() if by == "shop" else None
    body_html = published_html(raw.body, {}, gettext, keep=keep, found=hidden)
    return ThreadEntry(
        slug=slug,
        review_slug=review,
        date=date,
        by=sys.intern(by),
        # An author is a name ("Anna, customer service"): the shop's contacts belong in
        # the words, and a feed's author must never carry an address.
        author=_shown(privacy.redact(meta.get("author", ""), {}, gettext)),
        status=sys.intern(status) if status else status,
        remedies=tuple(sys.intern(r) for r in remedies) if remedies else (),
        resolved=resolved,
        updated=updated,
        body_html=body_html,
        source_path=display,
        noted=bool(meta.get("note", "").strip()),
        hidden=frozenset(hidden) if hidden else _NO_HIDDEN,
    )


def read_product(raw: RawFile, slug: str, display: str, ctx: Context) -> Product | None:
    problems = raw.problems
    c = _Checker(display, raw.meta, problems)
    c.unknown(model.PRODUCT_KEYS, "product")
    slug_problem = model.check_slug(slug, "product")
    if slug_problem:
        c.add(None, slug_problem)
    title = c.required("title", "the product's name")
    gtin = c.check("gtin", model.parse_gtin, "")
    url = c.check("url", model.parse_url, "")
    image = c.check("image", model.parse_url, "")
    if problems:
        return None
    return Product(
        slug=slug,
        title=title,
        sku=raw.meta.get("sku", ""),
        gtin=gtin,
        brand=raw.meta.get("brand", ""),
        url=url,
        image=image,
        description_html=render.markdown_to_html(raw.body),
        source_path=display,
    )


#: One empty set for every entry that hid nothing (most of them).
_NO_HIDDEN: frozenset[str] = frozenset()

READERS = {"review": read_review, "response": read_entry, "product": read_product}


@dataclass
class ReadResult:
    reviews: list[Review] = field(default_factory=list)
    entries: list[ThreadEntry] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: Each file read (by its ``source_path``) with a number that changes when it is
    #: written or renamed: of its modification time in nanoseconds, size, inode and
    #: name (one small int per file, not a tuple: a million files). A review page
    #: made from unchanged files is the same page (see :mod:`redress.site.cards`).
    stamps: dict[str, int] = field(default_factory=dict)
    #: The reading these files were compared with (see :data:`READ_TOKEN`): None when
    #: there was none (a first build, no cache), and every file counts as changed.
    since: str | None = None
    #: This reading's token: ``since`` when no file changed, a new one otherwise.
    token: str | None = None
    #: What the files changed since ``since`` held before and hold now: each item
    #: (review, entry or product) read from a file that is new, changed or gone,
    #: as the last reading had it and as it is now (None for a file that did not read).
    changed: list[Any] = field(default_factory=list)


#: The parse cache's record of the reading it was last saved with: a token the
#: card cache and the page record keep too (see :attr:`ReadResult.since`). While
#: they hold the token the cache holds, what changed since is exactly the files
#: read anew and the files gone, and a rebuild looks at those alone; a build
#: stopped between saving the cache and those leaves them a token behind, and the
#: next build looks at everything. Not a path: no file is called this.
READ_TOKEN = "\x00read"


def _shown(text: str) -> str:
    """A name or title as shown: none when nothing of it is visible (a lone direction mark),
    so the page says "Anonymous customer" or "A review with 4 out of 5 stars" instead of a blank."""
    return text if visible(text) else ""


#: Hidden files that are no one's content: an editor's lock (Emacs ``.#x.md``)
#: and a Mac's resource fork on a shared drive (``._x.md``). Skipped without a word.
NOT_CONTENT_PREFIXES = (".#", "._")


_FS_ENCODING = sys.getfilesystemencoding()


def _walk(folder: str) -> Iterator[tuple[str, int]]:
    """Every file under ``folder`` with its stamp, hidden ones too (see :func:`read_content`).

    Hidden folders are not entered. One ``scandir`` per folder and one stat
    per file: on a shop with 130,000 files this is most of a rebuild's reading.
    """
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    folders = []
    for entry in entries:
        name = entry.name
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            # Not into hidden folders, nor through a link to a folder (a link back up
            # would read every file again at each level), as os.walk does.
            if not name.startswith(".") and not entry.is_symlink():
                folders.append(entry.path)
            continue
        if name.startswith(NOT_CONTENT_PREFIXES):
            continue
        path = entry.path
        try:
            st = entry.stat()
            # The name is in the stamp too: a file renamed keeps its time, size and inode.
            # (Its bytes as os.fsencode gives them, without a Python call per file.) So is
            # the inode's change time: a file written in place with its old time and size
            # (cp -p, rsync -t --inplace, touch -r) keeps its mtime, never its ctime.
            name_crc = zlib.crc32(path.encode(_FS_ENCODING, "surrogateescape"))
            stamp = hash((st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, name_crc))
        except OSError:
            stamp = -1  # gone since the listing: the parse reports it
        yield path, stamp
    for sub in folders:
        yield from _walk(sub)


#: From a parse cache this big on (about 2,500 files), the folders are listed
#: in a forked process while the cache is loaded: at 100,000 reviews the stat
#: of 132,000 files and the loading each take most of a second.
FORK_WALK_MIN_BYTES = 2 * 1024 * 1024


def _kept_bytes(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _walk_all(paths: list[str]) -> list[list[tuple[str, int]]]:
    """Each folder's files with their stamps (see :func:`_walk`); none for a folder that is not there."""
    return [list(_walk(path)) if os.path.isdir(path) else [] for path in paths]


#: With at least this many files to parse, a forked process shares the
#: parsing: a first build of a big shop is mostly parsing, and there are two cores.
FORK_MIN_FILES = 2000

#: Files parsed between two passes of the cycle collector over the young objects.
COLLECT_EVERY = 256


#: How a content file is opened: for reading its bytes, not handed to a child process.
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
#: Bytes asked for per read: a review file in one read (and one more that finds the end).
_READ_CHUNK = 64 * 1024


def read_bytes(path: str) -> bytes:
    """A file's bytes with four system calls: open, read, read, close.

    Python's file object makes eight for the same (it asks for the size,
    whether the file is a terminal, where it stands): a first build reads
    every review file, 100,000 of them on a big shop, and on a virtual
    machine each call costs microseconds.
    """
    descriptor = os.open(path, _READ_FLAGS)
    try:
        chunks = []
        while chunk := os.read(descriptor, _READ_CHUNK):
            chunks.append(chunk)
    finally:
        os.close(descriptor)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def parse_one(kind: str, file_path: str, display: str, stem: str, ctx: Context) -> tuple[Any, list[Problem]]:
    try:
        data = read_bytes(file_path)
    except OSError as err:
        return None, [Problem(display, None, f"cannot be read: {err.strerror}")]
    raw = split_file(data, display)
    item = READERS[kind](raw, stem, display, ctx) if not raw.problems or raw.meta else None
    if item is None and not raw.problems:
        raw.problems.append(Problem(display, None, "could not be read"))
    return item, raw.problems


def parse_files(
    files: list[tuple[str, str, str, str]], ctx: Context, spill: str | None = None
) -> dict[str, tuple[Any, list[Problem]]]:
    """Parse files (kind, path, display, stem), shared with a forked process when there are many.

    Both take files from a :class:`forked.SharedQueue`, so neither waits
    while the other still has some (one half each left a core idle for
    seconds: the child's half is also pickled, and its files are not the
    parent's). The child's results go to a nameless file in ``spill``
    (the cache folder; None: the system's temporary folder), written as it
    goes, and are read back at the end; a file in memory would hold half a
    million reviews' records as bytes beside the records themselves. If
    the child fails, whatever it did not hand back whole is parsed here.
    """
    with collector_paused():
        queue = (
            forked.shared_queue(len(files)) if len(files) >= FORK_MIN_FILES and hasattr(os, "fork") else None
        )
        if queue is None:
            return _parse(files, ctx)
        if spill:
            os.makedirs(spill, exist_ok=True)
        with tempfile.TemporaryFile(dir=spill) as part:
            parent = os.getpid()

            def their_part() -> bool:
                while span := queue.take_front():
                    if os.getppid() != parent:  # the build is gone: so is the reader of this file
                        return False
                    pickle.dump(_parse(files[span[0] : span[1]], ctx), part, protocol=pickle.HIGHEST_PROTOCOL)
                part.flush()
                return True

            child = forked.beside(their_part)
            results: dict[str, tuple[Any, list[Problem]]] = {}
            try:
                while span := queue.take_back():
                    results.update(_parse(files[span[0] : span[1]], ctx))
            except BaseException:
                if child is not None:
                    child.stop()  # the build failed: no need for the rest
                raise
            if child is not None and child.result() is not True:
                logger.debug("reviews: the forked parser failed; parsing its files here")
            elif child is not None:
                part.seek(0)
                try:
                    while True:
                        results.update(pickle.load(part))
                except EOFError:
                    pass
                except (OSError, pickle.UnpicklingError):
                    logger.debug("reviews: the forked parser's results could not be read; parsing here")
            missing = [f for f in files if f[1] not in results]
            if missing:
                results.update(_parse(missing, ctx))
        return results


def _parse(files: list[tuple[str, str, str, str]], ctx: Context) -> dict[str, tuple[Any, list[Problem]]]:
    """Parse ``files``, the cycle collector passing over the young objects only.

    The collector's automatic full passes walk every record parsed so far
    (seconds at 100,000 reviews). Parsing may leave cyclic garbage (none was
    found with the bench's texts, Markdown-heavy ones or broken files, but
    an error's traceback is one); a young pass after every COLLECT_EVERY
    files parsed (counted across the queue's spans when parsing is shared)
    frees it, and the records, promoted past it, are not walked again.
    A rebuild that parses fewer files makes no pass: the objects loaded
    from the parse cache are young too, and the pass over them took 0.36 s
    at 100,000 reviews, for the garbage of a few files.
    """
    global _parsed_since_pass
    results = {}
    for f in files:
        results[f[1]] = parse_one(*f, ctx)
        _parsed_since_pass += 1
        if _parsed_since_pass >= COLLECT_EVERY:
            gc.collect(1)
            _parsed_since_pass = 0
    return results


#: Files parsed since the collector's last young pass (see :func:`_parse`).
_parsed_since_pass = 0


def timezone_from(settings: dict[str, Any]) -> dt.tzinfo:
    name = settings.get("TIMEZONE") or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        logger.warning("reviews: TIMEZONE %r is unknown; dates without a zone are read as UTC", name)
        return dt.UTC


def contacts_of(settings: dict[str, Any], rs: dict[str, Any]) -> privacy.ShopContacts:
    """The shop's own contacts: REVIEWS_SHOP_CONTACTS and the domains of SITEURL and REVIEWS_SHOP_URL."""
    return privacy.shop_contacts(
        rs["REVIEWS_SHOP_CONTACTS"], (settings.get("SITEURL") or "", rs["REVIEWS_SHOP_URL"] or "")
    )


def read_content(
    settings: dict[str, Any],
    rs: dict[str, Any],
    saving: list[forked.Beside[bool]] | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> ReadResult:
    """Read every review, response and product file under the site's PATH.

    ``rs`` is the merged REVIEWS_* settings. Files that are not ``.md`` are
    reported, not skipped silently: a review saved as ``.txt`` would
    otherwise never appear. So is a hidden Markdown file (``.x.md``): it is
    not read, because a name starting with a dot is no address, and editors
    and tools keep their own files that way; but a review saved under such a
    name by mistake must not vanish without a word. Other hidden files (an
    editor's swap file, the inbox's ``.incoming-*.tmp``) are not content and
    are passed over.

    ``meanwhile`` is called while a forked process still lists the review
    folder, if one does: at 100,000 reviews the listing takes 0.3 s longer
    than loading the parse cache, and the build has its own kept files to load.
    """
    content = Path(settings["PATH"])
    base = str(content.parent)
    ctx = Context(
        scale=rs["REVIEWS_SCALE"],
        # The site's language as a file's Lang is read ("nl_BE" is nl-be): a review without
        # one gets a valid language tag too.
        lang=model.parse_lang(str(settings.get("DEFAULT_LANG") or "en"))[0] or "en",
        tz=timezone_from(settings),
        contacts=contacts_of(settings, rs),
    )
    code = code_stamp()
    fingerprint = hashlib.sha256(
        repr((code, ctx.scale, ctx.lang, str(ctx.tz), str(content), ctx.contacts)).encode()
    ).hexdigest()[:12]
    use_cache = bool(rs["REVIEWS_CACHE"])
    cache_file = os.path.join(settings["CACHE_PATH"], f"{PARSE_CACHE_FILES}{code}-{fingerprint}")
    by_content = _content_stamp(settings)
    result = ReadResult()
    folders: tuple[tuple[str, str, list[Any]], ...] = (
        ("review", rs["REVIEWS_REVIEW_DIR"], result.reviews),
        ("response", rs["REVIEWS_RESPONSE_DIR"], result.entries),
        ("product", rs["REVIEWS_PRODUCT_DIR"], result.products),
    )
    paths = [str(content / folder) for _kind, folder, _bucket in folders]
    # The review folder (most of the files, a stat each) is listed by a forked
    # process while the kept records are loaded here and the other folders
    # listed, when there are enough of them to be worth it.
    walked = (
        forked.beside(lambda: _walk_all(paths[:1]))
        if use_cache and _kept_bytes(cache_file) >= FORK_WALK_MIN_BYTES
        else None
    )
    # No cycle collection while a big shop's records are loaded, listed and looked up:
    # they are a million objects that stay, and each pass would walk them all.
    with collector_paused():
        cache = KeptDict(cache_file, use_cache)
        if use_cache:
            remove_unused(cache_file, PARSE_CACHE_FILES, code)
        rest = _walk_all(paths[1:])
        if walked is not None and meanwhile is not None:
            meanwhile()
        first = walked.result() if walked is not None else None
        if not (isinstance(first, list) and len(first) == 1):
            first = _walk_all(paths[:1])  # no fork, or a child that failed
        listings = first + rest
        misses: list[tuple[str, str, str, str]] = []
        changed: list[Any] = []  # what the files read anew and gone held, then and now
        stamps: dict[str, int] = {}
        prefix = base + os.sep
        kept = cache.getter()
        # Each folder's files as (its bucket, paths, stamps, what the cache kept: None for a
        # file to be parsed), in the order listed: the order the items are read in.
        read: list[tuple[list[Any], list[str], list[int], list[Any]]] = []
        for (kind, folder, bucket), listing in zip(folders, listings, strict=True):
            paths, file_stamps, outcomes = _kept_outcomes(
                listing, kind, folder, prefix, kept, by_content, stamps, result.problems
            )
            for at in [at for at, outcome in enumerate(outcomes) if outcome is None]:
                file_path = paths[at]
                cached = kept(file_path)
                if cached is not None:
                    changed.append(cached[1][0])
                cut = file_path.rfind(os.sep) + 1
                display = file_path[len(prefix) :] if file_path.startswith(prefix) else file_path
                name = file_path[cut:]
                misses.append((kind, file_path, display, name[: name.rfind(".")]))
            read.append((bucket, paths, file_stamps, outcomes))
    since = cache.get(READ_TOKEN)
    parsed = parse_files(misses, ctx, settings["CACHE_PATH"] if use_cache else None)
    for file_path, outcome in parsed.items():
        cache[file_path] = (stamps[file_path], outcome)
        changed.append(outcome[0])
    with collector_paused():
        kept_stamps, problems_found = result.stamps, result.problems
        for bucket, paths, file_stamps, outcomes in read:
            if parsed:
                for at in [at for at, outcome in enumerate(outcomes) if outcome is None]:
                    outcomes[at] = parsed[paths[at]]
            for problems in filter(None, map(_PROBLEMS, outcomes)):
                problems_found.extend(problems)
            items = list(map(_ITEM, outcomes))
            if not all(items):  # a file that did not read (None; items are true): its problems say why
                pairs = [(item, stamp) for item, stamp in zip(items, file_stamps, strict=True) if item]
                items, file_stamps = [item for item, _stamp in pairs], [stamp for _item, stamp in pairs]
            bucket.extend(items)
            # Keyed by the item's own source_path: no second copy of 100,000 paths.
            kept_stamps.update(zip(map(_SOURCE_PATH, items), file_stamps, strict=True))
        for file_path in cache.keys() - stamps.keys() - {READ_TOKEN}:
            changed.append(cache.get(file_path)[1][0])
            cache.pop(file_path)  # a file gone since the last build
    result.since = since if isinstance(since, str) and use_cache else None
    result.token = result.since if result.since is not None and not changed else secrets.token_hex(8)
    result.changed = changed
    if use_cache:
        cache[READ_TOKEN] = result.token
    # Only what changed is written (see KeptDict): one new response, one record. A caller
    # that passes ``saving`` waits for a whole new cache written beside (the build).
    child = cache.save(beside=saving is not None)
    if child is not None and saving is not None:
        saving.append(child)
    return result


#: Parts of a listed file (path, stamp), of a parsed file's record (item, problems), and an
#: item's path: taken by ``map`` over each folder's files, 130,000 of them at 100,000 reviews.
_PATH = _ITEM = operator.itemgetter(0)
_STAMP = _PROBLEMS = operator.itemgetter(1)
_SOURCE_PATH = operator.attrgetter("source_path")


def _kept_outcomes(
    listing: list[tuple[str, int]],
    kind: str,
    folder: str,
    prefix: str,
    kept: Callable[[str], Any],
    by_content: Callable[[str], int] | None,
    stamps: dict[str, int],
    problems: list[Problem],
) -> tuple[list[str], list[int], list[Any]]:
    """One folder's files to read: their paths, stamps, and what the cache kept for each
    (None where the file is new or changed since, to be parsed). Each stamp goes in ``stamps``.

    A folder of plain Markdown files (``x.md``, almost every folder) is looked up
    a list at a time, by ``map`` and comprehensions: a loop in Python with a
    dozen steps per file was half a second of a rebuild at 100,000 reviews.
    Other names are looked at one by one (see :func:`_readable`), as is every
    file when its stamp is its content's hash.
    """
    separator = os.sep
    paths = list(map(_PATH, listing))
    odd = [p for p in paths if not p.endswith(".md") or p[p.rfind(separator) + 1] == "."]
    if by_content is None and not odd:
        file_stamps = list(map(_STAMP, listing))
        stamps.update(listing)
        outcomes = [
            cached[1] if cached is not None and cached[0] == stamp != -1 else None
            for cached, stamp in zip(map(kept, paths), file_stamps, strict=True)
        ]
        return paths, file_stamps, outcomes
    paths, file_stamps, outcomes = [], [], []
    for file_path, stamp in listing:
        cut = file_path.rfind(separator) + 1
        if not (file_path.endswith(".md") and file_path[cut] != "."):
            # Not plainly a Markdown file: reported, or read if its suffix is
            # .markdown or in capitals.
            if not _readable(file_path, cut, prefix, kind, folder, problems):
                continue
        if by_content is not None and stamp != -1:
            stamp = hash((by_content(file_path), zlib.crc32(os.fsencode(file_path))))
        stamps[file_path] = stamp
        cached = kept(file_path)
        paths.append(file_path)
        file_stamps.append(stamp)
        outcomes.append(cached[1] if cached is not None and cached[0] == stamp != -1 else None)
    return paths, file_stamps, outcomes


def _readable(file_path: str, cut: int, prefix: str, kind: str, folder: str, problems: list[Problem]) -> bool:
    """Whether a file whose name is not plainly ``x.md`` is read; if not, its problem is added.

    A hidden Markdown file and a file that is not Markdown are reported (see
    :func:`read_content`); other hidden files are passed over without a word.
    """
    display = file_path[len(prefix) :] if file_path.startswith(prefix) else file_path
    name = file_path[cut:]
    dot = name.rfind(".")
    stem, suffix = (name[:dot], name[dot:]) if dot > 0 else (name, "")
    if name.startswith("."):
        if name.lower().endswith((".md", ".markdown")):
            shown = name.lstrip(".")
            shown = shown if "." in shown else f"{kind}.md"
            problems.append(
                Problem(
                    display,
                    None,
                    "is a hidden file (its name starts with a dot), and hidden files are not "
                    f"read; rename it to {shown} to publish it, or move it out of {folder}/",
                )
            )
        return False
    if suffix.lower() not in (".md", ".markdown"):
        problems.append(
            Problem(
                display,
                None,
                f"is not a Markdown file, so it is not read as a {kind}; "
                f"rename it to {stem}.md (or move it out of {folder}/)",
            )
        )
        return False
    return True


def _content_stamp(settings: dict[str, Any]) -> Callable[[str], int] | None:
    """With CHECK_MODIFIED_METHOD set to a hash (``md5``, ``sha256``…), a file's stamp is
    its content's hash, as Pelican does for its own files; with ``mtime`` (the
    default), None: the stamp is of the time, size and inode, read with the folder.
    """
    method = settings.get("CHECK_MODIFIED_METHOD") or "mtime"
    if method == "mtime" or method not in hashlib.algorithms_available or method.startswith("shake"):
        return None
    hash_function = getattr(hashlib, method)

    def stamp(path: str) -> int:
        try:
            with open(path, "rb") as handle:
                return int.from_bytes(hash_function(handle.read()).digest()[:8], "big")
        except OSError:
            return -1

    return stamp
