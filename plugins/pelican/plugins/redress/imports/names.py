"""How a reviewer's name from another platform is shown: ``Jan de Vries`` as ``Jan de V.``.

A platform shows a reviewer's name under its own rules and with the
reviewer's consent to *that* platform. Copied onto the shop's own page, the
full name is more than the reviewer agreed to, so by default
(``REVIEWS_IMPORT_NAMES = "short"``) it is shortened the way the demo's
reviewers sign: given names in full, then the family name's particles as
written (``de``, ``van der``, ``von``), then its first letter. ``"full"``
keeps the name as the platform shows it and ``"none"`` leaves it out (the
page says "Anonymous customer"). An e-mail address is never a name.
"""

from __future__ import annotations

import re

from ..content.rules import EMAIL_RE

#: Words that start a family name without being it, compared in lowercase:
#: Dutch, Flemish, German, French, Italian, Spanish and Portuguese.
PARTICLES = frozenset(
    "van de der den het 't te ten ter op in 's von zu vom zum zur am im "
    "du des le la d' da di del della dello dos das do y".split()
)
#: Joins two people in one name ("Mark & Julia"): each is shortened on its own.
_JOINERS = re.compile(r"\s+(?:&|\+|and|en|und|ja)\s+", re.IGNORECASE)
#: What an e-mail address leaves behind: ``Jan Jansen <jan@example.com>`` is ``Jan Jansen``.
_EMPTY_BRACKETS = re.compile(r"[<(\[]\s*[>)\]]")
#: An apostrophe prefix that belongs to the initial: O'Brien is O'B., D'Angelo is D'A.
_PREFIXED = re.compile(r"^([A-Za-z][’'])(\w)")


def shown_name(name: str, mode: str) -> str:
    """The name as the page shows it under ``REVIEWS_IMPORT_NAMES`` (``short``, ``full``, ``none``)."""
    clean = " ".join(_EMPTY_BRACKETS.sub(" ", EMAIL_RE.sub(" ", name)).split())
    if mode == "none" or not clean:
        return ""
    if mode == "full":
        return clean
    return " ".join(_short_part(part) if part not in ("&", "+") else part for part in _split_people(clean))


def _split_people(name: str) -> list[str]:
    """``Mark & Julia de Wit`` as ``["Mark", "&", "Julia de Wit"]``; a joiner word is kept as typed."""
    parts: list[str] = []
    last = 0
    for match in _JOINERS.finditer(name):
        parts += [name[last : match.start()], match.group(0).strip()]
        last = match.end()
    parts.append(name[last:])
    return [p for p in parts if p]


def _short_part(name: str) -> str:
    """One person's name: given names, particles as written, the family name's initial."""
    if name.count(",") == 1:
        # "Vries, Jan de": a family name first, as some exports list them.
        family_name, given_names = (p.strip() for p in name.split(","))
        name = f"{given_names} {family_name}".strip()
    words = name.split()
    if len(words) < 2:
        return name
    start = next((i for i in range(1, len(words)) if words[i].lower() in PARTICLES), len(words) - 1)
    given, rest = words[:start], words[start:]
    particles = []
    while rest and rest[0].lower() in PARTICLES:
        particles.append(rest.pop(0))
    if not rest:  # only particles after the given names: nothing to shorten
        return name
    return " ".join([*given, *particles, initial(rest[0])])


def initial(word: str) -> str:
    """``Vries`` as ``V.``, ``O'Brien`` as ``O'B.``, ``Ülle`` as ``Ü.``; an initial stays one."""
    prefixed = _PREFIXED.match(word)
    if prefixed:
        return f"{prefixed.group(1)}{prefixed.group(2).upper()}."
    for char in word:
        if char.isalnum():
            return char.upper() + "."
    return word
