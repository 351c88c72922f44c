"""The shop's own contact details stay visible in its answers; everyone else's stay hidden.

Tried with a real shop's export, "reach out to us at support@<the shop's
domain>" came out as "[e-mail address hidden]", which defeats taking a case
offline. REVIEWS_SHOP_CONTACTS (and any address at the domain of SITEURL or
REVIEWS_SHOP_URL) are now left as they are in the shop's entries, and only
there; a customer's own data in a shop entry is still hidden, and flagged.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import build, make_site, pelican_settings, response, review, soup
from pelican.plugins.redress.content import privacy
from pelican.plugins.redress.content.settings import SettingsError, get_settings
from pelican.plugins.redress.content.shop import load_shop

SHOP = {
    "SITEURL": "https://reviews.bonenbus.example",
    "REVIEWS_SHOP_CONTACTS": ["+31 30 123 4567", "help@mail.example"],
}
ANSWER = (
    "Bo, sorry! Mail hulp@bonenbus.example or help@mail.example, call 030 123 4567 "
    "or +31 (0)30 1234567. Our courier is reached at desk@courier.example or 020 765 4321."
)


@pytest.fixture
def page(tmp_path: Path) -> str:
    site = make_site(
        tmp_path,
        review(
            "leak",
            2,
            "2026-10-02 09:00",
            "De waterkoker lekt.",
            Author="Bo",
            Lang="nl",
            Email="bo@bonenbus.example",
        ),
        response(
            "leak-1", "leak", "2026-10-02 12:00", ANSWER + " Or write to bo@bonenbus.example.", From="shop"
        ),
        response(
            "leak-2",
            "leak",
            "2026-10-05 12:00",
            "Fixed, I wrote to hulp@bonenbus.example.",
            From="customer",
            Resolved="yes",
        ),
    )
    output = build(site, **SHOP)
    return soup(output / "reviews" / "leak" / "index.html").get_text(" ")


def test_the_shops_own_addresses_and_numbers_stay_in_its_answers(page: str) -> None:
    assert "hulp@bonenbus.example" in page  # at the domain of SITEURL, one level up
    assert "help@mail.example" in page and "030 123 4567" in page and "+31 (0)30 1234567" in page


def test_other_addresses_and_numbers_are_hidden_as_before(page: str) -> None:
    assert "desk@courier.example" not in page and "020 765 4321" not in page
    assert page.count("[e-mail address hidden]") >= 2 and "[phone number hidden]" in page


def test_the_customers_own_address_is_hidden_even_at_the_shops_domain(page: str) -> None:
    assert "bo@bonenbus.example" not in page


def test_in_a_customers_entry_nothing_is_kept(page: str) -> None:
    assert "Fixed, I wrote to [e-mail address hidden]" in page


def test_the_reader_remembers_only_fingerprints_of_what_it_hid(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        review("leak", 2, "2026-10-02 09:00", "Lekt.", Lang="nl", Phone="06 1234 5678"),
        response("leak-1", "leak", "2026-10-02 12:00", "Bo, I'll call +31 6 12345678 today.", From="shop"),
    )
    shop = load_shop(pelican_settings(site, **SHOP))
    entry = shop.reviews[0].thread[0]
    assert entry.quoted == ("phone",)
    assert entry.hidden == {privacy.fingerprint("phone", "06 1234 5678")}
    assert not any("12345678" in f for f in entry.hidden)


@pytest.mark.parametrize(
    ("url", "domains"),
    [
        ("https://www.bonenbus.nl/", ("bonenbus.nl",)),
        ("https://reviews.bonenbus.nl", ("reviews.bonenbus.nl", "bonenbus.nl")),
        ("https://shop.example.co.uk", ("shop.example.co.uk", "example.co.uk")),
        ("http://127.0.0.1:8000", ()),
        ("http://localhost:8000", ()),
        ("", ()),
        # A folder of a provider's host: its customers write from that domain too.
        ("https://users.telenet.be/bonenbus/", ()),
        ("https://www.xs4all.nl/~bonenbus", ()),
        ("https://www.bonenbus.nl/reviews/", ()),
    ],
)
def test_the_shops_domains_come_from_its_addresses(url: str, domains: tuple[str, ...]) -> None:
    assert privacy.shop_contacts([], [url]).domains == domains


def test_a_number_is_the_same_number_written_nationally_or_internationally() -> None:
    contacts = privacy.shop_contacts(["+31 30 123 4567", "+372 5123 4567"], [])
    for same in ("030 123 4567", "+31 30 1234567", "0031 30 123 4567", "+31 (0)30 123 4567", "5123 4567"):
        assert contacts.keeps_phone(same), same
    for other in ("030 123 4568", "+32 30 123 4567", "06 1234 5678"):
        assert not contacts.keeps_phone(other), other


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("help@shop.example", "REVIEWS_SHOP_CONTACTS is 'help@shop.example'; use a list"),
        (["help@shop.example", "ask for Tom"], "REVIEWS_SHOP_CONTACTS holds 'ask for Tom', which is neither"),
        ([12345678], "REVIEWS_SHOP_CONTACTS holds 12345678, which is neither"),
    ],
)
def test_contacts_that_cannot_work_are_named(value: object, message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        get_settings({"REVIEWS_SHOP_CONTACTS": value})
    assert any(message in line for line in caught.value.lines())


@pytest.mark.parametrize("key", ["REVIEWS_RESPONSE_DEADLINE_HOURS", "REVIEWS_FOLLOWUP_DAYS"])
@pytest.mark.parametrize("value", [0, -1, "48", True, None])
def test_desk_periods_must_be_positive_numbers(key: str, value: object) -> None:
    with pytest.raises(SettingsError) as caught:
        get_settings({key: value})
    assert any(
        line.startswith(f"settings: {key} is {value!r}; use a number of") for line in caught.value.lines()
    )


def test_the_desk_defaults(tmp_path: Path) -> None:
    rs = get_settings({})
    assert rs["REVIEWS_RESPONSE_DEADLINE_HOURS"] == 48
    assert rs["REVIEWS_FOLLOWUP_DAYS"] == 7
    assert rs["REVIEWS_SHOP_CONTACTS"] == []
