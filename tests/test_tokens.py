"""Signed invitation tokens: what the inbox accepts as an invited, verified review."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from pelican.plugins.redress import tokens

SECRET = b"s" * 40
OTHER_SECRET = b"t" * 40
EXPIRES = dt.date(2027, 1, 7)
BEFORE = dt.date(2026, 10, 9)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_valid_token_for_its_product():
    token = tokens.make_token(SECRET, "BB-1001", "espresso-x1", EXPIRES)
    check = tokens.check_token(SECRET, token, "espresso-x1", BEFORE)
    assert check.valid
    assert (check.status, check.order, check.product, check.expires) == (
        "valid",
        "BB-1001",
        "espresso-x1",
        EXPIRES,
    )


def test_valid_on_its_last_day_and_expired_the_day_after():
    token = tokens.make_token(SECRET, "BB-1001", "", EXPIRES)
    assert tokens.check_token(SECRET, token, "", EXPIRES).valid
    expired = tokens.check_token(SECRET, token, "", EXPIRES + dt.timedelta(days=1))
    assert expired.status == "expired"
    assert not expired.valid
    assert expired.order == "BB-1001"


def test_expired_before_wrong_product():
    token = tokens.make_token(SECRET, "BB-1001", "espresso-x1", EXPIRES)
    assert tokens.check_token(SECRET, token, "molen-m2", dt.date(2027, 2, 1)).status == "expired"


def test_wrong_product():
    token = tokens.make_token(SECRET, "BB-1001", "espresso-x1", EXPIRES)
    check = tokens.check_token(SECRET, token, "molen-m2", BEFORE)
    assert check.status == "wrong-product"
    assert check.product == "espresso-x1"
    assert tokens.check_token(SECRET, token, "", BEFORE).status == "wrong-product"


@pytest.mark.parametrize("product", ["", "espresso-x1", "molen-m2"])
def test_order_token_without_its_products_is_valid_for_the_shop_and_any_product(product):
    """An order file that does not say what was bought; and links sent before orders named their products."""
    for token in (
        tokens.make_token(SECRET, "BB-1001", "", EXPIRES),
        tokens.make_order_token(SECRET, "BB-1001", None, EXPIRES),
    ):
        check = tokens.check_token(SECRET, token, product, BEFORE)
        assert check.valid
        assert (check.product, check.order_link, check.products) == ("", False, ())


def test_order_token_covers_the_shop_and_the_orders_products_only():
    token = tokens.make_order_token(SECRET, "BB-1001", ["espresso-x1", "molen-m2", "espresso-x1"], EXPIRES)
    for product in ("", "espresso-x1", "molen-m2"):
        check = tokens.check_token(SECRET, token, product, BEFORE)
        assert check.valid, product
        assert (check.order, check.product, check.order_link) == ("BB-1001", "", True)
        assert check.products == ("espresso-x1", "molen-m2")
    for product in ("ontkalker", "espresso", "espresso-x1,molen-m2", "molen-m"):
        assert tokens.check_token(SECRET, token, product, BEFORE).status == "wrong-product", product
    # Expiry still comes first.
    assert tokens.check_token(SECRET, token, "ontkalker", dt.date(2027, 2, 1)).status == "expired"


def test_order_token_with_no_products_or_too_many_covers_the_shop_only():
    many = [f"product-number-{n}" for n in range(40)]
    assert not tokens.order_token_covers(many)
    assert tokens.order_token_covers(many[:5])
    for products in ([], many):
        token = tokens.make_order_token(SECRET, "BB-1001", products, EXPIRES)
        assert tokens.check_token(SECRET, token, "", BEFORE).valid
        for product in ("espresso-x1", many[0]):
            assert tokens.check_token(SECRET, token, product, BEFORE).status == "wrong-product"
        assert len(token) < 80  # the packing slip's code stays small
    named = tokens.make_order_token(SECRET, "BB-1001", many[:10], EXPIRES)
    assert len(named) <= tokens.TOKEN_MAX
    assert tokens.check_token(SECRET, named, many[9], BEFORE).valid


@pytest.mark.parametrize("products", [["a,b"], [""]])
def test_order_token_refuses_a_product_it_could_not_name(products):
    with pytest.raises(ValueError):
        tokens.make_order_token(SECRET, "BB-1001", products, EXPIRES)


def test_wrong_secret_reads_as_tampered():
    token = tokens.make_token(SECRET, "BB-1001", "", EXPIRES)
    assert tokens.check_token(OTHER_SECRET, token, "", BEFORE).status == "tampered"


def test_tampered_payload():
    token = tokens.make_token(SECRET, "BB-1001", "espresso-x1", EXPIRES)
    signature = token.split(".")[1]
    for payload in (
        b"v1|BB-1002|espresso-x1|20270107",
        b"v1|BB-1001|molen-m2|20270107",
        b"v1|BB-1001||20270107",
    ):
        check = tokens.check_token(SECRET, f"{_b64(payload)}.{signature}", "espresso-x1", BEFORE)
        assert check.status == "tampered", payload
    # A later expiry is the most tempting forgery.
    later = _b64(b"v1|BB-1001|espresso-x1|20991231")
    assert tokens.check_token(SECRET, f"{later}.{signature}", "espresso-x1", BEFORE).status == "tampered"


def test_tampered_signature():
    token = tokens.make_token(SECRET, "BB-1001", "", EXPIRES)
    payload, signature = token.split(".")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    assert tokens.check_token(SECRET, f"{payload}.{flipped}", "", BEFORE).status == "tampered"
    assert tokens.check_token(SECRET, f"{payload}.{signature[:-2]}", "", BEFORE).status in (
        "tampered",
        "malformed",
    )


@pytest.mark.parametrize("token", ["", "   ", None])
def test_missing(token):
    assert tokens.check_token(SECRET, token, "", BEFORE).status == "missing"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "token",
    [
        "no-dot-at-all",
        "a.b.c",
        "!!!.???",
        "x" * 600 + ".y",
        "abc.",
    ],
)
def test_malformed(token):
    check = tokens.check_token(SECRET, token, "", BEFORE)
    assert check.status in ("malformed", "tampered")
    assert not check.valid


def test_correctly_signed_but_unreadable_payload_is_malformed():
    for payload in (b"v2|BB-1|x|20270107", b"v1|BB-1|x", b"v1|BB-1|x|2027-01-07", b"\xff\xfe|a|b|20270107"):
        signature = _b64(tokens._sign(SECRET, payload))
        assert tokens.check_token(SECRET, f"{_b64(payload)}.{signature}", "x", BEFORE).status == "malformed"


def test_token_is_url_safe_and_short():
    token = tokens.make_token(SECRET, "#1001 Ä/ü?&=", "espresso-x1", EXPIRES)
    assert all(ch.isalnum() or ch in "-_." for ch in token)
    assert tokens.check_token(SECRET, token, "espresso-x1", BEFORE).order == "#1001 Ä/ü?&="
    assert len(tokens.make_token(SECRET, "BB-20452", "", EXPIRES)) < 50


def test_order_or_product_with_separator_is_refused():
    with pytest.raises(ValueError):
        tokens.make_token(SECRET, "BB|1", "", EXPIRES)
    with pytest.raises(ValueError):
        tokens.make_token(SECRET, "BB-1", "a|b", EXPIRES)


def test_secret_from_env_says_how_to_make_one():
    with pytest.raises(tokens.SecretError) as missing:
        tokens.secret_from_env({})
    message = str(missing.value)
    assert "REDRESS_SECRET is not set" in message
    assert "redress secret" in message
    assert "export REDRESS_SECRET=" in message
    with pytest.raises(tokens.SecretError) as short:
        tokens.secret_from_env({"REDRESS_SECRET": "short"})
    assert "only 5 characters long" in str(short.value)


def test_secret_from_env_accepts_a_new_secret():
    secret = tokens.new_secret()
    assert len(secret) >= tokens.MIN_SECRET_LENGTH
    assert tokens.secret_from_env({"REDRESS_SECRET": secret}) == secret.encode()
    assert tokens.new_secret() != secret


# -- kinds: an invitation and a follow-up link cannot stand in for each other -----------------

REVIEW = "2026-10-02-pakket-kwam-beschadigd-aan"


def test_follow_up_token_is_for_its_review():
    token = tokens.make_follow_up_token(SECRET, "BB-1001", REVIEW, EXPIRES)
    check = tokens.check_follow_up_token(SECRET, token, REVIEW, BEFORE)
    assert check.valid
    assert (check.kind, check.order, check.review, check.product) == (tokens.FOLLOW_UP, "BB-1001", REVIEW, "")
    assert tokens.check_follow_up_token(SECRET, token, None, BEFORE).review == REVIEW, "the token names it"
    other = tokens.check_follow_up_token(SECRET, token, "2026-10-03-another-review", BEFORE)
    assert other.status == "wrong-review" and not other.valid
    assert tokens.check_follow_up_token(SECRET, token, REVIEW, EXPIRES + dt.timedelta(days=1)).status == (
        "expired"
    )


@pytest.mark.parametrize("product", ["", "espresso-x1"])
def test_follow_up_token_is_no_invitation(product):
    token = tokens.make_follow_up_token(SECRET, "BB-1001", REVIEW, EXPIRES)
    check = tokens.check_token(SECRET, token, product, BEFORE)
    assert check.status == "wrong-kind" and not check.valid


@pytest.mark.parametrize("product", ["", "espresso-x1"])
def test_invitation_is_no_follow_up_token(product):
    token = tokens.make_token(SECRET, "BB-1001", product, EXPIRES)
    assert tokens.check_token(SECRET, token, product, BEFORE).kind == tokens.INVITATION
    for review in (REVIEW, None):
        check = tokens.check_follow_up_token(SECRET, token, review, BEFORE)
        assert check.status == "wrong-kind" and not check.valid


def test_the_kind_is_signed():
    """Changing the kind letter of a valid invitation breaks its signature."""
    token = tokens.make_token(SECRET, "BB-1001", "", EXPIRES)
    payload, signature = token.split(".")
    text = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    assert text.startswith("v2|i|")
    forged = _b64(text.replace("v2|i|", "v2|f|", 1).encode())
    assert tokens.check_follow_up_token(SECRET, f"{forged}.{signature}", "", BEFORE).status == "tampered"


def test_tokens_sent_before_kinds_are_invitations_only():
    """v1 tokens (no kind) are in mailboxes and on packing slips: still invitations, never follow-up proof."""
    payload = b"v1|BB-1001|espresso-x1|20270107"
    old = f"{_b64(payload)}.{_b64(tokens._sign(SECRET, payload))}"
    check = tokens.check_token(SECRET, old, "espresso-x1", BEFORE)
    assert check.valid and (check.kind, check.order, check.product) == (
        tokens.INVITATION,
        "BB-1001",
        "espresso-x1",
    )
    assert tokens.check_token(SECRET, old, "molen-m2", BEFORE).status == "wrong-product"
    general = b"v1|BB-1001||20270107"
    old_general = f"{_b64(general)}.{_b64(tokens._sign(SECRET, general))}"
    assert tokens.check_token(SECRET, old_general, "molen-m2", BEFORE).valid
    assert tokens.check_follow_up_token(SECRET, old_general, REVIEW, BEFORE).status == "wrong-kind"


def test_follow_up_token_needs_a_review():
    with pytest.raises(ValueError):
        tokens.make_follow_up_token(SECRET, "BB-1001", "", EXPIRES)
    with pytest.raises(ValueError):
        tokens.make_follow_up_token(SECRET, "BB-1001", "a|b", EXPIRES)
