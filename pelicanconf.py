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

# Links work when the output is opened straight from disk.
RELATIVE_URLS = True

# Rebuilds read only the files that changed.
CACHE_PATH = "cache"

REVIEWS_SHOP_NAME = "De Bonenbus"
REVIEWS_PER_PAGE = 20
# The review inbox (`redress inbox serve`) on this machine, for trying the
# forms locally; publishconf.py points them at the inbox behind your host.
REVIEWS_FORM_ACTION = "http://127.0.0.1:8787/reviews"
REVIEWS_FOLLOWUP_ACTION = "http://127.0.0.1:8787/follow-ups"
# Here the pages (:8000) and the inbox (:8787) are two origins, and the forms'
# `referrer: same-origin` makes Chromium send a plain form's post with
# `Origin: null`. Allowing that lets any site post through its visitors too,
# so only this local demo does; publishconf.py turns it off again.
REVIEWS_INBOX_ALLOW_NULL_ORIGIN = True
