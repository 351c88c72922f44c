"""Contact details typed into a review, in every shape the shop's customers type them.

One real build of a site with a review per case: each number, account or
private value must be gone from every published file and replaced by its
note on the review's own page; ordinary numbers (prices, dates, postcodes,
product codes) must stay as they were written.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import build, make_site, response, review, soup
from pelican.plugins.redress.content.shop import load_shop
from pelican.plugins.redress.tokens import make_token
from sites import pelican_settings

#: An invitation token as `redress invite` makes it: its payload names the order.
TOKEN = make_token(b"s" * 32, "BB-20452", "espresso-x1", dt.date(2026, 12, 31))
PHONE = "[phone number hidden]"
IBAN = "[bank account hidden]"
ORDER = "[order number hidden]"

#: Phone numbers of nl, be, ee and de as customers type them: national (with 0) and
#: international (+ and 00), with spaces, dots, dashes, slashes, Unicode spaces and dashes.
PHONES = {
    "ee-mobile": "5123 4567",
    "ee-mobile-7": "512 3456",
    "ee-international": "+372 5123 4567",
    "ee-00": "00372 51234567",
    "nl-nbsp": "06\u00a012345678",
    "nl-narrow-nbsp": "+31\u202f6\u202f1234\u202f5678",
    "nl-nonbreaking-hyphen": "06\u201112345678",
    "nl-en-dash": "06\u201312345678",
    "nl-slash": "06/12345678",
    "nl-dots": "06.12.34.56.78",
    "nl-plain": "0612345678",
    "nl-landline": "020 123 4567",
    "nl-zero-in-brackets": "+31 (0)6-12345678",
    "nl-00": "0031 6 1234 5678",
    "nl-no-zero": "6 12345678",
    "nl-no-zero-run-on": "612345678",
    "nl-no-zero-dash": "6-1234 5678",
    "be-mobile": "0470 12 34 56",
    "be-international": "+32 470 12 34 56",
    "be-00": "0032 2 123 45 67",
    "de-mobile": "0151 23456789",
    "de-landline-slash": "030/1234567",
    "de-brackets": "(030) 123 45 67",
    "de-international": "+49 30 1234567",
    "de-00": "0049 151 23456789",
}
#: IBANs of several countries, grouped or not, in capitals or not: hidden whole.
IBANS = {
    "nl": "NL91 ABNA 0417 1643 00",
    "nl-lowercase-run-on": "nl91abna0417164300",
    "nl-dashes": "NL91-ABNA-0417-1643-00",
    "be": "BE68 5390 0754 7034",
    "ee": "EE38 2200 2210 2014 5685",
    "de": "DE89 3704 0044 0532 0130 00",
    "gb": "GB29 NWBK 6016 1331 9268 19",
}
#: The review's own order number as the customer typed it again, in another case or with other dashes.
ORDER_VALUE = "BB-77779"
ORDER_TYPED = {
    "lowercase": "bb-77779",
    "space": "BB 77779",
    "nonbreaking-hyphen": "bb\u201177779",
    "run-on": "BB77779",
}
#: The order number without the prefix the platform gives it, as customers type it.
ORDER_DIGITS = {
    "shopify": ("#1001", "My order 1001 arrived late, bestelling nr. 1001."),
    "prefix-left-out": ("BB-20452", "Order 20452, or #20452, or BB_20452."),
}
#: An order number after the word "order", in a review with no order field (an import without
#: one, the form's field left empty): hidden. The number of each is 1043, 998877 or 45678.
ORDER_WORDS = {
    "shopify-hash": "My order #1043 came late",
    "dutch": "Bestelling #1043 kwam niet",
    "prefixed": "order BB-998877 was wrong",
    "colon": "ordernummer: 998877 klopt",
    "estonian": "tellimus nr 45678 hilines",
    "german": "Bestellnummer 45678 fehlt",
    "sentence": "my order number is 45678, thanks",
    "french": "commande n° 45678 perdue",
    "german-short": "Bestell-Nr. 998877 fehlt",
    "bare-five-digits": "Order 998877 never came",
}
#: "order" with a number that is no order number: it stays.
ORDER_WORDS_VISIBLE = {
    "count": "I order 2 bags a month",
    "quantity": "I order 5000 g every month",
    "pieces": "we order 1000 pieces",
    "year": "my order 2024 was fine",
    "short": "order #12 of the day",
    "cups": "I order 1000 cups a year",
    "euros": "my order was 1500 euros",
}
#: Numbers that are not contact details and must stay visible.
VISIBLE = {
    "price": "€ 12,95",
    "price-thousands": "€ 1.299,00",
    "iso-date": "2026-10-02",
    "dutch-date": "02-10-2026",
    "date-and-time": "02.10.2026 14:31",
    "date-and-dotted-time": "02.10.2026 09.30 uur",
    "date-then-phone-sized-number": "2026-10-02 1234567",
    "amount": "€ 5.250.000",
    "amount-nine-digits": "€ 612 345 678",
    "counting": "maten 5 10 15 20",
    "year": "sinds 2019",
    "quantity": "3 zakken van 250 gram",
    "postcode-nl": "3511 AB",
    "postcode-de": "10115 Berlin",
    "product-code": "BB-ESP-X1",
    "gtin": "EAN 8712345000011",
    "model": "model X1-2000",
    "time": "om 12:30",
}


#: Two numbers side by side, parted by a slash or a dash with spaces: both hidden whole.
TWO_PHONES = {
    "slash": ("06-12345678 / 06-87654321", f"{PHONE} / {PHONE}"),
    "dash": ("020-1234567 - 06-11223344", f"{PHONE} - {PHONE}"),
    "spaced-then-dash": ("06 12345678 - 020 1234567", f"{PHONE} - {PHONE}"),
    "international": ("+31 6 12345678 / +32 470 12 34 56", f"{PHONE} / {PHONE}"),
}
#: Ranges and ratios parted the same way stay as they are.
VISIBLE_PAIRS = {
    "year-range": "1990 - 2020",
    "date-range": "01-01-2026 - 02-02-2026",
    "ratio": "5 / 5",
    "price-range": "€ 12,95 - 15,00",
}
#: The review's own e-mail and phone, and other addresses, hidden from the typed text by
#: Markdown or by characters that show nothing: each must be gone from the published files.
DODGE_EMAIL, DODGE_PHONE = "kees.jansen@example.com", "06-22334455"
DODGES = {
    "character-reference": "Mail kees.jansen&#64;example.com please.",
    "emphasis-inside": "Mail kees.jansen@*example*.com please.",
    "backslash-dot": "Mail kees.jansen@example\\.com please.",
    "percent-in-link": "Click [mail me](mailto:kees.jansen%40example.com) please.",
    "soft-hyphen": "Mail kees.jansen\u00ad@example.com please.",
    "zero-width-space": "Call 06\u200b22334455 please.",
    "dash-reference": "Call 06&#45;22334455 please.",
    "backslash-dash": "Call 06\\-22334455 please.",
    "backslash-at": "Mail kees.jansen\\@example.com please.",
    "backslash-underscore": "Mail kees.jansen\\_x@example.com please.",
    "other-address-reference": "Mail piet&#64;example.org please.",
    "whatsapp": "Chat on [WhatsApp](https://wa.me/31622334455) please.",
}


#: An invitation token as a customer may paste it: the dot percent-encoded (copied from an address
#: bar), or the payload alone (the signature cut off). Either names the order number.
_PAYLOAD, _SIGNATURE = TOKEN.split(".")
TOKENS_WRITTEN = {
    "percent-dot": f"https://shop.example/reviews/write/?t={_PAYLOAD}%2E{_SIGNATURE}",
    "percent-dot-lower": f"?t={_PAYLOAD}%2e{_SIGNATURE}",
    "payload-alone": f"?t={_PAYLOAD}",
    # The link inside another's address (a login's return_url): every "=" and "?" escaped.
    "nested-in-a-redirect": f"https://shop.example/login?return_url=%2Freviews%2Fwrite%2F%3Ft%3D{_PAYLOAD}%2E{_SIGNATURE}",
    # Cut off one character into a base64 group.
    "cut-payload": f"?t={_PAYLOAD[: len(_PAYLOAD) - (len(_PAYLOAD) % 4) - 3]}",
}
#: The review's own e-mail and order number typed with a Japanese or Chinese keyboard's
#: full-width or small-form letters: found as plain letters.
WIDE_EMAIL, WIDE_ORDER = "kees.klant@gmail.com", "BB-42424"
WIDE = {
    "full-width-at": ("Mail kees.klant＠gmail.com please.", "Fine", "Kees"),
    "small-form-at": ("Mail kees.klant﹫gmail.com please.", "Fine", "Kees"),
    "full-width-dot": ("Mail kees.klant@gmail．com please.", "Fine", "Kees"),
    "full-width-order": ("Order ＢＢ－４２４２４ please.", "Fine", "Kees"),
    "in-the-title": ("Fine please.", "Order ＢＢ－４２４２４", "kees.klant＠gmail.com"),
    # A full-width comma after a phone number, made plain, must not undo its hiding.
    "phone-then-wide-comma": ("電話：0612345678，5つ星 kees.klant＠gmail.com please.", "Fine", "Kees"),
}

#: Addresses spelled out so that a program would not see them: hidden.
SPELT = {
    "word-at-word-dot": "jan.devries at example dot com",
    "brackets": "jan.devries(at)example.com",
    "square-brackets": "jan.devries [at] example [dot] com",
    "dutch-punt": "piet (at) voorbeeld punt nl",
    "capitals": "JAN_01 AT EXAMPLE DOT COM",
    "plain-name-at-a-mail-provider": "jan at gmail dot com",
    "plain-name-dutch-punt": "Piet at Hotmail punt nl",
    "plain-name-provider-subdomain": "mari at mail dot hot dot ee",
    "provider-with-country-domain": "jan at yahoo dot co dot uk",
}
#: Sentences with "at" and "dot" that are no address: they stay.
SPELT_VISIBLE = {
    "shop-name": "the team at Coolblue dot nl",
    "real-dot": "bought it at bol.com",
    "time": "we met at 10 dot 30",
    "shop-name-com": "ordered at Bol dot com",
}


def _slug(kind: str, name: str) -> str:
    return f"{kind}-{name}"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = []
    for kind, cases in (("phone", PHONES), ("iban", IBANS), ("visible", VISIBLE)):
        for name, value in cases.items():
            body = f"Before {value} after."
            files.append(review(_slug(kind, name), rating=2, body=body))
    for name, value in ORDER_TYPED.items():
        files.append(review(_slug("order", name), rating=2, body=f"Before {value} after.", order=ORDER_VALUE))
    for name, (value, _shown) in TWO_PHONES.items():
        files.append(review(_slug("two", name), rating=2, body=f"Before {value} after."))
    for name, value in VISIBLE_PAIRS.items():
        files.append(review(_slug("pair", name), rating=2, body=f"Before {value} after."))
    for name, body in DODGES.items():
        files.append(review(_slug("dodge", name), rating=2, body=body, email=DODGE_EMAIL, phone=DODGE_PHONE))
    files.append(
        review("invited", rating=4, body=f"I used this link: https://shop.example/reviews/write/?t={TOKEN}")
    )
    for name, written in TOKENS_WRITTEN.items():
        files.append(review(_slug("token", name), rating=4, body=f"My link: {written} thanks."))
    for name, (body, title, author) in WIDE.items():
        files.append(
            review(
                _slug("wide", name),
                rating=2,
                title=title,
                author=author,
                body=body,
                email=WIDE_EMAIL,
                order=WIDE_ORDER,
            )
        )
    for name, value in SPELT.items():
        files.append(review(_slug("spelt", name), rating=2, body=f"Before {value} after."))
    for name, value in SPELT_VISIBLE.items():
        files.append(review(_slug("phrase", name), rating=2, body=f"Before {value} after."))
    for name, body in ORDER_WORDS.items():
        files.append(review(_slug("orderword", name), rating=2, body=f"Before {body} after."))
    for name, body in ORDER_WORDS_VISIBLE.items():
        files.append(review(_slug("orderkept", name), rating=2, body=f"Before {body} after."))
    for name, (order, body) in ORDER_DIGITS.items():
        files.append(review(_slug("digits", name), rating=2, body=body, order=order))
    files.append(review("year-order", rating=2, body="A customer since 2024.", order="#2024"))
    files.append(review("quoted", rating=1, body="The pump broke.", order=ORDER_VALUE))
    files.append(
        response("quoted-1", "quoted", body="We refunded NL91 ABNA 0417 1643 00; call us on 5123 4567.")
    )
    return build(make_site(tmp_path_factory.mktemp("privacy"), *files))


def _published_text(out: Path) -> str:
    """Every file of the output that carries content: pages, feeds (.rss, .atom), data, badges
    (not the stylesheets, scripts and fonts, whose digits are no one's)."""
    return "\n".join(
        path.read_text(encoding="utf-8")
        for path in sorted(out.rglob("*"))
        if path.suffix in (".html", ".json", ".xml", ".rss", ".atom", ".svg") and "theme" not in path.parts
    )


def _card_text(out: Path, slug: str) -> str:
    card = soup(out / "reviews" / slug / "index.html").select_one(f"article#review-{slug} .review-text")
    assert card is not None, slug
    return card.get_text()


@pytest.mark.parametrize("name", sorted(PHONES))
def test_phone_numbers_of_the_shops_countries_are_hidden(out: Path, name: str) -> None:
    text = _card_text(out, _slug("phone", name))
    assert text.strip() == f"Before {PHONE} after.", (PHONES[name], text)
    assert PHONES[name] not in _published_text(out)


@pytest.mark.parametrize("name", sorted(IBANS))
def test_an_iban_is_hidden_whole(out: Path, name: str) -> None:
    text = _card_text(out, _slug("iban", name))
    assert text.strip() == f"Before {IBAN} after.", (IBANS[name], text)
    published = _published_text(out)
    for group in IBANS[name].split():
        assert len(group) < 4 or group not in published, group


@pytest.mark.parametrize("name", sorted(ORDER_TYPED))
def test_the_reviews_order_number_is_hidden_in_any_case_and_with_any_dash(out: Path, name: str) -> None:
    text = _card_text(out, _slug("order", name))
    assert text.strip() == f"Before {ORDER} after.", (ORDER_TYPED[name], text)
    assert ORDER_TYPED[name] not in _published_text(out)


@pytest.mark.parametrize("name", sorted(ORDER_DIGITS))
def test_an_order_number_typed_without_its_prefix_is_hidden(out: Path, name: str) -> None:
    order, _body = ORDER_DIGITS[name]
    text = _card_text(out, _slug("digits", name))
    digits = order.lstrip("#").removeprefix("BB-")
    assert digits not in text and ORDER in text, text
    assert digits not in _published_text(out)


def test_an_order_number_that_reads_as_a_year_is_hidden_only_with_its_prefix(out: Path) -> None:
    assert _card_text(out, "year-order").strip() == "A customer since 2024."


@pytest.mark.parametrize("name", sorted(VISIBLE))
def test_ordinary_numbers_stay_visible(out: Path, name: str) -> None:
    text = _card_text(out, _slug("visible", name))
    assert text.strip() == f"Before {VISIBLE[name]} after."


@pytest.mark.parametrize("name", sorted(TWO_PHONES))
def test_two_numbers_parted_by_a_spaced_slash_or_dash_are_both_hidden(out: Path, name: str) -> None:
    value, shown = TWO_PHONES[name]
    text = _card_text(out, _slug("two", name))
    assert text.strip() == f"Before {shown} after.", (value, text)
    published = _published_text(out)
    for number in value.split(" / ") if " / " in value else value.split(" - "):
        assert number not in published, number


@pytest.mark.parametrize("name", sorted(VISIBLE_PAIRS))
def test_ranges_and_ratios_parted_the_same_way_stay_visible(out: Path, name: str) -> None:
    assert _card_text(out, _slug("pair", name)).strip() == f"Before {VISIBLE_PAIRS[name]} after."


@pytest.mark.parametrize("name", sorted(DODGES))
def test_an_address_hidden_from_the_typed_text_by_markdown_is_hidden_in_the_published_text(
    out: Path, name: str
) -> None:
    text = _card_text(out, _slug("dodge", name))
    assert text.strip().endswith("please."), text
    if "](" not in DODGES[name]:
        assert "[e-mail address hidden]" in text or PHONE in text, text  # (a link keeps its words only)
    published = _published_text(out)
    for secret in ("kees.jansen", "22334455", "2233 4455", "piet&#64;", "piet@example.org"):
        assert secret not in published, (name, secret)


def test_no_link_leads_to_where_something_was_hidden(out: Path) -> None:
    """``wa.me/[phone number hidden]`` leads nowhere: such a link's words stay, without the link."""
    hrefs = [
        unquote(a["href"])
        for path in sorted((out / "reviews").glob("*/index.html"))
        for a in soup(path).select(".redress a[href]")
    ]
    assert hrefs  # the pages have links (a review's own, the filters)
    assert not [href for href in hrefs if "hidden]" in href]
    card = _card_text(out, _slug("dodge", "whatsapp"))
    assert card.strip() == "Chat on WhatsApp please."


@pytest.mark.parametrize("name", sorted(SPELT))
def test_an_address_spelled_out_is_hidden(out: Path, name: str) -> None:
    text = _card_text(out, _slug("spelt", name))
    assert text.strip() == "Before [e-mail address hidden] after.", (SPELT[name], text)
    assert SPELT[name] not in _published_text(out)


@pytest.mark.parametrize("name", sorted(SPELT_VISIBLE))
def test_a_sentence_with_at_and_dot_stays_as_written(out: Path, name: str) -> None:
    assert _card_text(out, _slug("phrase", name)).strip() == f"Before {SPELT_VISIBLE[name]} after."


def test_an_order_typed_as_a_word_hides_no_word_of_the_shops_answer(tmp_path: Path) -> None:
    """The form's order field is free text: a customer who typed "sorry" or "the" there made the
    page hide those words in the shop's answer, in feeds and data, and inside "another"."""
    files = [
        review("worded", rating=1, body="The grinder broke.", order="sorry"),
        response("worded-1", "worded", body="We are so sorry about the grinder; another one is on its way."),
        review("short", rating=2, body="The parcel was late.", order="the"),
        response("short-1", "short", body="We apologise for the delay; the other one is sent."),
        review("letters", rating=2, body="See XBB-12345 and BB-12345.", order="BB-12345"),
    ]
    out = build(make_site(tmp_path, *files))
    worded = soup(out / "reviews/worded/index.html").find(id="entry-worded-1").get_text(" ", strip=True)
    assert "We are so sorry about the grinder; another one is on its way." in worded
    short = soup(out / "reviews/short/index.html").find(id="entry-short-1").get_text(" ", strip=True)
    assert "We apologise for the delay; the other one is sent." in short
    assert ORDER not in _published_text(out).replace(_card_text(out, "letters"), "")
    assert _card_text(out, "letters").strip() == f"See XBB-{ORDER} and {ORDER}."


def test_an_invitation_link_pasted_into_a_review_is_published_without_its_token(out: Path) -> None:
    text = _card_text(out, "invited")
    assert text.strip() == f"I used this link: https://shop.example/reviews/write/?t={ORDER}", text
    published = _published_text(out)
    payload, signature = TOKEN.split(".")
    assert payload not in published and signature not in published


@pytest.mark.parametrize("name", sorted(TOKENS_WRITTEN))
def test_an_invitation_token_written_otherwise_is_hidden(out: Path, name: str) -> None:
    """A token whose dot was written ``%2E`` was published whole: a stranger took it from the page,
    and it verified their review and gave away the order number."""
    text = _card_text(out, _slug("token", name))
    assert ORDER in text and "thanks." in text, text
    published = _published_text(out)
    assert _PAYLOAD not in published and _SIGNATURE not in published


@pytest.mark.parametrize("name", sorted(WIDE))
def test_contact_details_in_full_width_letters_are_hidden(out: Path, name: str) -> None:
    slug = _slug("wide", name)
    page = soup(out / "reviews" / slug / "index.html").select_one(f"article#review-{slug}")
    assert page is not None
    text = page.get_text(" ")
    assert "please." in text and ("[e-mail address hidden]" in text or ORDER in text), text
    published = _published_text(out)
    for written in ("kees.klant", "ＢＢ", "４２４２４", "42424", "12345678"):
        assert written not in published, (name, written)


@pytest.mark.parametrize("name", sorted(ORDER_WORDS))
def test_an_order_number_after_the_word_order_is_hidden_without_an_order_field(out: Path, name: str) -> None:
    text = _card_text(out, _slug("orderword", name))
    assert ORDER in text, text
    for number in ("1043", "998877", "45678"):
        assert number not in text


@pytest.mark.parametrize("name", sorted(ORDER_WORDS_VISIBLE))
def test_a_number_after_order_that_is_no_order_number_stays(out: Path, name: str) -> None:
    assert _card_text(out, _slug("orderkept", name)).strip() == f"Before {ORDER_WORDS_VISIBLE[name]} after."


def test_a_response_quoting_an_iban_and_a_mobile_hides_both(out: Path) -> None:
    entry = soup(out / "reviews/quoted/index.html").find(id="entry-quoted-1")
    assert entry is not None
    text = entry.get_text(" ")
    assert IBAN in text and PHONE in text
    assert "ABNA" not in text and "5123" not in text


def test_a_text_of_thousands_of_digits_is_read_quickly(tmp_path: Path) -> None:
    """A hostile review (5,000 characters of spaced digits) costs the build no more than a moment."""
    bodies = ["0 " * 2500, "5 " * 2500, "+" + "1 " * 2500, "0-" * 2500, "NL91 " * 1000]
    site = make_site(tmp_path, *(review(f"digits-{i}", rating=1, body=body) for i, body in enumerate(bodies)))
    start = time.perf_counter()
    shop = load_shop(pelican_settings(site))
    assert time.perf_counter() - start < 5
    assert len(shop.reviews) == len(bodies)


def test_the_skeleton_drops_exactly_what_the_separator_pattern_matches_in_all_of_unicode() -> None:
    """The skeleton (the quick "is the value there at all" test) is one translation table; it must
    drop exactly the characters the patterns take as separators, plus the combining marks, so
    that no value the pattern would find is passed over."""
    import re

    from pelican.plugins.redress.content import privacy

    dropped = re.compile(f"{privacy._SEP}|[\u0300-\u036f]")
    table = privacy._SKELETON_TABLE
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        assert (table.get(code, 0) is None) == bool(dropped.fullmatch(chr(code))), hex(code)
    # İ folds to i and a combining dot, which is dropped.
    assert privacy._skeleton("BB\u2011777\u00a079 İstanbul ı") == "bb77779istanbuli"
