"""The review page in the site's menu: the way in from the blog.

Pelican themes draw their menu from ``MENUITEMS``, a list of ``(title,
link)`` pairs that they print as they are (no ``SITEURL`` in front). The
review page is appended to the context's copy of that list, once, before
any page is written, so the blog's pages and the review pages show the same
menu. The setting itself is never changed in place: ``pelican -r`` builds
again from the same settings and must not add the item twice.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

from ..content.settings import DEFAULTS
from ..i18n import translations


def menu_item(settings: Mapping[str, Any], lang: str) -> tuple[str, str] | None:
    """The review page's ``(title, link)``, or None when the owner opted out (REVIEWS_MENU = False).

    REVIEWS_MENU is True (the title is "Reviews" in the page's language) or
    the title to show. The link is absolute from the site's root, as theme
    menus need it on every page of a site, whatever the page's depth.
    """
    choice = settings.get("REVIEWS_MENU", DEFAULTS["REVIEWS_MENU"])
    if choice is True:
        title = translations(lang).gettext("Reviews")
    elif isinstance(choice, str) and choice.strip():
        title = choice.strip()
    else:
        return None
    index_url = settings.get("REVIEWS_INDEX_URL", DEFAULTS["REVIEWS_INDEX_URL"])
    if not isinstance(index_url, str):
        return None  # the settings check reports it
    siteurl = (settings.get("SITEURL") or "").rstrip("/")
    return title, f"{siteurl}/{index_url}"


def add_to_menu(context: MutableMapping[str, Any], settings: Mapping[str, Any], lang: str) -> None:
    """Append the review page to the context's MENUITEMS unless it is there already."""
    item = menu_item(settings, lang)
    if item is None:
        return
    items = list(context.get("MENUITEMS") or ())
    if any(isinstance(each, list | tuple) and len(each) > 1 and each[1] == item[1] for each in items):
        return
    context["MENUITEMS"] = [*items, item]
