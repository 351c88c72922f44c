"""A page's digest, worked out from its joined text, is the digest worked out part by part.

A rebuild compares each page's digest with the last build's, kept in the
cache: worked out faster, it must still be the same string, or every page
would be made again (or, worse, one that changed would not).
"""

from __future__ import annotations

import hashlib
import random

from markupsafe import Markup
from pelican.plugins.redress.site.output import digest


def one_part_at_a_time(*parts: str | bytes) -> str:
    """The digest as it was worked out before text was joined: kept to compare with."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part)
        h.update(b"\x00")
    return h.hexdigest()


def test_a_digest_of_joined_text_is_that_of_its_parts_one_by_one() -> None:
    rng = random.Random(5)
    alphabet = ["a", "é", "\x00", "\ud800", "\udfff", "😀", "|", " ", "\n"]
    for _ in range(2000):
        parts: list[str | bytes] = []
        for _k in range(rng.randrange(0, 6)):
            text = "".join(rng.choice(alphabet) for _c in range(rng.randrange(0, 5)))
            parts.append(text.encode("utf-8", "surrogatepass") if rng.random() < 0.2 else text)
        assert digest(*parts) == one_part_at_a_time(*parts)
    assert digest("a", "b") != digest("ab") != digest("ab", "")
    # A template's Markup among the parts, and no parts at all (a key of nothing).
    assert digest(Markup("<b>"), "x", b"\xff") == one_part_at_a_time(Markup("<b>"), "x", b"\xff")
    assert digest(Markup("<b>"), "x") == one_part_at_a_time("<b>", "x")
    assert digest() == one_part_at_a_time() != digest("")
