"""Keep customers' contact details out of everything the build publishes.

The private fields (Email, Order, Phone) never reach a template. Customers
and staff also type such details into the text itself ("call me on 06-…",
"your order BB-20452", an IBAN for a refund); those are replaced, in the
published copy only, by a short note saying something was hidden. The
files keep every word.

What counts as a phone number is written out here for the shop's countries
(the Netherlands, Belgium, Estonia, Germany) instead of asking the
``phonenumbers`` library. Its matcher has to run once per country (one run
for nl misses ``5123 4567``, which only Estonia's rules know), which costs
about 60 µs a review against about 13 µs for this whole module, and the
German rules it then needs take dates such as ``02-10-2026`` for numbers.
The rules here:

* international: ``+`` or ``00``, then 8 to 15 digits (E.164's range), with
  a ``(0)`` allowed after the country code;
* national, with the trunk prefix 0 (nl, be, de): 8 to 13 digits, unless
  it starts with a date (``02-10-2026``, ``02.10.2026 09.30``);
* Estonian mobiles, which have no prefix: 7 or 8 digits starting with 5,
  in groups of three or more (``5123 4567``, not ``5 000 000``);

with any mix of spaces (also no-break and thin spaces), dots, slashes,
hyphens and Unicode dashes between the digit groups. Years, prices
(``€ 12,95``), dates, quantities, postcodes (``3511 AB``) and product codes
do not have that shape and stay as they are. IBANs are hidden whole, before
phone numbers are looked for, so no half of one is left.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, MutableSet
from dataclasses import dataclass
from urllib.parse import urlsplit

from .rules import EMAIL_RE

#: Spaces people (and their phones' keyboards) put between digit groups; never a line break.
SPACES = "\t \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
#: The hyphen and every Unicode dash: non-breaking hyphen, figure dash, en dash, minus, …
DASHES = "\\-\u2010-\u2015\u2212\ufe58\ufe63\uff0d"
_SEP = f"[{SPACES}{DASHES}./()]"

# A run of digits with separators between them; what it is, is decided in _phone_spans.
# It does not start inside a word or a number (after a letter, or after a digit and a
# dash, dot, comma, colon or slash), and does not end where a number goes on (12:30, 3,50).
PHONE_RUN_RE = re.compile(
    rf"(?<![\w+])(?<!\d[{DASHES}.,:/])(?:\+|\(\+?)?\d(?:{_SEP}{{0,3}}\d)*(?!\w|[.,:]\d)",
)
#: A text with fewer digits than the shortest number hidden here has no phone number.
_FEWER_DIGITS_RE = re.compile(r"^\D*(?:\d\D*){0,6}$")
_GROUP_RE = re.compile(rf"(\d+)({_SEP}*)")
#: One digit group of a run: its start and end in the run, its digits, the separators after it.
_Group = tuple[int, int, str, str]
_DATE_SEPARATORS = frozenset("-./")

#: Characters that show nothing, typed (or pasted) inside an address or a number to slip
#: it past the patterns: the soft hyphen, zero-width space, word joiner and BOM anywhere,
#: and the zero-width (non-)joiners between ASCII characters (between emoji or in
#: Persian and Indic words they join or part letters, and stay).
INVISIBLE_RE = re.compile("[\u00ad\u200b\u2060\ufeff]|(?<=[!-~])[\u200c\u200d]|[\u200c\u200d](?=[!-~])")

#: An invitation or follow-up token (see :mod:`redress.tokens`): its payload, a dot, and
#: 12 bytes of signature, in URL-safe base64. A customer may paste the link they were sent
#: into their review; it carries their order number and lets whoever holds it post as them.
#: Its payload starts ``v1|`` or ``v2|`` (``djF8``, ``djJ8``); the dot may be written ``%2E`` (a
#: link copied from an address bar), and the payload alone still names the order.
TOKEN_RE = re.compile(
    r"(?:(?<![\w-])|(?<=%[0-9A-Fa-f]{2}))(dj[FJ]8[\w-]{4,})(?:(?:\.|%2[eE])([\w-]{16})(?![\w-]))?", re.ASCII
)
_TOKEN_VERSIONS = (b"v1|", b"v2|")

#: An e-mail address spelled out so a program would not see it: ``jan(at)example.com``,
#: ``jan [at] example [dot] com``, ``jan at example dot com``. A bare " at " with only real
#: dots after it ("bought it at bol.com") is a shop's name in a sentence, not an address:
#: it takes a spelled-out "dot" (or an "(at)" in brackets) to be one, and before a bare "at"
#: a first part no word has ("jan.devries at example dot com", not "the team at … dot nl").
_SPELT_AT = r"(?:\s*[\[({<]\s*(?:at|@)\s*[\])}>]\s*|\s+at\s+)"
_SPELT_DOT = r"(?:\s*[\[({<]\s*(?:dot|punt)\s*[\])}>]\s*|\s+(?:dot|punt)\s+|\.)"
SPELT_EMAIL_RE = re.compile(
    rf"(?<![\w.+-])([\w.+-]{{1,64}}){_SPELT_AT}([\w-]+(?:{_SPELT_DOT}[\w-]+)*){_SPELT_DOT}([a-z]{{2,24}})(?![\w-])",
    re.IGNORECASE,
)
_SPELT_MARK_RE = re.compile(r"[\[({<]\s*(?:at|@|dot|punt)\s*[\])}>]|\s(?:dot|punt)\s", re.IGNORECASE)
_SPELT_PARTS_RE = re.compile(_SPELT_DOT, re.IGNORECASE)
_BRACKETED_AT_RE = re.compile(r"[\[({<]\s*(?:at|@)\s*[\])}>]", re.IGNORECASE)
#: Before a bare " at ", what only an address's first part has: a dot, "_", "+", "-" or a digit.
_ADDRESS_LIKE_RE = re.compile(r"[._+\d-]")
#: Mail providers of the shops' countries and the world: "jan at gmail dot com" is an
#: address even with a plain name before a bare "at" ("the team at Coolblue dot nl" is not).
MAIL_PROVIDERS = frozenset(
    """gmail googlemail hotmail outlook live msn yahoo ymail icloud me mac aol proton protonmail pm
    gmx web t-online freenet posteo ziggo kpnmail kpnplanet planet xs4all hetnet home casema chello
    zonnet upcmail telenet skynet scarlet proximus hot mail neti online""".split()
)

#: A WhatsApp link's number is international without its "+": ``wa.me/31612345678``.
WHATSAPP_RE = re.compile(
    r"(?i)(?<![\w.])((?:wa\.me|(?:api\.)?whatsapp\.com/send/?\?phone=)/?)\+?(\d{8,15})(?!\d)"
)
#: The most digits of a phone number as typed: 15 (E.164) after a 00 prefix.
_MOST_DIGITS = 17

#: Every IBAN country and its IBAN's length (ISO 13616 registry).
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
    "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
    "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip
# Where an IBAN may start: a country code and two check digits at the start of a word.
IBAN_START_RE = re.compile(r"(?<![^\W_])[A-Za-z]{2}[0-9]{2}(?=[0-9A-Za-z]|[- \u00a0\u202f][0-9A-Za-z])")
_IBAN_SPACES = frozenset("- \u00a0\u202f")
#: The fewest characters of an IBAN that are hidden when someone typed one short.
_IBAN_MIN = 12


def hidden_notes(gettext: Callable[[str], str]) -> dict[str, str]:
    """The notes that stand where something was hidden, by kind, in ``gettext``'s language."""
    return _label_words(gettext)


