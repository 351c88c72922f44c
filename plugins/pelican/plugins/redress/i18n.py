"""Translations and locale formatting for the review section.

UI text lives in gettext catalogs (``translations/<lang>/LC_MESSAGES/
redress.po``) that are read straight from the ``.po`` files with Babel, so
there is no compiled ``.mo`` file to forget. Dates and numbers are formatted
by Babel for the page's locale ("2 oktober 2026", "4,3").
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext as gettext_module
import io
import logging
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

logger = logging.getLogger(__name__)

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
DOMAIN = "redress"
#: Languages with a catalog; English is the source language.
LANGUAGES = ("en", "nl", "et")


@functools.cache
def translations(lang: str) -> gettext_module.NullTranslations:
    """The catalog for a language, or English text when there is none."""
    base = lang.replace("-", "_").split("_")[0].lower()
    po_path = TRANSLATIONS_DIR / base / "LC_MESSAGES" / f"{DOMAIN}.po"
    if base == "en" or not po_path.exists():
        return gettext_module.NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=base)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def has_catalog(lang: str) -> bool:
    return lang.replace("-", "_").split("_")[0].lower() in LANGUAGES


@functools.cache
def locale_for(lang: str) -> Locale:
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        logger.warning("reviews: unknown language %r; dates and numbers use English", lang)
        return Locale.parse("en")


class Formatter:
    """Locale-aware formatting, handed to templates as ``fmt``."""

    def __init__(self, lang: str):
        self.lang = lang
        self.locale = locale_for(lang)
        self._dates: dict[dt.date, str] = {}
        self._numbers: dict[int, str] = {}
        # Babel formats a number anew each time (tens of microseconds); a listing's
        # average is shown on each of its pages, the same few values thousands of times.
        self._decimals: dict[tuple[float, int], str] = {}
        self._percents: dict[float, str] = {}

    def date(self, value: dt.datetime | dt.date) -> str:
        day = value.date() if isinstance(value, dt.datetime) else value
        text = self._dates.get(day)
        if text is None:
            text = self._dates[day] = format_date(day, format="long", locale=self.locale)
        return text

    def datetime(self, value: dt.datetime) -> str:
        return format_datetime(value, format="medium", locale=self.locale, tzinfo=value.tzinfo)

    def decimal(self, value: float, digits: int = 1) -> str:
        text = self._decimals.get((value, digits))
        if text is None:
            text = format_decimal(value, format="#,##0." + "0" * digits, locale=self.locale)
            self._decimals[value, digits] = text
        return text

    def number(self, value: int) -> str:
        text = self._numbers.get(value)
        if text is None:
            text = self._numbers[value] = format_decimal(value, locale=self.locale)
        return text

    def percent(self, value: float) -> str:
        text = self._percents.get(value)
        if text is None:
            text = self._percents[value] = format_percent(value, locale=self.locale)
        return text

    def duration(self, value: dt.timedelta) -> str:
        return format_timedelta(value, threshold=1.5, locale=self.locale)
