"""The one Jinja environment factory for everything Redress renders.

The review section, the inbox's pages and the printable invitation cards
all render Redress's templates; a theme's ``templates/redress/…`` must win
in each of them the same way. So there is one loader order (Pelican's own:
``THEME_TEMPLATES_OVERRIDES``, the theme, Pelican's ``simple`` theme and the
``!theme/`` and ``!simple/`` prefixes, then Redress's templates last), one
set of options (the site's ``JINJA_ENVIRONMENT``, filters, globals and tests,
with autoescaping always on because pages carry customer text) and one way
to install a language's catalog.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pelican
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader

from .i18n import translations

PACKAGE_DIR = Path(__file__).parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
SIMPLE_THEME_TEMPLATES = Path(pelican.__file__).parent / "themes" / "simple" / "templates"


#: The settings that choose and configure templates; all a worker process needs.
TEMPLATE_SETTINGS = (
    "THEME",
    "THEME_TEMPLATES_OVERRIDES",
    "JINJA_ENVIRONMENT",
    "JINJA_FILTERS",
    "JINJA_GLOBALS",
    "JINJA_TESTS",
)


def template_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    return {key: settings[key] for key in TEMPLATE_SETTINGS if key in settings}


def theme_templates(settings: Mapping[str, Any]) -> str | None:
    """The theme's own ``templates/`` folder, if the site names a theme that has one."""
    theme = settings.get("THEME")
    if not theme:
        return None
    folder = os.path.join(os.path.expanduser(str(theme)), "templates")
    return folder if os.path.isdir(folder) else None


def loader(settings: Mapping[str, Any]) -> ChoiceLoader:
    """Pelican's loader order with Redress's own templates as the last fallback."""
    theme = theme_templates(settings)
    folders = [str(p) for p in settings.get("THEME_TEMPLATES_OVERRIDES", []) or []]
    if theme:
        folders.append(theme)
    simple = FileSystemLoader(str(SIMPLE_THEME_TEMPLATES))
    prefixes: dict[str, Any] = {"!simple": simple}
    if theme:
        prefixes["!theme"] = FileSystemLoader(theme)
    return ChoiceLoader(
        [
            FileSystemLoader([f for f in folders if os.path.isdir(f)]),
            simple,
            PrefixLoader(prefixes),
            FileSystemLoader(str(TEMPLATES_DIR)),
        ]
    )


def environment(settings: Mapping[str, Any], lang: str) -> Environment:
    """A template environment for one interface language.

    gettext is installed per environment, so each language gets its own.
    Templates do not change while a build or a command runs, so Jinja does
    not check their files again on every include.
    """
    options = dict(settings.get("JINJA_ENVIRONMENT") or {"trim_blocks": True, "lstrip_blocks": True})
    extensions = [*options.pop("extensions", []), "jinja2.ext.i18n"]
    options.pop("autoescape", None)
    env = Environment(
        loader=loader(settings),
        autoescape=True,
        auto_reload=False,
        extensions=list(dict.fromkeys(extensions)),
        **options,
    )
    env.filters.update(settings.get("JINJA_FILTERS") or {})
    env.globals.update(settings.get("JINJA_GLOBALS") or {})
    env.tests.update(settings.get("JINJA_TESTS") or {})
    # Must match the extraction in babel.cfg, or translations won't match.
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(translations(lang), newstyle=False)  # type: ignore[attr-defined]
    return env