def _label_words(gettext: Callable[[str], str]) -> dict[str, str]:
    return {
        "email": gettext("[e-mail address hidden]"),
        "phone": gettext("[phone number hidden]"),
        "order": gettext("[order number hidden]"),
        "iban": gettext("[bank account hidden]"),
    }


@dataclass(frozen=True)
class ShopContacts:
    """The shop's own public e-mail addresses, mail domains and phone numbers.

    A shop that answers "mail us at support@bonenbus.example" means to be
    reached: hiding that address would defeat taking the case offline. So
    in the shop's own entries these stay visible, while every other address
    or number is still hidden (and a customer's own ones always are).
    """

    emails: frozenset[str] = frozenset()
    domains: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.emails or self.domains or self.phones)

    def __repr__(self) -> str:
        # The same in every process: caches are named after it, and a set's order
        # changes with Python's hash seed (a new parse cache every other build).
        emails = tuple(sorted(self.emails))
        return f"ShopContacts(emails={emails!r}, domains={self.domains!r}, phones={self.phones!r})"

    def keeps_email(self, address: str) -> bool:
        address = address.casefold()
        if address in self.emails:
            return True
        domain = address.rpartition("@")[2]
        return any(domain == d or domain.endswith("." + d) for d in self.domains)

    def keeps_phone(self, number: str) -> bool:
        digits = phone_digits(number)
        return any(_same_number(digits, kept) for kept in self.phones)


