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

from ..content.cache import KeptDict
from ..content.collector import collector_paused
from ..content.model import Review, ThreadEntry
from ..content.shop import Shop
from . import canned, rules
from .rules import ADVICE, ALWAYS, RULES, WARNING, Answer, Case
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


#: Where a case's worked-out words are kept between builds: the build's
#: :class:`~redress.content.cache.KeptDict`, or a plain dict.
Kept = KeptDict | dict[str, Any]


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
    kept: Kept | None = None,
    kept_copies: Kept | None = None,
) -> Result:
    """Apply every rule to the shop's published reviews and answers.

    ``reviews`` limits the findings to those review slugs; ``since`` to
    reviews and answers written on or after it (an older review's case is
    included when it has a newer answer). Answers are always compared with
    every other answer of the shop for ``canned``.

    ``kept`` keeps, by review slug, what each case's words gave (see
    :func:`_work`) under the stamps of its files: the build's line reads
    every answer of the shop on every build, and a rebuild after one new
    response should not read the other 30,000 again. ``kept_copies`` keeps
    the comparison of every answer with every other (see
    :class:`~redress.desk.canned.Index`). Their owner ties them to the code
    and the settings.
    """
    with collector_paused():
        return _check(shop, now, reviews, since, kept, kept_copies)


def _check(
    shop: Shop,
    now: dt.datetime,
    reviews: Collection[str] | None,
    since: dt.datetime | None,
    kept: Kept | None,
    kept_copies: Kept | None,
) -> Result:
    rs = shop.settings
    deadline = rs["REVIEWS_RESPONSE_DEADLINE_HOURS"]
    followup = rs["REVIEWS_FOLLOWUP_DAYS"]
    shop_words = words(fold(rs.get("REVIEWS_SHOP_NAME") or ""))
    # Most reviews are praise nobody answered: nothing to check but that they were read.
    untouched = [r for r in shop.reviews if not r.thread and not r.negative]
    cases = [r for r in shop.reviews if r.thread or r.negative]
    worked = [_worked(review, shop, shop_words, kept) for review in cases]
    if kept is not None:
        for slug in kept.keys() - {review.slug for review in cases}:
            kept.pop(slug)
    copies = _copies(cases, worked, kept_copies)
    findings: list[Finding] = []
    checked_reviews = sum(
        1 for r in untouched if (reviews is None or r.slug in reviews) and (since is None or r.date >= since)
    )
    checked_answers = 0
    not_checked: Counter[str] = Counter()
    for review, (_key, answers, found) in zip(cases, worked, strict=True):
        if reviews is not None and review.slug not in reviews:
            continue
        entries = {e.slug: e for e in review.thread}
        fresh = [a for a in answers if since is None or entries[a[0]].date >= since]
        if since is not None and review.date < since and not fresh:
            continue
        checked_reviews += 1
        checked_answers += len(fresh)
        not_checked.update(lang for _slug, lang, judged, _core in fresh if not judged)
        fresh_slugs = {a[0] for a in fresh}
        shown: list[tuple[str, ThreadEntry | None, str, dict[str, Any] | None]] = [
            (rule, entries[slug] if slug else None, lang, evidence)
            for rule, slug, lang, evidence in found
            if not slug or slug in fresh_slugs
        ]
        for slug, lang, _judged, _core in fresh:
            copy = copies.get(slug)
            if copy is not None:
                shown.append(
                    ("canned", entries[slug], lang, {"count": copy.count, "matches": list(copy.examples)})
                )
        case = Case(review)  # the time's rules need the thread, not the answers' words
        if review.negative and not answers:
            shown.append(("unanswered", None, case.lang, rules.unanswered(case, now, deadline)))
        if review.thread:
            shown.append(("stale", None, case.lang, rules.stale(case, now, followup)))
        quiet = case.closed_with_note
        for rule, about, lang, evidence in shown:
            if evidence is None or (quiet and rule not in ALWAYS):
                continue
            severity = ADVICE if rule == "canned" and not review.negative else SEVERITY[rule]
            findings.append(Finding(rule, severity, review, about, lang, evidence))
    findings.sort(key=_order)
    return Result(findings, checked_reviews, checked_answers, dict(sorted(not_checked.items())))


