"""The sites that tests and benchmarks build: their settings, the demo's files, the inbox on them.

Why one module: the tests (conftest.py, inbox_server.py) and the benchmarks
(scripts/bench*.py) all build real Pelican sites, and a settings dict copied
into each of them drifts apart until a benchmark measures a different site
from the one the tests check. Here is the one copy: :func:`settings` says
what a test site is, :func:`pelican_settings` reads it in this process and
:func:`write_settings` writes it as a site's ``pelicanconf.py``.

The benchmarks import it by putting this folder on ``sys.path``. It imports
only the standard library at the top (Pelican where it is used), so a
benchmark that builds in subprocesses does not pay for Pelican itself.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEMO_CONTENT = ROOT / "content"
THEME = ROOT / "theme"

#: Every feed Pelican can write: off, so a build writes what Redress writes.
FEEDS = (
    "FEED_ATOM",
    "FEED_RSS",
    "FEED_ALL_ATOM",
    "FEED_ALL_RSS",
    "CATEGORY_FEED_ATOM",
    "CATEGORY_FEED_RSS",
    "AUTHOR_FEED_ATOM",
    "AUTHOR_FEED_RSS",
    "TAG_FEED_ATOM",
    "TAG_FEED_RSS",
    "TRANSLATION_FEED_ATOM",
    "TRANSLATION_FEED_RSS",
)
#: Settings that name a folder: relative to the site in a file, absolute when read in-process.
FOLDERS = ("PATH", "OUTPUT_PATH", "CACHE_PATH")


def settings(*, redress: bool = True, **override: Any) -> dict[str, Any]:
    """A test or benchmark site's settings, folders relative to the site; `override` wins.

    With ``redress=False`` it is a plain Pelican site (the benchmark's baseline):
    ``PLUGINS = []`` said outright, because Pelican loads every plugin in its
    namespace when PLUGINS is unset, and that includes Redress. Redress is found
    through that namespace package too, so no PLUGIN_PATHS is needed.
    """
    values: dict[str, Any] = {
        "SITENAME": "Test shop",
        "SITEURL": "",
        "PATH": "content",
        "OUTPUT_PATH": "output",
        "CACHE_PATH": "cache",
        "TIMEZONE": "Europe/Amsterdam",
        "DEFAULT_LANG": "en",
        "RELATIVE_URLS": False,
        **dict.fromkeys(FEEDS),
    }
    if redress:
        # Only Redress's pages: no blog articles, pages or Pelican's own index pages.
        values.update(PLUGINS=["redress"], ARTICLE_PATHS=["articles"], PAGE_PATHS=["pages"])
        values.update(DIRECT_TEMPLATES=[])
        # Tests read Redress's own page (its h1, its main); tests/test_theme_layout.py
        # sets REVIEWS_LAYOUT itself to test the pages inside a theme.
        values.update(REVIEWS_LAYOUT="standalone")
    else:
        values["PLUGINS"] = []
    values.update(override)
    return values


def pelican_settings(site: Path, **override: Any) -> dict[str, Any]:
    """Pelican's settings for the site in the folder `site`, read in this process (no file)."""
    from pelican.settings import read_settings

    values = settings(**override)
    for key in FOLDERS:
        values[key] = str(site / values[key])  # an absolute path stays as it is
    return read_settings(override=values)


def write_settings(site: Path, name: str = "pelicanconf.py", *, comment: str = "", **override: Any) -> Path:
    """Write :func:`settings` (with `override`) as the site's settings file; returns its path."""
    values = settings(**override)
    lines = [f'"""{comment or "A site written by tests/sites.py."}"""', ""]
    lines += [
        f"{key} = {str(value) if isinstance(value, Path) else value!r}" for key, value in values.items()
    ]
    site.mkdir(parents=True, exist_ok=True)
    path = site / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def copy_demo(site: Path, *, content: bool = True, theme: bool = True, settings_files: bool = False) -> Path:
    """The demo shop's files in `site`: its content, its theme and, if asked, its own settings files."""
    site.mkdir(parents=True, exist_ok=True)
    if content:
        shutil.copytree(DEMO_CONTENT, site / "content")
    if theme:
        shutil.copytree(THEME, site / "theme")
    if settings_files:
        for name in ("pelicanconf.py", "publishconf.py"):
            shutil.copy2(ROOT / name, site / name)
    return site


# -- the inbox service on a site ------------------------------------------------------------

LISTENING = re.compile(r"redress inbox: listening on http://(?P<host>\[[^\]]+\]|[^\s:/]+):(?P<port>\d+)/")


def start_inbox(
    settings_file: Path, env: Mapping[str, str], log_path: Path, timeout: float = 30
) -> tuple[subprocess.Popen[bytes], int]:
    """`redress inbox serve --port 0` as a process; returns it once it answers, and its port.

    The service binds the port and prints it; this reads the port from that
    line. Nothing probes for a free port first, so nothing can take it in
    between. The output goes to `log_path` (appended), never a pipe nobody
    reads: a full pipe would stall the service.
    """
    command = [
        sys.executable,
        "-m",
        "pelican.plugins.redress.cli",
        "inbox",
        "--settings",
        str(settings_file),
        "serve",
        "--port",
        "0",
    ]
    offset = log_path.stat().st_size if log_path.exists() else 0
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, env=dict(env), stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout

    def output() -> str:
        with log_path.open("rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", "replace")

    def give_up(why: str) -> RuntimeError:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        return RuntimeError(f"the inbox {why}:\n{output()}")

    port = 0
    while not port:
        found = LISTENING.search(output())
        if found:
            port = int(found["port"])
        elif process.poll() is not None:
            raise give_up(f"exited with {process.returncode}")
        elif time.monotonic() > deadline:
            raise give_up(f"said nothing about a port within {timeout} s")
        else:
            time.sleep(0.02)
    # The socket is listening; /health answers once the app has started.
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as reply:  # noqa: S310
                if reply.status == 200:
                    return process, port
        except OSError:
            pass
        if process.poll() is not None:
            raise give_up(f"exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise give_up(f"did not answer /health within {timeout} s")
        time.sleep(0.02)


def inbox_environment(secret: str, **extra: str) -> dict[str, str]:
    """This process's environment for the service, with `secret` and no REDRESS_INBOX_* from outside."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDRESS_INBOX_", "REDRESS_SECRET"))}
    env.update(REDRESS_SECRET=secret, PYTHONUNBUFFERED="1")
    env.update(extra)
    return env
