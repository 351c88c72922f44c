"""`redress check`'s two outputs: lines for the shop owner, one JSON object for tools.

The JSON shape is an interface (``--format json``): ``{"findings": [{"rule",
"severity", "review", "response", "lang", "message", "evidence"}],
"summary": {"reviews", "responses", "findings_by_rule",
"not_checked_by_lang"}}``, findings by review date, then response date.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from typing import Any

from ..i18n import Formatter
from .check import Finding, Result
from .messages import Gettext, describe
from .rules import WARNING


def as_json(result: Result, gettext: Gettext) -> dict[str, Any]:
    return {
        "findings": [
            {
                "rule": f.rule,
                "severity": f.severity,
                "review": f.review.slug,
                "response": f.entry.slug if f.entry else None,
                "lang": f.lang,
                "message": describe(f, gettext),
                "evidence": f.evidence,
            }
            for f in result.findings
        ],
        "summary": {
            "reviews": result.reviews,
            "responses": result.responses,
            "findings_by_rule": result.by_rule(),
            "not_checked_by_lang": result.not_checked,
        },
    }


def json_lines(data: dict[str, Any]) -> Iterator[str]:
    """:func:`as_json`'s object as text, one finding to a line.

    Readable in a terminal and quick to write: Python's indenting JSON
    writer is many times slower than the plain one, which matters with
    tens of thousands of findings.
    """
    yield '{"findings": ['
    findings = data["findings"]
    for index, finding in enumerate(findings):
        comma = "," if index < len(findings) - 1 else ""
        yield "  " + json.dumps(finding, ensure_ascii=False) + comma
    yield '], "summary": ' + json.dumps(data["summary"], ensure_ascii=False, indent=2) + "}"


def as_text(result: Result, gettext: Gettext, fmt: Formatter, width: int = 100) -> list[str]:
    """The findings grouped under their review, then one summary line."""
    _ = gettext
    lines: list[str] = []
    current = None
    for finding in result.findings:
        review = finding.review
        if review is not current:
            current = review
            lines += ["", _review_line(finding, fmt, gettext)]
        where = finding.entry.source_path if finding.entry else _("the whole case")
        severity = _("warning") if finding.severity == WARNING else _("advice")
        lines.append(f"  {severity:<8} {finding.rule:<13} {where}")
        for line in textwrap.wrap(describe(finding, gettext), width=width - 25):
            lines.append(" " * 25 + line)
    if lines:
        lines.append("")
    lines.append(summary_line(result, gettext))
    return lines


def _review_line(finding: Finding, fmt: Formatter, gettext: Gettext) -> str:
    review = finding.review
    rating = f"{review.rating}★" if review.rating is not None else "–"
    who = review.author or gettext("Anonymous customer")
    title = f" “{review.title}”" if review.title else ""
    return f"{fmt.date(review.date)}  {rating}{title} — {who}  ({review.source_path})"


def summary_line(result: Result, gettext: Gettext) -> str:
    _ = gettext
    counts = ", ".join(f"{rule} {n}" for rule, n in result.by_rule().items() if n)
    advice = len(result.findings) - result.warnings
    text = _(
        "redress check: reviews %(reviews)s, responses %(responses)s; "
        "warnings %(warnings)s, advice %(advice)s"
    ) % {
        "reviews": result.reviews,
        "responses": result.responses,
        "warnings": result.warnings,
        "advice": advice,
    }
    if counts:
        text += f" ({counts})"
    if result.not_checked:
        langs = ", ".join(f"{lang}: {n}" for lang, n in result.not_checked.items())
        text += "; " + _("not checked for language (no rule set): %(langs)s") % {"langs": langs}
    return text + "."