#: Two-part endings under which anyone can have a domain (co.uk, com.ee): never the shop's own.
_SHARED_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "ltd", "plc", "me", "pri"})


def shop_contacts(contacts: Iterable[str], urls: Iterable[str]) -> ShopContacts:
    """The :class:`ShopContacts` of REVIEWS_SHOP_CONTACTS and the domains of the shop's addresses.

    ``urls`` are SITEURL and REVIEWS_SHOP_URL. Their host counts without a
    leading ``www.``, and so does the domain above a subdomain
    (``reviews.bonenbus.example`` gives ``bonenbus.example``) unless that is
    a shared ending such as ``co.uk``. A host without a dot (``localhost``)
    or an IP address gives none, and so does an address in a folder of a
    host (``https://users.telenet.be/bonenbus/``): that host is a provider's,
    whose customers write from it too.
    """
    emails, phones = set(), []
    for item in contacts:
        item = item.strip()
        if "@" in item:
            emails.add(item.casefold())
        elif item:
            phones.append(phone_digits(item))
    domains: list[str] = []
    for url in urls:
        parts = urlsplit(url) if url else None
        if parts is None or parts.path.strip("/"):
            continue
        host = parts.hostname or ""
        host = host.casefold().removeprefix("www.")
        if "." not in host or host.replace(".", "").isdigit() or ":" in host:
            continue
        labels = host.split(".")
        parent = ".".join(labels[-2:])
        if len(labels) > 2 and labels[-2] in _SHARED_SECOND_LEVEL:
            parent = ".".join(labels[-3:])
        for domain in (host, parent):
            if domain not in domains:
                domains.append(domain)
    return ShopContacts(frozenset(emails), tuple(domains), tuple(phones))


NO_CONTACTS = ShopContacts()


def phone_digits(number: str) -> str:
    """The digits of a phone number as dialled: no ``(0)`` after a country code, no ``00`` prefix."""
    digits = _digits(number.replace("(0)", ""))
    if number.lstrip().startswith("+"):
        return "+" + digits
    return "+" + digits[2:] if digits.startswith("00") else digits


def _same_number(a: str, b: str) -> bool:
    """``020 123 4567`` and ``+31 20 123 4567`` are one number: national digits after a country code."""
    if a == b:
        return True
    national = [x.lstrip("0") for x in (a, b) if not x.startswith("+")]
    international = [x[1:] for x in (a, b) if x.startswith("+")]
    if len(national) == 1 and len(international) == 1:
        short, full = national[0], international[0]
        return len(short) >= 6 and full.endswith(short) and 1 <= len(full) - len(short) <= 3
    return False


def fingerprint(kind: str, value: str) -> str:
    """A short digest naming a hidden value without keeping it.

    The reader notes the fingerprints of what it hid in a shop's entry
    before it knows which review the entry answers; the shop then compares
    them with the reviewer's own e-mail and phone (``contact-data``). Phone
    numbers are compared by their last seven digits, so ``06 1234 5678``
    and ``+31 6 12345678`` are one number.
    """
    norm = value.casefold().strip() if kind == "email" else _digits(value.replace("(0)", ""))[-7:]
    return kind + ":" + hashlib.blake2b(norm.encode(), digest_size=8, person=b"redress").hexdigest()


