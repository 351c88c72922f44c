"""Take screenshots of the built review page, as a phone and a desktop see it.

Usage: python scripts/screenshot.py [OUTPUT_DIR] [--out docs/]
Uses Debian's Chromium (/usr/bin/chromium) through Playwright; never
downloads a browser.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("site", nargs="?", default="output")
    parser.add_argument("--out", default="docs")
    parser.add_argument("--path", default="reviews/")
    args = parser.parse_args()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=args.site)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/{args.path}"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, size, mobile in (("phone", (390, 844), True), ("desktop", (1280, 900), False)):
            page = browser.new_page(
                viewport={"width": size[0], "height": size[1]},
                is_mobile=mobile,
                has_touch=mobile,
                device_scale_factor=2 if mobile else 1,
            )
            page.goto(url)
            page.screenshot(path=str(out / f"review-page-{name}.png"), full_page=False)
            page.screenshot(path=str(out / f"review-page-{name}-full.png"), full_page=True)
            page.close()
        browser.close()
    server.shutdown()
    print(f"screenshots written to {out}/")


if __name__ == "__main__":
    main()
