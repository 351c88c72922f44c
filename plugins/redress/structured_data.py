"""schema.org JSON-LD for review pages, following Google's review-snippet rules.

Stub: filled in by the widgets work (issue: widgets and structured data).
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup


def listing_jsonld(section: Any, listing: Any, reviews: list[Any]) -> Markup:
    """The JSON-LD block for one page of a listing (empty where none is allowed)."""
    return Markup("")
