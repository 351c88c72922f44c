"""The shop platforms' exports (WooCommerce, Shopify, Judge.me, Kiyoh) with their default contents.

For the Trustpilot, Google and Google Play tests: their ``recognise`` must say
no to every one of these, so ``redress import auto`` never picks the wrong reader.
"""

from __future__ import annotations

from pathlib import Path

from . import judgeme, kiyoh, shopify, woocommerce


def shop_platform_exports(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [
        shopify.write_csv(folder),
        judgeme.write_csv(folder),
        woocommerce.write_rest_reviews(folder),
        woocommerce.write_wp_comments(folder),
        woocommerce.write_wxr(folder),
        kiyoh.write_json(folder),
        kiyoh.write_xml(folder),
    ]
