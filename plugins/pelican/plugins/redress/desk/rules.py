"""The desk's rules: what a good answer to a review has, each rule a small function.

Seed 000 (a scenario experiment on perceived justice) and the Dutch and
Estonian guides (seeds 001-004) agree on what a shop's answer should do:
come fast; apologise, which weighs more than compensation; be personal, not
pasted; offer a concrete remedy and then say publicly how it was solved;
never argue in public; and leave trolls alone. Each rule below checks one
of these and returns its evidence, or None. Rule ids are a stable
interface (``redress check --format json``, the README's table).

Rules that need words (apology, argument, remedy, the reviewer's words)
get the entry's :class:`~.text.Language`; a language without phrases is
never judged by them (see :func:`.text.language_of`).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

from ..content.model import Review, ThreadEntry
from .phrases import PHRASES, Phrases, phrases_for
from .text import Language, exclamations, fold, language_of, placeholders, plain, shouting, words

#: Every rule id, in the order findings about one entry are listed.
RULES = (
    "unanswered",
    "stale",
    "unconfirmed",
    "no-apology",
    "not-personal",
    "canned",
    "no-remedy",
    "defensive",
    "contact-data",
    "placeholder",
)
#: Rules that judge words and so need the entry's language.
LANGUAGE_RULES = frozenset({"no-apology", "not-personal", "no-remedy"})
#: Rules that still speak on a case the shop closed as no-action with a private Note:
#: they are mistakes in what is published, not advice on whether to answer.
ALWAYS = frozenset({"placeholder", "contact-data"})
WARNING = "warning"
ADVICE = "advice"


@dataclass
class Answer:
    """A shop's entry with words, as the rules read it."""

    entry: ThreadEntry
    text: str
    folded: str
    tokens: list[str]
    language: Language
    #: Template placeholders in the text and the Author line.
    placeholders: list[str]

    @classmethod
    def of(cls, entry: ThreadEntry, declared_lang: str) -> Answer:
        text = plain(entry.body_html)
        folded = fold(text)
        tokens = words(folded)
        left = placeholders(text) + (placeholders(entry.author) if entry.author else [])
        return cls(entry, text, folded, tokens, language_of(tokens, declared_lang), left)


@dataclass
class Case:
    """A published review and the shop's answers under it."""

    review: Review
    answers: list[Answer] = field(default_factory=list)

    @functools.cached_property
    def lang(self) -> str:
        return (self.review.lang or "und").replace("_", "-").split("-")[0].lower()

    @functools.cached_property
    def latest_status(self) -> ThreadEntry | None:
        for entry in reversed(self.review.thread):
            if entry.by_shop and entry.status:
                return entry
        return None

    @property
    def closed_with_note(self) -> bool:
        """The shop decided not to act, and wrote down why: don't feed trolls (seeds 001, 002)."""
        latest = self.latest_status
        return latest is not None and latest.status == "no-action" and latest.noted


# -- case rules ---------------------------------------------------------------------------


def unanswered(case: Case, now: dt.datetime, deadline_hours: float) -> dict[str, Any] | None:
    """A negative review with no answer from the shop after the deadline.

    An imported review the shop answered on its platform (``Replied:``) is answered.
    """
    review = case.review
    if not review.negative or case.answers or review.state == "no-action" or review.replied_on:
        return None
    waiting = (now - review.date).total_seconds() / 3600
    if waiting <= deadline_hours:
        return None
    return {
        "hours_waiting": round(waiting, 1),
        "deadline_hours": deadline_hours,
        "hours_overdue": round(waiting - deadline_hours, 1),
    }


def stale(case: Case, now: dt.datetime, followup_days: float) -> dict[str, Any] | None:
    """The case has said "in progress" for longer than the follow-up period: say how it was solved."""
    latest = case.latest_status
    if latest is None or latest.status != "in-progress":
        return None
    since = max(latest.date, latest.updated or latest.date)
    days = (now - since).total_seconds() / 86400
    if days <= followup_days:
        return None
    return {"entry": latest.slug, "days": round(days, 1), "followup_days": followup_days}


def unconfirmed(case: Case) -> dict[str, Any] | None:
    """A resolved case without the customer's word on it (advice: ask them)."""
    review = case.review
    latest = case.latest_status
    if review.state != "resolved" or latest is None:
        return None
    if any(not e.by_shop and e.resolved is not None and e.date >= latest.date for e in review.thread):
        return None
    return {"entry": latest.slug, "can_link": bool(review.private.get("order"))}


def no_remedy(case: Case) -> dict[str, Any] | None:
    """A negative case marked resolved that names no remedy and describes no concrete action.

    A case the customer disputes counts too: the shop's "resolved" still
    says nothing of what was done.
    """
    review = case.review
    if not review.negative or review.state not in ("resolved", "disputed"):
        return None
    if any(e.remedies for e in review.thread if e.by_shop):
        return None
    if not case.answers or any(a.language.phrases is None for a in case.answers):
        return None  # words in a language without a rule set: never judged on a guess
    for answer in case.answers:
        assert answer.language.phrases is not None
        if answer.language.phrases.action.search(answer.folded):
            return None
    latest = case.latest_status
    return {"entry": latest.slug if latest else None}


# -- answer rules ---------------------------------------------------------------------------


