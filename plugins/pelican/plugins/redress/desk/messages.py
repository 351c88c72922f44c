"""What each finding says to the shop owner, in the shop's own language.

The words are gettext messages (the catalogs in ``translations/``), so the
owner of a Dutch shop reads Dutch. They say what is wrong in plain words
and what to do about it; the rule ids stay English, as a stable interface.
"""

from __future__ import annotations

from collections.abc import Callable

from .check import Finding

Gettext = Callable[[str], str]


def describe(finding: Finding, gettext: Gettext) -> str:
    """The finding as one or two sentences for the shop owner."""
    _ = gettext
    rule, ev = finding.rule, finding.evidence
    slug = finding.review.slug
    if rule == "unanswered":
        return _(
            "This negative review has waited %(hours)s hours for an answer (the deadline is %(deadline)s "
            "hours). Answer in public, even briefly; `redress respond %(review)s` starts one."
        ) % {"hours": _number(ev["hours_waiting"]), "deadline": _number(ev["deadline_hours"]), "review": slug}
    if rule == "stale":
        return _(
            'The case has said "in progress" for %(days)s days. Tell the reviewer, and every reader, '
            "how it was solved or what is still being done."
        ) % {"days": _number(ev["days"])}
    if rule == "unconfirmed":
        if ev.get("can_link"):
            return _(
                "You marked this case resolved, but the customer has not said whether it was fixed. "
                "Ask them: `redress follow-up-link %(review)s` prints their link."
            ) % {"review": slug}
        return _(
            "You marked this case resolved, but the customer has not said whether it was fixed. "
            "Ask them to say so on the follow-up form."
        )
    if rule == "no-apology":
        if ev.get("remedy_says_apology"):
            return _(
                "The Remedy line lists an apology, but the words hold none. Say sorry in the text, "
                "in your own words, or take apology off the Remedy line."
            )
        return _(
            "The first answer to this negative review does not apologise. An apology weighs more with "
            "readers than compensation: say sorry for what went wrong, in your own words."
        )
    if rule == "not-personal":
        return _(
            "This answer neither names the reviewer nor mentions anything from the review. Refer to "
            "what they wrote, so every reader sees that you read it."
        )
    if rule == "canned":
        return _(
            "This answer is nearly the same as %(count)s other answers (%(examples)s). Readers notice "
            "copied text: keep what helps, and write the rest about this case."
        ) % {"count": ev["count"], "examples": ", ".join(ev["matches"][:3])}
    if rule == "no-remedy":
        return _(
            "The case is marked resolved, but no answer says what was done (a refund, a replacement, a "
            "repair, …). Add a Remedy line, and a sentence on how it was solved."
        )
    if rule == "defensive":
        return _(
            "These words can read as an argument: %(phrases)s. Stay polite and do not argue in public; "
            "sleep on it and read it again tomorrow before you publish."
        ) % {"phrases": ", ".join(f"“{p}”" for p in ev["phrases"])}
    if rule == "contact-data":
        return _(
            "This answer repeats the customer's own %(fields)s. The page hides it, but take it out of the "
            'file too: "we have e-mailed you" is enough.'
        ) % {"fields": ", ".join(_field(f, gettext) for f in ev["fields"])}
    if rule == "placeholder":
        return _(
            "A template placeholder is still in the text: %(placeholders)s. Replace it with your own "
            "words before you publish."
        ) % {"placeholders": ", ".join(f"“{p}”" for p in ev["placeholders"])}
    raise ValueError(f"no message for rule {rule!r}")


def _field(name: str, gettext: Gettext) -> str:
    words = {
        "email": gettext("e-mail address"),
        "phone": gettext("phone number"),
        "order": gettext("order number"),
    }
    return words.get(name, name)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.0f}"
