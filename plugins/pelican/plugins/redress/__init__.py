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

from .content import settings as redress_settings
from .content.settings import DEFAULTS
from .errors import ProblemLinesOnly
from .site import autoreload, clashes
from .site.generator import get_generators, report_lines

__version__ = "0.2.0"

logger = logging.getLogger(__name__)


def keep_reviews_out_of_articles(pelican_object: Any) -> None:
    """Review files are not blog articles or pages: exclude their folders.

    Without this, Pelican would also try to read every review as an article
    and complain that it has no title, and copy review files named in
    STATIC_PATHS. Pelican's exclusion misses some spellings (the folder
    itself, ``"."``); ``site/clashes.py`` checks what Pelican actually took.
    """
    settings = pelican_object.settings
    folders = [
        settings.get(key, DEFAULTS[key])
        for key in ("REVIEWS_REVIEW_DIR", "REVIEWS_RESPONSE_DIR", "REVIEWS_PRODUCT_DIR")
    ]
    for key in ("ARTICLE_EXCLUDES", "PAGE_EXCLUDES", "STATIC_EXCLUDES"):
        excludes = list(settings.get(key, []))
        settings[key] = excludes + [f for f in folders if f not in excludes]


def cache_only_where_the_site_caches(pelican_object: Any) -> None:
    """Redress's caches live in the site's cache, and only when the site keeps one (see
    :func:`.content.settings.cache_only_where_the_site_caches`)."""
    redress_settings.cache_only_where_the_site_caches(pelican_object.settings)


_problem_lines_only = ProblemLinesOnly()


def desk_report_line(shop: Any, settings: dict[str, Any] | None = None) -> str | None:
    """The desk's line under the build's report; the desk is imported only when it is asked.

    Its phrase lists take a quarter of a second to load, and on a big shop
    the line is worked out in a forked process: Pelican's start need not wait.
    """
    from .desk.build_line import report_line

    return report_line(shop, settings)


def register() -> None:
    signals.initialized.connect(keep_reviews_out_of_articles)
    signals.initialized.connect(cache_only_where_the_site_caches)
    signals.get_generators.connect(get_generators)
    # Under `pelican -r`, a build that stopped is built again when a file changes, not at once.
    signals.get_generators.connect(autoreload.build_begins)
    # A file the section shares with the rest of the site, or a review file
    # Pelican would copy, stops the build before anything is written; a file
    # written over while writing stops it at the end.
    signals.all_generators_finalized.connect(clashes.stop_on_clashes)
    signals.content_written.connect(clashes.note_written)
    signals.feed_written.connect(clashes.note_written)
    signals.finalized.connect(clashes.stop_on_late_clashes)
    signals.finalized.connect(autoreload.build_finished)  # after the late clashes: they stop a build too
    # The desk's line under the build's report ("Responses: 3 need a look").
    report_lines.connect(desk_report_line)
    # Pelican's main() logs an exception that ends the build on the "pelican"
    # logger; for a shop owner's mistake, keep that record to its line.
    pelican_logger = logging.getLogger("pelican")
    if _problem_lines_only not in pelican_logger.filters:
        pelican_logger.addFilter(_problem_lines_only)
