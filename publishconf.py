"""Production settings: `pelican content -s publishconf.py`.

Set SITEURL to the address the review section is served from.
"""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

SITEURL = os.environ.get("REDRESS_SITEURL", "https://reviews.bonenbus.example")
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
# Feeds and widgets must never be published with preview addresses.
REVIEWS_REQUIRE_SITEURL = True
# The inbox, served by your web server at /inbox/ (see the README).
REVIEWS_FORM_ACTION = "/inbox/reviews"
REVIEWS_FOLLOWUP_ACTION = "/inbox/follow-ups"
# On one host with the pages every form names its origin: posts that name
# none are refused like a foreign site's.
REVIEWS_INBOX_ALLOW_NULL_ORIGIN = False
