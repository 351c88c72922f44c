"""The comparison of every answer with every other, kept between builds.

A build's line compares each of the shop's answers with the others to
find the canned ones (see :mod:`redress.desk.canned`). The comparison is
kept in the site's cache, and the answers written since are added to it:
the result must be exactly what comparing them all again gives, or the
line would depend on the order the files were written in.
"""

from __future__ import annotations

import datetime as dt
import marshal
import random
from pathlib import Path

import pytest
from conftest import make_site, pelican_settings, response, review
from pelican.plugins.redress.content.shop import load_shop
from pelican.plugins.redress.desk import canned
from pelican.plugins.redress.desk.canned import Index, Reply, near_duplicates
from pelican.plugins.redress.desk.check import check

WORDS = (
    "sorry late parcel courier refund broken grinder motor replaced today depot week kettle leak "
    "beans roast fresh return label send shipped tomorrow team check warehouse order new machine "
    "milk jug dent handle box damaged photo colleague call morning afternoon evening again thanks"
).split()


def corpus(seed: int, count: int) -> list[Reply]:
    """Answers as a shop writes them: a few templates, each pasted with small edits, and own words."""
    rng = random.Random(seed)
    templates = [tuple(rng.choice(WORDS) for _ in range(rng.randint(12, 30))) for _ in range(8)]
    replies = []
    for number in range(count):
        roll = rng.random()
        if roll < 0.5:
            core = list(rng.choice(templates))
            for _ in range(rng.randint(0, 2)):  # an edit: a word changed
                core[rng.randrange(len(core))] = rng.choice(WORDS)
        elif roll < 0.6:
            core = list(rng.choice(WORDS) for _ in range(rng.randint(2, 7)))  # "Thanks, Ann!"
        else:
            core = [rng.choice(WORDS) for _ in range(rng.randint(8, 40))]
        replies.append(Reply(f"answer-{number}", tuple(core)))
    return replies


def kept_and_added(replies: list[Reply], done: int) -> Index | None:
    """The index of the first ``done`` replies, kept and read back as a build does, with the rest added."""
    first = Index()
    assert first.add(replies[:done])
    index = Index.from_state(marshal.loads(marshal.dumps(first.state())))
    assert index is not None and index.resumes(replies)
    return index if index.add(replies[done:]) else None


def test_answers_added_to_the_kept_comparison_give_what_comparing_them_all_gives() -> None:
    added = 0
    for seed in range(6):
        replies = corpus(seed, 160)
        whole = near_duplicates(replies)
        assert len(whole) > 20  # the corpus has canned answers to find
        for done in (0, 1, 40, 97, 159, 160):
            index = kept_and_added(replies, done)
            if index is None:  # a later answer repeats an earlier one word for word
                assert any(r.core in {e.core for e in replies[:done]} for r in replies[done:])
                continue
            added += 1
            assert index.copies() == whole, (seed, done)
    assert added >= 12  # most splits were added to, not refused


def test_each_answer_is_compared_with_the_six_latest_near_copies_and_a_bucket_stays_small() -> None:
    """A template pasted six times (NEIGHBOURS), with an edit each time: the last copy is
    compared with all five before it, so each names the other five, while what a bucket
    keeps stays six long however many copies follow (the kept comparison's size)."""
    base = [f"w{n}" for n in range(40)]
    copies = []
    for number in range(6):
        core = list(base)
        core[3 + 6 * number] = f"edit{number}"  # one word changed: two word pairs of 39 differ
        copies.append(Reply(f"copy-{number}", tuple(core)))
    found = near_duplicates(copies)
    for reply in copies:
        others = {r.key for r in copies} - {reply.key}
        assert found[reply.key].count == len(others) == 5
        assert set(found[reply.key].examples) == others, reply.key
    index = Index()
    many = [Reply(f"more-{n}", tuple(base[:20] + [f"x{n}"] + base[21:])) for n in range(200)]
    assert index.add(many)
    assert max(len(bucket) for bucket in index.buckets.values()) == canned.NEIGHBOURS == 6


def test_a_later_answer_that_repeats_an_earlier_one_is_refused() -> None:
    """Its copies would have counted from the start: the comparison is made again instead."""
    core = tuple("we are sorry the parcel was late and will refund the postage today".split())
    index = Index()
    assert index.add([Reply("a", core), Reply("b", core)])  # within one batch: grouped
    assert not index.add([Reply("c", core)])
    assert index.add([Reply("d", ("thanks",))])  # too short to compare: nothing to refuse


def test_a_kept_comparison_of_other_code_is_not_read() -> None:
    assert Index.from_state(None) is None
    assert Index.from_state(("redress-canned-0", 0, "", [], [], [], {}, [], [], [])) is None
    assert Index.from_state(Index().state()) is not None


