"""Every word the desk says to a shop owner exists in Dutch and Estonian.

The messages are extracted from the desk's code and templates as Babel
extracts them for translators (babel.cfg), and each must have a non-empty
translation in the nl and et catalogs with the same placeholders.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from pelican.plugins.redress.i18n import TRANSLATIONS_DIR
from pelican.plugins.redress.templating import PACKAGE_DIR, TEMPLATES_DIR

JINJA = {"extensions": "jinja2.ext.i18n", "trimmed": "true"}


def desk_messages() -> set[str]:
    found = set()
    for path in sorted((PACKAGE_DIR / "desk").glob("*.py")):
        found |= {m[1] for m in extract_from_file("python", str(path)) if isinstance(m[1], str)}
    for path in sorted((TEMPLATES_DIR / "redress" / "desk").glob("*.html")):
        found |= {
            m[1] for m in extract_from_file("jinja2", str(path), options=JINJA) if isinstance(m[1], str)
        }
    return found


def test_the_desk_has_messages_to_translate() -> None:
    messages = desk_messages()
    assert len(messages) > 30
    assert "warning" in messages and "Open cases, oldest first" in messages


@pytest.mark.parametrize("lang", ["nl", "et"])
def test_every_desk_message_is_translated(lang: str) -> None:
    with (TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "redress.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    for message in sorted(desk_messages()):
        entry = catalog.get(message)
        assert entry is not None and entry.string, f"{lang}: no translation for {message!r}"
        assert sorted(re.findall(r"%\(\w+\)s", message)) == sorted(re.findall(r"%\(\w+\)s", entry.string)), (
            message
        )


def test_the_po_files_are_read_without_duplicates() -> None:
    for lang in ("nl", "et"):
        text = Path(TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "redress.po").read_text(encoding="utf-8")
        ids = re.findall(r'^msgid "(.+)"$', text, flags=re.MULTILINE)
        assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1][:3]
