"""A response's words as the desk reads them, and what any language shares.

The checker works on what a reader of the page sees: the published text of
an entry (:func:`plain`), with the notes that stand where a private value
was hidden taken out, so "[e-mail address hidden]" is never mistaken for a
template placeholder or for words of the shop's. Placeholders, shouting and
runs of exclamation marks look the same in every language, so they are
found here; phrases that need a language are in :mod:`.phrases`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..content.privacy import hidden_notes
from ..content.render import html_to_text
from ..i18n import LANGUAGES, translations
from .phrases import PHRASES, Phrases, phrases_for

#: The notes that replace hidden values, in every language with a catalog.
HIDDEN_NOTES = tuple(
    sorted(
        {note for lang in LANGUAGES for note in hidden_notes(translations(lang).gettext).values()},
        key=len,
        reverse=True,
    )
)
_HIDDEN_RE = re.compile("|".join(re.escape(n) for n in HIDDEN_NOTES))

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'"})
_SPACES_RE = re.compile(r"\s+")
WORD_RE = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")


def plain(html: str) -> str:
    """The visible text of an entry, without the notes where private values were hidden."""
    text = html_to_text(html)
    return _HIDDEN_RE.sub(" ", text) if "[" in text else text


def fold(text: str) -> str:
    """Casefolded, straight apostrophes, one space between words: what phrase lists match."""
    return _SPACES_RE.sub(" ", text.translate(_QUOTES).casefold()).strip()


def words(folded: str) -> list[str]:
    return WORD_RE.findall(folded)


# -- placeholders -------------------------------------------------------------------------

#: Words that say "fill me in" at the start or end of a bracket, in the three languages.
_FILL_RE = re.compile(
    r"(?i)^\s*(?:name|naam|nimi|nime|first ?name|voornaam|eesnimi|surname|achternaam|perenimi|"
    r"customer|klant|klient|kliendi|client|order|bestel\w*|tellimus\w*|product|toode|artikel|"
    r"date|datum|kuupäev|insert|invullen|vul|lisa|sisesta|describe|beschrijf|kirjelda|"
    r"reason|reden|põhjus|amount|bedrag|summa|tracking|details?|specifics?|here|hier|siia|"
    r"explain|uitleg|selgita|action|actie|tegevus|solution|oplossing|lahendus|remedy|"
    r"phone|telefoon|telefon|e-?mail|e-?post|contact|signature|handtekening|allkiri|"
    r"shop|winkel|pood|your|uw|jouw|teie|sinu|todo|tbd)\b"
    r"|\b(?:name|naam|nimi|voornaam|eesnimi|number|nummer|date|datum|kuupäev|here|hier|siia|"
    r"details|invullen|in te vullen)\s*$"
)
_PLACEHOLDER_RE = re.compile(
    r"\[\[[^\]\n]{1,120}\]\]"  # the markers `redress respond` writes
    r"|\{\{?[^{}\n]*[^\W\d_][^{}\n]*\}\}?"  # {name}, {{ order }}
    r"|%[A-Za-z_][A-Za-z0-9_ ]{0,30}%"  # %NAME%
    r"|<[^\W\d_][^<>@\n/:]{0,50}>"  # <name>, <describe what happened>
    r"|\[([^\[\]\n]{1,60})\]"  # [NAME], [name of the customer], [...]: decided below
    r"|(?<!\w)X{3,}(?!\w)|(?<!\w)(?:TODO|TBD|FIXME)(?!\w)"  # XXX, TODO
    r"|_{4,}"  # a blank to fill in
    r"|(?<!\w)N\.\s?N\.(?!\w)"  # N.N., the Dutch "name unknown"
    r"|(?i:lorem ipsum)"
)


#: What every placeholder the pattern knows starts with or contains; without any, there is none.
_PLACEHOLDER_HINT_RE = re.compile(r"[\[{%<]|_{4}|XXX|TODO|TBD|FIXME|N\.\s?N\.|(?i:lorem)")


def placeholders(text: str) -> list[str]:
    """Template placeholders left in ``text`` (the visible text, hidden-value notes removed).

    A bracket is a placeholder when it is a fill-in word ("[name]", "[vul
    in]", "[kliendi nimi]"), all capitals ("[NAME]", "[BESTELNUMMER]", not
    "[DHL]"), or an ellipsis or blank; not when it is an aside ("[sic]",
    "[1]", "[update]").
    """
    if _PLACEHOLDER_HINT_RE.search(text) is None:
        return []
    found = []
    for match in _PLACEHOLDER_RE.finditer(text):
        inside = match.group(1)
        if inside is not None and not _bracket_is_placeholder(inside):
            continue
        found.append(match.group(0))
    return found


def _bracket_is_placeholder(inside: str) -> bool:
    stripped = inside.strip()
    if stripped in ("...", "…") or (stripped and set(stripped) == {"_"}):
        return True
    letters = [c for c in stripped if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return not all(w in ACRONYMS for w in re.findall(r"[^\W\d_]+", stripped))
    return _FILL_RE.search(stripped) is not None


# -- shouting and exclamation marks ---------------------------------------------------------

#: Capitals that are names, not shouting (carriers, payment, units, the EU, …).
ACRONYMS = frozenset(
    """
    DHL UPS DPD GLS TNT FEDEX USPS EMS PNL POSTNL BPOST OMNIVA ITELLA SMARTPOST EU EC NL BE EE DE UK US
    USA IBAN BIC VAT BTW KM KG CM MM ML XL XXL XS OK FAQ PDF SMS QR ID PIN CEO CS KVK ACM ODR GDPR AVG
    HTML API URL WWW USB LED AC DC EUR PS NB TV DIY ASAP FYI RMA SKU EAN GTIN CO AB OU OÜ AS TLDR
    """.split()
)
_CAPS_WORD_RE = re.compile(r"[^\W\d_]+")
#: Two capitals in a row (Latin script): without them there is no shouting to look for.
_TWO_CAPITALS_RE = re.compile(r"[A-ZÀ-ÖØ-ÞĀ-ž]{2}")
_BANG_RE = re.compile(r"!{2,}|[!?]{3,}|\?!|!\?")


def shouting(text: str, ignore: Iterable[str] = ()) -> str | None:
    """The first run of words in capitals (two or more, eight letters or more), if any.

    Acronyms and the ``ignore``\\ d words (the shop's name, placeholders) do
    not count; a run needs one word of four letters or more, so "DHL NL" is
    not shouting and "NOT OUR FAULT" is.
    """
    if _TWO_CAPITALS_RE.search(text) is None:
        return None
    skip = {w.upper() for w in ignore} | ACRONYMS
    run: list[re.Match[str]] = []
    best: str | None = None

    def close() -> str | None:
        if (
            len(run) >= 2
            and sum(len(m.group(0)) for m in run) >= 8
            and any(len(m.group(0)) >= 4 for m in run)
        ):
            return text[run[0].start() : run[-1].end()]
        return None

    previous_end = 0
    for match in _CAPS_WORD_RE.finditer(text):
        word = match.group(0)
        loud = len(word) >= 2 and word.isupper() and word not in skip
        between = text[previous_end : match.start()]
        if loud and run and not re.fullmatch(r"[\s,'\-]*", between):
            best = best or close()
            run = []
        if loud:
            run.append(match)
        else:
            best = best or close()
            run = []
        previous_end = match.end()
    return best or close()


def exclamations(text: str) -> str | None:
    """A run of exclamation marks ("!!", "?!"), if any."""
    match = _BANG_RE.search(text)
    return match.group(0) if match else None


# -- language ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Language:
    """The language an entry is checked in, or None when no rule set fits."""

    code: str
    phrases: Phrases | None


def language_of(tokens: list[str], declared: str) -> Language:
    """The review's language, unless the entry's own function words clearly say another.

    A reply in English under a review marked ``nl`` is checked as English;
    so is one under a German review, but only when the words leave no doubt
    (three distinct marker words and none of another language's, or four
    and three times as many as any other language's).
    Otherwise a language without a rule set is left unchecked: never judged
    by another language's phrases on a guess.
    """
    base = declared.replace("_", "-").split("-")[0].lower() or "und"
    counts = dict.fromkeys(PHRASES, 0)
    for token in set(tokens):
        lang = _MARKER_LANG.get(token)
        if lang is not None:
            counts[lang] += 1
    (best, top), (runner_up, _second) = sorted(((n, code) for code, n in counts.items()), reverse=True)[:2]
    clear = (best >= 3 and runner_up == 0) or (best >= 4 and best >= 3 * runner_up)
    if clear and top != base:
        return Language(top, PHRASES[top])
    return _declared(base)


#: Each marker word and its language (a word two languages share is no marker).
_MARKER_LANG = {word: code for code, p in PHRASES.items() for word in p.markers}


@functools.lru_cache(maxsize=64)
def _declared(base: str) -> Language:
    return Language(base, phrases_for(base))
