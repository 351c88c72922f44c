"""`redress check`, `redress respond` and `redress report`: the shop's desk on the command line.

They run in the site's folder with the settings the build uses, read the
content through ``load_shop`` (the one parser), and write nothing public:
``check`` prints, ``respond`` writes one response file for the owner to
finish, ``report`` writes a private page outside the site.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import textwrap
from typing import Any

from ..content.collector import collector_paused
from ..content.reader import timezone_from
from ..i18n import Formatter, translations
from . import report, respond
from .check import check
from .output import as_json, as_text, json_lines
from .rules import RULES
from .shared import add_site_options, known_reviews, load, now_in, parse_date


def add_parser(commands: Any) -> None:
    """Register `redress check`, `redress respond` and `redress report`."""
    parser = commands.add_parser(
        "check",
        help="check every response before the world reads it (apology, tone, canned text, deadlines)",
        description=textwrap.fill(
            "Check the shop's responses and open cases, privately: unanswered negative reviews, cases "
            "left in progress, answers without an apology, copied or impersonal answers, defensive "
            "wording, customers' data and template placeholders left in the text. Nothing is written.",
            width=90,
        ),
        epilog="rules: " + ", ".join(RULES) + " (the README's table says when each fires).\n"
        "exit status: 0, or 1 with --strict when there is a warning.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("reviews", nargs="*", metavar="REVIEW", help="only these reviews (file names)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="default: %(default)s")
    parser.add_argument("--strict", action="store_true", help="exit 1 when there is any warning")
    parser.add_argument(
        "--since", type=parse_date, metavar="YYYY-MM-DD", help="only reviews and responses from this day on"
    )
    add_site_options(parser, "the time to check against, for repeatable runs (default: now)")
    parser.set_defaults(run=run_check)
    respond.add_parser(commands)
    report.add_parser(commands)


def run_check(args: argparse.Namespace) -> int:
    with collector_paused():
        return _run_check(args)


def _run_check(args: argparse.Namespace) -> int:
    _path, settings, shop = load(args.settings, "redress check")
    tz = timezone_from(settings)
    only = set(args.reviews) if args.reviews else None
    if only:
        known_reviews(shop, sorted(only))
    since = dt.datetime.combine(args.since, dt.time(), tz) if args.since else None
    result = check(shop, now_in(args.now, tz), reviews=only, since=since)
    lang = settings.get("DEFAULT_LANG") or "en"
    gettext = translations(lang).gettext
    if args.format == "json":
        sys.stdout.write("\n".join(json_lines(as_json(result, gettext))) + "\n")
    else:
        print("\n".join(as_text(result, gettext, Formatter(lang))).lstrip("\n"))
    return 1 if args.strict and result.warnings else 0
