"""Finding and reading the site's settings for the `redress` commands.

`redress invite`, `redress inbox` and `redress follow-up-link` all run in the
site's folder and need the same settings the build uses: --settings, else
publishconf.py (the public address), else pelicanconf.py.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from pelican.settings import read_settings

from ..errors import UsageError
from .settings import cache_only_where_the_site_caches


class SiteSettingsError(UsageError):
    """No settings file, or one that cannot be read; the message says what to do."""


def settings_path(path_arg: str | None, command: str = "redress") -> Path:
    if path_arg:
        path = Path(path_arg)
        if not path.is_file():
            raise SiteSettingsError(f"--settings {path_arg}: no such file")
        return path
    found = [Path(name) for name in ("publishconf.py", "pelicanconf.py") if Path(name).is_file()]
    if not found:
        raise SiteSettingsError(
            f"no publishconf.py or pelicanconf.py in this folder; run `{command}` in your "
            "site's folder or give --settings FILE"
        )
    return found[0]


def load_settings(path: Path) -> dict[str, Any]:
    """Read a settings file the way Pelican does, wherever the command runs."""
    # publishconf.py does `from pelicanconf import *`: let it find its sibling
    # wherever we run, and forget the imported modules afterwards so another
    # site read in the same process never gets this one's settings.
    folder = str(path.resolve().parent)
    modules_before = set(sys.modules)
    sys.path.insert(0, folder)
    try:
        settings = read_settings(str(path))
        # As the build does: no cache folder made where the command happens to run.
        cache_only_where_the_site_caches(settings)
        return settings
    except Exception as err:  # a settings file is Python: anything can go wrong in it
        raise SiteSettingsError(f"{path}: cannot be read: {type(err).__name__}: {err}") from None
    finally:
        sys.path.remove(folder)
        for name in set(sys.modules) - modules_before:
            module_file = getattr(sys.modules[name], "__file__", None) or ""
            if module_file.startswith(folder + os.sep):
                del sys.modules[name]


def private_folder(
    out: Path, settings: dict[str, Any], holds: str, example: str, option: str = "--out"
) -> Path:
    """Make a folder for private files, after making sure nothing written there can be published.

    Invitations hold e-mail addresses and signed links, the owner's report
    lists open cases: a folder inside the site's output, content or theme
    would end up online with the next build or upload. ``holds`` says what
    the files hold ("Invitations hold e-mail addresses"), ``example`` names
    a good folder beside the output ("invitations"), ``option`` what the
    owner changes to move it (``--out``, or a setting).
    """
    target = out.expanduser().resolve()
    for key, what in (
        ("OUTPUT_PATH", "the site's output folder, which is published"),
        ("PATH", "the site's content folder, which the build reads"),
        ("THEME", "the site's theme, whose files are published"),
    ):
        value = settings.get(key)
        if not value:
            continue
        folder = Path(value).resolve()
        if target == folder or folder in target.parents:
            suggestion = Path(settings.get("OUTPUT_PATH") or ".").resolve().parent / example
            raise UsageError(
                f"{option} {out} is inside {what} ({value}). {holds} and must never be published: "
                f"choose a folder outside it, e.g. {option} {suggestion}"
            )
    if target.exists() and not target.is_dir():
        raise UsageError(f"{option} {out} is a file, not a folder")
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"{option} {out}: cannot make the folder: {err.strerror}") from None
    return target
