"""The words of an invitation: the e-mail and the line on the printed insert.

These are mail templates, not interface text, so they live here as plain
Python rather than in the gettext catalogs: a shop owner who wants other
words edits :data:`TEXTS` (keep every ``{placeholder}``). Whatever the
words, they follow the rules Redress is built on:

- ask *every* customer the same way, for an *honest* review;
- say that every review is published, good or bad;
- never hint at a rating ("5 stars", "if you are happy"), and never offer
  anything that depends on one; an incentive (REVIEWS_INCENTIVE) is
  mentioned with "whatever your rating".

The tests check the last rule in every language.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence

from ..i18n import Formatter

#: Placeholders: {name} {order} {shop} {links} {incentive} {expires} {product} {link}.
TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "subject": "What do you think of your order from {shop}?",
        "greeting": "Hello {name},",
        "greeting_no_name": "Hello,",
        "body": (
            "{greeting}\n\n"
            "Thank you for your order {order} at {shop}. Would you tell other customers what you "
            "think of it? A few honest lines help them more than anything we could write ourselves.\n\n"
            "{links}\n\n"
            "We publish every review, good or bad, and we answer them in public.\n\n"
            "{incentive}\n\n"
            "The links are personal and work until {expires}.\n\n"
            "Thank you,\n"
            "{shop}\n"
        ),
        "product_link": "{product}: {link}",
        "shop_link": "Our service and delivery: {link}",
        "order_link": "Your order: {link}",
        "incentive": "{incentive} It is the same whatever your rating.",
        "insert": "What do you think of your order? Scan the code and tell other customers, honestly.",
    },
    "nl": {
        "subject": "Wat vind je van je bestelling bij {shop}?",
        "greeting": "Hallo {name},",
        "greeting_no_name": "Hallo,",
        "body": (
            "{greeting}\n\n"
            "Bedankt voor je bestelling {order} bij {shop}. Wil je andere klanten vertellen wat je "
            "ervan vindt? Een paar eerlijke regels helpen hen meer dan alles wat wij zelf kunnen "
            "schrijven.\n\n"
            "{links}\n\n"
            "We publiceren elke review, positief of negatief, en we reageren er openbaar op.\n\n"
            "{incentive}\n\n"
            "De links zijn persoonlijk en werken tot {expires}.\n\n"
            "Bedankt!\n"
            "{shop}\n"
        ),
        "product_link": "{product}: {link}",
        "shop_link": "Onze service en levering: {link}",
        "order_link": "Je bestelling: {link}",
        "incentive": "{incentive} Dat geldt ongeacht je beoordeling.",
        "insert": "Wat vind je van je bestelling? Scan de code en vertel het eerlijk aan andere klanten.",
    },
    "et": {
        "subject": "{shop}: mida arvate oma tellimusest?",
        "greeting": "Tere, {name}!",
        "greeting_no_name": "Tere!",
        "body": (
            "{greeting}\n\n"
            "Täname teid tellimuse {order} eest. Kas räägiksite teistele klientidele, mida te "
            "sellest arvate? Paar ausat rida aitab neid rohkem kui miski, mida me ise kirjutada "
            "saaksime.\n\n"
            "{links}\n\n"
            "Avaldame kõik arvustused, nii head kui ka halvad, ja vastame neile avalikult.\n\n"
            "{incentive}\n\n"
            "Lingid on isiklikud ja kehtivad kuni {expires}.\n\n"
            "Aitäh!\n"
            "{shop}\n"
        ),
        "product_link": "{product}: {link}",
        "shop_link": "Meie teenindus ja tarne: {link}",
        "order_link": "Teie tellimus: {link}",
        "incentive": "{incentive} See kehtib olenemata teie hinnangust.",
        "insert": (
            "Mida arvate oma tellimusest? Skannige kood ja rääkige sellest ausalt teistele klientidele."
        ),
    },
}
FALLBACK = "en"
#: Language names a spreadsheet may hold instead of a code.
LANGUAGE_NAMES = {
    "english": "en",
    "engels": "en",
    "inglise": "en",
    "dutch": "nl",
    "nederlands": "nl",
    "hollandi": "nl",
    "estonian": "et",
    "eesti": "et",
    "ests": "et",
}


@functools.cache
def text_language(value: str, default: str) -> str:
    """The language of the texts for a customer: theirs when we have it, else English.

    An empty value means the site's DEFAULT_LANG; ``nl-BE``, ``NL`` and
    ``Nederlands`` are all Dutch.
    """
    code = (value.strip() or default or FALLBACK).casefold()
    base = re.split(r"[-_]", code)[0]
    base = LANGUAGE_NAMES.get(base, base)
    return base if base in TEXTS else FALLBACK


@functools.cache
def _formatter(lang: str) -> Formatter:
    return Formatter(lang)


def compose(
    lang: str,
    *,
    name: str,
    order: str,
    shop: str,
    product_links: Sequence[tuple[str, str]],
    general_link: str,
    expires: dt.date,
    incentive: str | None = None,
) -> tuple[str, str]:
    """The subject and plain-text body of one invitation e-mail.

    ``product_links`` holds (product title, link) pairs; ``general_link``
    is the order's own link, for the shop (or the order, without products).
    """
    text = TEXTS[lang]
    lines = [text["product_link"].format(product=title, link=link) for title, link in product_links]
    general = text["shop_link"] if product_links else text["order_link"]
    lines.append(general.format(link=general_link))
    greeting = text["greeting"].format(name=name) if name else text["greeting_no_name"]
    body = text["body"].format(
        greeting=greeting,
        order=order,
        shop=shop,
        links="\n".join(lines),
        incentive=text["incentive"].format(incentive=incentive.strip()) if incentive else "",
        expires=_formatter(lang).date(expires),
    )
    # An empty placeholder (no incentive) leaves no empty paragraph behind.
    body = re.sub(r"\n{3,}", "\n\n", body)
    return text["subject"].format(shop=shop, order=order), body


def check_texts() -> list[str]:
    """Problems in :data:`TEXTS` after an edit (a placeholder that does not exist), one line each.

    Checked before anything is written, so a typo in a template stops the run
    with a line that says where, not with a traceback after half the orders.
    """
    values = dict.fromkeys(("name", "order", "shop", "links", "incentive", "expires", "product", "link"), "")
    values["greeting"] = ""
    problems = []
    for lang, texts in TEXTS.items():
        for key, text in texts.items():
            try:
                text.format(**values)
            except (KeyError, IndexError, ValueError) as err:
                problems.append(
                    f"{__file__}: TEXTS[{lang!r}][{key!r}]: {err!r} cannot be filled in; "
                    "use only {name} {order} {shop} {links} {incentive} {expires} {product} {link} "
                    "{greeting}, and double {{ }} for a brace"
                )
    return problems


def insert_line(lang: str) -> str:
    """The one line of text on the printed insert, beside the QR code."""
    return TEXTS[lang]["insert"]
