"""Lighthouse scores of the built review section, as a phone sees it.

Usage: python scripts/lighthouse.py [OUTPUT_DIR] [--check]

Serves OUTPUT_DIR (default: output/) on 127.0.0.1 and runs Google's
Lighthouse (from the npm registry, through `npx`) in Debian's Chromium on
the page types a customer meets. Targets (issue: forms): accessibility and
best practices 100, performance at least 95. A measurement, not a test:
it exits 0 unless --check is given and a target is missed.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

PAGES = ["reviews/", "reviews/write/", "reviews/write/espresso-x1/", "reviews/follow-up/", "reviews/thanks/"]
TARGETS = {"performance": 0.95, "accessibility": 1.0, "best-practices": 1.0}
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"
)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("site", nargs="?", default="output")
    parser.add_argument("--check", action="store_true", help="exit 1 when a score is below its target")
    parser.add_argument("--lighthouse", default="npx --yes lighthouse@12", help="how to run Lighthouse")
    args = parser.parse_args()
    handler = functools.partial(QuietHandler, directory=args.site)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    env = dict(os.environ, CHROME_PATH=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    missed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for page in PAGES:
            report = Path(tmp) / "report.json"
            command = [
                *args.lighthouse.split(),
                base + page,
                "--quiet",
                "--output=json",
                f"--output-path={report}",
                "--only-categories=performance,accessibility,best-practices",
                f"--chrome-flags={CHROME_FLAGS}",
            ]
            subprocess.run(command, env=env, check=True)
            data = json.loads(report.read_text(encoding="utf-8"))
            scores = {key: data["categories"][key]["score"] for key in TARGETS}
            below = [key for key, target in TARGETS.items() if scores[key] < target]
            missed += len(below)
            line = " ".join(f"{key}={round(scores[key] * 100)}" for key in TARGETS)
            print(f"lighthouse: {page} {line}" + (f"  below target: {', '.join(below)}" if below else ""))
    server.shutdown()
    return 1 if (args.check and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