def redact(
    text: str,
    private: Mapping[str, str],
    gettext: Callable[[str], str],
    *,
    keep: ShopContacts = NO_CONTACTS,
    found: MutableSet[str] | None = None,
) -> str:
    """Replace the given private values, IBANs, e-mail addresses and phone numbers.

    ``private`` maps a private field (email, order, phone) to its value. A
    value is found whatever its case and whichever spaces or dashes the
    customer typed between its parts (``bb 77779`` for ``BB-77779``).
    ``gettext`` gives the note that replaces each kind; :func:`files.review_slug`
    passes one that gives a space, to make a file name of what is left.
    ``keep`` are the shop's own contacts, left as they are (only pass them
    for the shop's own entries). ``found``, if given, collects what was
    hidden: ``private:<field>`` for a private value, and a
    :func:`fingerprint` for each other address or number.

    An address or order number typed in full-width or small-form letters
    (``jan＠example．com``, ``ＢＢ－４２４２４``, as a Japanese or Chinese
    keyboard gives them) is looked for as plain letters too: if that hides
    more, the text is published with those letters plain.
    """
    if not text:
        return text
    hidden = _redact(text, private, gettext, keep, found)
    plain = hidden.translate(_NARROW) if _WIDE_RE.search(hidden) else hidden
    if plain != hidden:
        # On what the first pass left: the plain letters may only hide more, never less
        # (a full-width comma after a number, made plain, would end a phone number's match).
        also = _redact(plain, private, gettext, keep, found)
        if also != plain:
            return also
    return hidden


#: Full-width ASCII (U+FF01 to U+FF5E), the ideographic space, small-form variants and the
#: one-dot leader, as the plain characters they stand for: one for one. (Dashes need none:
#: phone numbers and private values are found whatever dash is typed.)
_SMALL_FORMS = ("﹐﹒﹔﹕﹖﹗﹘﹟﹠﹡﹢﹣﹦﹫﹪", ",.;:?!-#&*+-=@%")
_NARROW = {
    **{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)},
    0x3000: " ",
    **{ord(small): plain for small, plain in zip(*_SMALL_FORMS, strict=True)},
    0x2024: ".",
}
#: Any character of _NARROW: most texts have none, and are not copied to look.
_WIDE_RE = re.compile("[\uff01-\uff5e\u3000\ufe50-\ufe6b\u2024]")


def _redact(
    text: str,
    private: Mapping[str, str],
    gettext: Callable[[str], str],
    keep: ShopContacts,
    found: MutableSet[str] | None,
) -> str:
    if INVISIBLE_RE.search(text):
        text = INVISIBLE_RE.sub("", text)
    labels = _label_words(gettext)
    values = sorted(_private_values(private), key=lambda vk: -len(vk[0]))
    skeleton = None
    for value, kind in values:
        # Most texts do not quote the value: say so without compiling its pattern.
        skeleton = _skeleton(text) if skeleton is None else skeleton
        if _skeleton(value) not in skeleton:
            continue
        pattern = _value_pattern(value)
        if pattern is not None:
            hidden = pattern.sub(_note(labels.get(kind, labels["order"])), text)
            if found is not None and hidden != text:
                found.add("private:" + kind)
            text = hidden
    text = hide_tokens(text, labels["order"], found)
    if _THREE_DIGITS_RE.search(text):
        text = hide_order_references(text, labels["order"], found)
    text = hide_ibans(text, labels["iban"])
    if "@" in text:
        label = labels["email"]

        def email(match: re.Match[str]) -> str:
            if keep and keep.keeps_email(match.group(0)):
                return match.group(0)
            if found is not None:
                found.add(fingerprint("email", match.group(0)))
            return label

        text = EMAIL_RE.sub(email, text)
    if _may_spell_an_address(text):
        text = _hide_spelt_emails(text, labels["email"], keep, found)
    if "wa" in text.casefold():

        def whatsapp(match: re.Match[str]) -> str:
            number = "+" + match.group(2)
            if keep and keep.keeps_phone(number):
                return match.group(0)
            if found is not None:
                found.add(fingerprint("phone", number))
            return match.group(1) + labels["phone"]

        text = WHATSAPP_RE.sub(whatsapp, text)
    return hide_phones(text, labels["phone"], keep=keep, found=found)


