"""Keep customers' contact details out of everything the build publishes.

The private fields (Email, Order, Phone) never reach a template. Customers
and staff also type such details into the text itself ("call me on 06-…",
"your order BB-20452"); those are replaced, in the published copy only,
by a short note saying something was hidden. The files keep every word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from .rules import EMAIL_RE

# International (+31 6 1234 5678, +372 5123 4567) or national numbers that
# start with 0 (06-12345678, 020 123 4567): at least 8 more digits. Dates
# and prices do not start that way.
PHONE_RE = re.compile(r"(?<![\w+])(?:\+|00)?(?:\+?\d{1,3}[ .-]?)?\(?0?\d(?:[ .()-]{0,2}\d){7,12}(?!\w)")
PHONE_START_RE = re.compile(r"^\(?(?:\+|00|0)")


def _phone(match: re.Match[str]) -> bool:
    return bool(PHONE_START_RE.match(match.group(0)))


def redact(text: str, private: Mapping[str, str], gettext: Callable[[str], str]) -> str:
    """Replace e-mail addresses, phone numbers and the given private values.

    ``private`` maps a private field (email, order, phone) to its value.
    """
    if not text:
        return text
    labels = {
        "email": gettext("[e-mail address hidden]"),
        "phone": gettext("[phone number hidden]"),
        "order": gettext("[order number hidden]"),
    }
    values = sorted(((v, k) for k, v in private.items() if v and len(v) >= 3), key=lambda vk: -len(vk[0]))
    for value, kind in values:
        if value in text:
            text = text.replace(value, labels.get(kind, labels["order"]))
    if "@" in text:
        text = EMAIL_RE.sub(labels["email"], text)
    return PHONE_RE.sub(lambda m: labels["phone"] if _phone(m) else m.group(0), text)
