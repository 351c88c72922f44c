"""Redress: an open review page for a webshop, as a Pelican plugin.

Install the ``pelican-redress`` distribution, add ``"redress"`` to
``PLUGINS`` and keep reviews, responses and products under ``content/``.
The code is in rooms: ``content/`` reads the shop's files into one model,
``site/`` writes the review section, ``invite/`` makes invitations, and
``inbox/`` receives what customers send. Data flows one way, from files to
pages and from form posts to files.
"""

from __future__ import annotations

import logging
from typing import Any

from pelican import signals

from .content.settings import DEFAULTS
from .errors import ProblemLinesOnly
from .site.generator import get_generators

__version__ = "0.2.0"

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


_problem_lines_only = ProblemLinesOnly()


def register() -> None:
    signals.initialized.connect(keep_reviews_out_of_articles)
    signals.get_generators.connect(get_generators)
    # Pelican's main() logs an exception that ends the build on the "pelican"
    # logger; for a shop owner's mistake, keep that record to its line.
    pelican_logger = logging.getLogger("pelican")
    if _problem_lines_only not in pelican_logger.filters:
        pelican_logger.addFilter(_problem_lines_only)