def _may_spell_an_address(text: str) -> bool:
    """Whether ``text`` may hold a spelled-out address: a spelled-out dot, or an "at" and a
    closing bracket. Asked by looking for words, not by a pattern at every position: that
    took a tenth of a second at 10,000 reviews, for addresses few texts have."""
    low = text.lower()
    return "dot" in low or "punt" in low or (("at" in low or "@" in text) and any(c in text for c in ")]}>"))


def _hide_spelt_emails(text: str, label: str, keep: ShopContacts, found: MutableSet[str] | None) -> str:
    """Replace each address spelled out (see :data:`SPELT_EMAIL_RE`) by ``label``."""

    def email(match: re.Match[str]) -> str:
        whole = match.group(0)
        if not _SPELT_MARK_RE.search(whole):
            return whole  # "at" and real dots only: a sentence, not an address
        domain = _SPELT_PARTS_RE.sub(".", match.group(2))
        if (
            not _BRACKETED_AT_RE.search(whole)
            and not _ADDRESS_LIKE_RE.search(match.group(1))
            and not any(label in MAIL_PROVIDERS for label in domain.casefold().split("."))
        ):
            return whole  # "the team at Coolblue dot nl": a plain word before a bare "at"
        address = f"{match.group(1)}@{domain}.{match.group(3)}".casefold()
        if keep and keep.keeps_email(address):
            return match.group(0)
        if found is not None:
            found.add(fingerprint("email", address))
        return label

    return SPELT_EMAIL_RE.sub(email, text)


def hide_tokens(text: str, label: str, found: MutableSet[str] | None = None) -> str:
    """Replace every invitation or follow-up token in ``text`` by ``label``.

    A token is told from other dotted words by what it is: its first part
    decodes to a token's payload (``v2|…``). It carries the order number,
    so the note is the order number's.
    """
    if "dj" not in text:
        return text

    def token(match: re.Match[str]) -> str:
        payload = match.group(1)
        if len(payload) % 4 == 1:  # cut off one character into a group: no base64 ends so
            payload = payload[:-1]
        try:
            decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        except (ValueError, TypeError):
            return match.group(0)
        if not decoded.startswith(_TOKEN_VERSIONS):
            return match.group(0)
        if found is not None:
            found.add("private:order")
        return label

    return TOKEN_RE.sub(token, text)


#: "order", in the shops' languages, before a number: what a customer types about their order
#: when the review has no order field to find it by (an import without one, the form left empty).
_ORDER_WORDS = (
    "order|orders|ordernummer|ordernr|bestelling|bestelnummer|bestelnr|bestellung|bestellnummer"
    "|bestell-nr|auftrag|auftragsnummer|auftragsnr|tellimus|tellimuse|tellimusnumber|commande"
    "|pedido|ordine"
)
_ORDER_WORD_HINT_RE = re.compile(rf"\b(?:{_ORDER_WORDS})\b", re.IGNORECASE)
#: Texts without three digits in a row (most) have no order number to look for.
_THREE_DIGITS_RE = re.compile(r"\d\d\d")
ORDER_REFERENCE_RE = re.compile(
    rf"\b(?:{_ORDER_WORDS})\b[\s:.]*"
    # "nr", "number is", "n°": after one of these any reference is the order's.
    r"(?P<numword>(?:(?:nr|no|nummer|number|num|id)\b|n°|nº)\.?(?:\s+(?:is|was|ist|war|on|oli|est))?[\s:.]*)?"
    # The reference: #1043, 20452, BB-998877, WEB_12345.
    r"(?P<ref>#\s?[A-Za-z]{0,5}[-_]?\d{3,}(?:-\d+)*|[A-Za-z]{0,5}[-_]?\d{4,}(?:-\d+)*)(?![\w-])",
    re.IGNORECASE,
)
#: Without "nr" or "#" before it, a bare number is an order's from five digits on: "I order
#: 1000 cups a year", "my order was 1500 euros" are amounts.
_BARE_REFERENCE_RE = re.compile(r"\d{1,4}")


