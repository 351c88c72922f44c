"""Settings of the demo shop, De Bonenbus. Copy this file to start your own.

Every REVIEWS_* setting is listed, with its default, in the README.
"""

AUTHOR = "De Bonenbus"
SITENAME = "De Bonenbus"
SITEURL = ""
PATH = "content"
TIMEZONE = "Europe/Amsterdam"
DEFAULT_LANG = "en"
THEME = "theme"
# The demo is a review site without a blog: Redress's own layout is its look.
# A site with a blog leaves this out and gets the reviews inside its theme.
REVIEWS_LAYOUT = "standalone"

# Installed as pelican-redress (scripts/demo does it), found by this name.
PLUGINS = ["redress"]

# The demo site is only reviews: no blog parts.
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["pages"]
DIRECT_TEMPLATES = ["index"]
ARCHIVES_SAVE_AS = AUTHORS_SAVE_AS = CATEGORIES_SAVE_AS = TAGS_SAVE_AS = ""
AUTHOR_SAVE_AS = CATEGORY_SAVE_AS = TAG_SAVE_AS = ""
FEED_ALL_ATOM = FEED_ALL_RSS = CATEGORY_FEED_ATOM = AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = TRANSLATION_FEED_ATOM = None

# Links work wherever the output is served from (`redress preview`, a sub-folder).
RELATIVE_URLS = True

# Rebuilds read only the files that changed.
CACHE_PATH = "cache"

REVIEWS_SHOP_NAME = "De Bonenbus"
REVIEWS_PER_PAGE = 20
# The review inbox, on the same address as the pages, as on your host.
# `redress preview` serves output/ with the inbox at /inbox/ to try the forms
# on this machine; publishconf.py keeps these for the inbox behind your web
# server (see the README).
REVIEWS_FORM_ACTION = "/inbox/reviews"
REVIEWS_FOLLOWUP_ACTION = "/inbox/follow-ups"
