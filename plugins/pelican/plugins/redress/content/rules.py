"""Rules about text that several places apply, each written once.

The reader, the renderer, the privacy filter, the order import and the
inbox all ask the same questions (is this an e-mail address? which
characters must never reach a file or a page? what makes a good file
name?). Two answers to one question would let a value pass one check and
fail the other, or be hidden on the page but accepted as an address.
"""

from __future__ import annotations

import re
import unicodedata

#: Characters that never belong in a review, a field or a file: C0 and C1
#: controls except tab and line breaks, and the two non-characters.
#: Removing them also means no text can forge the build's internal marks.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
#: The control characters and the explicit direction controls (embeddings, overrides,
#: isolates), which :func:`strip_control` takes out of all content. Typed into a name, one
#: turns the page's own words after it around ("Mallory" and the date beside it read right
#: to left). Words in Arabic or Hebrew need none: their direction comes with their letters;
#: the marks (U+200E, U+200F) stay. (A form post with a control character is refused with
#: CONTROL_RE; direction controls in one are only left out, as here.)
UNSHOWN_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\u202a-\u202e\u2066-\u2069]")

#: An e-mail address, as found in running text and as checked in a form or
#: an order export: the same pattern, so whatever a form accepts as an
#: address is also what the page hides.
EMAIL_RE = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]{1,64}@[\w-]+(?:\.[\w-]+)*\.[\w-]{2,}")

#: A file name (without ``.md``) that can be used in a web address as it is.
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
#: A made slug is a few words, and never long: it becomes a file name (at
#: most 255 bytes on every common file system), an address and element ids,
#: and a customer's 300-letter word must not make any of them fail.
SLUG_WORDS = 6
SLUG_CHARS = 50


def strip_control(text: str) -> str:
    """The text without control characters or direction controls (see :data:`UNSHOWN_RE`);
    line breaks become ``\\n``."""
    return UNSHOWN_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


#: Characters that are letters or marks to Unicode but show nothing: the Hangul fillers,
#: the Braille blank, the combining grapheme joiner, Khmer's inherent vowels, and the
#: variation selectors (which only pick the look of the character before them).
BLANK_CHARS = frozenset(
    "\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5"
    + "".join(map(chr, range(0x180B, 0x1810)))
    + "".join(map(chr, range(0xFE00, 0xFE10)))
    + "".join(map(chr, range(0xE0100, 0xE01F0)))
)


def visible(text: str) -> str:
    """The text without what shows nothing: white space, invisible format characters
    (Unicode Cf) and the blank letters of BLANK_CHARS. What a reader sees of it.

    A name or title of only such characters (a direction mark, a zero-width
    space, a Hangul filler) says nothing: the form counts it as empty, and so
    does the reader.
    """
    return "".join(
        ch for ch in text if not ch.isspace() and ch not in BLANK_CHARS and unicodedata.category(ch) != "Cf"
    )


def is_email(value: str) -> bool:
    return EMAIL_RE.fullmatch(value) is not None


def slug_words(text: str) -> list[str]:
    """The words of ``text`` as a slug can hold them: ASCII letters and digits, lowercase."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.findall(r"[a-z0-9]+", ascii_text)


def join_slug(words: list[str], fallback: str = "review") -> str:
    """At most :data:`SLUG_WORDS` words and :data:`SLUG_CHARS` characters, cut between words.

    A first word longer than the limit is cut itself, so no text makes a
    slug (and so a file name) too long.
    """
    slug = ""
    for word in words[:SLUG_WORDS]:
        longer = f"{slug}-{word}" if slug else word
        if len(longer) > SLUG_CHARS:
            slug = slug or word[:SLUG_CHARS]
            break
        slug = longer
    return slug or fallback


def slugify(text: str, fallback: str = "review") -> str:
    """A few words of ``text`` as a slug that :data:`SLUG_RE` accepts."""
    return join_slug(slug_words(text), fallback)
