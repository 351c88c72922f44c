"""The review-request forms: static pages any customer can fill in on a phone.

The build writes the general form (shop or a product picked from a list), a
form per product, the follow-up form ("was it fixed?"), the thank-you page
and, unless the shop links its own, a short privacy note. The forms post to
the inbox (REVIEWS_FORM_ACTION) and work without JavaScript; write.js only
adds a counter, a saved draft, sending in place and the invitation token.
The same templates render a form with errors when the inbox sends it back.
"""

from __future__ import annotations

import functools
from functools import partial
from typing import Any

from babel import Locale

from ..content.model import LIMITS, Product
from ..i18n import LANGUAGES
from ..templating import render
from .build import Build


@functools.lru_cache(maxsize=16)
def language_choices(page_lang: str) -> tuple[tuple[str, str], ...]:
    """Languages a customer can pick for their review, each named in itself.

    Remembered per page language: a shop has a form per product, and Babel
    names each language anew when asked (a tenth of a second for 500 forms).
    A tuple, so no caller can change what the next one gets.
    """
    codes = list(dict.fromkeys([page_lang.split("-")[0], *LANGUAGES]))
    choices = []
    for code in codes:
        try:
            name = Locale.parse(code).get_display_name(code) or code
        except (ValueError, TypeError):
            name = code
        choices.append((code, name[:1].upper() + name[1:]))
    return tuple(choices)


def form_context(
    shop: Any, urls: Any, page_lang: str, siteurl: str, js_url: str, languages: bool = True
) -> dict[str, Any]:
    """What every form page needs besides the shared page context.

    Used by the build (static forms) and by the inbox (a form sent back
    with the customer's values and the problems next to the fields). The
    build asks without ``languages`` and adds them only to a form it writes:
    naming them loads Babel's locale data, a tenth of a second of a rebuild
    that writes no form.
    """
    rs = shop.settings
    return {
        "limits": LIMITS,
        **({"languages": language_choices(page_lang)} if languages else {}),
        "products": sorted(shop.products.values(), key=lambda p: p.title.lower()),
        "privacy_url": rs["REVIEWS_PRIVACY_URL"] or siteurl + "/" + urls.privacy(),
        "js_url": js_url,
        "values": {},
        "errors": {},
    }


def write_forms(build: Build) -> None:
    rs = build.shop.settings
    if not rs["REVIEWS_FORM_ACTION"]:
        return
    urls = build.urls
    js_url = build.static("write.js")
    context = dict(
        build.base,
        **form_context(build.shop, urls, build.lang, build.base["SITEURL"], js_url, languages=False),
    )
    pages: list[tuple[str, str, dict[str, Any]]] = [
        ("redress/write", urls.write(), {"product": None, "action": rs["REVIEWS_FORM_ACTION"]}),
        ("redress/thanks", urls.thanks(), {"kind": "review"}),
    ]
    for each in build.shop.products.values():
        pages.append(
            (
                "redress/write",
                urls.write(each.slug),
                {"product": each, "action": rs["REVIEWS_FORM_ACTION"]},
            )
        )
    if rs["REVIEWS_FOLLOWUP_ACTION"]:
        pages.append(("redress/follow_up", urls.follow_up(), {"action": rs["REVIEWS_FOLLOWUP_ACTION"]}))
        pages.append(("redress/thanks", urls.thanks("follow-up"), {"kind": "follow-up"}))
    if not rs["REVIEWS_PRIVACY_URL"]:
        pages.append(("redress/privacy", urls.privacy(), {}))
    # Only the general form lists the products; a product's own form names its product alone.
    product_list = repr([(p.slug, p.title) for p in context["products"]])
    for template_name, url, extra in pages:
        template = build.template(template_name + ".html")
        product: Product | None = extra.get("product")
        page = dict(
            context,
            page_url=url,
            feed_links=build.feed_links(product.slug if product else None),
            **extra,
        )
        inputs = "|".join(
            [
                template_name,
                url,
                context["js_url"],
                repr(product) if product else product_list,
                repr(page["feed_links"]),
            ]
        )
        build.pages.write(urls.save_as(url), inputs, partial(_render, template, page))


def _render(template: Any, page: dict[str, Any]) -> str:
    return render(template, page, languages=language_choices(page["page_lang"]))
