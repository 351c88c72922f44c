"""`redress report --out DIR`: the owner's private page of open cases, for the staff meeting.

Seed 001 (point 10): share reviews with staff. The page lists the open
cases by age, the answers that are overdue, every finding of `redress
check` under its review with the review beside it, and month by month the
share of negative reviews answered and the median time to a first answer,
as a small SVG chart (no JavaScript) with the same figures in a table.

It is private (findings, private notes' existence, the owner's work list),
so it is written outside the site: a folder inside the output, the content
or the theme is refused, as ``redress invite`` refuses one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.dates import format_date
from markupsafe import Markup, escape

from .. import templating
from ..content.collector import collector_paused
from ..content.model import Review
from ..content.reader import timezone_from
from ..content.shop import Shop
from ..content.site_settings import private_folder
from ..i18n import Formatter, has_catalog, translations
from .check import Finding, Result, check
from .messages import Gettext, describe
from .shared import DeskError, add_site_options, load, now_in, shown_path

TEMPLATE = "redress/desk/report.html"
#: Months shown in the chart and table, newest last.
MONTHS = 12


def add_parser(commands: Any) -> None:
    """Register `redress report`."""
    parser = commands.add_parser(
        "report",
        help="write the owner's private report: open cases, overdue answers, findings, monthly figures",
        description=textwrap.fill(
            "Write a private HTML page for the shop's staff into DIR: open cases by age, overdue "
            "answers, what `redress check` found under each review with the review beside it, and "
            "month by month the share of negative reviews answered and the median time to a first "
            "answer. DIR must be outside the site's output, content and theme folders.",
            width=90,
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="folder for index.html (made if missing)")
    add_site_options(parser, "the time the report is for (default: now)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with collector_paused():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    path, settings, shop = load(args.settings, "redress report")
    out = private_folder(
        Path(args.out),
        settings,
        "The report lists your open cases and what the checker found",
        "desk-report",
    )
    now = now_in(args.now, timezone_from(settings))
    lang = settings.get("DEFAULT_LANG") or "en"
    lang = lang if has_catalog(lang) else "en"
    html = render(shop, check(shop, now), now, settings, lang)
    target = out / "index.html"
    try:
        target.write_text(html, encoding="utf-8")
    except OSError as err:
        raise DeskError(f"--out {args.out}: cannot write index.html: {err.strerror}") from None
    shown = shown_path(target, path.resolve().parent)
    print(f"redress report: wrote {shown}; it is private, do not publish it.")
    return 0


# -- what the page shows --------------------------------------------------------------------


@dataclass
class Month:
    start: dt.date
    negatives: int
    answered: int
    median_hours: float | None

    @property
    def share(self) -> float | None:
        return self.answered / self.negatives if self.negatives else None


@dataclass
class Case:
    review: Review
    findings: list[tuple[Finding, str]] = field(default_factory=list)


def open_cases(shop: Shop, now: dt.datetime) -> list[tuple[Review, int]]:
    """Negative reviews not settled yet, oldest first, with their age in days."""
    cases = [(r, max(0, (now - r.date).days)) for r in shop.reviews if r.is_open]
    return sorted(cases, key=lambda rc: rc[0].date)


def months(shop: Shop, now: dt.datetime, count: int = MONTHS) -> list[Month]:
    """The last ``count`` months: negatives written, how many answered, median hours to a first answer."""
    first = dt.date(now.year, now.month, 1)
    starts = []
    for _ in range(count):
        starts.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    starts.reverse()
    result = []
    for start in starts:
        end = (start + dt.timedelta(days=32)).replace(day=1)
        negatives = [r for r in shop.reviews if r.negative and start <= r.date.date() < end]
        firsts = [(r, r.first_response) for r in negatives]
        delays = [(first.date - r.date).total_seconds() / 3600 for r, first in firsts if first is not None]
        median = statistics.median(delays) if delays else None
        result.append(Month(start, len(negatives), len(delays), median))
    return result


def chart(data: list[Month], fmt: Formatter, gettext: Gettext) -> Markup:
    """Bars of the share of negatives answered per month, the median hours written above each bar."""
    width, height, bar, gap, top, bottom = 40 * len(data), 170, 28, 12, 30, 30
    title = escape(gettext("Share of negative reviews answered, per month"))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-labelledby="chart-title">',
        f'<title id="chart-title">{title}</title>',
        f'<line x1="0" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="currentColor"/>',
    ]
    plot = height - top - bottom
    for i, month in enumerate(data):
        x = i * (bar + gap) + gap // 2
        label = escape(month_label(month.start, fmt))
        if month.share is not None:
            h = round(plot * month.share)
            y = height - bottom - h
            parts.append(f'<rect x="{x}" y="{y}" width="{bar}" height="{h}" fill="currentColor"/>')
            if month.median_hours is not None:
                parts.append(
                    f'<text x="{x + bar / 2}" y="{y - 4}" font-size="9" text-anchor="middle">'
                    f"{escape(hours(month.median_hours))}</text>"
                )
        below = height - bottom + 14
        parts.append(f'<text x="{x + bar / 2}" y="{below}" font-size="9" text-anchor="middle">{label}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def month_label(day: dt.date, fmt: Formatter) -> str:
    """A month as the owner's language writes it short: "Oct 26", "okt. 26"."""
    return format_date(day, "MMM yy", locale=fmt.locale)


def hours(value: float) -> str:
    return f"{value:.0f} h" if value < 48 else f"{value / 24:.0f} d"


def render(shop: Shop, result: Result, now: dt.datetime, settings: dict[str, Any], lang: str) -> str:
    gettext = translations(lang).gettext
    fmt = Formatter(lang)
    cases: dict[str, Case] = {}
    for finding in result.findings:
        cases.setdefault(finding.review.slug, Case(finding.review)).findings.append(
            (finding, describe(finding, gettext))
        )
    data = months(shop, now)
    env = templating.environment(settings, lang)
    return env.get_template(TEMPLATE).render(
        lang=lang,
        shop_name=shop.settings["REVIEWS_SHOP_NAME"],
        now=now,
        fmt=fmt,
        hours=hours,
        month_label=lambda day: month_label(day, fmt),
        open_cases=open_cases(shop, now),
        overdue=[f for f in result.findings if f.rule in ("unanswered", "stale")],
        cases=list(cases.values()),
        months=data,
        chart=chart(data, fmt, gettext),
        result=result,
        body=lambda review: Markup(review.body_html),
        message=lambda finding: describe(finding, gettext),
    )
