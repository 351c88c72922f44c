"""`redress respond`: start the next response to a review from a template; the words are the shop's.

Seed 000's FAQ: automation for speed, personal words for impact. So a
template writes what every good answer has (the reviewer addressed by the
name they show, an apology, an offer to continue in private with the
shop's own contact details, the promise to report back here) and leaves
``[[…]]`` markers for the specifics, which ``redress check`` flags as
``placeholder`` until the owner has written them. The file is the next
``<review>-N.md`` in the responses folder, ``From: shop``, ``Status:
in-progress``, dated now, in the review's language. Nothing is published
until the owner builds.

Templates are ``<lang>/<name>.md``: the shop's own, in the folder
REVIEWS_RESPONSE_TEMPLATES (next to the settings file), win over the
theme's ``templates/redress/desk/respond/`` and Redress's built-in ones.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import textwrap
from pathlib import Path
from typing import Any

from jinja2 import Environment, TemplateNotFound
from markupsafe import Markup

from .. import templating
from ..content import files
from ..content.model import Review
from ..content.privacy import phone_digits
from ..content.reader import timezone_from
from ..content.rules import is_email
from ..content.shop import Shop
from ..i18n import LANGUAGES
from .rules import name_words
from .shared import DeskError, add_site_options, known_reviews, load, now_in, shown_path

#: The built-in templates, in every language of :data:`~redress.i18n.LANGUAGES`.
TEMPLATES = ("general", "damaged", "late", "wrong-item", "defect", "billing", "rude-service")
BUILT_IN = "redress/desk/respond/{lang}/{name}.md"
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def add_parser(commands: Any) -> None:
    """Register `redress respond`."""
    parser = commands.add_parser(
        "respond",
        help="start the next response to a review from a template (you write the specifics)",
        description=textwrap.fill(
            "Write the next response file for REVIEW (<review>-N.md in the responses folder): "
            "From: shop, Status: in-progress, dated now, in the review's language, addressed to the "
            "reviewer, with an apology, your contact details and [[markers]] for what only you can "
            "write. `redress check` flags the markers until you have replaced them.",
            width=90,
        ),
        epilog="templates: " + ", ".join(TEMPLATES) + " (and your own in REVIEWS_RESPONSE_TEMPLATES/<lang>/)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("review", metavar="REVIEW", help="the review's file name without .md")
    parser.add_argument(
        "--template", default="general", metavar="NAME", help="which template (default: %(default)s)"
    )
    add_site_options(parser, "the response's date (default: now)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    path, settings, shop = load(args.settings, "redress respond")
    known_reviews(shop, [args.review])
    review = next(r for r in shop.reviews if r.slug == args.review)
    if not NAME_RE.match(args.template):
        raise DeskError(f"--template {args.template}: use a name like {', '.join(TEMPLATES)}")
    lang = template_language(review, settings)
    own = own_templates(settings, path)
    env = templating.environment(settings, lang)
    text = render(env, own, lang, args.template, values(review, shop))
    tz = timezone_from(settings)
    target = write_response(Path(settings["PATH"]), shop, review, text, now_in(args.now, tz))
    shown = shown_path(target, path.resolve().parent)
    print(
        f"redress respond: wrote {shown} (template {args.template}, {lang}). Replace every [[…]] with "
        f"your own words, then run `redress check {review.slug}` and build."
    )
    return 0


def template_language(review: Review, settings: dict[str, Any]) -> str:
    """The review's language when there are built-in templates for it, else the site's, else English."""
    for lang in (review.lang, settings.get("DEFAULT_LANG") or "en"):
        base = (lang or "").replace("_", "-").split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return "en"


def own_templates(settings: dict[str, Any], settings_file: Path) -> Path | None:
    """The shop's own template folder, if it exists: REVIEWS_RESPONSE_TEMPLATES, next to the settings file."""
    folder = settings.get("REVIEWS_RESPONSE_TEMPLATES", "response-templates")
    if not folder:
        return None
    path = Path(folder).expanduser()
    path = path if path.is_absolute() else settings_file.resolve().parent / path
    return path if path.is_dir() else None


