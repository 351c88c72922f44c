"""Finding replies copied across reviews, without comparing every pair.

Seed 000: personal words beat canned text, and readers notice a reply
pasted under twenty reviews. A shop with 30,000 replies has 450 million
pairs, so pairs are never compared one by one:

1. each reply is reduced to its core (greeting, sign-off, names and numbers
   set aside, see :func:`core_words`); replies with the same core are one
   group at once (a hash of the core);
2. each distinct core becomes a set of word pairs (shingles), and a
   one-permutation MinHash of it (one hash per shingle, kept per bin) is cut
   into bands: cores that share a band are candidates (locality-sensitive
   hashing), and only candidates are compared, by the Jaccard similarity of
   their shingles.

A reply is canned when it is near-identical (:data:`SIMILARITY`) to two
or more others. The work grows with the number of replies, not its square:
a core stops looking once it has :data:`ENOUGH` matches, and is compared
with at most the :data:`NEIGHBOURS` latest before it in each band's bucket.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .phrases import PHRASES
from .text import words

#: Jaccard similarity of two cores' word pairs at which they count as the same text.
SIMILARITY = 0.6
#: Cores shorter than this many words are too short to call copied ("Thank you!").
MIN_WORDS = 8
#: Bins of the MinHash signature (a power of two), and how many bins make a band.
BINS = 32
ROWS = 3
_SHIFT = BINS.bit_length() - 1
_MASK = BINS - 1
#: Where each band starts: whole bands of ROWS bins (the few bins left over are not used).
_BANDS = range(0, BINS - ROWS + 1, ROWS)
#: A core with this many matches is canned; more are not looked for, except
#: to name a few as examples.
ENOUGH = 6
#: How many earlier cores in each band's bucket a core is compared with.
NEIGHBOURS = 6


@dataclass(frozen=True)
class Reply:
    """What the comparison needs of one reply: its id and its core words."""

    key: str
    core: tuple[str, ...]


def _opening_re() -> re.Pattern[str]:
    openings = "|".join(p.greeting.pattern.removeprefix(r"^\W*") for p in PHRASES.values())
    # A greeting and what follows it up to the first comma, stop or line: "Dear Ms Jansen,".
    return re.compile(r"^\W*(?:" + openings + r")[^.,!?\n]{0,40}[.,!?\n]?")


_OPENING_RE = _opening_re()
_SIGNOFF_RE = re.compile("|".join(f"(?:{p.signoff.pattern})" for p in PHRASES.values()))


def core_words(folded: str, names: Iterable[str]) -> tuple[str, ...]:
    """The words of a reply that a template would share: no greeting, sign-off, names or numbers.

    ``folded`` is the reply's casefolded text (:func:`text.fold`); ``names``
    are casefolded words to set aside (the reviewer's and the author's
    names, the shop's, the product's).
    """
    text = _OPENING_RE.sub(" ", folded, count=1)
    # A signature is in the last 120 characters; from its first word on, the rest goes.
    start = max(0, len(text) - 120)
    match = _SIGNOFF_RE.search(text, start)
    if match is not None:
        text = text[: match.start()]
    skip = set(names)
    return tuple(w for w in words(text) if w not in skip)


def _shingles(core: Sequence[str], vocabulary: dict[str, int]) -> set[int]:
    """The core's word pairs, each as a number.

    Words become numbers in the order they are first seen, and a pair the
    hash of its two numbers: Python hashes integers and tuples of them the
    same in every run (unlike strings), so a shop is checked the same way
    every time, and no pair is hashed in Python code.
    """
    ids = [vocabulary.setdefault(word, len(vocabulary)) for word in core]
    return set(map(hash, zip(ids, ids[1:], strict=False)))


#: Above every hash: the value of a bin no shingle fell into.
EMPTY = 1 << 64
_ALL_EMPTY = [EMPTY] * ROWS


def _signature(shingles: set[int]) -> list[int]:
    """A one-permutation MinHash: the smallest hash in each of :data:`BINS` bins.

    A short text leaves bins empty; identical texts leave the same ones
    empty, and a band that is all empty is not used (see :func:`near_duplicates`).
    """
    bins = [EMPTY] * BINS
    for value in shingles:
        index = value & _MASK
        rest = value >> _SHIFT
        if rest < bins[index]:
            bins[index] = rest
    return bins


@dataclass(frozen=True)
class Copies:
    """What one canned reply matches: how many others (its cluster), and a few of them by key."""

    count: int
    examples: tuple[str, ...]


def near_duplicates(replies: Sequence[Reply], examples: int = 5) -> dict[str, Copies]:
    """The replies that are near-identical to two or more others, by key.

    ``count`` is the size of the reply's cluster (replies linked by
    near-identity, directly or through others) less one; ``examples`` are
    up to ``examples`` of its direct matches, exact copies first.

    Cores are taken in order, and each is compared only with the
    :data:`NEIGHBOURS` latest earlier cores in each of its bands' buckets
    (a later core compares itself with this one), so each pair is compared
    at most once per band, and a bucket that holds thousands of replies
    sharing a common phrase costs a few comparisons, not thousands.
    """
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for reply in replies:
        if len(reply.core) >= MIN_WORDS:
            groups[reply.core].append(reply.key)
    cores = list(groups)
    copies = [len(groups[core]) for core in cores]
    vocabulary: dict[str, int] = {}
    buckets: dict[tuple[int, ...], list[int]] = defaultdict(list)
    shingles: list[set[int]] = []
    links: list[list[int]] = [[] for _ in cores]
    known = [n - 1 for n in copies]  # how many others each core is known to match
    parent = list(range(len(cores)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for index, core in enumerate(cores):
        mine = _shingles(core, vocabulary)
        shingles.append(mine)
        signature = _signature(mine)
        keys = [
            (band, *signature[band : band + ROWS])
            for band in _BANDS
            if signature[band : band + ROWS] != _ALL_EMPTY
        ]
        seen: set[int] = set()
        for key in keys:
            if known[index] >= ENOUGH:
                break
            for other in reversed(buckets[key][-NEIGHBOURS:]):
                if other in seen:
                    continue
                seen.add(other)
                theirs = shingles[other]
                common = len(mine & theirs)
                if common >= SIMILARITY * (len(mine) + len(theirs) - common):
                    links[index].append(other)
                    links[other].append(index)
                    known[index] += copies[other]
                    known[other] += copies[index]
                    parent[root(other)] = root(index)
        for key in keys:
            buckets[key].append(index)
    sizes: dict[int, int] = defaultdict(int)
    for index, n in enumerate(copies):
        sizes[root(index)] += n
    result: dict[str, Copies] = {}
    for index, core in enumerate(cores):
        if known[index] < 2:
            continue
        same = groups[core][: examples + 1]
        near = [slug for other in links[index] for slug in groups[cores[other]][:examples]][:examples]
        for slug in groups[core]:
            shown = tuple([k for k in same if k != slug] + near)[:examples]
            result[slug] = Copies(sizes[root(index)] - 1, shown)
    return result
