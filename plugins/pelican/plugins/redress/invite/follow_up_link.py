"""`redress follow-up-link REVIEW`: the "was it fixed?" link for one reviewer.

After the shop answers a complaint it asks the customer, in private, to say
in public whether it was really fixed. The link carries a signed follow-up
token for this one review (and the review's private Order), so the inbox
can tell the answer comes from the reviewer: only such an answer is
published as the customer's own word. The token is of another kind than an
invitation's (:mod:`redress.tokens`), so the link cannot verify a review of
anything, and it speaks for this review only.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any
from urllib.parse import urlencode

from .. import tokens
from ..content.settings import get_settings
from ..content.shop import load_shop
from ..content.site_settings import load_settings, settings_path
from ..errors import UsageError
from ..site.urls import Urls
from .links import TOKEN_PARAM, absolute_site_url


def _run(args: argparse.Namespace) -> int:
    settings = load_settings(settings_path(args.settings, "redress follow-up-link"))
    siteurl = absolute_site_url(args.site_url or settings.get("SITEURL"))
    if siteurl is None:
        raise UsageError(
            f"SITEURL is {settings.get('SITEURL')!r}, not the site's public address; "
            "give --site-url https://… or --settings publishconf.py"
        )
    secret = tokens.secret_from_env()
    shop = load_shop(settings)
    review = next((r for r in shop.reviews + shop.withheld if r.slug == args.review), None)
    if review is None:
        raise UsageError(
            f"there is no review {args.review!r} in {shop.settings['REVIEWS_REVIEW_DIR']}/; "
            "give the review's file name without .md"
        )
    order = review.private.get("order", "")
    if not order:
        raise UsageError(
            f"{review.source_path}: Order: is missing, so a link cannot prove the answer is the "
            "reviewer's; add the order number to the review file"
        )
    expires = dt.date.today() + dt.timedelta(days=args.valid_days)
    token = tokens.make_follow_up_token(secret, order, review.slug, expires)
    urls = Urls(get_settings(settings), siteurl)
    query = urlencode({TOKEN_PARAM: token, "r": review.slug})
    print(f"{siteurl}/{urls.follow_up()}?{query}")
    return 0


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "follow-up-link",
        help='print the "was it fixed?" link to send one reviewer',
        description="Print the link to the follow-up form for the customer who wrote REVIEW.",
    )
    parser.add_argument("review", help="the review's file name without .md")
    parser.add_argument(
        "--settings", help="the site's settings file (default: publishconf.py or pelicanconf.py)"
    )
    parser.add_argument("--site-url", help="the site's public address, if SITEURL is not set")
    parser.add_argument("--valid-days", type=int, default=60, help="how long the link works (default 60)")
    parser.set_defaults(run=_run)
