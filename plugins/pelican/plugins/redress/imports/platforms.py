"""The platforms `redress import` reads, and how each is recognised.

Each platform is a module in this package with ``NAME`` (as the page shows
it), ``recognise(path) -> bool`` (for ``redress import auto``) and
``read(paths) -> Batch``. The key is the word after ``imported:`` in a
review's ``Source``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ..content.model import platform_name

#: Platform key -> module name in this package.
PLATFORMS = {
    "trustpilot": "trustpilot",
    "google": "google",
    "google-play": "google_play",
    "woocommerce": "woocommerce",
    "shopify": "shopify",
    "judgeme": "judgeme",
    "kiyoh": "kiyoh",
}


def module(platform: str) -> ModuleType:
    return importlib.import_module(f".{PLATFORMS[platform]}", __package__)


def display_name(platform: str) -> str:
    """``Trustpilot`` for ``trustpilot``; an unknown key (a hand-typed Source) as it was typed.

    The names live in the content model (:data:`..content.model.PLATFORM_NAMES`), so the
    page, which may not import this package, says the same as the command.
    """
    return platform_name(platform)
