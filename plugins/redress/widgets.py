"""Embeddable widgets and the public JSON data of the review section.

Stub: filled in by the widgets work (issue: widgets and structured data).
"""

from __future__ import annotations

from typing import Any


def write_widgets(section: Any) -> None:
    """Write badges, embeds, reviews.json and the widget gallery for every listing."""
