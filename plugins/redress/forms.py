"""The review-request forms: static pages any customer can fill in on a phone.

The build writes the general form (shop or a product picked from a list), a
form per product, the follow-up form ("was it fixed?"), the thank-you page
and, unless the shop links its own, a short privacy note. The forms post to
the inbox (REVIEWS_FORM_ACTION) and work without JavaScript; write.js only
adds a counter, a saved draft, sending in place and the invitation token.
The same templates render a form with errors when the inbox sends it back.
"""

from __future__ import annotations

from typing import Any

from babel import Locale

from .i18n import LANGUAGES
from .model import LIMITS


def language_choices(page_lang: str) -> list[tuple[str, str]]:
    """Languages a customer can pick for their review, each named in itself."""
    codes = list(dict.fromkeys([page_lang.split("-")[0], *LANGUAGES]))
    choices = []
    for code in codes:
        try:
            name = Locale.parse(code).get_display_name(code) or code
        except (ValueError, TypeError):
            name = code
        choices.append((code, name[:1].upper() + name[1:]))
    return choices


def form_context(shop: Any, urls: Any, page_lang: str, siteurl: str, js_url: str) -> dict[str, Any]:
    """What every form page needs besides the shared page context.

    Used by the build (static forms) and by the inbox (a form sent back
    with the customer's values and the problems next to the fields).
    """
    rs = shop.settings
    return {
        "limits": LIMITS,
        "languages": language_choices(page_lang),
        "products": sorted(shop.products.values(), key=lambda p: p.title.lower()),
        "privacy_url": rs["REVIEWS_PRIVACY_URL"] or siteurl + "/" + urls.privacy(),
        "js_url": js_url,
        "values": {},
        "errors": {},
    }


def write_forms(section: Any) -> None:
    rs = section.shop.settings
    if not rs["REVIEWS_FORM_ACTION"]:
        return
    urls = section.urls
    js_url = section.write_static("write.js")
    context = dict(
        section.base, **form_context(section.shop, urls, section.page_lang, section.base["SITEURL"], js_url)
    )
    pages: list[tuple[str, str, dict[str, Any]]] = [
        ("redress/write", urls.write(), {"product": None, "action": rs["REVIEWS_FORM_ACTION"]}),
        ("redress/thanks", urls.thanks(), {"kind": "review"}),
    ]
    for product in section.shop.products.values():
        pages.append(
            (
                "redress/write",
                urls.write(product.slug),
                {"product": product, "action": rs["REVIEWS_FORM_ACTION"]},
            )
        )
    if rs["REVIEWS_FOLLOWUP_ACTION"]:
        pages.append(("redress/follow_up", urls.follow_up(), {"action": rs["REVIEWS_FOLLOWUP_ACTION"]}))
        pages.append(("redress/thanks", urls.thanks("follow-up"), {"kind": "follow-up"}))
    if not rs["REVIEWS_PRIVACY_URL"]:
        pages.append(("redress/privacy", urls.privacy(), {}))
    for template_name, url, extra in pages:
        template = section.get_template(template_name)
        product = extra.get("product")
        page = dict(
            context,
            page_url=url,
            feed_links=section.feed_links_for(product.slug if product else None),
            **extra,
        )
        inputs = "|".join(
            [
                template_name,
                url,
                context["js_url"],
                product.title if product else "",
                repr(context["products"]),
            ]
        )
        section.pages.write(
            urls.save_as(url), inputs, lambda page=page, t=template: t.render(page), section.context
        )
