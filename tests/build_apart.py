"""Build a site with the `pelican` command in a process of its own.

Why not in the test's process: a plugin registers its receivers on Pelican's
signals for the rest of the process. After one build with Redress, a build
with ``PLUGINS = []`` in the same process still runs Redress, and after one
build with i18n_subsites every later build runs through that plugin too. A
test that compares a site with and without a plugin, or that loads another
plugin, builds here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from sites import write_settings


def build_apart(site: Path, **override: Any) -> Path:
    """Write the site's pelicanconf.py (tests/sites.py's settings with `override`), build; returns output/."""
    write_settings(site, **override)
    done = subprocess.run(
        [sys.executable, "-m", "pelican", "-s", "pelicanconf.py"],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return site / "output"
