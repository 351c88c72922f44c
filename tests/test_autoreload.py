"""`pelican -r -l` outlives a shop owner's mistake and rebuilds once it is fixed.

A review with ``Rating: five`` must be reported (file and field), the
preview server must keep serving, and saving the fixed file must rebuild
the page. This runs the real ``pelican`` command: only a process shows
whether an error ends autoreload.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest
from conftest import DEMO_CONTENT, ROOT

REVIEW = "2026-10-19-tuit-lekt-langs-de-zijkant"


def wait_for(what: str, check: Callable[[], bool], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def listening_port(pid: int) -> int | None:
    """The TCP port a process or one of its children listens on (pelican -l -p 0 picks one)."""
    try:
        processes = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return None
    for process in processes:
        try:
            connections = process.net_connections(kind="tcp")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        for conn in connections:
            if conn.status == psutil.CONN_LISTEN:
                return int(conn.laddr.port)
    return None


def cpu_seconds(pid: int) -> float:
    """The CPU time a process and its children (autoreload runs in one) have used so far."""
    total = 0.0
    for process in [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def get(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=10) as response:
        return response.read().decode("utf-8")


def set_fields(path: Path, **fields: str) -> None:
    """Change fields of a content file in one write, as an editor saves it.

    Two writes could straddle a build: a change made while a build runs is
    not seen (its watch starts when the build ends).
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    changed = [
        next((f"{key}: {value}" for key, value in fields.items() if line.startswith(f"{key}:")), line)
        for line in lines
    ]
    path.write_text("\n".join(changed) + "\n", encoding="utf-8")


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    folder = tmp_path / "shop"
    shutil.copytree(DEMO_CONTENT, folder / "content")
    shutil.copytree(ROOT / "theme", folder / "theme")
    shutil.copy(ROOT / "pelicanconf.py", folder / "pelicanconf.py")
    return folder


def test_autoreload_survives_a_bad_review_and_rebuilds_when_fixed(shop: Path) -> None:
    pelican = [sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py", "-o", "output"]
    env = dict(os.environ, COLUMNS="250")
    first = subprocess.run(pelican, cwd=shop, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    review = shop / "content" / "reviews" / f"{REVIEW}.md"
    set_fields(review, Rating="five")

    log = shop / "pelican.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*pelican, "-r", "-l", "-b", "127.0.0.1", "-p", "0"],
            cwd=shop,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        problem = "Rating: 'five' is not a whole number"
        wait_for("the problem line", lambda: problem in log.read_text())
        text = log.read_text()
        assert f"content/reviews/{REVIEW}.md" in text
        assert "Traceback" not in text
        # It waits for the fix, idle: Pelican alone builds a failed build again at once, for ever
        # (one core at 100 %, the problem lines every few milliseconds).
        used = cpu_seconds(process.pid)
        time.sleep(3)
        assert cpu_seconds(process.pid) - used < 0.5, "pelican -r keeps building while the file is broken"
        assert log.read_text().count(problem) == 1
        # The server still serves the last good pages.
        port = 0

        def serving() -> bool:
            nonlocal port
            port = listening_port(process.pid) or 0
            return port > 0

        wait_for("the preview server", serving)
        assert "Tuit lekt langs de zijkant" in get(port, f"reviews/{REVIEW}/")
        time.sleep(1)
        assert process.poll() is None, "pelican -r stopped on a content error"

        # The owner fixes the file: autoreload rebuilds, and the page shows the change.
        set_fields(review, Rating="1", Title="Tuit lekt nog steeds")
        wait_for("the rebuilt page", lambda: "Tuit lekt nog steeds" in get(port, f"reviews/{REVIEW}/"))
        assert "1/5" in get(port, f"reviews/{REVIEW}/")
        assert process.poll() is None
        assert "Traceback" not in log.read_text()
    finally:
        for child in psutil.Process(process.pid).children(recursive=True):
            child.kill()
        process.kill()
        process.wait(timeout=10)
