"""Checking every answer of a shop: the rules applied to the content model.

:func:`check` takes a :class:`~redress.content.shop.Shop` (read by
``load_shop``, the one parser) and returns the findings, each with its
rule id, severity, review, response and evidence, in the order the owner
reads them: by review date, then response date. It writes nothing and
prints nothing; the command, the owner's report and the build's one line
all start from it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from ..content.model import Review, ThreadEntry
from ..content.shop import Shop
from . import canned, rules
from .rules import ADVICE, ALWAYS, RULES, WARNING, Answer, Case
from .shared import collector_paused
from .text import fold, words

#: Each rule's severity; ``canned`` is advice under a review that is not negative.
SEVERITY = {
    "unanswered": WARNING,
    "stale": WARNING,
    "unconfirmed": ADVICE,
    "no-apology": WARNING,
    "not-personal": ADVICE,
    "canned": WARNING,
    "no-remedy": WARNING,
    "defensive": WARNING,
    "contact-data": WARNING,
    "placeholder": WARNING,
}


@dataclass(frozen=True)
class Finding:
    """One thing to look at, about a review's case (``entry`` None) or one of the shop's answers."""

    rule: str
    severity: str
    review: Review
    entry: ThreadEntry | None
    lang: str
    evidence: dict[str, Any]


@dataclass
class Result:
    """Every finding, and what was looked at."""

    findings: list[Finding]
    reviews: int
    responses: int
    not_checked: dict[str, int]

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == WARNING)

    def by_rule(self) -> dict[str, int]:
        counts = Counter(f.rule for f in self.findings)
        return {rule: counts.get(rule, 0) for rule in RULES}


def check(
    shop: Shop,
    now: dt.datetime,
    *,
    reviews: Collection[str] | None = None,
    since: dt.datetime | None = None,
) -> Result:
    """Apply every rule to the shop's published reviews and answers.

    ``reviews`` limits the findings to those review slugs; ``since`` to
    reviews and answers written on or after it (an older review's case is
    included when it has a newer answer). Answers are always compared with
    every other answer of the shop for ``canned``.
    """
    with collector_paused():
        return _check(shop, now, reviews, since)


def _check(
    shop: Shop, now: dt.datetime, reviews: Collection[str] | None, since: dt.datetime | None
) -> Result:
    rs = shop.settings
    deadline = rs["REVIEWS_RESPONSE_DEADLINE_HOURS"]
    followup = rs["REVIEWS_FOLLOWUP_DAYS"]
    shop_words = words(fold(rs.get("REVIEWS_SHOP_NAME") or ""))
    # Most reviews are praise nobody answered: nothing to check but that they were read.
    untouched = [r for r in shop.reviews if not r.thread and not r.negative]
    cases = [
        Case(review, [Answer.of(e, review.lang) for e in review.thread if e.by_shop and e.body_html])
        for review in shop.reviews
        if review.thread or review.negative
    ]
    copies = canned.near_duplicates(
        [
            canned.Reply(a.entry.slug, canned.core_words(a.folded, _names(case, a, shop_words)))
            for case in cases
            for a in case.answers
        ]
    )
    findings: list[Finding] = []
    checked_reviews = sum(
        1 for r in untouched if (reviews is None or r.slug in reviews) and (since is None or r.date >= since)
    )
    checked_answers = 0
    not_checked: Counter[str] = Counter()
    for case in cases:
        review = case.review
        if reviews is not None and review.slug not in reviews:
            continue
        fresh = [a for a in case.answers if since is None or a.entry.date >= since]
        if since is not None and review.date < since and not fresh:
            continue
        checked_reviews += 1
        checked_answers += len(fresh)
        not_checked.update(a.language.code for a in fresh if a.language.phrases is None)
        found: list[tuple[str, ThreadEntry | None, str, dict[str, Any] | None]] = []
        for answer in fresh:
            entry, lang = answer.entry, answer.language.code
            copy = copies.get(entry.slug)
            found += [
                ("no-apology", entry, lang, rules.no_apology(case, answer)),
                ("not-personal", entry, lang, rules.not_personal(case, answer)),
                (
                    "canned",
                    entry,
                    lang,
                    {"count": copy.count, "matches": list(copy.examples)} if copy else None,
                ),
                ("defensive", entry, lang, rules.defensive(answer, shop_words)),
                ("contact-data", entry, lang, rules.contact_data(answer)),
                ("placeholder", entry, lang, rules.placeholder(answer)),
            ]
        if review.negative and not case.answers:
            found.append(("unanswered", None, case.lang, rules.unanswered(case, now, deadline)))
        if review.thread:  # the other case rules are about what the shop said
            found += [
                ("stale", None, case.lang, rules.stale(case, now, followup)),
                ("unconfirmed", None, case.lang, rules.unconfirmed(case)),
                ("no-remedy", None, case.lang, rules.no_remedy(case)),
            ]
        quiet = case.closed_with_note
        for rule, about, lang, evidence in found:
            if evidence is None or (quiet and rule not in ALWAYS):
                continue
            severity = ADVICE if rule == "canned" and not review.negative else SEVERITY[rule]
            findings.append(Finding(rule, severity, review, about, lang, evidence))
    findings.sort(key=_order)
    return Result(findings, checked_reviews, checked_answers, dict(sorted(not_checked.items())))


def _names(case: Case, answer: Answer, shop_words: list[str]) -> list[str]:
    """Words a template fills in per reply: the reviewer's and author's names, the shop, the product."""
    review = case.review
    product = words(fold(review.product.title)) if review.product else []
    return [*rules.name_words(review.author), *rules.name_words(answer.entry.author), *shop_words, *product]


_LAST = dt.datetime.max.replace(tzinfo=dt.UTC)


def _order(finding: Finding) -> tuple[Any, ...]:
    """By review date, then response date (a case's own findings after its answers), then rule."""
    entry = finding.entry
    return (
        finding.review.date,
        finding.review.slug,
        entry.date if entry else _LAST,
        entry.slug if entry else "",
        RULES.index(finding.rule),
    )