def hide_order_references(text: str, label: str, found: MutableSet[str] | None = None) -> str:
    """Replace an order number after the word "order" (``order #1043``, ``bestelling BB-998877``,
    ``tellimus nr 45678``, ``commande n° 12345``) by ``label``, when nothing said which number
    is the customer's.

    Not a year on its own (``order 2024``), and not an amount (``I order 1000 cups``).
    """

    def reference(match: re.Match[str]) -> str:
        ref = match.group("ref")
        if _YEAR_RE.fullmatch(ref) or (not match.group("numword") and _BARE_REFERENCE_RE.fullmatch(ref)):
            return match.group(0)
        if found is not None:
            found.add("private:order")
        start = match.start("ref") - match.start()
        return match.group(0)[:start] + label

    # Tried where the word is, not at every character of the text (a long pattern, ignoring case).
    parts: list[str] = []
    done = 0
    for word in _ORDER_WORD_HINT_RE.finditer(text):
        if word.start() < done:
            continue
        match = ORDER_REFERENCE_RE.match(text, word.start())
        if match is not None:
            parts += [text[done : match.start()], reference(match)]
            done = match.end()
    return "".join(parts) + text[done:] if parts else text


def _private_values(private: Mapping[str, str]) -> list[tuple[str, str]]:
    """Each private value to look for, with its field; an order number also by its digits.

    A platform's order number has a prefix its customers leave out: Shopify's
    ``#1001`` is "order 1001" in a review, ``BB-20452`` "20452". Its digits
    are looked for on their own when there are at least four, and they are
    not a year.
    """
    # An order number or a phone number without a digit is not one: a customer who typed
    # "sorry" or "the" as their order would otherwise hide that word in the shop's answers.
    values = [
        (v.strip(), k)
        for k, v in private.items()
        if v and v.strip() and (k not in ("order", "phone") or any(c.isdigit() for c in v))
    ]
    for value, kind in list(values):
        if kind != "order":
            continue
        digits = _ORDER_PREFIX_RE.sub("", value)
        if digits != value and sum(c.isdigit() for c in digits) >= 4 and not _YEAR_RE.fullmatch(digits):
            values.append((digits, kind))
    return values


#: What comes before an order number's digits: letters, "#", separators.
_ORDER_PREFIX_RE = re.compile(r"^\D+")
_YEAR_RE = re.compile(r"(?:19|20)\d\d")


def _note(label: str) -> Callable[[re.Match[str]], str]:
    """A replacement that is ``label`` as it is: a translated note is never read as a template."""
    return lambda _match: label


def _class_chars(spec: str) -> list[str]:
    """The characters of a regular expression's class body such as ``SPACES`` (ranges, ``\\-``)."""
    chars: list[str] = []
    i = 0
    while i < len(spec):
        if spec[i] == "\\":
            chars.append(spec[i + 1])
            i += 2
        elif i + 2 < len(spec) and spec[i + 1] == "-":
            chars.extend(chr(c) for c in range(ord(spec[i]), ord(spec[i + 2]) + 1))
            i += 3
        else:
            chars.append(spec[i])
            i += 1
    return chars


#: What :func:`_skeleton` drops (the separators of ``_SEP`` and the combining marks) and the
#: one letter casefold() leaves that IGNORECASE matches to i, as one table: ``str.translate``
#: does in one pass what a pattern's ``sub`` and a second pass took twice as long for.
_SKELETON_TABLE: dict[int, str | None] = {
    ord(c): None
    for c in [*_class_chars(SPACES), *_class_chars(DASHES), *"./()", *map(chr, range(0x300, 0x370))]
}
_SKELETON_TABLE[0x131] = "i"


def _skeleton(text: str) -> str:
    """``text`` casefolded, without separators: a value's pattern can only match where its skeleton is.

    A test before the pattern, because compiling one (its separator class
    after every character) costs milliseconds, and a big shop has a value
    for nearly every review. Unicode case folding equates whatever differs
    only by case, so it equates at least what IGNORECASE does (ſ and s, K
    and k, σ and ς; İ and i once the dot is dropped; ı and i by the table):
    "not in the skeleton" means "no match". The other way round the test
    may say yes for nothing (ß and ss), and the pattern then decides.
    """
    return text.casefold().translate(_SKELETON_TABLE)


