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

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

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
    """
    index = Index()
    index.add(replies)
    return index.copies(examples)


class Index:
    """The replies compared so far, in their order; later replies can be added to it.

    Cores are taken in order, and each is compared only with the
    :data:`NEIGHBOURS` latest earlier cores in each of its bands' buckets
    (a later core compares itself with this one), so each pair is compared
    at most once per band, and a bucket that holds thousands of replies
    sharing a common phrase costs a few comparisons, not thousands.

    Why it can be kept: a core's comparisons depend only on the cores
    before it. So replies added after the last one (the shop's newest
    answer, on the build after it was written) give the same result as
    comparing every reply again, which took a second at 30,000 answers on
    every build. :meth:`state` is plain data, for the build's cache, and
    small to load: the replies added are kept as a digest (see
    :meth:`resumes`), each core as one string, and a core's word pairs are
    worked out again when a new core is compared with it. :meth:`add`
    refuses (returns False) a reply whose core is already known, since that
    core's count of copies would then have been different from the start.
    """

    def __init__(self) -> None:
        self.count = 0  # replies added
        self._digest: _Digest = hashlib.sha256()  # of the replies added, in order
        self.cores: list[str] = []  # each distinct core, its words joined by spaces
        self.keys: list[list[str]] = []  # each core's replies
        self._number: dict[str, int] = {}
        self.words: list[str] = []  # the vocabulary, by number
        self._vocabulary: dict[str, int] = {}
        self.buckets: dict[tuple[int, ...], list[int]] = defaultdict(list)
        self._shingles: list[set[int] | None] = []  # each core's, once worked out
        self.links: list[list[int]] = []
        self.known: list[int] = []  # how many others each core is known to match
        self.parent: list[int] = []

    def resumes(self, replies: Sequence[Reply]) -> bool:
        """Whether ``replies`` start with the replies added, in order: then the rest can be added."""
        if len(replies) < self.count:
            return False
        digest = hashlib.sha256()
        for reply in replies[: self.count]:
            digest.update(_said(reply))
        if digest.hexdigest() != self._digest.hexdigest():
            return False
        self._digest = digest
        return True

    def add(self, replies: Sequence[Reply]) -> bool:
        """Compare ``replies``, which come after every reply added before; False if one cannot be."""
        new: dict[str, list[str]] = {}
        for reply in replies:
            if len(reply.core) < MIN_WORDS:
                continue
            core = " ".join(reply.core)
            if core in self._number:
                return False
            new.setdefault(core, []).append(reply.key)
        for reply in replies:
            self._digest.update(_said(reply))
        self.count += len(replies)
        for core, keys in new.items():
            self._compare(core, keys)
        return True

    def _root(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def _shingles_of(self, number: int) -> set[int]:
        """A kept core's word pairs, worked out when a new core is first compared with it."""
        found = self._shingles[number] = _shingles(self.cores[number].split(), self._vocabulary)
        return found

    def _compare(self, core: str, keys: list[str]) -> None:
        index = len(self.cores)
        self._number[core] = index
        self.cores.append(core)
        self.keys.append(keys)
        self.known.append(len(keys) - 1)
        self.links.append([])
        self.parent.append(index)
        known, links, keys_of, shingles = self.known, self.links, self.keys, self._shingles
        vocabulary = self._vocabulary
        size = len(vocabulary)
        words = core.split()
        mine = _shingles(words, vocabulary)
        self._shingles.append(mine)
        if len(vocabulary) > size:  # the words this core was the first to use, by number
            self.words += [word for word in dict.fromkeys(words) if vocabulary[word] >= size]
        signature = _signature(mine)
        bands = [
            (band, *signature[band : band + ROWS])
            for band in _BANDS
            if signature[band : band + ROWS] != _ALL_EMPTY
        ]
        buckets = self.buckets
        seen: set[int] = set()
        for key in bands:
            if known[index] >= ENOUGH:
                break
            for other in reversed(buckets[key][-NEIGHBOURS:]):
                if other in seen:
                    continue
                seen.add(other)
                theirs = shingles[other]
                if theirs is None:
                    theirs = self._shingles_of(other)
                common = len(mine & theirs)
                if common >= SIMILARITY * (len(mine) + len(theirs) - common):
                    links[index].append(other)
                    links[other].append(index)
                    known[index] += len(keys_of[other])
                    known[other] += len(keys)
                    self.parent[self._root(other)] = self._root(index)
        for key in bands:
            bucket = buckets[key]
            bucket.append(index)
            if len(bucket) > NEIGHBOURS:
                del bucket[0]  # only the latest are compared with

    def copies(self, examples: int = 5) -> dict[str, Copies]:
        """Each reply that is near-identical to two or more others, by key (see :func:`near_duplicates`)."""
        sizes: dict[int, int] = defaultdict(int)
        for index, keys in enumerate(self.keys):
            sizes[self._root(index)] += len(keys)
        result: dict[str, Copies] = {}
        for index, keys in enumerate(self.keys):
            if self.known[index] < 2:
                continue
            same = keys[: examples + 1]
            near = [slug for other in self.links[index] for slug in self.keys[other][:examples]][:examples]
            for slug in keys:
                shown = tuple([k for k in same if k != slug] + near)[:examples]
                result[slug] = Copies(sizes[self._root(index)] - 1, shown)
        return result

    def state(self) -> tuple[Any, ...]:
        """The index as plain data (``marshal`` keeps it), for :meth:`from_state`."""
        return (
            _STATE,
            self.count,
            self._digest.hexdigest(),
            self.cores,
            self.keys,
            self.words,
            dict(self.buckets),
            self.links,
            self.known,
            self.parent,
        )

    @classmethod
    def from_state(cls, state: Any) -> Index | None:
        """The index :meth:`state` gave, or None for anything else (a cache of other code)."""
        if not (isinstance(state, tuple) and len(state) == 10 and state[0] == _STATE):
            return None
        index = cls()
        (_mark, index.count, digest, index.cores, index.keys, index.words, buckets, *rest) = state
        index.links, index.known, index.parent = rest
        index._digest = _Kept(digest)
        index.buckets = defaultdict(list, buckets)
        index._number = {core: number for number, core in enumerate(index.cores)}
        index._vocabulary = {word: number for number, word in enumerate(index.words)}
        index._shingles = [None] * len(index.cores)
        return index


class _Digest(Protocol):
    def update(self, data: bytes, /) -> None: ...
    def hexdigest(self) -> str: ...


class _Kept:
    """A kept digest, until :meth:`Index.resumes` has checked the replies against it."""

    def __init__(self, hexdigest: str):
        self._hexdigest = hexdigest

    def hexdigest(self) -> str:
        return self._hexdigest

    def update(self, data: bytes) -> None:
        raise RuntimeError("replies added to a kept index before Index.resumes() checked them")


def _said(reply: Reply) -> bytes:
    """A reply as its index's digest takes it."""
    return f"{reply.key}\0{' '.join(reply.core)}\n".encode()


#: What :meth:`Index.state` starts with: a state of other code is not read.
_STATE = "redress-canned-2"
