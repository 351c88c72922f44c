"""`redress check`'s rules, one behaviour each, on small shops read through the content model.

Each test writes a few review and response files, reads them with
``load_shop`` (the one parser) and checks them as of a fixed time, then
asserts which rule fires on which review or response, and what its
evidence says. The labelled corpus (test_desk_corpus.py) measures the
rules on many replies; these pin down the edges.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from conftest import make_site, pelican_settings, response, review
from pelican.plugins.redress.content.shop import load_shop
from pelican.plugins.redress.desk.check import Result, check
from pelican.plugins.redress.desk.messages import describe
from pelican.plugins.redress.i18n import translations

NOW = dt.datetime(2026, 10, 10, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


def checked(tmp_path: Path, *files: tuple[str, str], now: dt.datetime = NOW, **settings: Any) -> Result:
    site = make_site(tmp_path, *files)
    return check(load_shop(pelican_settings(site, **settings)), now)


def hits(result: Result) -> set[tuple[str, str]]:
    """(rule, review or response slug) of every finding."""
    return {(f.rule, f.entry.slug if f.entry else f.review.slug) for f in result.findings}


def shop_says(slug: str, body: str, date: str = "2026-10-02 16:00", **fields: str) -> tuple[str, str]:
    return response(f"{slug}-1", slug, date=date, body=body, From="shop", **fields)


# -- timing -----------------------------------------------------------------------------


def test_a_negative_review_without_an_answer_is_unanswered_after_the_deadline(tmp_path: Path) -> None:
    result = checked(
        tmp_path,
        review("late", 1, "2026-10-07 09:00", "Parcel never came.", Lang="en"),
        review("fresh", 2, "2026-10-09 09:00", "Parcel never came.", Lang="en"),
        review("happy", 5, "2026-09-01 09:00", "Lovely.", Lang="en"),
    )
    assert hits(result) == {("unanswered", "late")}
    (finding,) = result.findings
    assert finding.entry is None and finding.severity == "warning"
    assert finding.evidence == {"hours_waiting": 75.0, "deadline_hours": 48, "hours_overdue": 27.0}


def test_the_deadline_is_a_setting(tmp_path: Path) -> None:
    files = [review("late", 1, "2026-10-09 09:00", "Broken.", Lang="en")]
    assert hits(checked(tmp_path / "a", *files, REVIEWS_RESPONSE_DEADLINE_HOURS=24)) == {
        ("unanswered", "late")
    }
    assert hits(checked(tmp_path / "b", *files, REVIEWS_RESPONSE_DEADLINE_HOURS=72)) == set()


def test_a_case_in_progress_for_longer_than_the_follow_up_period_is_stale(tmp_path: Path) -> None:
    sorry = "Jan, sorry about the broken grinder; we are looking into it."
    result = checked(
        tmp_path,
        review("old", 1, "2026-09-20 09:00", "The grinder broke.", Author="Jan", Lang="en"),
        shop_says("old", sorry, "2026-09-20 12:00", Status="in-progress"),
        review("edited", 1, "2026-09-20 09:00", "The grinder broke.", Author="Jan", Lang="en"),
        shop_says("edited", sorry, "2026-09-20 12:00", Status="in-progress", Updated="2026-10-08 10:00"),
    )
    assert hits(result) == {("stale", "old")}
    assert result.findings[0].evidence["entry"] == "old-1"
    assert result.findings[0].evidence["days"] > 7


def test_a_resolved_case_without_the_customers_word_gets_advice(tmp_path: Path) -> None:
    answer = "Jan, I'm sorry the grinder broke. A new grinder was sent today."
    result = checked(
        tmp_path,
        review("asked", 1, "2026-09-01 09:00", "The grinder broke.", Author="Jan", Lang="en", Order="A-1"),
        shop_says("asked", answer, Status="resolved", Remedy="apology, replacement"),
        review("confirmed", 1, "2026-09-01 09:00", "The grinder broke.", Author="Jan", Lang="en"),
        shop_says("confirmed", answer, Status="resolved", Remedy="apology, replacement"),
        response(
            "confirmed-2", "confirmed", "2026-10-05 10:00", "Works now.", From="customer", Resolved="yes"
        ),
    )
    assert hits(result) == {("unconfirmed", "asked")}
    (finding,) = result.findings
    assert finding.severity == "advice"
    assert "redress follow-up-link asked" in describe(finding, translations("en").gettext)


# -- apology ------------------------------------------------------------------------------


def test_the_first_answer_to_a_negative_review_must_apologise(tmp_path: Path) -> None:
    result = checked(
        tmp_path,
        review("cold", 2, "2026-10-01 09:00", "The kettle leaks.", Author="Ann", Lang="en"),
        shop_says("cold", "Ann, kettles of that batch need their lid pressed down firmly."),
        review("warm", 2, "2026-10-01 09:00", "The kettle leaks.", Author="Ann", Lang="en"),
        shop_says("warm", "Ann, I'm sorry the kettle leaks; a new lid is in the post."),
        review("fine", 4, "2026-10-01 09:00", "Nice kettle, lid a bit loose.", Author="Ann", Lang="en"),
        shop_says("fine", "Ann, press the lid down firmly until it clicks."),
    )
    assert hits(result) == {("no-apology", "cold-1")}


def test_words_that_only_look_like_an_apology_are_none(tmp_path: Path) -> None:
    texts = {
        "but": "Sorry, but the kettle was fine when it left us.",
        "if": "We're sorry if you were disappointed with the kettle.",
        "feel": "We are sorry you feel that way about the kettle.",
        "dutch-if": "Excuses als de waterkoker niet aan uw verwachting voldeed.",
        "estonian-but": "Vabandust, aga veekeetja oli korras, kui see meilt lahkus.",
    }
    files = []
    for slug, text in texts.items():
        lang = slug.split("-")[0] if "-" in slug else "en"
        lang = {"dutch": "nl", "estonian": "et"}.get(lang, lang)
        files += [review(slug, 1, "2026-10-01 09:00", "Kettle leaks.", Lang=lang), shop_says(slug, text)]
    result = checked(tmp_path, *files)
    assert {slug for rule, slug in hits(result) if rule == "no-apology"} == {f"{s}-1" for s in texts}


def test_a_remedy_line_that_says_apology_needs_the_words(tmp_path: Path) -> None:
    result = checked(
        tmp_path,
        review("says", 4, "2026-10-01 09:00", "Good beans, late parcel.", Author="Ann", Lang="en"),
        shop_says("says", "Ann, the courier had a backlog that week.", Remedy="apology"),
    )
    assert hits(result) == {("no-apology", "says-1")}
    assert result.findings[0].evidence == {"remedy_says_apology": True}


def test_apologies_in_dutch_and_estonian_with_their_inflections(tmp_path: Path) -> None:
    texts = {
        "nl-formal": ("nl", "Onze excuses, Jan, de molen had nooit zo mogen vertrekken."),
        "nl-informal": ("nl", "Jan, het spijt me echt van je molen."),
        "nl-fault": ("nl", "Jan, die fout ligt helemaal bij ons: de molen was niet getest."),
        "et-formal": ("et", "Jaan, palun andke andeks, veski ei oleks tohtinud nii kiiresti katki minna."),
        "et-informal": ("et", "Jaan, vabandan, see oli meie viga: veski oli testimata."),
        "et-regret": ("et", "Jaan, meil on väga kahju, et veski katki läks."),
    }
    files = []
    for slug, (lang, text) in texts.items():
        files += [review(slug, 1, "2026-10-01 09:00", "Molen/veski kapot.", Author="Jan", Lang=lang)]
        files += [shop_says(slug, text)]
    result = checked(tmp_path, *files)
    assert not [h for h in hits(result) if h[0] == "no-apology"]


# -- personal, canned -------------------------------------------------------------------------


def test_an_answer_that_names_nobody_and_nothing_from_the_review_is_not_personal(tmp_path: Path) -> None:
    generic = "Thank you for your feedback. We take every review seriously and will be in touch."
    result = checked(
        tmp_path,
        review("generic", 3, "2026-10-01 09:00", "The milk jug dents easily.", Author="Ann", Lang="en"),
        shop_says("generic", generic),
        review("named", 3, "2026-10-01 09:00", "The milk jug dents easily.", Author="Ann", Lang="en"),
        shop_says("named", "Thank you, Ann. We take every review seriously."),
        review("specific", 3, "2026-10-01 09:00", "The milk jug dents easily.", Author="Ann", Lang="en"),
        shop_says("specific", "Thank you. The thinner jugs do dent; the 600 ml one is sturdier."),
    )
    assert hits(result) == {("not-personal", "generic-1")}
    assert result.findings[0].severity == "advice"


def test_an_answer_pasted_under_three_reviews_is_canned_names_and_greetings_aside(tmp_path: Path) -> None:
    template = (
        "{greeting} {name}, thank you for your review. We are sorry to hear about your experience "
        "and our team will contact you within {hours} hours to find a solution.\n\nKind regards, {who}"
    )
    files = []
    for i, (name, greeting, who) in enumerate(
        (("Ann", "Dear", "Tom"), ("Bob", "Hi", "Eva"), ("Cas", "Hello", "Tom"))
    ):
        slug = f"copy{i}"
        files += [review(slug, 1, f"2026-10-0{i + 1} 09:00", "Broken.", Author=name, Lang="en")]
        text = template.format(greeting=greeting, name=name, hours=24 + i, who=who)
        files += [shop_says(slug, text, f"2026-10-0{i + 1} 12:00")]
    files += [review("own", 1, "2026-10-04 09:00", "Broken.", Author="Dan", Lang="en")]
    files += [
        shop_says("own", "Dan, sorry! The grinder's motor failed; a new one ships today.", "2026-10-04 12:00")
    ]
    result = checked(tmp_path, *files)
    canned = sorted(slug for rule, slug in hits(result) if rule == "canned")
    assert canned == ["copy0-1", "copy1-1", "copy2-1"]
    first = next(f for f in result.findings if f.rule == "canned")
    assert first.evidence["count"] == 2
    assert sorted(first.evidence["matches"]) == ["copy1-1", "copy2-1"]
    assert first.severity == "warning"  # under a negative review


def test_two_copies_are_not_yet_canned_and_short_thanks_never_are(tmp_path: Path) -> None:
    files = []
    for i in range(2):
        files += [review(f"twice{i}", 2, "2026-10-01 09:00", "Late.", Author="Ann", Lang="en")]
        files += [shop_says(f"twice{i}", "Ann, sorry for the wait: the courier lost a day at the depot.")]
    for i in range(4):
        files += [review(f"thanks{i}", 5, "2026-10-01 09:00", "Great.", Author="Bo", Lang="en")]
        files += [shop_says(f"thanks{i}", "Thanks a lot, Bo!")]
    assert [h for h in hits(checked(tmp_path, *files)) if h[0] == "canned"] == []


# -- tone, data, placeholders --------------------------------------------------------------------


def test_blame_shouting_and_exclamation_marks_are_defensive(tmp_path: Path) -> None:
    texts = {
        "blame": ("en", "Sorry Ann, but you should have read the manual first."),
        "terms": ("nl", "Excuses Ann, maar volgens onze algemene voorwaarden is dat niet mogelijk."),
        "truth": ("et", "Ann, see ei vasta tõele, pakk toimetati kätte."),
        "caps": ("en", "Sorry Ann, WE ANSWERED WITHIN THE HOUR."),
        "both": ("en", "Sorry Ann, WE DID NOTHING WRONG here."),
        "bangs": ("en", "Sorry Ann, we answered within the hour!!"),
        "calm": ("en", "Sorry Ann, the manual was missing; a copy is in the post!"),
    }
    files = []
    for slug, (lang, text) in texts.items():
        files += [
            review(slug, 2, "2026-10-01 09:00", "Problem.", Author="Ann", Lang=lang),
            shop_says(slug, text),
        ]
    result = checked(tmp_path, *files)
    defensive = {
        f.entry.slug: f.evidence["phrases"] for f in result.findings if f.rule == "defensive" and f.entry
    }
    assert set(defensive) == {"blame-1", "terms-1", "truth-1", "caps-1", "both-1", "bangs-1"}
    assert defensive["blame-1"] == ["you should have read"]
    assert defensive["caps-1"] == ["WE ANSWERED WITHIN THE HOUR"]
    assert defensive["both-1"] == ["we did nothing wrong"]  # shouted blame is named once
    assert defensive["bangs-1"] == ["!!"]


def test_the_customers_own_data_in_the_shops_words_is_contact_data(tmp_path: Path) -> None:
    result = checked(
        tmp_path,
        review("data", 2, "2026-10-01 09:00", "Late.", Author="Ann", Lang="en", Email="ann@example.org"),
        shop_says("data", "Ann, sorry! I mailed the label to ANN@example.org and called 030 123 4567."),
        review("order", 2, "2026-10-01 09:00", "Late.", Author="Bo", Lang="en", Order="BB-20452"),
        shop_says("order", "Bo, sorry! Order bb 20452 left today."),
        SITEURL="https://bonenbus.example",
        REVIEWS_SHOP_CONTACTS=["+31 30 123 4567"],
    )
    found = {f.entry.slug: f.evidence for f in result.findings if f.rule == "contact-data" and f.entry}
    assert found == {"data-1": {"fields": ["email"]}, "order-1": {"fields": ["order"]}}


def test_placeholders_left_in_are_found_and_hidden_data_notes_are_not_placeholders(tmp_path: Path) -> None:
    texts = {
        "square": "Dear [CUSTOMER NAME], sorry about the grinder.",
        "curly": "Hi {{ first_name }}, sorry about the grinder.",
        "fill": "Sorry about the grinder, Ann. Your tracking code: [insert tracking code].",
        "marker": "Sorry about the grinder, Ann. [[say what you did]]",
        "xxx": "Sorry about the grinder, XXX.",
        "hidden": "Sorry about the grinder, Ann; we wrote to someone@example.org.",
        "aside": "Sorry about the grinder, Ann; you wrote it 'stopped [sic] turning'.",
    }
    files = []
    for slug, text in texts.items():
        files += [review(slug, 1, "2026-10-01 09:00", "Grinder broke.", Author="Ann", Lang="en")]
        files += [shop_says(slug, text)]
    result = checked(tmp_path, *files)
    found = {
        f.entry.slug: f.evidence["placeholders"]
        for f in result.findings
        if f.rule == "placeholder" and f.entry
    }
    assert found == {
        "square-1": ["[CUSTOMER NAME]"],
        "curly-1": ["{{ first_name }}"],
        "fill-1": ["[insert tracking code]"],
        "marker-1": ["[[say what you did]]"],
        "xxx-1": ["XXX"],
    }


# -- trolls, languages, order, scope --------------------------------------------------------------


def test_a_case_closed_as_no_action_with_a_note_is_left_alone_except_for_mistakes(tmp_path: Path) -> None:
    result = checked(
        tmp_path,
        review("troll", 1, "2026-09-01 09:00", "SCAM!!!", Lang="en"),
        response(
            "troll-1",
            "troll",
            "2026-09-01 12:00",
            "That is simply not true, [NAME].",
            From="shop",
            Status="no-action",
            Note="Not a customer.",
        ),
        review("silent", 1, "2026-09-01 09:00", "SCAM!!!", Lang="en"),
        response(
            "silent-1", "silent", "2026-09-01 12:00", "", From="shop", Status="no-action", Note="Troll."
        ),
    )
    assert hits(result) == {("placeholder", "troll-1")}


def test_a_language_without_a_rule_set_is_counted_not_judged(tmp_path: Path) -> None:
    result = checked(
        tmp_path,
        review("de", 1, "2026-10-01 09:00", "Kaputt.", Author="Jürgen", Lang="de"),
        shop_says("de", "Jürgen, das Paket wurde zugestellt, Sie hätten es abholen müssen!!"),
        review("en-under-nl", 1, "2026-10-01 09:00", "Kapot.", Author="Piet", Lang="nl"),
        shop_says("en-under-nl", "Piet, you should have read the manual before you used the machine."),
    )
    assert result.not_checked == {"de": 1}
    assert hits(result) == {
        ("defensive", "de-1"),  # the exclamation marks: read in any language
        ("no-apology", "en-under-nl-1"),
        ("defensive", "en-under-nl-1"),
    }
    assert {f.lang for f in result.findings if f.entry and f.entry.slug == "en-under-nl-1"} == {"en"}


def test_findings_are_ordered_by_review_date_then_response_date(tmp_path: Path) -> None:
    result = checked(
        tmp_path,
        review("second", 1, "2026-09-02 09:00", "Broken.", Author="Ann", Lang="en"),
        response("second-1", "second", "2026-09-05 10:00", "[NAME]", From="shop"),
        response("second-2", "second", "2026-09-03 10:00", "Ann, you should have read it!!", From="shop"),
        review("first", 1, "2026-09-01 09:00", "Broken.", Lang="en"),
    )
    order = [(f.review.slug, f.entry.slug if f.entry else None, f.rule) for f in result.findings]
    assert order == [
        ("first", None, "unanswered"),
        ("second", "second-2", "no-apology"),
        ("second", "second-2", "defensive"),
        ("second", "second-1", "placeholder"),
    ]


def test_only_the_reviews_asked_for_and_only_since_a_day(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        review("old", 1, "2026-08-01 09:00", "Broken.", Lang="en"),
        review("new", 1, "2026-10-01 09:00", "Broken.", Lang="en"),
        review("answered", 1, "2026-08-01 09:00", "Broken.", Author="Ann", Lang="en"),
        response("answered-1", "answered", "2026-10-02 10:00", "Ann, that is not true!!", From="shop"),
    )
    shop = load_shop(pelican_settings(site))
    since = dt.datetime(2026, 9, 1, tzinfo=ZoneInfo("Europe/Amsterdam"))
    assert {slug for _, slug in hits(check(shop, NOW, since=since))} == {"new", "answered-1"}
    assert hits(check(shop, NOW, reviews={"old"})) == {("unanswered", "old")}
    assert check(shop, NOW, reviews={"old"}).reviews == 1
