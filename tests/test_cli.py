"""Every `redress` command answers a shop owner's mistake with its lines, never a traceback.

Each command is run as the owner runs it, as a process in the site's
folder, against a copy of the demo shop with one mistake in it: a setting
that cannot work, a settings file that is not Python, a review file with a
bad field, or no signing secret.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DEMO_CONTENT, ROOT

SECRET = "s" * 40
REVIEW = "2026-10-19-tuit-lekt-langs-de-zijkant"

COMMANDS = {
    "invite": ["invite", "orders.csv", "--out", "../invitations", "--site-url", "https://s.example"],
    "follow-up-link": ["follow-up-link", REVIEW, "--site-url", "https://s.example"],
    "inbox list": ["inbox", "list"],
    "inbox publish": ["inbox", "publish"],
    "inbox withhold": ["inbox", "withhold", "1", "--reason", "spam"],
    "inbox dismiss": ["inbox", "dismiss", "1", "--reason", "spam"],
    "inbox serve": ["inbox", "serve", "--port", "0"],
    "preview": ["preview", "--port", "0"],
}
#: The commands that sign or check invitation links; the other inbox commands only read and write files.
NEEDS_SECRET = ("invite", "follow-up-link", "inbox serve", "preview")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A copy of the demo shop with its own settings file and an order export."""
    folder = tmp_path / "shop"
    shutil.copytree(DEMO_CONTENT, folder / "content")
    shutil.copytree(ROOT / "theme", folder / "theme")
    shutil.copy(ROOT / "pelicanconf.py", folder / "pelicanconf.py")
    (folder / "orders.csv").write_text("order,email\nA-1,a@example.org\n", encoding="utf-8")
    return folder


def run(site: Path, args: list[str], secret: str | None = SECRET) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDRESS_")}
    if secret is not None:
        env["REDRESS_SECRET"] = secret
    return subprocess.run(
        [sys.executable, "-m", "pelican.plugins.redress.cli", *args, "--settings", "pelicanconf.py"]
        if args[0] != "inbox"
        else [
            sys.executable,
            "-m",
            "pelican.plugins.redress.cli",
            "inbox",
            "--settings",
            "pelicanconf.py",
            *args[1:],
        ],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def refused(done: subprocess.CompletedProcess[str]) -> str:
    """The command stopped with a non-zero code and said why without a traceback."""
    assert done.returncode != 0, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    return done.stderr


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_setting_that_cannot_work(site: Path, command: str) -> None:
    with (site / "pelicanconf.py").open("a", encoding="utf-8") as conf:
        conf.write("\nREVIEWS_SCALE = 7\nREVIEWS_PER_PAGE = 0\n")
    err = refused(run(site, COMMANDS[command]))
    assert "REVIEWS_SCALE is 7; use 5 or 10" in err
    assert "REVIEWS_PER_PAGE is 0" in err


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_settings_file_that_is_not_python(site: Path, command: str) -> None:
    with (site / "pelicanconf.py").open("a", encoding="utf-8") as conf:
        conf.write("\nREVIEWS_SCALE = = 5\n")
    err = refused(run(site, COMMANDS[command]))
    assert "pelicanconf.py: cannot be read: SyntaxError" in err


@pytest.mark.parametrize("command", ["invite", "follow-up-link", "inbox publish"])
def test_a_review_file_with_a_bad_field(site: Path, command: str) -> None:
    bad = site / "content" / "reviews" / f"{REVIEW}.md"
    lines = bad.read_text(encoding="utf-8").splitlines()
    bad.write_text(
        "\n".join("Rating: five" if line.startswith("Rating:") else line for line in lines) + "\n",
        encoding="utf-8",
    )
    err = refused(run(site, COMMANDS[command]))
    assert f"{REVIEW}.md: Rating: 'five' is not a whole number from 1 to 5" in err
    assert "problem(s) in the review files" in err


@pytest.mark.parametrize("command", NEEDS_SECRET)
def test_no_secret_says_how_to_make_one(site: Path, command: str) -> None:
    err = refused(run(site, COMMANDS[command], secret=None))
    assert "REDRESS_SECRET is not set" in err
    assert "redress secret" in err


def test_a_missing_settings_file(site: Path) -> None:
    (site / "pelicanconf.py").unlink()
    err = refused(run(site, COMMANDS["inbox list"]))
    assert "--settings pelicanconf.py: no such file" in err


@pytest.mark.parametrize("command", ["inbox list", "inbox publish", "inbox withhold", "inbox dismiss"])
def test_inbox_commands_that_sign_nothing_need_no_secret(site: Path, command: str) -> None:
    done = run(site, COMMANDS[command], secret=None)
    assert "REDRESS_SECRET" not in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    if command in ("inbox list", "inbox publish"):
        assert done.returncode == 0, done.stderr
    else:  # the inbox is empty: they get as far as looking for #1
        assert "there is no submission 1" in refused(done)


@pytest.mark.parametrize("command", ["inbox list", "inbox publish", "inbox withhold", "inbox dismiss"])
def test_inbox_commands_say_which_settings_file_they_read(site: Path, command: str) -> None:
    """Beside pelicanconf.py, publishconf.py is the default: never silently."""
    shutil.copy(ROOT / "publishconf.py", site / "publishconf.py")
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDRESS_")}
    done = subprocess.run(
        [sys.executable, "-m", "pelican.plugins.redress.cli", *COMMANDS[command]],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    first = done.stderr.splitlines()[0]
    assert (
        first
        == f"redress inbox: settings {site / 'publishconf.py'}, database {site / 'inbox' / 'inbox.sqlite3'}"
    )
