"""Forms sent back to the customer, rendered from the build's own templates.

Without JavaScript, a form with a problem comes back from the inbox as the
same page the build wrote, with what the customer typed filled in and the
problem next to each field, in the page's language.
"""

from __future__ import annotations

import functools
from typing import Any

from jinja2 import Environment

from .. import templating
from ..i18n import translations
from ..site.build import base_context
from ..site.forms import form_context
from .config import InboxConfig


class FormPages:
    def __init__(self, config: InboxConfig, shop: Any):
        self.config = config
        self.shop = shop
        self.siteurl = config.urls.absolute("").rstrip("/")

    @functools.lru_cache(maxsize=8)  # noqa: B019 - one environment per language, for the process's life
    def environment(self, lang: str) -> Environment:
        return templating.environment(self.config.settings, lang)

    def render(self, kind: str, lang: str, values: dict[str, str], errors: dict[str, str]) -> str:
        rs = self.config.rs
        urls = self.config.urls
        product = self.shop.products.get(values.get("p", "")) if kind == "review" else None
        context = base_context(rs, urls, lang, self.siteurl, urls.static("redress.css"))
        context.update(form_context(self.shop, urls, lang, self.siteurl, urls.static("write.js")))
        context.update(
            values=values,
            errors=errors,
            product=product,
            page_url=urls.write(product.slug if product else None) if kind == "review" else urls.follow_up(),
            action=rs["REVIEWS_FORM_ACTION"] if kind == "review" else rs["REVIEWS_FOLLOWUP_ACTION"],
        )
        template = "redress/write.html" if kind == "review" else "redress/follow_up.html"
        return self.environment(lang).get_template(template).render(context)

    def thanks_text(self, kind: str, lang: str, needs_check: bool = False) -> tuple[str, str]:
        """The thank-you shown in place (with JavaScript); it promises only what will happen.

        A follow-up without its signed link is not published as the
        customer's word until the shop has checked it (``needs_check``).
        """
        _ = translations(lang).gettext
        if kind == "review":
            return _("Thank you for your review"), _(
                "We have received it and will publish it on our review page, whatever the rating."
            )
        if needs_check:
            return _("Thank you for your answer"), _(
                "We have received it. If you answered through the link we sent you, we will publish it "
                "next to your review; otherwise we will first check that it comes from you."
            )
        return _("Thank you for your answer"), _(
            "We have received it and will publish it next to your review."
        )
