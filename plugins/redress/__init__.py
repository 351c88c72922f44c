"""Redress: an open review page for a webshop, as Pelican plugins.

Add ``"redress"`` to PLUGINS (with ``PLUGIN_PATHS`` pointing at this
repository's ``plugins/`` folder, or with the package installed) and keep
reviews, responses and products under ``content/``.
"""

from __future__ import annotations

import logging
from typing import Any

from pelican import signals

from .pages import get_generators
from .settings import DEFAULTS

__version__ = "0.1.0"

logger = logging.getLogger(__name__)


def keep_reviews_out_of_articles(pelican_object: Any) -> None:
    """Review files are not blog articles or pages: exclude their folders.

    Without this, Pelican would also try to read every review as an article
    and complain that it has no title.
    """
    settings = pelican_object.settings
    folders = [
        settings.get(key, DEFAULTS[key])
        for key in ("REVIEWS_REVIEW_DIR", "REVIEWS_RESPONSE_DIR", "REVIEWS_PRODUCT_DIR")
    ]
    for key in ("ARTICLE_EXCLUDES", "PAGE_EXCLUDES", "STATIC_EXCLUDES"):
        excludes = list(settings.get(key, []))
        settings[key] = excludes + [f for f in folders if f not in excludes]


def register() -> None:
    signals.initialized.connect(keep_reviews_out_of_articles)
    signals.get_generators.connect(get_generators)
