"""The language of an imported review: the export's word, the owner's, or a careful guess.

In order: the language the export gives the review (``Review Language``,
``Reviewer Language``, …); else ``--lang``; else py3langid, limited to the
languages the shop itself uses, so a Dutch shop's reviews are never guessed
to be Afrikaans; else, for a text too short to tell (``Top!``, or only
stars), the site's ``DEFAULT_LANG``. The page marks each review's text with
the language chosen here, so screen readers read it in the right voice.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..content import model

logger = logging.getLogger(__name__)

#: A text with fewer letters than this says too little to guess its language from.
MIN_LETTERS = 20
#: A guess less sure than this (among the shop's languages) is not taken.
MIN_CONFIDENCE = 0.8
#: Review files read to learn the languages a shop's customers write in.
SAMPLE_FILES = 1000
_LANG_LINE = re.compile(rb"^lang[ \t]*:[ \t]*([A-Za-z_-]+)", re.IGNORECASE | re.MULTILINE)


def primary(lang: str) -> str:
    """``en`` for ``en-GB`` or ``en_gb``."""
    return lang.replace("_", "-").split("-")[0].lower()


def record_lang(value: str) -> str:
    """The export's language code as a review file takes it, or ``""`` when it is none."""
    if not value.strip():
        return ""
    lang, problem = model.parse_lang(value)
    return "" if problem or lang is None else lang


def shop_languages(settings: dict[str, Any]) -> list[str]:
    """The languages the site declares: ``DEFAULT_LANG`` and those of its i18n_subsites."""
    found = [primary(settings.get("DEFAULT_LANG") or "en")]
    subsites = settings.get("I18N_SUBSITES") or {}
    if isinstance(subsites, dict):
        found += [primary(str(lang)) for lang in subsites]
    return list(dict.fromkeys(found))


def languages_in_files(folder: Path, sample: int = SAMPLE_FILES) -> set[str]:
    """The ``Lang`` of the review files the shop already has: the languages its customers write in.

    Read from the first kilobyte of at most ``sample`` files, spread over
    the folder, so a shop of a hundred thousand reviews costs a fraction of
    a second too.
    """
    found: set[str] = set()
    try:
        entries = [e for e in os.scandir(folder) if e.name.endswith(".md") and not e.name.startswith(".")]
    except OSError:
        return found
    step = max(1, len(entries) // sample)
    for entry in entries[::step]:
        try:
            with open(entry.path, "rb") as handle:
                head = handle.read(1024)
        except OSError:
            continue
        match = _LANG_LINE.search(head.split(b"\n\n", 1)[0])
        if match:
            found.add(primary(match.group(1).decode("ascii")))
    return found


class Guesser:
    """Guesses a text's language among ``languages``; ``default`` when it cannot tell.

    py3langid's model (a second to load) is loaded at the first text that
    needs a guess, never for an export that names its languages.
    """

    def __init__(self, languages: Iterable[str], default: str):
        self.default = default
        self.languages = list(dict.fromkeys(primary(lang) for lang in languages if lang))
        self._identifier: Any = None

    def guess(self, text: str) -> str:
        if len(self.languages) < 2:
            return self.languages[0] if self.languages else self.default
        if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
            return self.default
        if self._identifier is None:
            self._identifier = self._load()
            if len(self.languages) < 2:
                return self.guess(text)
        lang, confidence = self._identifier.classify(text)
        return str(lang) if confidence >= MIN_CONFIDENCE else self.default

    def _load(self) -> Any:
        """py3langid's identifier with normalised probabilities, limited to the languages it knows of ours."""
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        known = set(identifier.labels)
        unknown = [lang for lang in self.languages if lang not in known]
        if unknown:
            logger.info("import: py3langid does not know %s; those are never guessed", ", ".join(unknown))
        self.languages = [lang for lang in self.languages if lang in known]
        if len(self.languages) >= 2:
            identifier.set_languages(self.languages)
        return identifier