def render(env: Environment, own: Path | None, lang: str, name: str, context: dict[str, Any]) -> str:
    """The template ``name`` in ``lang``: the shop's own first, then the theme's and the built-in one."""
    mine = own / lang / f"{name}.md" if own else None
    try:
        if mine is not None and mine.is_file():
            template = env.from_string(mine.read_text(encoding="utf-8"))
        else:
            template = env.get_template(BUILT_IN.format(lang=lang, name=name))
    except TemplateNotFound:
        known = sorted(set(TEMPLATES) | ({p.stem for p in (own / lang).glob("*.md")} if own else set()))
        raise DeskError(
            f"--template {name}: there is no template {name!r} in {lang}; use one of: {', '.join(known)}"
        ) from None
    except OSError as err:
        raise DeskError(f"{mine}: cannot be read: {err.strerror}") from None
    return template.render(context).strip() + "\n"


#: What Markdown makes something of in a customer's words: a link (``[Kees](https://…)``), an
#: autolink or tag (``<…>``), emphasis, code, or an escape.
_MARKDOWN_RE = re.compile(r"([\\`*_\[\]>])")


def as_words(text: str) -> str:
    """A customer's name or title as words in the shop's Markdown answer, never a link.

    A reviewer named ``[Kees](https://evil.example/login)`` was greeted with a
    link in the shop's own published answer once the greeting was kept.
    """
    # "<" has no backslash escape; "&" would make "&lt;" typed by the customer a "<".
    return _MARKDOWN_RE.sub(r"\\\1", text.replace("&", "&amp;")).replace("<", "&lt;")


def values(review: Review, shop: Shop) -> dict[str, Any]:
    """What a template may use; text is marked safe because it goes into a Markdown file, not a page;
    what the customer wrote is escaped for Markdown (see :func:`as_words`)."""
    rs = shop.settings
    contacts = list(rs["REVIEWS_SHOP_CONTACTS"])
    emails = [c for c in contacts if is_email(c.strip())]
    phones = [c for c in contacts if c not in emails and phone_digits(c)]
    shown = " / ".join([*emails[:1], *phones[:1]])
    return {
        "name": Markup(as_words(greeting_name(review.author))) if review.author else Markup(_anyone(review)),
        "author": Markup(as_words(review.author)),
        "shop": Markup(rs["REVIEWS_SHOP_NAME"] or ""),
        "product": Markup(review.product.title) if review.product else "",
        "contact": Markup(shown),
        "review_title": Markup(as_words(review.title)),
    }


def greeting_name(author: str) -> str:
    """The name to greet: the first word of the shown name when it is a name ("Jan de V." is Jan)."""
    words = author.split()
    first = words[0].strip(",.()") if words else ""
    if first and first.lower() in name_words(author) and len(first) > 1:
        return first
    return author.strip()


def _anyone(review: Review) -> str:
    lang = review.lang.split("-")[0].lower()
    return {"nl": "klant", "et": "klient"}.get(lang, "customer")


def write_response(content: Path, shop: Shop, review: Review, text: str, now: dt.datetime) -> Path:
    """Write ``<review>-N.md`` with the next free N; never replaces a file."""
    folder = content / shop.settings["REVIEWS_RESPONSE_DIR"]
    taken = {e.slug for e in review.thread}
    if folder.is_dir():
        taken |= {p.stem for p in folder.rglob(f"{review.slug}-*.md")}
    numbered = re.compile(rf"{re.escape(review.slug)}-(\d+)")
    number = 1 + max((int(m[1]) for m in map(numbered.fullmatch, taken) if m), default=0)
    # The time as the owner reads and types it, in the site's zone (files.format_date).
    body = files.response_text(
        review=review.slug,
        date=now.replace(tzinfo=None),
        text=text,
        status="in-progress",
        remedies=("apology",),
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        while True:
            target = folder / f"{review.slug}-{number}.md"
            try:
                with target.open("x", encoding="utf-8") as out:
                    out.write(body)
                return target
            except FileExistsError:
                number += 1
    except OSError as err:
        raise DeskError(f"{folder}: cannot write the response: {err.strerror}") from None