@functools.lru_cache(maxsize=4096)
def _value_pattern(value: str) -> re.Pattern[str] | None:
    """A private value as a pattern: any case, any separators (or none) between its characters.

    Digits at either end must not run on into other digits, so an order
    ``20452`` hides ``#20452`` and ``BB20452`` but not ``120452``. Values of
    fewer than three letters or digits are not looked for: they would hide
    ordinary words.
    """
    chars = [c for c in value if not re.fullmatch(_SEP, c)]
    if sum(c.isalnum() for c in chars) < 3:
        return None
    body = f"{_SEP}{{0,3}}".join(re.escape(c) for c in chars)
    # Not inside a longer number, nor inside a longer word: "BB-1" is no part of "XBB-12".
    before = r"(?<!\d)" if chars[0].isdigit() else r"(?<![^\W\d_])" if chars[0].isalpha() else ""
    after = r"(?!\d)" if chars[-1].isdigit() else r"(?![^\W\d_])" if chars[-1].isalpha() else ""
    return re.compile(before + body + after, re.IGNORECASE)


def hide_ibans(text: str, label: str) -> str:
    """Replace every IBAN (any country, with or without spaces, any case) by ``label``."""
    if not IBAN_START_RE.search(text):
        return text
    pieces: list[str] = []
    position = 0
    for match in IBAN_START_RE.finditer(text):
        if match.start() < position:
            continue
        end = _iban_end(text, match.start())
        if end is not None:
            pieces += [text[position : match.start()], label]
            position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _iban_end(text: str, start: int) -> int | None:
    """Where the IBAN starting at ``start`` ends, or None if it is not one.

    It has its country's length in letters and digits, single spaces allowed
    between them. One typed a few characters short is still hidden, up to
    its last complete group, as long as it has enough digits to be a number.
    """
    length = IBAN_LENGTHS.get(text[start : start + 2].upper())
    if length is None:
        return None
    count = digits = 0
    end = group_end = start
    group_count = 0
    i = start
    while i < len(text) and count < length:
        char = text[i]
        if char.isascii() and char.isalnum():
            count += 1
            digits += char.isdigit()
            i += 1
            end = i
        elif char in _IBAN_SPACES and i + 1 < len(text) and text[i + 1].isascii() and text[i + 1].isalnum():
            group_end, group_count = i, count
            i += 1
        else:
            break
    if end < len(text) and text[end].isalnum():
        # Runs on into a longer word: at most the groups before it are the IBAN.
        end, count = group_end, group_count
    if count < min(length, _IBAN_MIN) or digits < 8:
        return None
    return end


def hide_phones(
    text: str, label: str, *, keep: ShopContacts = NO_CONTACTS, found: MutableSet[str] | None = None
) -> str:
    """Replace the phone numbers in ``text`` (see the module's rules) by ``label``.

    Numbers in ``keep`` stay; ``found`` collects a fingerprint of each one hidden.
    """
    if _FEWER_DIGITS_RE.match(text):
        return text

    def replace(match: re.Match[str]) -> str:
        run = match.group(0)
        spans = _phone_spans(run)
        if not spans:
            return run
        pieces, position = [], 0
        for start, end in spans:
            number = run[start:end]
            if keep and keep.keeps_phone(number):
                continue
            if found is not None:
                found.add(fingerprint("phone", number))
            pieces += [run[position:start], label]
            position = end
        pieces.append(run[position:])
        return "".join(pieces)

    return PHONE_RUN_RE.sub(replace, text)


def _digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(c)) for c in text if unicodedata.decimal(c, None) is not None)


def _phone_spans(run: str) -> list[tuple[int, int]]:
    """The parts of a run of digit groups that are phone numbers, as (start, end) in ``run``.

    Usually the whole run is one number or none. When it is not, two numbers
    may stand side by side, apart by a space ("030 1234567 06 12345678") or
    a slash or dash with spaces around it ("06-12345678 / 06-87654321"):
    from each block so parted on, the longest number is taken,
    preferring one that ends where the next block starts with 0. A run is
    never cut at a dash, dot or slash without a space: "01-01-2026/02-02-2026"
    is two dates.
    """
    plus = run.startswith(("+", "(+"))
    groups = [(m.start(1), m.end(1), m.group(1), m.group(2)) for m in _GROUP_RE.finditer(run)]
    if _is_phone(plus, groups):
        return [(0, len(run))]
    blocks: list[list[_Group]] = [[]]
    for group in groups:
        blocks[-1].append(group)
        if _between_numbers(group[3]):
            blocks.append([])
    blocks = [b for b in blocks if b]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(blocks):
        found = _longest_phone(plus and i == 0, blocks, i)
        if found is None:
            i += 1
            continue
        start = 0 if i == 0 else blocks[i][0][0]
        end = blocks[found - 1][-1][1]
        spans.append((start, end))
        i = found
    return spans