def has_apology(folded: str, phrases: Phrases) -> str | None:
    """The first apology in ``folded`` that is not a non-apology ("sorry, but", "sorry if")."""
    blocked = [m.span() for m in phrases.not_apology.finditer(folded)]
    for match in phrases.apology.finditer(folded):
        if not any(match.start() < end and start < match.end() for start, end in blocked):
            return match.group(0)
    return None


def no_apology(case: Case, answer: Answer) -> dict[str, Any] | None:
    """The first answer to a negative review holds no apology; or Remedy says apology and no words do."""
    phrases = answer.language.phrases
    if phrases is None:
        return None
    first = case.answers[0] is answer
    if first and case.review.negative and has_apology(answer.folded, phrases) is None:
        return {"remedy_says_apology": "apology" in answer.entry.remedies}
    if "apology" in answer.entry.remedies:
        upto = case.answers[: case.answers.index(answer) + 1]
        if not any(a.language.phrases and has_apology(a.folded, a.language.phrases) for a in upto):
            return {"remedy_says_apology": True}
    return None


def not_personal(case: Case, answer: Answer) -> dict[str, Any] | None:
    """The first answer names neither the reviewer nor anything the review is about.

    Addressing: a word of the reviewer's shown name (Estonian and Dutch may
    add an ending: "Marile"). Referring: a content word of the review (its
    title, text or product) that is not one every reply uses ("order",
    "experience"), compared by its first five letters so inflections meet
    ("pakket"/"pakketje", "kohvi"/"kohvimasin").
    """
    if case.answers[0] is not answer or answer.language.phrases is None:
        return None
    review = case.review
    names = name_words(review.author)
    for token in answer.tokens:
        for name in names:
            if token == name or (len(name) >= 3 and token.startswith(name) and len(token) - len(name) <= 4):
                return None
    lists = [answer.language.phrases]
    review_phrases = phrases_for(review.lang)
    if review_phrases is not None and review_phrases is not answer.language.phrases:
        lists.append(review_phrases)
    about = fold(
        " ".join([review.title, plain(review.body_html), review.product.title if review.product else ""])
    )
    review_words = _content_words(words(about), lists)
    if len(review_words) < 2 and not names:
        return None  # a bare rating from an anonymous reviewer: nothing to be personal with
    if _share_a_word(review_words, _content_words(answer.tokens, lists)):
        return None
    return {"reviewer": review.author or None}


def _content_words(tokens: list[str], lists: list[Phrases]) -> set[str]:
    ignore = _ignored(tuple(p.lang for p in lists))
    return {t for t in tokens if len(t) >= 4 and t not in ignore}


def _share_a_word(ours: set[str], theirs: set[str]) -> bool:
    """Whether two sets of words share one, by its first five letters ("pakket", "pakketje").

    A four-letter word meets any longer word it begins ("dent", "dents").
    """
    five = {w[:5] for w in ours}
    four = {w for w in ours if len(w) == 4}
    starts = {w[:4] for w in ours}
    return any(w[:5] in five or (len(w) == 4 and w in starts) or w[:4] in four for w in theirs)


@functools.cache
def _ignored(langs: tuple[str, ...]) -> frozenset[str]:
    """The stopwords and generic words of these languages together."""
    return frozenset().union(*(PHRASES[lang].stopwords | PHRASES[lang].generic for lang in langs))


@functools.lru_cache(maxsize=8192)
def name_words(author: str) -> tuple[str, ...]:
    """The words of a shown name that can address someone.

    "Jan de V." gives jan; "Bart (Antwerp)" gives bart and antwerp.
    """
    return tuple(w for w in words(fold(author)) if len(w) >= 2 and w not in _NOT_NAME_WORDS)


#: Words a shown name may hold that are not a name: titles, "anonymous", any language's stopwords.
_NOT_NAME_WORDS = frozenset(
    "anonymous anoniem anonüümne customer klant klient verified buyer geverifieerde koper ostja mr mrs ms "
    "dhr mevr mw hr pr proua härra family familie perekond".split()
).union(*(p.stopwords for p in PHRASES.values()))


def defensive(answer: Answer, shop_words: list[str]) -> dict[str, Any] | None:
    """Blame or argument in the words, shouting in capitals, or a run of exclamation marks.

    Capitals and exclamation marks are read in any language; blame only in
    a language with a rule set.
    """
    found: list[str] = []
    phrases = answer.language.phrases
    if phrases is not None:
        found += [m.group(0) for m in phrases.defensive.finditer(answer.folded)][:3]
    ignore = [*shop_words, *(w for p in answer.placeholders for w in words(p))]
    loud = shouting(answer.text, ignore)
    if loud and not any(fold(loud) in phrase or phrase in fold(loud) for phrase in found):
        found.append(loud)
    bangs = exclamations(answer.text)
    if bangs:
        found.append(bangs)
    return {"phrases": found} if found else None


def contact_data(answer: Answer) -> dict[str, Any] | None:
    """The shop's entry repeats the reviewer's own e-mail, phone or order number."""
    return {"fields": list(answer.entry.quoted)} if answer.entry.quoted else None


def placeholder(answer: Answer) -> dict[str, Any] | None:
    """A template placeholder left in the text or in the Author line."""
    return {"placeholders": answer.placeholders[:5]} if answer.placeholders else None
