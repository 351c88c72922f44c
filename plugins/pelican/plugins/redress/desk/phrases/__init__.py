"""The words the desk looks for, one module per language.

Each language module (:mod:`.en`, :mod:`.nl`, :mod:`.et`) lists, as regular
expressions over the casefolded text, what an apology looks like and what
only looks like one ("sorry you feel that way"), what reads as blame or
argument, what describes a concrete remedy, how replies open and close,
and which words say nothing about a particular case. They are written for
how shops really answer, in formal and informal address (u/je, te/sa) and
with the inflections a phrase takes; a language without a module is never
judged by another's words (see :func:`phrases_for`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import ModuleType

from . import en, et, nl


def _words(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """Phrases matched as whole words: no match inside a longer word."""
    return re.compile(r"(?<!\w)(?:" + "|".join(f"(?:{p})" for p in patterns) + r")(?!\w)")


@dataclass(frozen=True)
class Phrases:
    """One language's compiled phrase lists; see the language modules for what each holds."""

    lang: str
    apology: re.Pattern[str]
    not_apology: re.Pattern[str]
    defensive: re.Pattern[str]
    action: re.Pattern[str]
    greeting: re.Pattern[str]
    signoff: re.Pattern[str]
    stopwords: frozenset[str]
    generic: frozenset[str]
    #: Function words that tell this language from the others (for a reply
    #: written in another language than its review).
    markers: frozenset[str]


def _compile(module: ModuleType) -> Phrases:
    return Phrases(
        lang=module.LANG,
        apology=_words(module.APOLOGY),
        not_apology=_words(module.NOT_APOLOGY),
        defensive=_words(module.DEFENSIVE),
        action=_words(module.ACTION),
        greeting=re.compile(r"^\W*(?:" + "|".join(module.GREETINGS) + r")(?!\w)"),
        signoff=_words(module.SIGNOFFS),
        stopwords=frozenset(module.STOPWORDS.split()),
        generic=frozenset(module.GENERIC.split()),
        markers=frozenset(module.MARKERS.split()),
    )


#: Every language with a rule set, by its code.
PHRASES: dict[str, Phrases] = {m.LANG: _compile(m) for m in (en, nl, et)}


def phrases_for(lang: str) -> Phrases | None:
    """The rule set of a language code (``nl``, ``nl-BE``, ``et_EE``), or None when there is none."""
    return PHRASES.get(lang.replace("_", "-").split("-")[0].lower())