#: The key of the kept :class:`~redress.desk.canned.Index` in ``kept_copies``.
_INDEX = "index"


def _copies(cases: list[Review], worked: list[Worked], kept: Kept | None) -> dict[str, canned.Copies]:
    """The canned answers, the answers compared oldest first.

    In that order the shop's newest answer comes last, so the comparison
    kept from the build before takes it without comparing the others again.
    An answer written with an older date, or one changed or removed, means
    comparing them all again.
    """
    dated: list[tuple[dt.datetime, str, str]] = []
    for review, work in zip(cases, worked, strict=True):
        dates = {entry.slug: entry.date for entry in review.thread}
        dated += [(dates[slug], slug, core) for slug, _lang, _judged, core in work[1]]
    dated.sort()
    replies = [canned.Reply(slug, tuple(core.split())) for _date, slug, core in dated]
    index = canned.Index.from_state(kept.get(_INDEX)) if kept is not None else None
    done = index.count if index is not None else 0
    if index is None or not index.resumes(replies):
        index, done = canned.Index(), 0
    if not index.add(replies[done:]):
        index, done = canned.Index(), 0
        index.add(replies)
    if kept is not None and (done != len(replies) or _INDEX not in kept):
        if _INDEX in kept:
            kept.pop(_INDEX)  # not compared with the new state first: it differs, and is big
        kept[_INDEX] = index.state()
    return index.copies()


#: What a case's words give: the stamps it was worked out under; each answer's
#: (entry slug, language code, whether that language has a rule set, core words
#: for ``canned`` joined by spaces: a million short strings are slow to load);
#: and the content rules' findings as (rule, entry slug or "", language,
#: evidence). Plain data, so it can be kept between builds.
Worked = tuple[Any, list[tuple[str, str, bool, str]], list[tuple[str, str, str, dict[str, Any]]]]


def _worked(review: Review, shop: Shop, shop_words: list[str], kept: Kept | None) -> Worked:
    """A case's words, worked out once per change of its files when ``kept`` is given."""
    key = _stamps(review, shop) if kept is not None else None
    if key is not None and kept is not None:
        old = kept.get(review.slug)
        if old is not None and tuple(old[0]) == key:
            return old
    worked = _work(review, shop_words, key)
    if key is not None and kept is not None:
        kept[review.slug] = worked
    return worked


def _stamps(review: Review, shop: Shop) -> tuple[int, ...] | None:
    """The stamps of every file a case's words come from, or None if one is unknown."""
    paths = [review.source_path, *(e.source_path for e in review.thread)]
    if review.product is not None:
        paths.append(review.product.source_path)
    stamps = tuple(shop.stamps.get(path, -1) for path in paths)
    return None if -1 in stamps else stamps


def _work(review: Review, shop_words: list[str], key: Any) -> Worked:
    case = Case(review, [Answer.of(e, review.lang) for e in review.thread if e.by_shop and e.body_html])
    answers = [
        (
            a.entry.slug,
            a.language.code,
            a.language.phrases is not None,
            " ".join(canned.core_words(a.folded, _names(case, a, shop_words))),
        )
        for a in case.answers
    ]
    found: list[tuple[str, str, str, dict[str, Any] | None]] = []
    for answer in case.answers:
        entry, lang = answer.entry.slug, answer.language.code
        found += [
            ("no-apology", entry, lang, rules.no_apology(case, answer)),
            ("not-personal", entry, lang, rules.not_personal(case, answer)),
            ("defensive", entry, lang, rules.defensive(answer, shop_words)),
            ("contact-data", entry, lang, rules.contact_data(answer)),
            ("placeholder", entry, lang, rules.placeholder(answer)),
        ]
    if review.thread:  # the other case rules are about what the shop said
        found += [
            ("unconfirmed", "", case.lang, rules.unconfirmed(case)),
            ("no-remedy", "", case.lang, rules.no_remedy(case)),
        ]
    return key, answers, [f for f in found if f[3] is not None]  # type: ignore[misc]


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
