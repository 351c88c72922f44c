"""Checking what a customer sent through a form, field by field.

The form's fields are not the file's keys (``p`` for the product, ``r`` for
the review a follow-up answers, a consent box), so the inbox checks them
here, with the model's own parsers for every value a file also holds: a
rating, a language or a yes/no the inbox accepts is one the reader accepts
when the file it writes is read back.

Lengths are counted as the form counts them in the browser: a line break
is one character, though a browser sends it as CRLF. The minimum is counted
in UTF-16 units as ``minlength`` counts it (an emoji is two), leaving out
invisible format characters; a maximum in characters, which is never more
than the browser's ``maxlength`` counted, so nothing the form let through
is refused. Text that is only whitespace, invisible format characters
(Unicode category Cf: zero-width spaces, joiners, direction marks, a
byte-order mark, soft hyphens) and blank letters (a Hangul filler, the
Braille blank; see :func:`~redress.content.rules.visible`) says nothing, so
it counts as empty; such characters inside real text are kept as written (a
joiner inside an emoji, a soft hyphen).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from ..content.model import LIMITS, YES, parse_lang, parse_rating, parse_yes_no
from ..content.rules import is_email, visible


def without_format_characters(text: str) -> str:
    """The text without invisible format characters (Cf), for counting towards a minimum length."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


#: Words a shop puts after its name to sign as itself: "Bonenbus team", "Bonenbus klantenservice".
STAFF_WORDS = frozenset(
    "team support service customer care helpdesk official shop store webshop admin owner "
    "klantenservice klantendienst officieel winkel eigenaar beheer "
    "klienditeenindus tugi meeskond pood e-pood omanik ametlik".split()
)


#: Articles a shop's name may start with, which customers leave out.
ARTICLES = frozenset("de het een the a an".split())


def name_words(text: str) -> list[str]:
    """The words of a name as compared with the shop's: any case, any width, no punctuation."""
    return re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold())


def signs_as_the_shop(name: str, shop_names: Sequence[str]) -> bool:
    """Whether a reviewer's name is the shop's own (perhaps with "team" or "support" after it).

    A review under the shop's name would read as the shop praising itself, and a
    follow-up under it as the shop's answer. The shop answers in its own files.
    """
    words = name_words(name)
    if not words:
        return False
    for shop in shop_names:
        whole = name_words(shop)
        # "De Bonenbus" is "Bonenbus" to most who type it.
        for own in (whole, whole[1:] if len(whole) > 1 and whole[0] in ARTICLES else []):
            if own and words[: len(own)] == own and set(words[len(own) :]) <= STAFF_WORDS:
                return True
            if own and "".join(words) == "".join(own):
                return True  # "BonenBus" for "Bonen Bus"
    return False


def browser_length(text: str) -> int:
    """The length a browser's ``minlength`` and ``maxlength`` count: UTF-16 units, so an
    emoji counts two. The form's own check and the inbox's then agree on "Top! 👍👍👍"."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def validate_submission(
    fields: dict[str, str], kind: str, scale: int, products: set[str], shop_names: Sequence[str] = ()
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check what a customer sent through a form: the same rules as the files.

    ``kind`` is "review" or "follow-up". Returns the normalised values and
    the problems as {field: code}; codes are translated where they are shown
    (the inbox answers in the page's language). The file the inbox later
    writes is read back by the same reader as every other review.
    """
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}

    def text(name: str, limit: int) -> str:
        value = fields.get(name, "")
        if name == "text":
            # A browser sends every line break as CRLF; its maxlength counted each as one.
            value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
        else:
            value = " ".join(value.split())
        if not visible(value):
            return ""
        if len(value) > limit:
            errors[name] = "too-long"
        return value

    if kind == "review":
        raw = fields.get("rating", "").strip()
        if not raw:
            errors["rating"] = "required"
        else:
            rating, problem = parse_rating(raw, scale)
            if problem:
                errors["rating"] = "invalid"
            values["rating"] = rating
        values["title"] = text("title", LIMITS["title"])
        values["name"] = text("name", LIMITS["name"])
        if "name" not in errors and signs_as_the_shop(values["name"], shop_names):
            errors["name"] = "shop-name"
        product = fields.get("p", "").strip()
        if product and product not in products:
            errors["p"] = "unknown-product"
        values["product"] = product or None
    else:
        resolved, problem = (
            parse_yes_no(fields.get("resolved", "")) if fields.get("resolved") else (None, "x")
        )
        if problem:
            errors["resolved"] = "required"
        values["resolved"] = resolved
        values["review"] = fields.get("r", "").strip()
    body = text("text", LIMITS["text"])
    if kind == "review" and "text" not in errors:
        if not body:
            errors["text"] = "required"
        elif browser_length(without_format_characters(body)) < LIMITS["text_min"]:
            errors["text"] = "too-short"
    values["text"] = body
    email = text("email", LIMITS["email"])
    if email and "email" not in errors and not is_email(email):
        errors["email"] = "invalid"
    values["email"] = email
    values["order"] = text("order", LIMITS["order"])
    lang = fields.get("lang", "").strip()
    if lang:
        parsed, problem = parse_lang(lang)
        if problem:
            errors["lang"] = "invalid"
        lang = parsed or ""
    values["lang"] = lang
    if fields.get("consent", "").strip().lower() not in YES + ("on",):
        errors["consent"] = "required"
    return values, errors
