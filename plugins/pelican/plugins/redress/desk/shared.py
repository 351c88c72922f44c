"""What the desk's commands share: reading the site, naming reviews, times, their one error."""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
from pathlib import Path
from typing import Any

from ..content import site_settings
from ..content.shop import Shop, load_shop
from ..errors import UsageError


class DeskError(UsageError):
    """A desk command was given something it cannot use; the message says what to do."""


def add_site_options(parser: argparse.ArgumentParser, now_help: str) -> None:
    parser.add_argument(
        "--settings",
        metavar="FILE",
        help="the site's settings (default: publishconf.py in this folder, else pelicanconf.py)",
    )
    parser.add_argument("--now", type=parse_datetime, metavar="YYYY-MM-DDTHH:MM", help=now_help)


def load(settings_arg: str | None, command: str) -> tuple[Path, dict[str, Any], Shop]:
    """The settings file, the site's settings and its shop, read through the content model."""
    path = site_settings.settings_path(settings_arg, command)
    settings = site_settings.load_settings(path)
    return path, settings, load_shop(settings)


def known_reviews(shop: Shop, slugs: list[str]) -> None:
    """Refuse review names that are not published reviews, with the nearest names."""
    published = {r.slug for r in shop.reviews}
    withheld = {r.slug for r in shop.withheld}
    problems = []
    for slug in slugs:
        if slug in published:
            continue
        if slug in withheld:
            problems.append(f"REVIEW {slug}: is withheld, so its thread is not published; nothing to do")
            continue
        close = difflib.get_close_matches(slug, sorted(published), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else "; use a review's file name without .md"
        problems.append(f"REVIEW {slug}: is not a review in {shop.settings['REVIEWS_REVIEW_DIR']}/{hint}")
    if problems:
        raise DeskError(problems)


def now_in(value: dt.datetime | None, tz: dt.tzinfo) -> dt.datetime:
    """``--now`` in the site's time zone, or the time now."""
    if value is None:
        return dt.datetime.now(tz)
    return value if value.tzinfo else value.replace(tzinfo=tz)


def shown_path(path: Path, base: Path) -> str:
    """A path as the owner typed it: relative to the site's folder when it is inside."""
    return str(path.relative_to(base)) if path.is_relative_to(base) else str(path)


def parse_date(text: str) -> dt.date:
    """An argparse type: an ISO date."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-10-02") from None


def parse_datetime(text: str) -> dt.datetime:
    """An argparse type: an ISO date and time."""
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time like 2026-10-02T14:30") from None