def test_a_kept_comparison_goes_on_only_from_the_replies_it_holds() -> None:
    replies = list({reply.core: reply for reply in corpus(7, 60)}.values())[:40]  # each core once
    first = Index()
    assert first.add(replies[:20])
    kept = marshal.loads(marshal.dumps(first.state()))
    index = Index.from_state(kept)
    assert index is not None and index.count == 20
    with pytest.raises(RuntimeError):
        index.add([Reply("new", tuple(f"word{n}" for n in range(12)))])  # not before resumes()
    changed = [*replies[:5], Reply(replies[5].key, ("other", *replies[5].core)), *replies[6:]]
    assert not Index.from_state(kept).resumes(changed)  # type: ignore[union-attr]
    assert not Index.from_state(kept).resumes(replies[:19])  # type: ignore[union-attr]
    assert not Index.from_state(kept).resumes([replies[1], replies[0], *replies[2:]])  # type: ignore[union-attr]
    assert index.resumes(replies) and index.add(replies[20:])
    assert index.copies() == near_duplicates(replies)


def harsh(slug: str, day: int, hour: int = 12) -> list[tuple[str, str]]:
    """A complaint and the shop's pasted answer to it, its last word the slug's."""
    text = (
        "We are sorry the grinder broke so soon. A new grinder leaves the warehouse within "
        f"two days, with a return label for the broken one in the box: {slug}."
    )
    return [
        review(slug, 1, f"2026-10-{day:02d} 09:00", "Broken.", Author="Ann", Lang="en"),
        response(f"{slug}-1", slug, f"2026-10-{day:02d} {hour:02d}:00", text, From="shop"),
    ]


def canned_of(site: Path, kept: dict[str, object] | None) -> list[tuple[str, object]]:
    """(answer, count of copies) of each canned answer, checked with ``kept`` as the kept comparison."""
    shop = load_shop(pelican_settings(site))
    result = check(shop, dt.datetime(2026, 11, 1, tzinfo=dt.UTC), kept_copies=kept)
    canned_ones = (f for f in result.findings if f.rule == "canned" and f.entry)
    return sorted((f.entry.slug, f.evidence["count"]) for f in canned_ones)  # type: ignore[union-attr]


def marked(kept: dict[str, object], key: str) -> None:
    """Mark the kept comparison: answer ``key`` counts as matching many, which no fresh comparison says."""
    index = Index.from_state(kept["index"])
    assert index is not None
    index.known[[keys[0] for keys in index.keys].index(key)] = canned.ENOUGH
    kept["index"] = index.state()


def compared(kept: dict[str, object]) -> list[str]:
    """The answers in the kept comparison, in the order compared (each has a core of its own here)."""
    index = Index.from_state(kept["index"])
    assert index is not None
    return [key for keys in index.keys for key in keys]


def test_the_newest_answer_is_added_to_the_kept_comparison_and_an_older_one_compares_all_again(
    tmp_path: Path,
) -> None:
    own = "Ann, the grinder's motor failed on day one; a new grinder ships today, with a label for the old."
    files = [*harsh("one", 1), *harsh("two", 2)]
    files += [review("own", 1, "2026-10-01 09:00", "Broken.", Author="Ann", Lang="en")]
    files += [response("own-1", "own", "2026-10-01 15:00", own, From="shop")]
    site = make_site(tmp_path, *files)
    content = tmp_path / "site" / "content"
    kept: dict[str, object] = {}
    assert canned_of(site, kept) == []  # two copies are not canned yet
    assert compared(kept) == ["one-1", "own-1", "two-1"]  # oldest first

    marked(kept, "own-1")
    for path, text in harsh("three", 3):
        (content / path).write_text(text, encoding="utf-8")
    fresh = [("one-1", 2), ("three-1", 2), ("two-1", 2)]
    assert canned_of(site, None) == fresh
    # The newest answer was added to the kept comparison: its mark shows.
    assert canned_of(site, kept) == sorted([*fresh, ("own-1", 0)])
    assert compared(kept) == ["one-1", "own-1", "two-1", "three-1"]

    for path, text in harsh("zero", 1, hour=10):  # written last, dated before the others
        (content / path).write_text(text, encoding="utf-8")
    fresh = [("one-1", 3), ("three-1", 3), ("two-1", 3), ("zero-1", 3)]
    assert canned_of(site, None) == fresh
    assert canned_of(site, kept) == fresh  # all compared again: the mark is gone
    assert compared(kept) == ["zero-1", "one-1", "own-1", "two-1", "three-1"]