#: What stands between two numbers written side by side, with spaces around it: "06-… / 06-…".
_BETWEEN_NUMBERS = frozenset(["/", *_class_chars(DASHES)])


def _between_numbers(separator: str) -> bool:
    """Whether a separator may part two numbers: spaces only, or a slash or a dash with spaces."""
    if not separator:
        return False
    mark = separator.strip()
    return not mark or (mark in _BETWEEN_NUMBERS and mark != separator)


def _longest_phone(plus: bool, blocks: list[list[_Group]], i: int) -> int | None:
    """The end (exclusive block index) of the longest phone number from block ``i`` on.

    Only as many blocks as a phone number can hold digits are tried, so a
    text of thousands of spaced digits costs no more than a few numbers each.
    """
    first = blocks[i][0][2]
    most = (
        _MOST_DIGITS
        if plus or first.startswith("0")
        else 8
        if first.startswith("5")
        else 9
        if first.startswith("6")
        else 0
    )
    if not most:
        return None  # no number the rules know starts this way
    last, digits = i, 0
    while last < len(blocks) and digits + sum(len(g[2]) for g in blocks[last]) <= most:
        digits += sum(len(g[2]) for g in blocks[last])
        last += 1
    for natural in (True, False):
        for j in range(last, i, -1):
            if natural and j < len(blocks) and not blocks[j][0][2].startswith("0"):
                continue
            if _is_phone(plus, [g for block in blocks[i:j] for g in block]):
                return j
    return None


def _is_phone(plus: bool, groups: list[_Group]) -> bool:
    if _starts_with_date(groups):
        return False  # "02.10.2026 09.30": a date and a time, however many digits
    digits = _digits("".join(g[2] for g in groups))
    if plus or digits.startswith("00"):
        # International. A "(0)" after the country code is not dialled, so not counted.
        count = len(digits) - (0 if plus else 2)
        count -= any(
            g[2] == "0" and prev[3].endswith("(") and g[3].startswith(")")
            for prev, g in zip(groups, groups[1:], strict=False)
        )
        return 8 <= count <= 15
    if digits.startswith("0"):
        if len(groups[0][2]) < 2:
            return False  # "0 5 10 15 20 25": counting, not a trunk prefix and an area code
        return 8 <= len(digits) <= 13
    if digits.startswith("6") and len(digits) == 9 and (len(groups) == 1 or groups[0][2] == "6"):
        # A Dutch mobile with its 0 left off, as some write it after "+31" is gone:
        # 612345678, 6 12345678, 6-1234 5678. Not 612 345 678 (an amount in thousands).
        return True
    if digits.startswith("5") and len(digits) in (7, 8):
        # As Estonians write a mobile: 5123 4567, 512 3456. Not 5 000 000 (an amount)
        # or 5 10 15 20 (counting): no group of one or two digits.
        return all(len(g[2]) >= 3 for g in groups)
    return False


def _starts_with_date(groups: list[_Group]) -> bool:
    """A run that starts with a date standing on its own (the end, or a space, after its year)."""
    return len(groups) >= 3 and _is_date(groups[:3]) and (len(groups) == 3 or not groups[2][3].strip())


def _is_date(groups: list[_Group]) -> bool:
    """``02-10-2026``, ``1.12.2025``, ``02/10/26``: day and month (either order) and a year."""
    if len(groups) != 3:
        return False
    seps = {g[3].strip() for g in groups[:2]}
    if len(seps) != 1 or not seps <= _DATE_SEPARATORS:
        return False
    first, second = (int(_digits(g[2])) for g in groups[:2])
    return len(groups[2][2]) in (2, 4) and (
        (1 <= first <= 31 and 1 <= second <= 12) or (1 <= first <= 12 and 1 <= second <= 31)
    )
